import { z } from "zod";
import {
  defineTool,
  DIALECTS,
  errorResult,
  type QueryResult,
  READ_ONLY,
  TABLE_OUTPUT,
  tableResult,
  type ToolContext,
} from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { describeColumns, nameFilter } from "../lib/columns.ts";
import { checkIdentifier } from "../lib/sql.ts";
import { typeViewRows } from "../lib/teradata_columns.ts";

/** Most views one call types with HELP COLUMN (one round trip each); the rest keep a null type. */
const MAX_HELP_VIEWS = 20;

/** Describes the columns of a table or view, or of every table matching a pattern. */
export default defineTool({
  name: "base_columnDescription",
  title: "Describe columns",
  description: `Describe the columns of a table or view: name, type, nullability, default, position, comment.
Use it before writing SQL against a table. table_name may be 'db.table'. Both names may be SQL LIKE patterns with % (as in
the official Teradata MCP server, whose default for both is '%'); '_' is a wildcard only in a name that holds a %.
Without database_name: the current database (Teradata: DATABASE, PostgreSQL: current_schema(), SQLite: main), and every
database when nothing matches there. Types are spelled in full: Teradata ColumnType codes are decoded with their length,
character set, precision and scale (VARCHAR(100) CHARACTER SET UNICODE, DECIMAL(18,2), TIMESTAMP(6)); view columns,
which DBC.ColumnsVX leaves untyped, are typed with HELP COLUMN (up to ${MAX_HELP_VIEWS} views a call); a view that HELP
COLUMN cannot read keeps null types and status NO_ACCESS or BROKEN_VIEW. PostgreSQL uses format_type, SQLite the
declared type. nullable is a boolean (null when unknown).
Result: column_name, data_type, nullable, default_value, position, comment, table_name, database_name (+ Teradata
type_code, status); one row per column. An exact table name that matches nothing is an error naming similar tables.`,
  inputSchema: {
    table_name: z.string().min(1).optional().describe(
      "Table or view name, 'database.table', or a LIKE pattern with % (default '%': every table)",
    ),
    database_name: z.string().optional().describe(
      "Database (schema) name or LIKE pattern with %; default: the current one, then every database",
    ),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name }, ctx) {
    let table = table_name?.trim() || "%";
    let database = database_name?.trim() || null;
    const dotted = /^([^".%]+)\.([^".]+)$/.exec(table);
    if (database === null && dotted) [database, table] = [dotted[1], dotted[2]];
    const tableFilter = nameFilter(checkIdentifier(table, "table_name"), { kind: "any" });
    const databaseFilter = nameFilter(database === null ? null : checkIdentifier(database, "database_name"), {
      kind: "current",
    });
    let result = await describeColumns(ctx, databaseFilter, tableFilter);
    let widened = false;
    if (result.rowCount === 0 && database === null) {
      result = await describeColumns(ctx, { kind: "any" }, tableFilter);
      widened = result.rowCount > 0;
    }
    if (result.rowCount === 0) {
      if (tableFilter.kind === "exact") {
        return errorResult(await notFoundMessage(ctx, { database, table: tableFilter.value }));
      }
      return tableResult(result, "no columns matched; check the names with base_tableList");
    }
    const notes = widened ? ["nothing matched in the current database; these are from every database"] : [];
    if (ctx.dialect === "teradata") notes.push(...await typeViews(ctx, result));
    return tableResult(result, notes.join("\n") || undefined);
  },
});

/** Types view columns from HELP COLUMN (up to {@link MAX_HELP_VIEWS} views); returns notes for the agent. */
function typeViews(ctx: ToolContext, result: QueryResult): Promise<string[]> {
  const at = Object.fromEntries(result.columns.map((c, i) => [c.name, i]));
  return typeViewRows(ctx, result.rows, {
    database: at.database_name,
    table: at.table_name,
    column: at.column_name,
    type: at.data_type,
    code: at.type_code,
    nullable: at.nullable,
    status: at.status,
  }, { maxViews: MAX_HELP_VIEWS });
}
