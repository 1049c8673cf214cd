import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { aggregateRow, moments, momentSql, QUALITY_OUTPUT, summaryResult, toCount, toNumber } from "../lib/quality.ts";
import { findColumn, requireNumeric, tableColumns } from "../lib/quality_columns.ts";
import { quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Mean and population standard deviation of one numeric column. */
export default defineTool({
  name: "qlty_standardDeviation",
  title: "Mean and standard deviation",
  description: `Mean and population standard deviation of one numeric column (NULLs ignored), in one scan.
The same formula runs on every engine (SQLite has no STDDEV): the database returns COUNT(x), SUM(x) and SUM(x*x) with x
cast to DOUBLE PRECISION, and tdmcp computes mean = SUM(x)/n and stddev = sqrt(SUM(x*x)/n - mean^2), so results agree
across Teradata, PostgreSQL and SQLite. Precision: doubles (about 15 significant digits); a column whose spread is
tiny next to its magnitude loses precision. For quantiles use qlty_univariateStatistics.
Result: one row with columns column_name, count (non-null values), mean, stddev; mean and stddev are NULL when the
column has no values.`,
  inputSchema: {
    ...TABLE_ARGS,
    column_name: z.string().min(1).describe("The numeric column"),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, column_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const columns = await tableColumns(ctx, ref);
    if (columns.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const column = requireNumeric(findColumn(columns, column_name, ref.table));
    const [n, sum, squares] = await aggregateRow(
      ctx,
      ref,
      momentSql(quoteIdent(column.name, ctx.dialect), ctx.dialect),
    );
    const count = toCount(n);
    const { mean, stddev } = moments(count, toNumber(sum), toNumber(squares));
    return summaryResult(
      [["column_name", "VARCHAR"], ["count", "BIGINT"], ["mean", "DOUBLE"], ["stddev", "DOUBLE"]],
      [[column.name, count, mean, stddev]],
      {},
    );
  },
});
