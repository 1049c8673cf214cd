import { z } from "zod";
import { defineTool, type Dialect, DIALECTS, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { teradataUserDatabases } from "../lib/args.ts";

/** PostgreSQL's own schemas, listed only with scope 'all'. */
const PG_SYSTEM =
  `schema_name NOT IN ('pg_catalog', 'information_schema') AND schema_name NOT LIKE 'pg\\_toast%' AND schema_name NOT LIKE 'pg\\_temp%'`;

/** One SQL text per dialect and scope; Teradata DBKind U is a user, D a database (DBC.DatabasesVX). */
const SQL = {
  teradata: (all: boolean) =>
    `SELECT DatabaseName AS database_name, CASE DBKind WHEN 'U' THEN 'user' WHEN 'D' THEN 'database' END AS kind,
  CommentString AS "comment"
FROM DBC.DatabasesVX${all ? "" : `\nWHERE ${teradataUserDatabases("DatabaseName")}`}
ORDER BY DatabaseName`,
  postgres: (all: boolean) =>
    `SELECT schema_name AS database_name, 'schema' AS kind, obj_description(to_regnamespace(schema_name), 'pg_namespace') AS "comment"
FROM information_schema.schemata${all ? "" : `\nWHERE ${PG_SYSTEM}`}
ORDER BY schema_name`,
  sqlite: (_all: boolean) =>
    `SELECT name AS database_name, 'database' AS kind, file AS "comment" FROM pragma_database_list ORDER BY seq`,
} as const;

/** Lists the databases (schemas) the connected user can see. */
export default defineTool({
  name: "base_databaseList",
  title: "List databases",
  description:
    `List the databases the connected user can see: Teradata databases and users (DBC.DatabasesVX), PostgreSQL schemas,
SQLite attached databases. Use it first, to learn where tables live; then call base_tableList with a database_name.
scope 'user' (the default, as in the official Teradata MCP server) leaves out system databases (Teradata: DBC, SYSLIB,
TD_SYSFNLIB, Sys_Calendar, the PDCR databases and the rest of the official server's list; PostgreSQL: pg_catalog,
information_schema, pg_toast and pg_temp schemas); scope 'all' lists every one.
Result: columns database_name, kind (Teradata: user or database), comment; one row per database.`,
  inputSchema: {
    scope: z.enum(["user", "all"]).optional().describe("'user' (default): without system databases; 'all': every one"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ scope }, ctx) {
    const sql = (SQL as Partial<Record<Dialect, (all: boolean) => string>>)[ctx.dialect];
    if (sql === undefined) { // generic, and any engine without SQL of its own here: ODBC's SQLTables
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
    const result = await ctx.db.query(sql(scope === "all"), {
      maxRows: ctx.limits.maxRows,
      signal: ctx.signal,
    });
    return tableResult(result);
  },
});
