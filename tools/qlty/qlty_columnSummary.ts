import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { aggregateRow, countOf, QUALITY_OUTPUT, summaryResult, toCount } from "../lib/quality.ts";
import { tableColumns } from "../lib/quality_columns.ts";
import { quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Profiles every column of a table: type, non-null, null and distinct counts. */
export default defineTool({
  name: "qlty_columnSummary",
  title: "Column summary (profile)",
  description: `Profile every column of one table or view: data type, non-null count, null count and distinct count.
Use it first when you meet an unknown table: it shows keys (distinct = rows), constants (distinct = 1) and sparse
columns at a glance. One SELECT computes COUNT(*), COUNT(CASE WHEN col IS NULL ...) and COUNT(DISTINCT col) for all
columns in one scan (distinct counts sort each column, so this is heavier than qlty_missingValues on big tables).
Columns whose values cannot be compared (LOBs, JSON, XML, geometry) get distinct_count NULL.
Result: columns column_name, data_type, non_null_count, null_count, distinct_count (NULL not counted); one row per
column in table order; summary: total_rows. A missing table is an error naming similar tables.`,
  inputSchema: {
    ...TABLE_ARGS,
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const columns = await tableColumns(ctx, ref);
    if (columns.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const expressions = [countOf("*", ctx.dialect)];
    for (const c of columns) {
      const name = quoteIdent(c.name, ctx.dialect);
      expressions.push(countOf(`CASE WHEN ${name} IS NULL THEN 1 END`, ctx.dialect));
      if (c.comparable) expressions.push(countOf(`DISTINCT ${name}`, ctx.dialect));
    }
    const values = await aggregateRow(ctx, ref, expressions);
    const total = toCount(values[0]);
    let at = 1;
    const rows = columns.map((c) => {
      const nulls = toCount(values[at++]);
      const distinct = c.comparable ? toCount(values[at++]) : null;
      return [c.name, c.type, total - nulls, nulls, distinct];
    });
    return summaryResult(
      [
        ["column_name", "VARCHAR"],
        ["data_type", "VARCHAR"],
        ["non_null_count", "BIGINT"],
        ["null_count", "BIGINT"],
        ["distinct_count", "BIGINT"],
      ],
      rows,
      { total_rows: total },
    );
  },
});
