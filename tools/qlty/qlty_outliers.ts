import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import {
  aggregateRow,
  asDouble,
  countOf,
  groupsWithTotals,
  moments,
  momentSql,
  QUALITY_OUTPUT,
  rowCap,
  summaryResult,
  toCount,
  toNumber,
} from "../lib/quality.ts";
import { findColumn, requireNumeric, tableColumns } from "../lib/quality_columns.ts";
import { qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Values of a numeric column far from its mean. */
export default defineTool({
  name: "qlty_outliers",
  title: "Outliers (k standard deviations)",
  description: `Find the values of one numeric column more than k population standard deviations from its mean
(|x - mean| > k * stddev; k default 3), with how often each occurs, farthest first. Two scans: the first computes the
mean and stddev exactly as qlty_standardDeviation does; the second groups the values outside [mean - k*stddev,
mean + k*stddev] (bounds bound as parameters) and counts them with window totals.
Result: columns value, occurrences, z_score ((value - mean) / stddev); at most 'limit' distinct values (default 20);
summary: count (non-NULL values), mean, stddev, k, lower_bound, upper_bound, outlier_rows, outlier_values.
A column with no values or no spread has no outliers.`,
  inputSchema: {
    ...TABLE_ARGS,
    column_name: z.string().min(1).describe("The numeric column"),
    k: z.number().positive().max(1000).optional().describe("How many standard deviations from the mean (default 3)"),
    limit: z.number().int().min(1).optional().describe(
      "Most distinct outlier values to return, farthest first (default 20; capped at MAX_ROW_LIMIT)",
    ),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, column_name, k = 3, limit }, ctx) {
    const ref = tableRef(table_name, database_name);
    const columns = await tableColumns(ctx, ref);
    if (columns.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const column = requireNumeric(findColumn(columns, column_name, ref.table));
    const x = quoteIdent(column.name, ctx.dialect);
    const [n, sum, squares] = await aggregateRow(ctx, ref, momentSql(x, ctx.dialect));
    const count = toCount(n);
    const { mean, stddev } = moments(count, toNumber(sum), toNumber(squares));
    const header: [string, string][] = [["value", "DOUBLE"], ["occurrences", "BIGINT"], ["z_score", "DOUBLE"]];
    const bounds = mean === null || stddev === null ? null : [mean - k * stddev, mean + k * stddev];
    const summary = { count, mean, stddev, k, lower_bound: bounds?.[0] ?? null, upper_bound: bounds?.[1] ?? null };
    if (bounds === null || stddev === 0) {
      return summaryResult(header, [], { ...summary, outlier_rows: 0, outlier_values: 0 });
    }
    const cap = rowCap(ctx, limit, 20);
    const q = (name: string) => quoteIdent(name, ctx.dialect);
    const f = asDouble(x), bound = asDouble("?");
    const inner = `SELECT ${x} AS ${q("v")}, ${countOf("*", ctx.dialect)} AS ${q("n")}, MAX(ABS(${f} - ${bound})) AS ${
      q("d")
    }
FROM ${qualifiedName(ref, ctx.dialect)} WHERE ${f} < ${bound} OR ${f} > ${bound} GROUP BY ${x}`;
    const result = await groupsWithTotals(ctx, inner, [q("v")], { order: q("d"), cap, params: [mean!, ...bounds] });
    const rows = result.rows.map(([v, occurrences]) => {
      const value = toNumber(v);
      return [value, toCount(occurrences), value === null ? null : (value - mean!) / stddev!];
    });
    const values = toCount(result.rows[0]?.[2] ?? 0);
    return summaryResult(header, rows, {
      ...summary,
      outlier_rows: toCount(result.rows[0]?.[3] ?? 0),
      outlier_values: values,
    }, { truncated: values > rows.length });
  },
});
