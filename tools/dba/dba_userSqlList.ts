import { z } from "zod";
import { teradataWindow } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { checkIdentifier } from "../lib/sql.ts";

/** Default rows: SQL texts are long. */
const DEFAULT_ROWS = 50;

// Teradata DBQL: DBC.QryLogV (ProcID, QueryID, StartTime, UserName, SessionID, StatementType, ErrorCode, AMPCPUTime,
// TotalIOCount, QueryText) with DBC.QryLogSQLV (SqlTextInfo, SqlRowNo = 1).
// PostgreSQL: pg_stat_activity, which holds each open session's current or last statement and no history.
const SQL = {
  teradata: (n: number, window: string) =>
    `${LOCKING}SELECT TOP ${n} q.StartTime AS start_time, q.UserName AS user_name, q.SessionID AS session_id,
  q.StatementType AS statement_type, q.QueryID AS query_id, q.ErrorCode AS error_code, q.AMPCPUTime AS amp_cpu_seconds,
  q.TotalIOCount AS io_count, COALESCE(s.SqlTextInfo, q.QueryText) AS sql_text
FROM DBC.QryLogV q
LEFT JOIN DBC.QryLogSQLV s ON s.ProcID = q.ProcID AND s.QueryID = q.QueryID AND s.SqlRowNo = 1
WHERE q.UserName = ? AND ${window}
ORDER BY q.StartTime DESC`,
  postgres: (n: number) =>
    `SELECT query_start AS start_time, usename AS user_name, pid AS session_id, state, datname AS database_name,
  query AS sql_text, CASE WHEN pid = pg_backend_pid() THEN 'Y' ELSE 'N' END AS is_current
FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = ?
ORDER BY query_start DESC NULLS LAST, pid LIMIT ${n}`,
};

/** Recent SQL run by one user. */
export default defineTool({
  name: "dba_userSqlList",
  title: "SQL run by a user",
  description: `SQL requests run by one user, newest first; use it to see what an account has been doing.
Teradata: history from the query log (DBQL): DBC.QryLogV joined with DBC.QryLogSQLV for the text (first 31,000
characters with logging WITH SQL, else the 200-character QueryText), for the last days_back days (or no_days, the
official Teradata MCP server's name; default 7, at most 365) or from start_date to end_date (YYYY-MM-DD). Columns start_time, user_name, session_id, statement_type, query_id, error_code, amp_cpu_seconds, io_count,
sql_text.
PostgreSQL keeps no statement history: this shows only the user's open sessions now (pg_stat_activity), each with its
running statement or, when idle, its last one (as the server saw it: clients that fetch through cursors, like
psqlODBC, show DECLARE ... CURSOR and CLOSE wrappers); days_back is ignored, and other users' text shows only as far as
your role may read it. Columns start_time, user_name, session_id, state, database_name, sql_text, is_current.
Default ${DEFAULT_ROWS} rows, at most 1000.`,
  inputSchema: {
    user_name: z.string().min(1).describe("The user (Teradata user, PostgreSQL role) whose SQL to list"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler(args, ctx) {
    const { user_name, top_n } = args;
    if (ctx.dialect !== "teradata" && ctx.dialect !== "postgres") {
      throw new Error(`dba_userSqlList does not support ${ctx.dialect}`);
    }
    const user = checkIdentifier(user_name.trim(), "user_name");
    const n = topN(top_n, DEFAULT_ROWS);
    const window = teradataWindow("q.StartTime", windowOf(args));
    const sql = ctx.dialect === "teradata" ? SQL.teradata(n, window.sql) : SQL.postgres(n);
    const params = ctx.dialect === "teradata" ? [user, ...window.params] : [user];
    const result = await ctx.db.query(sql, { params, maxRows: n, signal: ctx.signal });
    const note = result.rowCount > 0
      ? undefined
      : ctx.dialect === "teradata"
      ? DBQL_EMPTY_NOTE
      : "no open session of this user now (PostgreSQL keeps no statement history)";
    return tableResult(result, note);
  },
});
