import { z } from "zod";
import { LOCKING, optionalName, TOP_N, topN } from "../lib/dba.ts";
import { forDialect } from "../lib/sql.ts";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// Teradata: DBC.DiskSpaceVX (DatabaseName, CurrentPerm, MaxPerm, PeakPerm; one row per AMP, summed here).
// PostgreSQL: pg_database_size(oid) per database in pg_database. SQLite: pragma_page_count × pragma_page_size.
const SQL = {
  teradata: (filter: string, n: number) =>
    `${LOCKING}SELECT TOP ${n} DatabaseName AS database_name, SUM(CurrentPerm) AS used_bytes, SUM(MaxPerm) AS max_bytes,
  SUM(MaxPerm) - SUM(CurrentPerm) AS free_bytes,
  CAST(SUM(CurrentPerm) * 100.0 / NULLIFZERO(SUM(MaxPerm)) AS DECIMAL(7,2)) AS used_pct, SUM(PeakPerm) AS peak_bytes
FROM DBC.DiskSpaceVX${filter ? ` WHERE DatabaseName = ?` : ""}
GROUP BY DatabaseName ORDER BY used_bytes DESC, database_name`,
  postgres: (filter: string, n: number) =>
    `SELECT datname AS database_name, pg_database_size(oid) AS used_bytes, CAST(NULL AS bigint) AS max_bytes,
  CAST(NULL AS bigint) AS free_bytes, CAST(NULL AS numeric) AS used_pct, CAST(NULL AS bigint) AS peak_bytes
FROM pg_database WHERE datallowconn AND has_database_privilege(oid, 'CONNECT')${filter ? " AND datname = ?" : ""}
ORDER BY used_bytes DESC, database_name LIMIT ${n}`,
  sqlite: (filter: string, n: number) =>
    `SELECT name AS database_name, page_count * page_size AS used_bytes, max_pages * page_size AS max_bytes,
  (max_pages - page_count) * page_size AS free_bytes, round(page_count * 100.0 / max_pages, 6) AS used_pct,
  NULL AS peak_bytes
FROM (SELECT d.seq, d.name, (SELECT page_count FROM pragma_page_count(d.name)) AS page_count,
  (SELECT page_size FROM pragma_page_size(d.name)) AS page_size,
  (SELECT max_page_count FROM pragma_max_page_count(d.name)) AS max_pages
  FROM pragma_database_list d${filter ? " WHERE d.name = ?" : ""})
ORDER BY seq LIMIT ${n}`,
};

/** Space used and allowed per database. */
export default defineTool({
  name: "dba_databaseSpace",
  title: "Database space",
  description: `Space used and allowed per database, largest first; use it to find databases running out of space.
Teradata: permanent space from DBC.DiskSpaceVX summed over all AMPs (used = CurrentPerm, max = MaxPerm, free = max - used,
used_pct = used / max, peak = PeakPerm); only databases you may see. PostgreSQL: pg_database_size of every database of
the cluster you may connect to (databases, not schemas; PostgreSQL has no quota, so max, free, used_pct and peak are
null; for schemas use dba_tableSpace). SQLite: each attached database file as page_count × page_size (equal to the file
size), max = max_page_count × page_size.
Result: columns database_name, used_bytes, max_bytes, free_bytes, used_pct, peak_bytes; one row per database.`,
  inputSchema: {
    database_name: z.string().optional().describe("Only this database; default: every database"),
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres", "sqlite"],
  async handler({ database_name, top_n }, ctx) {
    const database = optionalName(database_name, "database_name");
    const n = topN(top_n);
    const result = await ctx.db.query(forDialect(SQL, ctx.dialect)(database ?? "", n), {
      params: database === null ? [] : [database],
      maxRows: n,
      signal: ctx.signal,
    });
    if (database !== null && result.rowCount === 0) {
      return errorResult(
        `no database \`${database}\` found, or no right to see its space; call without database_name to list them`,
      );
    }
    return tableResult(result);
  },
});
