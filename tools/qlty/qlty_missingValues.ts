import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { aggregateRow, countOf, percent, QUALITY_OUTPUT, summaryResult, toCount } from "../lib/quality.ts";
import { tableColumns } from "../lib/quality_columns.ts";
import { quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Counts NULLs in every column of a table. */
export default defineTool({
  name: "qlty_missingValues",
  title: "Missing values per column",
  description: `Count the NULLs in every column of one table or view, with their percentage of all rows.
Use it to find incomplete columns before analysing or joining a table. It reads the table once: one SELECT computes
COUNT(*) and COUNT(CASE WHEN col IS NULL THEN 1 END) for all columns together (very wide tables: one scan per 400 columns).
Column order and types come from the catalog. Works on every column type, LOBs included.
Result: columns column_name, data_type, null_count, null_percent; one row per column, in table order;
summary: total_rows, columns_with_nulls. A missing table is an error naming similar tables.`,
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
    const nulls = columns.map((c) =>
      countOf(`CASE WHEN ${quoteIdent(c.name, ctx.dialect)} IS NULL THEN 1 END`, ctx.dialect)
    );
    const [total, ...counts] = (await aggregateRow(ctx, ref, [countOf("*", ctx.dialect), ...nulls])).map(toCount);
    const rows = columns.map((c, i) => [c.name, c.type, counts[i], percent(counts[i], total)]);
    return summaryResult(
      [["column_name", "VARCHAR"], ["data_type", "VARCHAR"], ["null_count", "BIGINT"], ["null_percent", "DOUBLE"]],
      rows,
      { total_rows: total, columns_with_nulls: counts.filter((n) => n > 0).length },
    );
  },
});
