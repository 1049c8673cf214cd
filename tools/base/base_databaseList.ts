import { DIALECTS } from "../../connection/types.ts";
import { TABLE_OUTPUT, tableResult } from "../_result.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

const SQL = {
  teradata: `SELECT DatabaseName AS database_name, DBKind AS kind, CommentString AS "comment"
FROM DBC.DatabasesVX ORDER BY DatabaseName`,
  postgres:
    `SELECT schema_name AS database_name, 'schema' AS kind, obj_description(to_regnamespace(schema_name), 'pg_namespace') AS "comment"
FROM information_schema.schemata
WHERE schema_name NOT IN ('pg_catalog', 'information_schema') AND schema_name NOT LIKE 'pg\\_toast%' AND schema_name NOT LIKE 'pg\\_temp%'
ORDER BY schema_name`,
  sqlite: `SELECT name AS database_name, 'database' AS kind, file AS "comment" FROM pragma_database_list ORDER BY seq`,
} as const;

/** Lists the databases (schemas) the connected user can see. */
export default defineTool({
  name: "base_databaseList",
  title: "List databases",
  description:
    `List the databases the connected user can see: Teradata databases and users (DBC.DatabasesVX), PostgreSQL schemas,
SQLite attached databases. Use it first, to learn where tables live; then call base_tableList with a database_name.
Result: columns database_name, kind, comment; one row per database.`,
  inputSchema: {},
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler(_args, ctx) {
    if (ctx.dialect === "generic") {
      const tables = await ctx.db.odbcTables(null, null);
      const schemaAt = tables.columns.findIndex((c) => /^TABLE_SCHEM$/i.test(c.name));
      const names = [
        ...new Set(
          tables.rows.map((r) => r[schemaAt]).filter((v) => v !== null),
        ),
      ].sort();
      return tableResult({
        columns: [{ name: "database_name", type: "VARCHAR", nullable: false }],
        rows: names.map((n) => [n]),
        rowCount: names.length,
        truncated: tables.truncated,
        truncatedBy: tables.truncatedBy,
        elapsedMs: tables.elapsedMs,
      });
    }
    const result = await ctx.db.query(SQL[ctx.dialect], {
      maxRows: ctx.limits.maxRows,
      signal: ctx.signal,
    });
    return tableResult(result);
  },
});
