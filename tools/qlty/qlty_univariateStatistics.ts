import { z } from "zod";
import { type Cell, defineTool, DIALECTS, errorResult, READ_ONLY, type ToolContext } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import {
  aggregateRow,
  asDouble,
  moments,
  momentSql,
  QUALITY_OUTPUT,
  summaryResult,
  toCount,
  toNumber,
} from "../lib/quality.ts";
import { findColumn, requireNumeric, tableColumns } from "../lib/quality_columns.ts";
import { qualifiedName, quoteIdent, TABLE_ARGS, type TableRef, tableRef } from "../lib/sql.ts";

const QUANTILES = [0.25, 0.5, 0.75];

/** Count, range, mean, standard deviation and quartiles of one numeric column. */
export default defineTool({
  name: "qlty_univariateStatistics",
  title: "Univariate statistics",
  description: `Describe one numeric column: count of non-NULL values, min, max, mean, population standard deviation
and the quartiles p25, median, p75 (continuous percentiles with linear interpolation, as PERCENTILE_CONT).
Mean and stddev use the same formula as qlty_standardDeviation on every engine. Quantile method per engine:
PostgreSQL and Teradata (16.20 and later) use PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x) in the same single SELECT;
SQLite has no percentile function: after the aggregate scan, one statement reads the two sorted values around position
p*(n-1) for each quantile (ORDER BY x LIMIT 2 OFFSET k, three bounded sorts joined by UNION ALL) and tdmcp interpolates;
the generic dialect does the same with ROW_NUMBER() OVER (ORDER BY x). Sorting makes this heavier than an aggregate.
Result: one row with columns column_name, count, min, max, mean, stddev, p25, median, p75 (NULL when no values).`,
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
    const [n, min, max, sum, squares, ...quantiles] = await statistics(ctx, ref, quoteIdent(column.name, ctx.dialect));
    const count = toCount(n);
    const { mean, stddev } = moments(count, toNumber(sum), toNumber(squares));
    const names = ["column_name", "count", "min", "max", "mean", "stddev", "p25", "median", "p75"];
    const row = [column.name, count, toNumber(min), toNumber(max), mean, stddev, ...quantiles.map(toNumber)];
    return summaryResult(
      names.map((name, i) => [name, i === 0 ? "VARCHAR" : i === 1 ? "BIGINT" : "DOUBLE"]),
      [row],
      {},
    );
  },
});

/** COUNT, MIN, MAX, SUM(x), SUM(x*x) and the quantiles, by the engine's method. */
async function statistics(ctx: ToolContext, ref: TableRef, x: string): Promise<Cell[]> {
  const f = asDouble(x);
  const [count, sum, squares] = momentSql(x, ctx.dialect);
  if (ctx.dialect === "postgres" || ctx.dialect === "teradata") {
    const percentiles = QUANTILES.map((p) => `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${f})`);
    return await aggregateRow(ctx, ref, [count, `MIN(${x})`, `MAX(${x})`, sum, squares, ...percentiles]);
  }
  const base = await aggregateRow(ctx, ref, [count, `MIN(${x})`, `MAX(${x})`, sum, squares]);
  const n = toCount(base[0]);
  if (n === 0) return [...base, ...QUANTILES.map(() => null)];
  // The quantile lies between the sorted values at 0-based positions k = floor(h) and k + 1, h = p * (n - 1).
  const positions = QUANTILES.map((p) => p * (n - 1));
  const from = `${qualifiedName(ref, ctx.dialect)} WHERE ${x} IS NOT NULL`;
  const pairs = QUANTILES.map(() => [] as number[]);
  if (ctx.dialect === "sqlite") {
    // A bounded sort per quantile (ORDER BY ... LIMIT 2 OFFSET k) is several times faster than window functions here.
    const parts = QUANTILES.map((_, i) =>
      `SELECT ${i}, v FROM (SELECT ${f} AS v FROM ${from} ORDER BY ${x} LIMIT 2 OFFSET ?)`
    );
    const result = await ctx.db.query(parts.join(" UNION ALL "), {
      params: positions.map(Math.floor),
      maxRows: 2 * QUANTILES.length,
      signal: ctx.signal,
    });
    for (const [i, v] of result.rows) pairs[toCount(i)].push(toNumber(v)!);
  } else {
    const wanted = [...new Set(positions.flatMap((h) => [Math.floor(h) + 1, Math.floor(h) + 2]))];
    const result = await ctx.db.query(
      `SELECT r, v FROM (SELECT ROW_NUMBER() OVER (ORDER BY ${x}) AS r, ${f} AS v FROM ${from}) s WHERE r IN (${
        wanted.map(() => "?").join(", ")
      })`,
      { params: wanted, maxRows: wanted.length, signal: ctx.signal },
    );
    const at = new Map(result.rows.map(([r, v]) => [toCount(r), toNumber(v)!]));
    positions.forEach((h, i) =>
      pairs[i].push(...[at.get(Math.floor(h) + 1), at.get(Math.floor(h) + 2)].filter((v) => v !== undefined))
    );
  }
  // Linear interpolation as PERCENTILE_CONT does it: lo + (hi - lo) * (h - k).
  return [
    ...base,
    ...positions.map((h, i) => {
      const lo = Math.min(...pairs[i]), hi = Math.max(...pairs[i]);
      return lo + (hi - lo) * (h - Math.floor(h));
    }),
  ];
}
