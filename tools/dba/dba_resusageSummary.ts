import { z } from "zod";
import { calendarDate, DATE_ARG, teradataWindow, type Window, windowText } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, optionalName, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult, ToolInputError } from "tdmcp/plugin";

/** Day names as Sys_Calendar.CALENDAR numbers them (day_of_week 1 = Sunday). */
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/** Load utilities by AppID prefix, as the official server classifies them. */
const LOADERS = "('TPTLOAD%', 'TPTUPD%', 'FASTLOAD%', 'MULTLOAD%', 'EXECUTOR%', 'JDBCL%')";
const WORKLOAD_TYPES = ["LOAD", "ETL/ELT", "EXPORT", "QUERY", "ADMIN", "OTHER"];
const COMPLEXITIES = ["Ingest & Prep", "Answers", "System/Procedural"];

/**
 * The official server's dba_resusageSummary (src/teradata_mcp_server/tools/dba/dba_objects.yml): the query log per
 * day, hour, weekday, workload type and complexity, user and application. DBC.QryLogV (the documented view over
 * DBC.DBQLogTbl: StartTime, UserName, AppID, StatementType, AMPCPUTime, TotalIOCount, ReqIOKB, ReqPhysIO,
 * ReqPhysIOKB) joined to Sys_Calendar.CALENDAR (calendar_date, day_of_week). Every summed value is cast to FLOAT
 * first and the count to BIGINT (Teradata's COUNT is INTEGER in Teradata mode).
 */
function statement(n: number, window: string, filters: string[]): string {
  const f = (column: string) => `CAST(q.${column} AS FLOAT)`;
  return `${LOCKING}SELECT TOP ${n} log_date, hour_of_day, day_of_week, workload_type, workload_complexity, user_name, app_id,
  CAST(COUNT(*) AS BIGINT) AS request_count, SUM(amp_cpu_seconds) AS amp_cpu_seconds, SUM(io_count) AS io_count,
  SUM(req_io_kb) AS req_io_kb, SUM(req_phys_io) AS req_phys_io, SUM(req_phys_io_kb) AS req_phys_io_kb,
  SUM(req_io_kb) / 1048576 AS req_io_gb, SUM(req_phys_io_kb) / 1048576 AS req_phys_io_gb
FROM (
  SELECT CAST(q.StartTime AS DATE) AS log_date, EXTRACT(HOUR FROM q.StartTime) AS hour_of_day,
    CASE c.day_of_week ${DAYS.map((d, i) => `WHEN ${i + 1} THEN '${d}'`).join(" ")} END AS day_of_week,
    CASE
      WHEN q.AppID LIKE ANY ${LOADERS} THEN 'LOAD'
      WHEN q.StatementType IN ('Insert', 'Update', 'Delete', 'Create Table', 'Merge Into') THEN 'ETL/ELT'
      WHEN q.StatementType = 'Select' AND (q.AppID IN ('TPTEXP', 'FASTEXP') OR q.AppID LIKE 'JDBCE%') THEN 'EXPORT'
      WHEN q.StatementType = 'Select' THEN 'QUERY'
      WHEN q.StatementType IN ('Dump Database', 'Unrecognized type', 'Release Lock', 'Collect Statistics') THEN 'ADMIN'
      ELSE 'OTHER'
    END AS workload_type,
    CASE WHEN q.StatementType = 'Merge Into' THEN 'Ingest & Prep' WHEN q.StatementType = 'Select' THEN 'Answers'
      ELSE 'System/Procedural' END AS workload_complexity,
    q.UserName AS user_name, q.AppID AS app_id, ${f("AMPCPUTime")} AS amp_cpu_seconds,
    ${f("TotalIOCount")} AS io_count, ${f("ReqIOKB")} AS req_io_kb, ${f("ReqPhysIO")} AS req_phys_io,
    ${f("ReqPhysIOKB")} AS req_phys_io_kb
  FROM DBC.QryLogV q JOIN Sys_Calendar.CALENDAR c ON c.calendar_date = CAST(q.StartTime AS DATE)
  WHERE q.StartTime IS NOT NULL AND ${window}
) d${filters.length > 0 ? `\nWHERE ${filters.join(" AND ")}` : ""}
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY log_date DESC, hour_of_day, request_count DESC, user_name, app_id`;
}

/** One of `allowed`, matched without regard to case; a RangeError listing them otherwise. */
function oneOf(value: string, allowed: readonly string[], what: string): string {
  const found = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined) {
    throw new ToolInputError(`${what} must be one of ${allowed.join(", ")}: current value is "${value}"`);
  }
  return found;
}

/** Workload summary from the query log, with the official server's arguments. */
export default defineTool({
  name: "dba_resusageSummary",
  title: "Workload summary",
  description: `How the system's work splits up, from Teradata's query log (DBQL): requests, AMP CPU seconds and I/O per
day, hour of day, weekday, workload type (LOAD, ETL/ELT, EXPORT, QUERY, ADMIN, OTHER from AppID and StatementType),
workload complexity (Ingest & Prep, Answers, System/Procedural), user and application, as the official Teradata MCP
server's tool of this name reports it; busiest combinations can be found by filtering. Filters (all optional):
user_name, AppID, LogDate (YYYY-MM-DD: that day only), dayOfWeek (1-7 with 1 = Sunday, or the day's name),
hourOfDay (0-23), workloadType, workloadComplexity; window: no_days / days_back (default 7, at most 365) or
start_date/end_date. Reads DBC.QryLogV joined to Sys_Calendar.CALENDAR; needs DBQL logging. Node CPU and disk use per day
from ResUsage are in dba_nodeUsage. Default 1000 rows, at most 1000.
Result: log_date, hour_of_day, day_of_week, workload_type, workload_complexity, user_name, app_id, request_count,
amp_cpu_seconds, io_count, req_io_kb, req_phys_io, req_phys_io_kb, req_io_gb, req_phys_io_gb.`,
  inputSchema: {
    user_name: z.string().optional().describe("Only this user; default (or ''): every user"),
    LogDate: z.union([DATE_ARG, z.literal("")]).optional().describe("Only this day, YYYY-MM-DD"),
    dayOfWeek: z.union([z.string(), z.number().int().min(1).max(7)]).optional().describe(
      "Only this weekday: 1-7 (1 = Sunday) or its name, e.g. 'Monday'",
    ),
    hourOfDay: z.union([z.string(), z.number().int().min(0).max(23)]).optional().describe("Only this hour, 0-23"),
    workloadType: z.string().optional().describe(`Only this workload type: ${WORKLOAD_TYPES.join(", ")}`),
    workloadComplexity: z.string().optional().describe(`Only this complexity: ${COMPLEXITIES.join(", ")}`),
    AppID: z.string().optional().describe("Only this application (DBQL AppID, e.g. 'BTEQ', 'TPTLOAD')"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(args, ctx) {
    const day = args.LogDate ? calendarDate(args.LogDate, "LogDate") : null;
    const range: Window = day !== null && args.start_date === undefined ? { start: day, end: day } : windowOf(args);
    const window = teradataWindow("q.StartTime", range);
    const filters: string[] = [];
    const params: (string | number)[] = [...window.params];
    const where = (sql: string, value: string | number) => (filters.push(sql), params.push(value));
    const user = optionalName(args.user_name, "user_name");
    if (user !== null) where("user_name = ?", user);
    const app = optionalName(args.AppID, "AppID");
    if (app !== null) where("app_id = ?", app);
    if (day !== null) where("log_date = CAST(? AS DATE FORMAT 'YYYY-MM-DD')", day);
    if (args.dayOfWeek !== undefined && args.dayOfWeek !== "") {
      const number = Number(args.dayOfWeek);
      const name = Number.isInteger(number) && number >= 1 && number <= 7
        ? DAYS[number - 1]
        : oneOf(String(args.dayOfWeek), DAYS, "dayOfWeek");
      where("day_of_week = ?", name);
    }
    if (args.hourOfDay !== undefined && args.hourOfDay !== "") {
      const hour = Number(args.hourOfDay);
      if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
        throw new ToolInputError(`hourOfDay must be a whole number from 0 to 23: current value is "${args.hourOfDay}"`);
      }
      where("hour_of_day = ?", hour);
    }
    if (args.workloadType) where("workload_type = ?", oneOf(args.workloadType, WORKLOAD_TYPES, "workloadType"));
    if (args.workloadComplexity) {
      where("workload_complexity = ?", oneOf(args.workloadComplexity, COMPLEXITIES, "workloadComplexity"));
    }
    const n = topN(args.top_n, 1000);
    const result = await ctx.db.query(statement(n, window.sql, filters), { params, maxRows: n, signal: ctx.signal });
    return tableResult(result, result.rowCount === 0 ? `${DBQL_EMPTY_NOTE} (${windowText(range)})` : undefined);
  },
});
