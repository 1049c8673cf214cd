import { z } from "zod";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { DAYS_ARG } from "../lib/sec.ts";
import { checkIdentifier } from "../lib/sql.ts";

/**
 * Teradata DBQL: DBC.QryLogObjectsV (ProcID, QueryID, CollectTimeStamp, ObjectDatabaseName, ObjectTableName,
 * ObjectColumnName, ObjectType 'Tab'/'Viw') joined to DBC.QryLogV (ProcID, QueryID, UserName) for the users.
 */
const TERADATA = (db: string | null) =>
  `LOCKING ROW FOR ACCESS
SELECT o.ObjectDatabaseName AS database_name, o.ObjectTableName AS table_name, MAX(o.ObjectType) AS object_type,
  COUNT(DISTINCT o.QueryID) AS query_count, COUNT(DISTINCT q.UserName) AS user_count,
  MIN(o.CollectTimeStamp) AS first_seen, MAX(o.CollectTimeStamp) AS last_seen
FROM DBC.QryLogObjectsV o JOIN DBC.QryLogV q ON q.ProcID = o.ProcID AND q.QueryID = o.QueryID
WHERE o.ObjectType IN ('Tab', 'Viw') AND o.ObjectColumnName IS NULL${
    db === null ? "" : ` AND o.ObjectDatabaseName = ${db}`
  }
  AND o.CollectTimeStamp >= CAST(CURRENT_DATE - CAST(? AS INTEGER) AS TIMESTAMP(0))
GROUP BY 1, 2 ORDER BY query_count DESC, 1, 2`;

/** PostgreSQL pg_stat_user_tables: cumulative counters since the last statistics reset of the database. */
const POSTGRES = (schema: string | null) =>
  `SELECT t.schemaname AS database_name, t.relname AS table_name, t.seq_scan + COALESCE(t.idx_scan, 0) AS scans,
  t.seq_scan, t.idx_scan, t.seq_tup_read + COALESCE(t.idx_tup_fetch, 0) AS rows_read,
  t.n_tup_ins AS rows_inserted, t.n_tup_upd AS rows_updated, t.n_tup_del AS rows_deleted, t.n_live_tup AS live_rows,
  d.stats_reset AS counted_since
FROM pg_stat_user_tables t CROSS JOIN pg_stat_database d
WHERE d.datname = current_database()${schema === null ? "" : ` AND t.schemaname = ${schema}`}
ORDER BY scans DESC, t.schemaname, t.relname`;

/** Reports how much each table of a database is used. */
export default defineTool({
  name: "base_tableUsage",
  title: "Table usage",
  description:
    `How much each table is used, busiest first: find the tables that matter, or the ones nobody reads. Without
database_name (or with ''), every database, as the official Teradata MCP server reports it.
Teradata counts the queries in the DBQL query log (DBC.QryLogObjectsV with DBC.QryLogV) over the last \`days\` days:
query_count, user_count, first_seen, last_seen per table or view (object_type Tab/Viw). It needs SELECT on those views and
query logging WITH OBJECTS; tables no logged query touched are not listed.
PostgreSQL reads pg_stat_user_tables: scans (seq_scan + idx_scan), rows_read, rows_inserted/updated/deleted, live_rows. These are
counters since the last statistics reset (counted_since; NULL means since the cluster was created), not a time window: \`days\` is ignored,
and every table is listed, unused ones with 0. Not available on SQLite, which keeps no usage data.
Result: database_name, table_name and the counters above, one row per table.`,
  inputSchema: {
    database_name: z.string().optional().describe(
      "Database (PostgreSQL: schema) whose tables to report; default (or ''): every database",
    ),
    days: DAYS_ARG,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler({ database_name, days }, ctx) {
    const database = database_name?.trim() ? checkIdentifier(database_name.trim(), "database_name") : null;
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    if (ctx.dialect === "postgres") {
      const sql = POSTGRES(database === null ? null : "?");
      const result = await ctx.db.query(sql, { ...options, params: database === null ? [] : [database] });
      const notes = [
        days === undefined ? "" : "days is ignored on PostgreSQL: the counters run since counted_since",
        result.rowCount === 0 ? "no tables found; check database_name with base_databaseList" : "",
      ].filter(Boolean);
      return tableResult(result, notes.join("\n") || undefined);
    }
    const window = days ?? 30;
    const params = database === null ? [window] : [database, window];
    const result = await ctx.db.query(TERADATA(database === null ? null : "?"), { ...options, params });
    return tableResult(
      result,
      result.rowCount === 0
        ? `no logged query used a table of ${
          database === null ? "any database" : `\`${database}\``
        } in the last ${window} days; ` +
          "DBQL object logging may be off (BEGIN QUERY LOGGING WITH OBJECTS)"
        : undefined,
    );
  },
});
