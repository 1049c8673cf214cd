import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { aggregateRow, countOf, percent, QUALITY_OUTPUT, summaryResult, toCount } from "../lib/quality.ts";
import { tableColumns } from "../lib/quality_columns.ts";
import { quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Counts negative values in every numeric column of a table. */
export default defineTool({
  name: "qlty_negativeValues",
  title: "Negative values per numeric column",
  description: `Count the values below zero in every numeric column of one table or view (quantities, prices, ages that
should never be negative). Numeric columns are found in the catalog (integers, decimals, floats; on Teradata also
BYTEINT and NUMBER; on SQLite by declared type). One SELECT computes COUNT(CASE WHEN col < 0 THEN 1 END) for all of them
in a single scan. Teradata view columns get their types from HELP COLUMN.
Result: columns column_name, data_type, negative_count, negative_percent (of all rows); one row per numeric column;
summary: total_rows, numeric_columns, columns_with_negatives. A table without numeric columns gives no rows and no scan.`,
  inputSchema: {
    ...TABLE_ARGS,
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const all = await tableColumns(ctx, ref);
    if (all.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const columns = all.filter((c) => c.numeric);
    const header: [string, string][] = [
      ["column_name", "VARCHAR"],
      ["data_type", "VARCHAR"],
      ["negative_count", "BIGINT"],
      ["negative_percent", "DOUBLE"],
    ];
    if (columns.length === 0) {
      return summaryResult(header, [], { total_rows: null, numeric_columns: 0, columns_with_negatives: 0 }, {
        note: `\`${ref.table}\` has no numeric columns`,
      });
    }
    const negatives = columns.map((c) =>
      countOf(`CASE WHEN ${quoteIdent(c.name, ctx.dialect)} < 0 THEN 1 END`, ctx.dialect)
    );
    const [total, ...counts] = (await aggregateRow(ctx, ref, [countOf("*", ctx.dialect), ...negatives])).map(toCount);
    return summaryResult(header, columns.map((c, i) => [c.name, c.type, counts[i], percent(counts[i], total)]), {
      total_rows: total,
      numeric_columns: columns.length,
      columns_with_negatives: counts.filter((n) => n > 0).length,
    });
  },
});
