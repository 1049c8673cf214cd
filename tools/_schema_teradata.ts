/**
 * The Teradata side of the table-schema resources: DBC dictionary views,
 * type codes as SQL type names, HELP COLUMN for view columns, and the row
 * count of collected statistics.
 * @module
 */
import type { Cell } from "../connection/types.ts";
import type { ReadContext } from "./_resource.ts";
import type { TableSchema } from "./_schema.ts";
import { kindName, nullableText, text } from "./_schema_catalog.ts";
import { qualifiedName } from "./_sql.ts";

/** Reads a Teradata table's schema; null when DBC.TablesVX has no such table or view. */
export async function describeTeradata(ctx: ReadContext, database: string, table: string): Promise<TableSchema | null> {
  const options = { params: [database, table], maxRows: ctx.limits.maxRows, signal: ctx.signal };
  // DBC.TablesVX, DBC.ColumnsVX and DBC.IndicesVX are the access-controlled dictionary views
  // (Data Dictionary, B035-1092): TableKind; ColumnType/ColumnLength/CharType/DecimalTotalDigits/
  // DecimalFractionalDigits/Nullable/DefaultValue by ColumnId; IndexType 'K' = primary key by ColumnPosition.
  const kind = await ctx.db.query(
    "SELECT TableKind FROM DBC.TablesVX WHERE DatabaseName = ? AND TableName = ?",
    options,
  );
  if (kind.rowCount === 0) return null;
  const columns = await ctx.db.query(
    `SELECT ColumnName, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, Nullable,
  DefaultValue
FROM DBC.ColumnsVX WHERE DatabaseName = ? AND TableName = ? ORDER BY ColumnId`,
    options,
  );
  const key = await ctx.db.query(
    "SELECT ColumnName FROM DBC.IndicesVX WHERE DatabaseName = ? AND TableName = ? AND IndexType = 'K' ORDER BY ColumnPosition",
    options,
  );
  const estimate = await teradataRowCount(ctx, database, table);
  const viewTypes = columns.rows.some((r) => r[1] === null) ? await helpColumnTypes(ctx, database, table) : new Map();
  return {
    database,
    table,
    kind: kindName(text(kind.rows[0][0])),
    columns: columns.rows.map((r) => ({
      name: text(r[0]),
      type: teradataType(r[1] === null ? viewTypes.get(text(r[0]).toUpperCase()) ?? r : r),
      nullable: text(r[6]) !== "N",
      default: nullableText(r[7]),
    })),
    primary_key: key.rowCount > 0 ? key.rows.map((r) => text(r[0])) : null,
    row_count_estimate: Number.isFinite(estimate) ? estimate : null,
    row_count_source: Number.isFinite(estimate) ? "DBC.TableStatsV (collected statistics)" : null,
  };
}

/**
 * DBC.ColumnsVX has no types for view columns; HELP COLUMN has them, in
 * columns "Column Name", "Type", "Max Length", "Char Type", "Decimal Total
 * Digits", "Decimal Fractional Digits" (SQL DDL Detailed Topics, HELP COLUMN
 * attributes). Returns rows shaped like the ColumnsVX query's, by upper-case name.
 */
async function helpColumnTypes(ctx: ReadContext, database: string, table: string): Promise<Map<string, Cell[]>> {
  const help = await ctx.db.query(`HELP COLUMN ${qualifiedName({ database, table }, "teradata")}.*`, {
    maxRows: ctx.limits.maxRows,
    signal: ctx.signal,
  });
  const find = (pattern: RegExp, fallback: number) => {
    const at = help.columns.findIndex((c) => pattern.test(c.name.trim()));
    return at < 0 ? fallback : at;
  };
  const at = [
    find(/^column ?name$/i, 0),
    find(/^type$/i, 1),
    find(/^max ?length$/i, -1),
    find(/^char ?type$/i, -1),
    find(/^decimal ?total ?digits$/i, -1),
    find(/^decimal ?fractional ?digits$/i, -1),
  ];
  return new Map(help.rows.map((r) => [text(r[at[0]]).toUpperCase(), at.map((i) => i < 0 ? null : r[i])]));
}

/**
 * RowCount of the table's collected statistics (DBC.TableStatsV; none without
 * COLLECT STATISTICS). Optional: a user without access to the view gets no
 * estimate rather than no schema.
 */
async function teradataRowCount(ctx: ReadContext, database: string, table: string): Promise<number> {
  try {
    const stats = await ctx.db.query(
      "SELECT MAX(RowCount) FROM DBC.TableStatsV WHERE DatabaseName = ? AND TableName = ?",
      { params: [database, table], maxRows: 1, signal: ctx.signal },
    );
    const value = stats.rows[0]?.[0];
    return value === null || value === undefined ? NaN : Number(value);
  } catch (error) {
    if (error instanceof Error && (error as { kind?: string }).kind === "sql") {
      ctx.log.debug("no row count estimate from DBC.TableStatsV: {error}", { error: error.message });
      return NaN;
    }
    throw error;
  }
}

/** Teradata type codes (DBC.ColumnsVX ColumnType) as SQL type names. */
const TERADATA_TYPES: Record<string, string> = {
  I1: "BYTEINT",
  I2: "SMALLINT",
  I: "INTEGER",
  I8: "BIGINT",
  F: "FLOAT",
  N: "NUMBER",
  DA: "DATE",
  AT: "TIME",
  TS: "TIMESTAMP",
  TZ: "TIME WITH TIME ZONE",
  SZ: "TIMESTAMP WITH TIME ZONE",
  BO: "BLOB",
  CO: "CLOB",
  JN: "JSON",
  XM: "XML",
  PD: "PERIOD(DATE)",
  PS: "PERIOD(TIMESTAMP)",
  PM: "PERIOD(TIMESTAMP WITH TIME ZONE)",
  PT: "PERIOD(TIME)",
  PZ: "PERIOD(TIME WITH TIME ZONE)",
  UT: "UDT",
  A1: "ARRAY",
  AN: "ARRAY",
  "++": "TD_ANYTYPE",
  YR: "INTERVAL YEAR",
  YM: "INTERVAL YEAR TO MONTH",
  MO: "INTERVAL MONTH",
  DY: "INTERVAL DAY",
  DH: "INTERVAL DAY TO HOUR",
  DM: "INTERVAL DAY TO MINUTE",
  DS: "INTERVAL DAY TO SECOND",
  HR: "INTERVAL HOUR",
  HM: "INTERVAL HOUR TO MINUTE",
  HS: "INTERVAL HOUR TO SECOND",
  MI: "INTERVAL MINUTE",
  MS: "INTERVAL MINUTE TO SECOND",
  SC: "INTERVAL SECOND",
};

/** Teradata sized types: code → name (length in characters for CHAR/VARCHAR, bytes for BYTE/VARBYTE). */
const SIZED: Record<string, string> = { CF: "CHAR", CV: "VARCHAR", BF: "BYTE", BV: "VARBYTE" };

/** Teradata time types whose fractional-second digits are DecimalFractionalDigits. */
const TIMES: Record<string, string> = {
  AT: "TIME(n)",
  TS: "TIMESTAMP(n)",
  TZ: "TIME(n) WITH TIME ZONE",
  SZ: "TIMESTAMP(n) WITH TIME ZONE",
};

/**
 * A Teradata column type from [name, ColumnType, ColumnLength, CharType,
 * DecimalTotalDigits, DecimalFractionalDigits]; CharType 2 (UNICODE) and 4
 * (GRAPHIC) store two bytes a character. Null when there is no type code.
 */
function teradataType(r: readonly Cell[]): string | null {
  const code = text(r[1]);
  if (code === "") return null;
  if (code in SIZED) {
    if (r[2] === null) return SIZED[code];
    const wide = code.startsWith("C") && (Number(r[3]) === 2 || Number(r[3]) === 4);
    return `${SIZED[code]}(${wide ? Number(r[2]) / 2 : Number(r[2])})`;
  }
  if (code === "D") return r[4] === null ? "DECIMAL" : `DECIMAL(${Number(r[4])},${Number(r[5] ?? 0)})`;
  if (code in TIMES && r[5] !== null) return TIMES[code].replace("(n)", `(${Number(r[5])})`);
  return TERADATA_TYPES[code] ?? code;
}
