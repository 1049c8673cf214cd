/**
 * Pieces shared by the DBA tools: bounded look-back windows (days_back, the
 * official server's no_days, or start_date/end_date) and row caps, and the
 * notes an empty log deserves. The window's SQL is in ./_args.ts.
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import { z } from "zod";
import type { ToolContext, ToolResult } from "../../plugin/tool.ts";
import { tableResult } from "../../plugin/result.ts";
import { DATE_ARG, either, teradataWindow, type Window, window, windowText } from "./args.ts";
import { checkIdentifier, wholeNumber } from "./sql.ts";

/** Longest look-back window a tool accepts, in days. */
export const MAX_DAYS_BACK = 365;

/** Most rows a DBA tool returns. */
export const MAX_TOP_N = 1000;

/** The `days_back` argument: how far back to read DBQL or ResUsage. */
export const DAYS_BACK = z.number().int().min(1).max(MAX_DAYS_BACK).optional().describe(
  `Days to look back: rows dated today minus days_back or later (1-${MAX_DAYS_BACK}, default 7)`,
);

/** The official server's name for `days_back`. */
export const NO_DAYS = z.number().int().min(1).max(MAX_DAYS_BACK).optional().describe(
  `Same as days_back (the official Teradata MCP server's name), 1-${MAX_DAYS_BACK}`,
);

/** The look-back arguments of the DBQL and ResUsage tools: days_back or no_days, or a start_date/end_date range. */
export const WINDOW_ARGS = {
  days_back: DAYS_BACK,
  no_days: NO_DAYS,
  start_date: DATE_ARG.optional().describe(
    "First day to include, YYYY-MM-DD (with end_date, instead of days_back; end_date defaults to today)",
  ),
  end_date: DATE_ARG.optional().describe("Last day to include, YYYY-MM-DD (needs start_date)"),
};

/** The window {@link WINDOW_ARGS} ask for (default: the last 7 days). */
export function windowOf(args: {
  days_back?: number;
  no_days?: number;
  start_date?: string;
  end_date?: string;
}): Window {
  const days = either<number>(args, ["days_back", "no_days"]);
  if (days !== undefined && (args.start_date !== undefined || args.end_date !== undefined)) {
    throw new ToolInputError("give days_back (or no_days) or start_date/end_date, not both");
  }
  return window(args, daysBack(days), MAX_DAYS_BACK);
}

/** The `top_n` argument: how many rows at most. */
export const TOP_N = z.number().int().min(1).max(MAX_TOP_N).optional().describe(
  `Most rows to return (1-${MAX_TOP_N}, default 100)`,
);

/** Read DBC without waiting behind write locks, as Teradata DBAs customarily do. */
export const LOCKING = "LOCKING ROW FOR ACCESS\n";

/** `days_back` checked and defaulted (bound as a parameter, never pasted). */
export function daysBack(value: number | undefined): number {
  return wholeNumber(value ?? 7, 1, MAX_DAYS_BACK, "days_back");
}

/** `top_n` checked and defaulted (pasted only as `TOP n` / `LIMIT n`, which take no parameter). */
export function topN(value: number | undefined, fallback = 100): number {
  return wholeNumber(value ?? fallback, 1, MAX_TOP_N, "top_n");
}

/** An optional name argument, trimmed and checked; null when absent or blank. */
export function optionalName(value: string | undefined, what: string): string | null {
  const trimmed = value?.trim();
  return trimmed ? checkIdentifier(trimmed, what) : null;
}

/** What an empty DBQL answer usually means. */
export const DBQL_EMPTY_NOTE =
  "no rows: DBQL holds only what query logging captured (BEGIN QUERY LOGGING; WITH OBJECTS for table references, " +
  "WITH SQL for full text) and what has not yet been moved out of DBC; widen days_back or check the logging rules " +
  "in DBC.DBQLRulesV";

/** What an empty ResUsage answer usually means. */
export const RESUSAGE_EMPTY_NOTE =
  "no rows: resource usage logging for this table may be off or its history purged; widen days_back or check the " +
  "ResUsage logging settings";

/**
 * A Teradata ResUsage table read day by day over the window {@link WINDOW_ARGS} ask for: `statement` gets the
 * `TheDate` condition; an empty answer says what it usually means.
 */
export async function resusageByDay(
  args: Parameters<typeof windowOf>[0],
  ctx: ToolContext,
  statement: (window: string) => string,
): Promise<ToolResult> {
  const range = windowOf(args);
  const window = teradataWindow("TheDate", range);
  const result = await ctx.db.query(statement(window.sql), {
    params: window.params,
    maxRows: 400,
    signal: ctx.signal,
  });
  return tableResult(result, result.rowCount === 0 ? `${RESUSAGE_EMPTY_NOTE} (${windowText(range)})` : undefined);
}
