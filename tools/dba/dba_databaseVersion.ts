import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { forDialect } from "../lib/sql.ts";

// Teradata: DBC.DBCInfoV (InfoKey, InfoData: VERSION, RELEASE, LANGUAGE SUPPORT MODE, ...).
// PostgreSQL: version() and the server_version / server_version_num settings. SQLite: sqlite_version(), sqlite_source_id().
const SQL = {
  teradata: "SELECT InfoKey AS info_key, InfoData AS info_value FROM DBC.DBCInfoV ORDER BY InfoKey",
  postgres: `SELECT 'version' AS info_key, version() AS info_value
UNION ALL SELECT 'server_version', current_setting('server_version')
UNION ALL SELECT 'server_version_num', current_setting('server_version_num')`,
  sqlite: `SELECT 'sqlite_version' AS info_key, sqlite_version() AS info_value
UNION ALL SELECT 'sqlite_source_id', sqlite_source_id()`,
};

/** The database engine's version. */
export default defineTool({
  name: "dba_databaseVersion",
  title: "Database version",
  description: `The version of the database engine, as key/value rows; use it before relying on a feature that depends
on the release. Teradata: every row of DBC.DBCInfoV (VERSION, RELEASE, LANGUAGE SUPPORT MODE, ...). PostgreSQL: version
(the full version() string), server_version and server_version_num. SQLite: sqlite_version and sqlite_source_id of the
library the ODBC driver uses.
Result: columns info_key, info_value; one row per fact.`,
  inputSchema: {},
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres", "sqlite"],
  async handler(_args, ctx) {
    return tableResult(await ctx.db.query(forDialect(SQL, ctx.dialect), { maxRows: 100, signal: ctx.signal }));
  },
});
