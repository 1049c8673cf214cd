/**
 * Shared parts of the data-quality tools (`qlty_*`): one-scan aggregate
 * SELECTs, number handling, and table results with a summary. Column types
 * come from ./_quality_columns.ts.
 * @module
 */
import { z } from "zod";
import type { Cell, Dialect, QueryResult } from "../../connection/types.ts";
import { TABLE_OUTPUT, tableResult } from "../../plugin/result.ts";
import { qualifiedName, quoteIdent, type TableRef } from "./sql.ts";
import type { ToolContext, ToolResult } from "../../plugin/tool.ts";

/** The output schema of the quality tools: a table plus totals in `summary`. */
export const QUALITY_OUTPUT = {
  ...TABLE_OUTPUT,
  summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe(
    "Totals for the whole table or column (counts, bounds, a continuation token), whatever the row cap",
  ),
};

/** Teradata's customary access lock, put before the SELECT of a scan so it never waits behind writers. */
export function scanPrefix(dialect: Dialect): string {
  return dialect === "teradata" ? "LOCKING ROW FOR ACCESS " : "";
}

/**
 * COUNT(...) (or a window COUNT(...) OVER (...)) that cannot overflow: Teradata's COUNT is INTEGER in Teradata
 * session mode, so it is cast to BIGINT there, as its manual advises ("COUNT Result Type and Attributes").
 */
export function countOf(expression: string, dialect: Dialect, over = ""): string {
  const count = `COUNT(${expression})${over}`;
  return dialect === "teradata" ? `CAST(${count} AS BIGINT)` : count;
}

/** A value as a double in SQL, the same spelling on every engine. */
export function asDouble(expression: string): string {
  return `CAST(${expression} AS DOUBLE PRECISION)`;
}

/** Most aggregate expressions put in one SELECT (PostgreSQL allows 1,664 result columns). */
export const MAX_AGGREGATES = 400;

/**
 * Computes aggregate expressions over a table in one scan and returns their
 * values in order; more than {@link MAX_AGGREGATES} take one scan per batch.
 */
export async function aggregateRow(
  ctx: ToolContext,
  ref: TableRef,
  expressions: readonly string[],
): Promise<Cell[]> {
  const values: Cell[] = [];
  for (let start = 0; start < expressions.length; start += MAX_AGGREGATES) {
    const batch = expressions.slice(start, start + MAX_AGGREGATES);
    const select = batch.map((e, i) => `${e} AS ${quoteIdent(`a${start + i}`, ctx.dialect)}`).join(", ");
    const result = await ctx.db.query(
      `${scanPrefix(ctx.dialect)}SELECT ${select} FROM ${qualifiedName(ref, ctx.dialect)}`,
      { maxRows: 1, signal: ctx.signal },
    );
    values.push(...(result.rows[0] ?? batch.map(() => null)));
  }
  return values;
}

/**
 * Runs a grouped SELECT `inner` (whose columns are the quoted aliases `keys` and "n", the group's row count) with
 * window totals over all groups, most `order` first, capped at `cap` rows. Each row: the keys, n, the number of
 * groups and the rows in all groups, so the totals hold even when the groups are capped.
 */
export async function groupsWithTotals(
  ctx: ToolContext,
  inner: string,
  keys: readonly string[],
  options: { order: string; cap: number; params?: (string | number)[] },
): Promise<QueryResult> {
  const n = quoteIdent("n", ctx.dialect);
  const { top, limit } = capClauses(ctx.dialect, options.cap);
  const totals = `${countOf("*", ctx.dialect, " OVER ()")}, SUM(${n}) OVER ()`;
  return await ctx.db.query(
    `${scanPrefix(ctx.dialect)}SELECT ${top}${keys.join(", ")}, ${n}, ${totals}
FROM (${inner}) g ORDER BY ${options.order} DESC${limit}`,
    { params: options.params, maxRows: options.cap, signal: ctx.signal },
  );
}

/** A cell as a number (engines return counts and sums as numbers or exact text); null stays null. */
export function toNumber(cell: Cell): number | null {
  if (cell === null || cell === "") return null;
  const value = Number(cell);
  return Number.isNaN(value) ? null : value;
}

/** A whole-number count from a cell; null counts as 0 (SUM over no rows). */
export function toCount(cell: Cell): number {
  return toNumber(cell) ?? 0;
}

/** Percentage with two decimals; 0 when the total is 0. */
export function percent(part: number, total: number): number {
  return total === 0 ? 0 : Math.round((part * 10_000) / total) / 100;
}

/**
 * Population mean and standard deviation from COUNT(x), SUM(x) and SUM(x*x),
 * the formula used on every engine: variance = SUM(x*x)/n - (SUM(x)/n)^2.
 */
export function moments(count: number, sum: number | null, sumOfSquares: number | null) {
  if (count === 0 || sum === null || sumOfSquares === null) return { mean: null, stddev: null };
  const mean = sum / count;
  return { mean, stddev: Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean)) };
}

/** The three aggregates behind {@link moments}, as SQL over one column. */
export function momentSql(column: string, dialect: Dialect): string[] {
  const x = asDouble(column);
  return [countOf(column, dialect), `SUM(${x})`, `SUM(${x} * ${x})`];
}

/** `TOP n` / `LIMIT n` for a capped SELECT (generic dialects rely on the fetch cap alone). */
export function capClauses(dialect: Dialect, n: number): { top: string; limit: string } {
  if (dialect === "teradata") return { top: `TOP ${n} `, limit: "" };
  if (dialect === "generic") return { top: "", limit: "" };
  return { top: "", limit: ` LIMIT ${n}` };
}

/** Builds a table result from computed rows, with totals in `summary` (see {@link withSummary}). */
export function summaryResult(
  columns: readonly [string, string][],
  rows: Cell[][],
  summary: Record<string, Cell>,
  options: { truncated?: boolean; note?: string } = {},
): ToolResult {
  const result: QueryResult = {
    columns: columns.map(([name, type]) => ({ name, type, nullable: true })),
    rows,
    rowCount: rows.length,
    truncated: options.truncated ?? false,
    truncatedBy: options.truncated ? "rows" : null,
    elapsedMs: 0,
  };
  return withSummary(result, summary, options.note);
}

/** A table result whose totals go to `structuredContent.summary` and to a `summary:` line of the text. */
export function withSummary(result: QueryResult, summary: Record<string, Cell>, note?: string): ToolResult {
  const totals = Object.entries(summary).map(([k, v]) => `${k}=${v === null ? "NULL" : v}`).join(", ");
  const out = tableResult(result, [totals && `summary: ${totals}`, note].filter(Boolean).join("\n") || undefined);
  return totals ? { ...out, structuredContent: { ...out.structuredContent, summary } } : out;
}

/** Row cap for a call: the agent's limit (or `fallback`), never above the server's maximum. */
export function rowCap(ctx: ToolContext, limit: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(limit ?? fallback, ctx.limits.maxRows));
}
