/**
 * Teradata columns for the catalog tools and resources: the DBC.ColumnsVX
 * fields a type needs, and the types of view columns, which DBC.ColumnsVX
 * does not hold, from HELP COLUMN — falling back to the dictionary (types
 * unknown, the view marked) when HELP COLUMN fails on a broken view or one the
 * user may not SELECT from.
 * @module
 */
import type { Cell, QueryResult } from "../../connection/types.ts";
import type { ReadContext } from "../../plugin/resource.ts";
import { qualifiedName, type TableRef } from "./sql.ts";
import { teradataCharset, teradataNullable, teradataType } from "./teradata_types.ts";

/**
 * The DBC.ColumnsVX fields {@link typeAt} reads, in order (Data Dictionary, ColumnsV[X]: ColumnType CHAR(2),
 * ColumnLength INTEGER bytes, CharType, DecimalTotalDigits, DecimalFractionalDigits SMALLINT, ColumnUDTName).
 */
export const TYPE_FIELDS =
  "ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, ColumnUDTName";

/** The decoded type of a row holding the {@link TYPE_FIELDS} from index `at`; null for a view column. */
export function typeAt(row: readonly Cell[], at: number): string | null {
  return teradataType({
    code: row[at],
    length: row[at + 1],
    charType: row[at + 2],
    totalDigits: row[at + 3],
    fractionalDigits: row[at + 4],
    udtName: row[at + 5],
  });
}

/** A view column's type as HELP COLUMN reports it. */
export interface HelpColumn {
  /** The two-letter type code, trimmed. */
  code: string | null;
  /** The decoded SQL type. */
  type: string | null;
  charset: string | null;
  nullable: boolean | null;
}

/** Why a view's column types are unknown: no SELECT right on it (3523), or HELP COLUMN failed otherwise. */
export type ViewStatus = "NO_ACCESS" | "BROKEN_VIEW";

/** What HELP COLUMN said about a view: its columns by upper-case name, or why it could not say. */
export type ViewColumns =
  | { ok: true; columns: Map<string, HelpColumn> }
  | { ok: false; status: ViewStatus; message: string };

/** Teradata 3523: "The user does not have <right> access to <object>" (Messages, B035-1096). */
const NO_ACCESS = 3523;

/**
 * Runs `HELP COLUMN "db"."view".*` (SQL DDL Detailed Topics, HELP COLUMN Attributes: "Column Name", "Type",
 * "Nullable", "Max Length", "Decimal Total Digits", "Decimal Fractional Digits", "Char Type", "UDT Name"). A
 * statement error (the view is broken, or the user lacks SELECT on it or on what it reads) is returned, not
 * thrown, so one bad view does not fail a whole listing; lost connections and timeouts still throw.
 */
export async function helpViewColumns(ctx: ReadContext, ref: TableRef): Promise<ViewColumns> {
  let help: QueryResult;
  try {
    help = await ctx.db.query(`HELP COLUMN ${qualifiedName(ref, "teradata")}.*`, {
      maxRows: ctx.limits.maxRows,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "DatabaseError") throw error;
    const { kind, nativeCode } = error as Error & { kind?: string; nativeCode?: number };
    if (kind !== "sql") throw error;
    ctx.log.debug("HELP COLUMN failed on {view}: {error}", {
      view: `${ref.database}.${ref.table}`,
      error: error.message,
    });
    // The Teradata ODBC driver reports a statement's code as a negative native code.
    const code = Math.abs(nativeCode ?? 0);
    return { ok: false, status: code === NO_ACCESS ? "NO_ACCESS" : "BROKEN_VIEW", message: error.message };
  }
  const find = (pattern: RegExp, fallback = -1) => {
    const at = help.columns.findIndex((c) => pattern.test(c.name.trim()));
    return at < 0 ? fallback : at;
  };
  const at = {
    name: find(/^column ?name$/i, 0),
    code: find(/^type$/i, 1),
    nullable: find(/^nullable$/i, 2),
    length: find(/^max ?length$/i),
    total: find(/^decimal ?total ?digits$/i),
    fraction: find(/^decimal ?fractional ?digits$/i),
    charType: find(/^char ?type$/i),
    udt: find(/^udt ?name$/i),
  };
  const cell = (row: Cell[], i: number) => (i < 0 ? null : row[i] ?? null);
  const columns = new Map<string, HelpColumn>();
  for (const row of help.rows) {
    const code = cell(row, at.code);
    columns.set(String(row[at.name]).trim().toUpperCase(), {
      code: code === null ? null : String(code).trim() || null,
      type: teradataType({
        code,
        length: cell(row, at.length),
        charType: cell(row, at.charType),
        totalDigits: cell(row, at.total),
        fractionalDigits: cell(row, at.fraction),
        udtName: cell(row, at.udt),
      }),
      charset: teradataCharset(cell(row, at.charType)),
      nullable: teradataNullable(cell(row, at.nullable)),
    });
  }
  return { ok: true, columns };
}

/** Where the fields {@link typeViewRows} reads and fills sit in a row. */
export interface ViewRowFields {
  database: number;
  table: number;
  column: number;
  type: number;
  code: number;
  nullable: number;
  status: number;
  charset?: number;
}

/**
 * Types the rows of view columns (those with a null type code) from HELP COLUMN, one view at a time, in place:
 * at most `maxViews` views, and none after `deadline` (epoch ms). A view HELP COLUMN cannot read keeps its
 * dictionary rows with status NO_ACCESS or BROKEN_VIEW. Returns notes for the agent.
 */
export async function typeViewRows(
  ctx: ReadContext,
  rows: Cell[][],
  at: ViewRowFields,
  limits: { maxViews: number; deadline?: number },
): Promise<string[]> {
  const views = new Map<string, { database: string; table: string; rows: Cell[][] }>();
  for (const row of rows) {
    if (row[at.code] !== null) continue;
    const database = String(row[at.database]).trimEnd();
    const table = String(row[at.table]).trimEnd();
    const key = JSON.stringify([database, table]);
    if (!views.has(key)) views.set(key, { database, table, rows: [] });
    views.get(key)!.rows.push(row);
  }
  const failed: { view: string; status: ViewStatus; message: string }[] = [];
  let typed = 0;
  for (const view of views.values()) {
    if (typed >= limits.maxViews || (limits.deadline !== undefined && Date.now() > limits.deadline)) break;
    typed++;
    const help = await helpViewColumns(ctx, { database: view.database, table: view.table });
    if (!help.ok) {
      for (const row of view.rows) row[at.status] = help.status;
      failed.push({ view: `${view.database}.${view.table}`, status: help.status, message: help.message });
      continue;
    }
    for (const row of view.rows) {
      const column = help.columns.get(String(row[at.column]).trim().toUpperCase());
      if (column === undefined) continue;
      row[at.type] = column.type;
      row[at.code] = column.code;
      if (row[at.nullable] === null) row[at.nullable] = column.nullable;
      if (at.charset !== undefined) row[at.charset] = column.charset;
    }
  }
  const notes = failed.length > 0 ? [unresolvedViewsNote(failed)] : [];
  const skipped = views.size - typed;
  if (skipped > 0) {
    notes.push(
      `${skipped} more views keep null types (HELP COLUMN ran for ${typed} views in this call); ` +
        "ask for those views by name",
    );
  }
  return notes;
}

/** The note for views whose column types stay unknown. */
export function unresolvedViewsNote(failed: readonly { view: string; status: ViewStatus; message: string }[]): string {
  return failed.map(({ view, status, message }) =>
    `view \`${view}\`: HELP COLUMN failed (${message.replace(/\s+/g, " ").slice(0, 300)}); its column types are ` +
    (status === "NO_ACCESS"
      ? "unknown because you lack SELECT on it (or on what it reads): status NO_ACCESS"
      : "unknown and the view may be broken (an object it reads was dropped or changed): status BROKEN_VIEW")
  ).join("\n");
}
