import { z } from "zod";
import { DIALECTS } from "../../connection/types.ts";
import { listTables } from "../_catalog.ts";
import { TABLE_OUTPUT, tableResult } from "../_result.ts";
import { checkIdentifier } from "../_sql.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

/** Lists tables and views of a database. */
export default defineTool({
  name: "base_tableList",
  title: "List tables",
  description: `List the tables and views of one database (Teradata database, PostgreSQL schema, SQLite database).
Without database_name it lists the default database (Teradata: the session's DATABASE; PostgreSQL: current_schema(); SQLite: main).
name_filter is a SQL LIKE pattern such as '%order%' (case-insensitive on PostgreSQL and SQLite).
Result: columns database_name, table_name, kind (Teradata TableKind: T table, V view, O no-PI table, Q queue table), one row per object.`,
  inputSchema: {
    database_name: z.string().optional().describe(
      "Database (schema) to list; default: the current one",
    ),
    name_filter: z.string().optional().describe(
      "SQL LIKE pattern on the table name, e.g. '%sales%'",
    ),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ database_name, name_filter }, ctx) {
    const database = database_name ? checkIdentifier(database_name.trim(), "database_name") : null;
    const result = await listTables(ctx, database, name_filter ?? null);
    return tableResult(
      result,
      result.rowCount === 0 ? "no tables matched; check database_name with base_databaseList" : undefined,
    );
  },
});
