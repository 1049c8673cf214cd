import { z } from "zod";
import { teradataWindow } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { tableRef } from "../lib/sql.ts";

/** Default rows: SQL texts are long. */
const DEFAULT_ROWS = 50;

// DBQL: DBC.QryLogV (ProcID, QueryID, StartTime, UserName, StatementType, ErrorCode, AMPCPUTime, TotalIOCount,
// QueryText), DBC.QryLogObjectsV (ObjectDatabaseName, ObjectTableName, ObjectType 'Tab'/'Viw'),
// DBC.QryLogSQLV (SqlTextInfo, first row SqlRowNo = 1). Joined on ProcID and QueryID.
function statement(n: number, window: string, byDatabase: boolean): string {
  return `${LOCKING}SELECT TOP ${n} q.StartTime AS start_time, q.UserName AS user_name, q.StatementType AS statement_type,
  q.QueryID AS query_id, q.ErrorCode AS error_code, q.AMPCPUTime AS amp_cpu_seconds, q.TotalIOCount AS io_count,
  COALESCE(s.SqlTextInfo, q.QueryText) AS sql_text
FROM DBC.QryLogV q
LEFT JOIN DBC.QryLogSQLV s ON s.ProcID = q.ProcID AND s.QueryID = q.QueryID AND s.SqlRowNo = 1
WHERE ${window}
AND EXISTS (SELECT 1 FROM DBC.QryLogObjectsV o WHERE o.ProcID = q.ProcID AND o.QueryID = q.QueryID
  AND o.ObjectType IN ('Tab', 'Viw') AND o.ObjectTableName = ?${byDatabase ? " AND o.ObjectDatabaseName = ?" : ""})
ORDER BY q.StartTime DESC`;
}

/** Recent SQL that touched one table, from DBQL. */
export default defineTool({
  name: "dba_tableSqlList",
  title: "SQL that touched a table",
  description:
    `Recent SQL requests that read or wrote one table or view, newest first, from Teradata's query log (DBQL);
use it to learn who uses a table and how, before changing or dropping it. A request counts when DBQL logged the table
among its objects (DBC.QryLogObjectsV, which needs query logging WITH OBJECTS); its text comes from DBC.QryLogSQLV (the
first 31,000 characters, with logging WITH SQL) or else the 200-character QueryText of DBC.QryLogV. Without
database_name (or 'db.table'), the table name is matched in every database. Window: days_back (or no_days, the official
Teradata MCP server's name; default 7, at most 365), or start_date/end_date (YYYY-MM-DD). Unlike the official server,
which matches the table name anywhere in the SQL text, a request counts only when DBQL logged the table. Default
${DEFAULT_ROWS} rows, at most 1000.
Result: columns start_time, user_name, statement_type, query_id, error_code, amp_cpu_seconds, io_count, sql_text.`,
  inputSchema: {
    table_name: z.string().min(1).describe("Table or view name, or 'database.table'"),
    database_name: z.string().optional().describe("Database holding the table; default: any database"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(args, ctx) {
    const ref = tableRef(args.table_name, args.database_name);
    const n = topN(args.top_n, DEFAULT_ROWS);
    const window = teradataWindow("q.StartTime", windowOf(args));
    const params = [...window.params, ref.table, ...(ref.database === null ? [] : [ref.database])];
    const result = await ctx.db.query(statement(n, window.sql, ref.database !== null), {
      params,
      maxRows: n,
      signal: ctx.signal,
    });
    return tableResult(result, result.rowCount === 0 ? DBQL_EMPTY_NOTE : undefined);
  },
});
