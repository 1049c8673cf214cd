import { defineResourceTemplate, DIALECTS, ToolInputError } from "tdmcp/plugin";
import { readTableSchema } from "../lib/schema.ts";
import { checkIdentifier } from "../lib/sql.ts";
import {
  completeDatabases,
  completeTables,
  defaultDatabaseName,
  LIST_PAGE_SIZE,
  listTablePage,
  NO_SCHEMA,
  schemaUri,
  uriName,
} from "../lib/schema_catalog.ts";

const MIME = "application/json";

/** The position after which the next listing page starts: the last (database, table) of a page. */
function afterOf(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined) return null;
  let after: unknown;
  try {
    after = JSON.parse(cursor);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  if (!Array.isArray(after) || after.length !== 2 || !after.every((v) => typeof v === "string")) {
    throw new ToolInputError("invalid cursor: pass the nextCursor of the previous page");
  }
  return after as [string, string];
}

/** The schema of every table and view: `schema://{database}/{table}`. */
export default defineResourceTemplate({
  name: "table_schema",
  uriTemplate: "schema://{database}/{table}",
  title: "Table schema",
  description: `The schema of one table or view as JSON: database, table, kind, columns (name, type, nullable,
default as SQL text), primary_key (column names in key order, or null), row_count_estimate and row_count_source (the
catalog's estimate — PostgreSQL pg_class.reltuples, SQLite sqlite_stat1 after ANALYZE, Teradata collected statistics —
never a COUNT(*); null when there is none). {database} is the Teradata database, PostgreSQL schema or SQLite database
(main); names are percent-encoded. Listed ${LIST_PAGE_SIZE} tables a page, in database and table order (not on the
generic ODBC dialect, whose catalog call cannot page: complete {table} instead, with {database} "${NO_SCHEMA}" when the
driver has no schemas). Teradata views have no column types in DBC.ColumnsVX (type null). A missing table is a
resource-not-found error naming similar tables.`,
  mimeType: MIME,
  dialects: DIALECTS,
  async list(ctx, cursor) {
    const page = await listTablePage(ctx, afterOf(cursor));
    const last = page.tables.at(-1);
    return {
      resources: page.tables.map((t) => ({
        uri: schemaUri(t.database, t.table),
        name: `${t.database}.${t.table}`,
        title: `${t.database}.${t.table} (${t.kind})`,
        mimeType: MIME,
      })),
      nextCursor: page.more && last ? JSON.stringify([last.database, last.table]) : undefined,
    };
  },
  complete: {
    database: (prefix, ctx) => completeDatabases(ctx, prefix),
    table: async (prefix, ctx, args) =>
      completeTables(
        ctx,
        args.database ? checkIdentifier(args.database, "database") : await defaultDatabaseName(ctx),
        prefix,
      ),
  },
  async read(uri, { database, table }, ctx) {
    const schema = await readTableSchema(ctx, uriName(database, "database"), uriName(table, "table"));
    return [{ uri: uri.href, mimeType: MIME, text: JSON.stringify(schema, null, 2) }];
  },
});
