import { notFoundMessage } from "../lib/catalog.ts";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { DAYS_ARG, tableExists } from "../lib/sec.ts";
import { TABLE_ARGS, tableRef } from "../lib/sql.ts";

/**
 * Teradata DBQL DBC.QryLogObjectsV (ProcID, QueryID, CollectTimeStamp, ObjectDatabaseName, ObjectTableName,
 * ObjectColumnName, ObjectType): the other tables and views logged for the same queries as the given one.
 */
const TERADATA = (db: string) =>
  `LOCKING ROW FOR ACCESS
SELECT o2.ObjectDatabaseName AS database_name, o2.ObjectTableName AS table_name, MAX(o2.ObjectType) AS object_type,
  COUNT(DISTINCT o2.QueryID) AS shared_queries, MIN(o2.CollectTimeStamp) AS first_seen, MAX(o2.CollectTimeStamp) AS last_seen
FROM DBC.QryLogObjectsV o1
JOIN DBC.QryLogObjectsV o2 ON o2.ProcID = o1.ProcID AND o2.QueryID = o1.QueryID
WHERE o1.ObjectType IN ('Tab', 'Viw') AND o1.ObjectColumnName IS NULL
  AND o1.ObjectTableName = ? AND o1.ObjectDatabaseName = ${db}
  AND o1.CollectTimeStamp >= CAST(CURRENT_DATE - CAST(? AS INTEGER) AS TIMESTAMP(0))
  AND o2.ObjectType IN ('Tab', 'Viw') AND o2.ObjectColumnName IS NULL
  AND NOT (o2.ObjectDatabaseName = o1.ObjectDatabaseName AND o2.ObjectTableName = o1.ObjectTableName)
GROUP BY 1, 2 ORDER BY shared_queries DESC, 1, 2`;

/** Finds the tables used together with a table in the same queries. */
export default defineTool({
  name: "base_tableAffinity",
  title: "Table affinity",
  description:
    `Which tables and views are used in the same queries as one table, most often first: the joins people actually run.
Use it to find join partners and related tables when no foreign keys are declared (base_tableRelations shows declared ones).
Teradata only: it reads the DBQL query log (DBC.QryLogObjectsV) over the last \`days\` days (default 30), which needs SELECT on it and
query logging WITH OBJECTS. PostgreSQL and SQLite keep no per-query log of the objects used, so the tool is not offered there.
Result: database_name, table_name, object_type (Tab/Viw), shared_queries, first_seen, last_seen; one row per partner table.`,
  inputSchema: { ...TABLE_ARGS, days: DAYS_ARG },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler({ table_name, database_name, days }, ctx) {
    const ref = tableRef(table_name, database_name);
    const window = days ?? 30;
    const params = ref.database === null ? [ref.table, window] : [ref.table, ref.database, window];
    const result = await ctx.db.query(TERADATA(ref.database === null ? "DATABASE" : "?"), {
      params,
      maxRows: ctx.limits.maxRows,
      signal: ctx.signal,
    });
    if (result.rowCount > 0) return tableResult(result);
    if (!(await tableExists(ctx, ref))) return errorResult(await notFoundMessage(ctx, ref));
    return tableResult(
      result,
      `no logged query in the last ${window} days used \`${ref.table}\` with another table; ` +
        "DBQL object logging may be off (BEGIN QUERY LOGGING WITH OBJECTS)",
    );
  },
});
