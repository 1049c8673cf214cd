import { z } from "zod";
import { teradataWindow } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, optionalName, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// DBQL: DBC.QryLogObjectsV (ProcID, QueryID, ObjectDatabaseName, ObjectTableName, ObjectColumnName, ObjectType
// 'Tab'/'Viw'; one row per table a request used when ObjectColumnName is null) joined with DBC.QryLogV (UserName,
// StartTime, AMPCPUTime, TotalIOCount) on ProcID and QueryID.
function statement(n: number, window: string, byDatabase: boolean, byUser: boolean): string {
  return `${LOCKING}SELECT TOP ${n} o.ObjectDatabaseName AS database_name, o.ObjectTableName AS table_name,
  q.UserName AS user_name, CAST(COUNT(DISTINCT q.QueryID) AS BIGINT) AS requests,
  SUM(CAST(q.AMPCPUTime AS FLOAT)) AS amp_cpu_seconds, SUM(CAST(q.TotalIOCount AS FLOAT)) AS io_count, MIN(q.StartTime) AS first_used, MAX(q.StartTime) AS last_used
FROM DBC.QryLogObjectsV o JOIN DBC.QryLogV q ON q.ProcID = o.ProcID AND q.QueryID = o.QueryID
WHERE o.ObjectType IN ('Tab', 'Viw') AND o.ObjectColumnName IS NULL
AND o.ObjectDatabaseName = ${byDatabase ? "?" : "DATABASE"} AND ${window}${byUser ? " AND q.UserName = ?" : ""}
GROUP BY o.ObjectDatabaseName, o.ObjectTableName, q.UserName ORDER BY requests DESC, table_name, user_name`;
}

/** Which users use which tables of a database most, from DBQL. */
export default defineTool({
  name: "dba_tableUsageImpact",
  title: "Table usage by user",
  description: `Which users hit which tables and views of one database most, from Teradata's query log: one row per
(table, user) with the number of requests, their CPU and I/O, and first/last use; use it to find hot tables, to see who
depends on a table before changing it, or to find tables nobody used in the window. Reads DBC.QryLogObjectsV (needs DBQL
logging WITH OBJECTS) joined with DBC.QryLogV. amp_cpu_seconds and io_count are whole-request totals: a request joining
three tables counts fully for each. Default database: the session's; window: days_back (or no_days; default 7, at most
365) or start_date/end_date (YYYY-MM-DD) (the official Teradata MCP server reads the whole log); default 100 rows.
Result: columns database_name, table_name, user_name, requests, amp_cpu_seconds, io_count, first_used, last_used.`,
  inputSchema: {
    database_name: z.string().optional().describe("Database whose tables to analyse; default: the current one"),
    user_name: z.string().optional().describe("Only this user; default: every user"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(args, ctx) {
    const database = optionalName(args.database_name, "database_name");
    const user = optionalName(args.user_name, "user_name");
    const n = topN(args.top_n);
    const window = teradataWindow("q.StartTime", windowOf(args));
    const params = [
      ...(database === null ? [] : [database]),
      ...window.params,
      ...(user === null ? [] : [user]),
    ];
    const result = await ctx.db.query(statement(n, window.sql, database !== null, user !== null), {
      params,
      maxRows: n,
      signal: ctx.signal,
    });
    return tableResult(result, result.rowCount === 0 ? DBQL_EMPTY_NOTE : undefined);
  },
});
