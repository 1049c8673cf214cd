/**
 * Arguments shared with the official Teradata MCP server (Teradata/teradata-mcp-server): aliases of tdmcp's own
 * names (`no_days` for `days_back`), date windows (`start_date`/`end_date`), Y/N flags (`exclude_system`), and the
 * one rule for an alias given together with its original: the same value, or an error.
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import { z } from "zod";

/** The value of whichever of the named arguments was given; a ToolInputError when two disagree. */
export function either<T>(args: Record<string, unknown>, names: readonly string[]): T | undefined {
  const given = names.filter((name) => args[name] !== undefined);
  const values = new Set(given.map((name) => JSON.stringify(args[name])));
  if (values.size > 1) {
    throw new ToolInputError(
      `${given.join(" and ")} mean the same thing and were given different values; give one of them`,
    );
  }
  return given.length === 0 ? undefined : args[given[0]] as T;
}

/** A `YYYY-MM-DD` calendar date argument (the official server's start_date / end_date). */
export const DATE_ARG = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");

/** Checks that `YYYY-MM-DD` names a real calendar date and returns it. */
export function calendarDate(value: string, what: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new ToolInputError(`${what} must be a calendar date as YYYY-MM-DD: current value is "${value}"`);
  }
  return value;
}

/** A look-back window: the last `days` days, or the dates from `start` to `end` (both included). */
export type Window = { days: number } | { start: string; end: string };

/**
 * The window of a DBQL or ResUsage tool: start_date/end_date when given (end_date defaults to today; at most
 * `maxDays` days apart), else the last `days` days.
 */
export function window(
  args: { start_date?: string; end_date?: string },
  days: number,
  maxDays: number,
  today: Date = new Date(),
): Window {
  if (args.start_date === undefined) {
    if (args.end_date !== undefined) throw new ToolInputError("end_date needs a start_date (YYYY-MM-DD)");
    return { days };
  }
  const start = calendarDate(args.start_date, "start_date");
  const end = calendarDate(args.end_date ?? today.toISOString().slice(0, 10), "end_date");
  if (end < start) throw new ToolInputError(`end_date ${end} is before start_date ${start}`);
  const span = (Date.parse(end) - Date.parse(start)) / 86_400_000;
  if (span > maxDays) {
    throw new ToolInputError(`start_date to end_date spans ${span} days; at most ${maxDays} days at a time`);
  }
  return { start, end };
}

/**
 * A Teradata condition keeping rows whose timestamp or date `column` lies in the window, with its bound values:
 * `CAST(col AS DATE) >= CURRENT_DATE - CAST(? AS INTEGER)`, or `BETWEEN` two dates given as `YYYY-MM-DD` text and
 * cast with an explicit FORMAT, so the session's date form cannot change how they read.
 */
export function teradataWindow(column: string, w: Window): { sql: string; params: (string | number)[] } {
  if ("days" in w) return { sql: `CAST(${column} AS DATE) >= CURRENT_DATE - CAST(? AS INTEGER)`, params: [w.days] };
  const date = "CAST(? AS DATE FORMAT 'YYYY-MM-DD')";
  return { sql: `CAST(${column} AS DATE) BETWEEN ${date} AND ${date}`, params: [w.start, w.end] };
}

/** The window in words, for notes: "the last 7 days" or "2024-01-01 to 2024-01-31". */
export function windowText(w: Window): string {
  return "days" in w ? `the last ${w.days} days` : `${w.start} to ${w.end}`;
}

/** A yes/no flag as the official server writes it ('Y'/'N') or as JSON (true/false). */
export const FLAG_ARG = z.union([z.boolean(), z.enum(["Y", "N", "y", "n"])]);

/** A {@link FLAG_ARG} value as a boolean (absent: `fallback`). */
export function flag(value: boolean | string | undefined, fallback = false): boolean {
  if (value === undefined) return fallback;
  return typeof value === "boolean" ? value : value.toUpperCase() === "Y";
}

/**
 * Databases the official server leaves out as system databases (its base_databaseList scope 'user' and
 * dba_tableSpace exclude_system lists), plus names starting with TDaaS.
 */
export const TERADATA_SYSTEM_DATABASES: readonly string[] = [
  "DBC",
  "SYSLIB",
  "SystemFe",
  "SYSUDTLIB",
  "SYSJDBC",
  "SYSSPATIAL",
  "TD_SYSFNLIB",
  "TDQCD",
  "TDStats",
  "TDPUSER",
  "dbcmngr",
  "Crashdumps",
  "LockLogShredder",
  "SYSBAR",
  "SysAdmin",
  "Sys_Calendar",
  "EXTUSER",
  "DEFAULT",
  "All",
  "PUBLIC",
  "SQLJ",
  "SYSUIF",
  "TD_ANALYTICS_DB",
  "TD_SERVER_DB",
  "TD_SYSGPL",
  "TDSYSFLOW",
  "TDMaps",
  "SAS_SYSFNLIB",
  "TDBCMgmt",
  "External_AP",
  "PDCRAdmin",
  "PDCRSTG",
  "PDCRDATA",
  "PDCRINFO",
  "PDCRTPCD",
  "PDCRADM",
  "TD_DATASHARING_REPO",
  "TD_METRIC_SVC",
  "console",
  "tdwm",
  "val",
];

/** A Teradata condition leaving out the system databases: `column NOT IN (...) AND column NOT LIKE 'TDaaS%'`. */
export function teradataUserDatabases(column: string): string {
  const names = TERADATA_SYSTEM_DATABASES.map((name) => `'${name}'`).join(", ");
  return `${column} NOT IN (${names}) AND ${column} NOT LIKE 'TDaaS%'`;
}
