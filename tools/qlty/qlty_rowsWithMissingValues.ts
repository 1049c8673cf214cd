import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import {
  aggregateRow,
  capClauses,
  countOf,
  QUALITY_OUTPUT,
  rowCap,
  scanPrefix,
  summaryResult,
  toCount,
  withSummary,
} from "../lib/quality.ts";
import { pickColumns, tableColumns } from "../lib/quality_columns.ts";
import { qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Rows with a NULL in any of the given columns. */
export default defineTool({
  name: "qlty_rowsWithMissingValues",
  title: "Rows with missing values",
  description:
    `Show the rows of a table in which any of the given columns (columns[], or column_name as the official Teradata MCP
server takes it; default: any column) is NULL, and count them all.
Use it after qlty_missingValues to look at incomplete records. Two statements: a COUNT(*) over the whole table with
WHERE col1 IS NULL OR col2 IS NULL ..., then the rows themselves capped at row_limit (Teradata TOP n, LIMIT n elsewhere),
in no particular order.
Result: the table's columns and rows (at most row_limit; default the server's DEFAULT_ROW_LIMIT, capped at
MAX_ROW_LIMIT); truncated is true when more such rows exist; summary: matching_rows (all of them), columns_checked.`,
  inputSchema: {
    ...TABLE_ARGS,
    columns: z.array(z.string().min(1)).max(1000).optional().describe(
      "Columns to check for NULL (default: every column)",
    ),
    column_name: z.string().min(1).optional().describe(
      "One column to check for NULL (the official Teradata MCP server's argument); joins those in columns",
    ),
    row_limit: z.number().int().min(1).optional().describe(
      "Most rows to return (default: the server's DEFAULT_ROW_LIMIT; capped at MAX_ROW_LIMIT)",
    ),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, columns, column_name, row_limit }, ctx) {
    const names = [...(columns ?? []), ...(column_name === undefined ? [] : [column_name])];
    const ref = tableRef(table_name, database_name);
    const all = await tableColumns(ctx, ref);
    if (all.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const checked = pickColumns(all, names, ref.table);
    const where = checked.map((c) => `${quoteIdent(c.name, ctx.dialect)} IS NULL`).join(" OR ");
    const [matching] = await aggregateRow(ctx, ref, [countOf(`CASE WHEN ${where} THEN 1 END`, ctx.dialect)]);
    const total = toCount(matching);
    const summary = { matching_rows: total, columns_checked: checked.length };
    if (total === 0) return summaryResult(all.map((c) => [c.name, c.type ?? ""]), [], summary);
    const cap = rowCap(ctx, row_limit, ctx.limits.defaultRows);
    const { top, limit } = capClauses(ctx.dialect, cap);
    const result = await ctx.db.query(
      `${scanPrefix(ctx.dialect)}SELECT ${top}* FROM ${qualifiedName(ref, ctx.dialect)} WHERE ${where}${limit}`,
      { maxRows: cap, signal: ctx.signal },
    );
    const truncated = total > result.rowCount || result.truncated;
    return withSummary(
      { ...result, truncated, truncatedBy: result.truncatedBy ?? (truncated ? "rows" : null) },
      summary,
    );
  },
});
