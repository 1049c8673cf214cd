/**
 * Pieces shared by the DBA tools: bounded look-back windows and row caps,
 * the Teradata DBQL date filter, and the notes an empty log deserves.
 * @module
 */
import { z } from "zod";
import { checkIdentifier, wholeNumber } from "./_sql.ts";

/** Longest look-back window a tool accepts, in days. */
export const MAX_DAYS_BACK = 365;

/** Most rows a DBA tool returns. */
export const MAX_TOP_N = 1000;

/** The `days_back` argument: how far back to read DBQL or ResUsage. */
export const DAYS_BACK = z.number().int().min(1).max(MAX_DAYS_BACK).optional().describe(
  `Days to look back: rows dated today minus days_back or later (1-${MAX_DAYS_BACK}, default 7)`,
);

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

/** A Teradata filter keeping rows whose timestamp or date `column` lies within the last `?` days (one bound value). */
export function withinDays(column: string): string {
  return `CAST(${column} AS DATE) >= CURRENT_DATE - CAST(? AS INTEGER)`;
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
