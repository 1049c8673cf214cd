/**
 * The Teradata side of the table-schema resources: DBC dictionary views,
 * type codes as SQL types (tools/lib/teradata_types.ts), HELP COLUMN for view
 * columns (tools/lib/teradata_columns.ts), the primary key or unique primary
 * index, and the row count of collected statistics.
 * @module
 */
import type { ReadContext } from "../../plugin/resource.ts";
import type { TableSchema } from "./schema.ts";
import { kindName, nullableText, text } from "./schema_catalog.ts";
import { helpViewColumns, TYPE_FIELDS, typeAt } from "./teradata_columns.ts";
import { teradataNullable } from "./teradata_types.ts";

/** Reads a Teradata table's schema; null when DBC.TablesVX has no such table or view. */
export async function describeTeradata(ctx: ReadContext, database: string, table: string): Promise<TableSchema | null> {
  const options = { params: [database, table], maxRows: ctx.limits.maxRows, signal: ctx.signal };
  // DBC.TablesVX, DBC.ColumnsVX and DBC.IndicesVX are the access-controlled dictionary views
  // (Data Dictionary, B035-1092): TableKind; the type fields, Nullable and DefaultValue by ColumnId;
  // IndexType 'K' (primary key) or a unique primary index (IndexType 'P' or 'Q' with UniqueFlag 'Y': a PRIMARY KEY
  // declared without a PRIMARY INDEX is implemented as the UPI and has no 'K' row) by ColumnPosition.
  const kind = await ctx.db.query(
    "SELECT TableKind FROM DBC.TablesVX WHERE DatabaseName = ? AND TableName = ?",
    options,
  );
  if (kind.rowCount === 0) return null;
  const columns = await ctx.db.query(
    `SELECT ColumnName, ${TYPE_FIELDS}, Nullable, DefaultValue
FROM DBC.ColumnsVX WHERE DatabaseName = ? AND TableName = ? ORDER BY ColumnId`,
    options,
  );
  const keys = await ctx.db.query(
    `SELECT IndexType, ColumnName FROM DBC.IndicesVX WHERE DatabaseName = ? AND TableName = ?
  AND (IndexType = 'K' OR (IndexType IN ('P', 'Q') AND UniqueFlag = 'Y')) ORDER BY IndexType, ColumnPosition`,
    options,
  );
  const estimate = await teradataRowCount(ctx, database, table);
  const help = columns.rows.some((r) => r[1] === null) ? await helpViewColumns(ctx, { database, table }) : null;
  const declared = keys.rows.filter((r) => text(r[0]) === "K");
  const key = declared.length > 0 ? declared : keys.rows;
  return {
    database,
    table,
    kind: kindName(text(kind.rows[0][0])),
    columns: columns.rows.map((r) => {
      const viewColumn = r[1] === null && help?.ok ? help.columns.get(text(r[0]).toUpperCase()) : undefined;
      return {
        name: text(r[0]),
        type: viewColumn?.type ?? typeAt(r, 1),
        nullable: (teradataNullable(r[7]) ?? viewColumn?.nullable) !== false,
        default: nullableText(r[8]),
      };
    }),
    primary_key: key.length > 0 ? key.map((r) => text(r[1])) : null,
    row_count_estimate: Number.isFinite(estimate) ? estimate : null,
    row_count_source: Number.isFinite(estimate) ? "DBC.TableStatsV (collected statistics)" : null,
    ...(help !== null && !help.ok ? { status: help.status, status_detail: help.message } : {}),
  };
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
