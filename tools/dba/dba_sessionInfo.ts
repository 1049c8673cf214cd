import { z } from "zod";
import { LOCKING, optionalName, TOP_N, topN } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// Teradata: DBC.SessionInfoVX (SessionNo, UserName, AccountName, DefaultDataBase, LogonDate, LogonTime, LogonSource,
// CurrentRole, QueryBand, ClientIpAddress, ClientProgramName); SESSION is the caller's session number.
// PostgreSQL: pg_stat_activity, client backends only; pg_backend_pid() is the caller's process.
const SQL = {
  teradata: (byUser: boolean) =>
    `${LOCKING}SELECT SessionNo AS session_id, UserName AS user_name, AccountName AS account_name,
  DefaultDataBase AS default_database, LogonDate AS logon_date, LogonTime AS logon_time, LogonSource AS logon_source,
  CurrentRole AS role_name, QueryBand AS query_band, ClientIpAddress AS client_ip, ClientProgramName AS client_program,
  CASE WHEN SessionNo = SESSION THEN 'Y' ELSE 'N' END AS is_current
FROM DBC.SessionInfoVX${byUser ? " WHERE UserName = ?" : ""}
ORDER BY LogonDate, LogonTime, SessionNo`,
  postgres: (byUser: boolean) =>
    `SELECT pid AS session_id, usename AS user_name, datname AS database_name, application_name,
  CAST(client_addr AS text) AS client_ip, backend_start, state, query_start, wait_event_type, wait_event,
  query AS query_text, CASE WHEN pid = pg_backend_pid() THEN 'Y' ELSE 'N' END AS is_current
FROM pg_stat_activity WHERE backend_type = 'client backend'${byUser ? " AND usename = ?" : ""}
ORDER BY backend_start, pid`,
};

/** Sessions connected now. */
export default defineTool({
  name: "dba_sessionInfo",
  title: "Current sessions",
  description:
    `The sessions connected to the database now, oldest logon first; use it to see who is connected, from where,
with which application, and (PostgreSQL) what each session is running.
Teradata: DBC.SessionInfoVX, the sessions your rights let you see. Columns session_id, user_name, account_name,
default_database, logon_date, logon_time, logon_source, role_name, query_band, client_ip, client_program, is_current.
PostgreSQL: pg_stat_activity (client backends); the query text of other users' sessions shows only if your role may
read it (pg_read_all_stats), exactly as the catalog allows. Columns session_id (pid), user_name, database_name,
application_name, client_ip, backend_start, state, query_start, wait_event_type, wait_event, query_text, is_current.
is_current is 'Y' for the session this tool call used. Not available on SQLite (no sessions).`,
  inputSchema: {
    user_name: z.string().optional().describe(
      "Only sessions of this user; default (or '*', as the official server takes it): every session you may see",
    ),
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler({ user_name, top_n }, ctx) {
    if (ctx.dialect !== "teradata" && ctx.dialect !== "postgres") {
      throw new Error(`dba_sessionInfo does not support ${ctx.dialect}`);
    }
    const user = user_name?.trim() === "*" ? null : optionalName(user_name, "user_name");
    const result = await ctx.db.query(SQL[ctx.dialect](user !== null), {
      params: user === null ? [] : [user],
      maxRows: topN(top_n),
      signal: ctx.signal,
    });
    return tableResult(result, result.rowCount === 0 ? "no sessions matched" : undefined);
  },
});
