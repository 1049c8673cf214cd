import { z } from "zod";
import { defineTool, DIALECTS, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { listAllTables, listTables } from "../lib/catalog.ts";
import { checkIdentifier } from "../lib/sql.ts";

/** Lists tables and views of one database, or of all of them. */
export default defineTool({
  name: "base_tableList",
  title: "List tables",
  description: `List the tables and views of one database (Teradata database, PostgreSQL schema, SQLite database), or of
every database when database_name is omitted or '' (as the official Teradata MCP server does; PostgreSQL leaves out
pg_catalog and information_schema). Results are capped at the server's MAX_ROW_LIMIT: name a database on big systems.
name_filter is a SQL LIKE pattern such as '%order%' (case-insensitive on PostgreSQL and SQLite).
Result: columns database_name, table_name, kind (Teradata TableKind: T table, V view, O no-PI table, Q queue table), one row per object.`,
  inputSchema: {
    database_name: z.string().optional().describe("Database (schema) to list; default (or ''): every database"),
    name_filter: z.string().optional().describe("SQL LIKE pattern on the table name, e.g. '%sales%'"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ database_name, name_filter }, ctx) {
    const database = database_name?.trim() ? checkIdentifier(database_name.trim(), "database_name") : null;
    const pattern = name_filter ?? null;
    const result = database === null ? await listAllTables(ctx, pattern) : await listTables(ctx, database, pattern);
    return tableResult(
      result,
      result.rowCount === 0 ? "no tables matched; check database_name with base_databaseList" : undefined,
    );
  },
});
