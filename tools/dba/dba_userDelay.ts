import { z } from "zod";
import { teradataWindow } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, optionalName, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// DBC.QryLogV: UserName, StartTime, DelayTime (seconds a request waited in a workload management delay queue).
function statement(n: number, window: string, byUser: boolean): string {
  return `${LOCKING}SELECT TOP ${n} UserName AS user_name, CAST(COUNT(*) AS BIGINT) AS delayed_requests,
  SUM(CAST(DelayTime AS FLOAT)) AS total_delay_seconds, CAST(AVG(CAST(DelayTime AS FLOAT)) AS DECIMAL(18,2)) AS avg_delay_seconds,
  MAX(DelayTime) AS max_delay_seconds, MIN(StartTime) AS first_delayed, MAX(StartTime) AS last_delayed
FROM DBC.QryLogV WHERE DelayTime > 0 AND ${window}${byUser ? " AND UserName = ?" : ""}
GROUP BY UserName ORDER BY total_delay_seconds DESC, user_name`;
}

/** Time users' requests spent in workload delay queues, from DBQL. */
export default defineTool({
  name: "dba_userDelay",
  title: "Workload delay per user",
  description: `How long each user's requests waited in Teradata workload management (TASM/TIWM) delay queues before
running, most delayed user first, from the DelayTime of DBC.QryLogV (DBQL); use it when users complain that queries
start late. Only delayed requests count. For system-level saturation use dba_flowControl.
Window: days_back (or no_days; default 7, at most 365), or start_date/end_date (YYYY-MM-DD) as the official Teradata
MCP server takes them; default 100 users, at most 1000.
Result: columns user_name, delayed_requests, total_delay_seconds, avg_delay_seconds, max_delay_seconds, first_delayed,
last_delayed; one row per user.`,
  inputSchema: {
    user_name: z.string().optional().describe("Only this user; default: every user"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(args, ctx) {
    const user = optionalName(args.user_name, "user_name");
    const n = topN(args.top_n);
    const window = teradataWindow("StartTime", windowOf(args));
    const params = [...window.params, ...(user === null ? [] : [user])];
    const result = await ctx.db.query(statement(n, window.sql, user !== null), {
      params,
      maxRows: n,
      signal: ctx.signal,
    });
    return tableResult(result, result.rowCount === 0 ? `no delayed requests found; ${DBQL_EMPTY_NOTE}` : undefined);
  },
});
