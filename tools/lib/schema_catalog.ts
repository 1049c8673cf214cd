/**
 * The catalog side of the table-schema resources: their URIs, the paged
 * listing (keyset by database and table name, one query per page) and the
 * completions of database and table names (prefix match, bound, capped).
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import type { Cell, QueryResult } from "../../connection/types.ts";
import type { ReadContext } from "../../plugin/resource.ts";
import { checkIdentifier, quoteIdent, wholeNumber } from "./sql.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** Tables per `resources/list` page. */
export const LIST_PAGE_SIZE = 100;
/** Most names one completion returns. */
export const COMPLETION_LIMIT = 100;
/** The `{database}` of a table on the generic dialect when its ODBC driver reports no schema (SQLite, MySQL). */
export const NO_SCHEMA = "-";

/** `schema://{database}/{table}`, each name percent-encoded. */
export function schemaUri(database: string, table: string): string {
  return `schema://${encodeURIComponent(database)}/${encodeURIComponent(table)}`;
}

/** A URI variable as the name it stands for (the SDK hands them over still percent-encoded). */
export function uriName(value: string, what: string): string {
  let name: string;
  try {
    name = decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) throw new ToolInputError(`${what} "${value}" is not validly percent-encoded`);
    throw error;
  }
  return checkIdentifier(name, what);
}

/**
 * The read context as the shared catalog helpers (tools/lib/catalog.ts) take
 * it: they use only the database, dialect, signal and limits, never the
 * tool-call parts, which are stubbed here.
 */
export function catalogContext(ctx: ReadContext): ToolContext {
  const refuse = () => Promise.reject(new Error("no client channel outside a tool call"));
  return {
    ...ctx,
    progress: () => Promise.resolve(),
    client: { log: () => Promise.resolve(), createMessage: refuse, elicit: refuse, closeStream: () => {} },
  };
}

/** The database a name-less reference means: SQLite `main`, the PostgreSQL `current_schema()`, Teradata `DATABASE`. */
export async function defaultDatabaseName(ctx: ReadContext): Promise<string> {
  const sql: Partial<Record<ReadContext["dialect"], string>> = {
    teradata: "SELECT DATABASE",
    postgres: "SELECT current_schema()",
  };
  if (ctx.dialect === "sqlite") return "main";
  const statement = sql[ctx.dialect];
  if (statement === undefined) return NO_SCHEMA; // generic and other engines: ODBC names no current schema
  const result = await ctx.db.query(statement, { maxRows: 1, signal: ctx.signal });
  const name = result.rows[0]?.[0];
  if (typeof name !== "string" || name.trim() === "") {
    throw new ToolInputError("there is no current database (schema); name one");
  }
  return name.trim();
}

/** A table as the listing sees it. */
export interface ListedTable {
  database: string;
  table: string;
  kind: string;
}

/**
 * One page of tables and views after `after` in (database, table) order:
 * a single keyset query reading `size + 1` rows (the extra row only says
 * whether another page exists). The generic dialect's ODBC `SQLTables`
 * cannot page, so nothing is listed there.
 */
export async function listTablePage(
  ctx: ReadContext,
  after: readonly [string, string] | null,
  size = LIST_PAGE_SIZE,
): Promise<{ tables: ListedTable[]; more: boolean }> {
  const n = wholeNumber(size + 1, 2, 10_001, "page size");
  const params = after === null ? [] : [after[0], after[0], after[1]];
  const keyset = (db: string, table: string) =>
    after === null ? "" : ` AND (${db} > ? OR (${db} = ? AND ${table} > ?))`;
  let sql: string;
  switch (ctx.dialect) {
    case "teradata": // DBC.TablesVX: DatabaseName, TableName, TableKind (T table, V view, O no-PI table, Q queue table)
      sql = `SELECT TOP ${n} DatabaseName, TableName, TableKind FROM DBC.TablesVX
WHERE TableKind IN ('T', 'V', 'O', 'Q')${keyset("DatabaseName", "TableName")}
ORDER BY DatabaseName, TableName`;
      break;
    case "postgres":
      sql = `SELECT table_schema, table_name, table_type FROM information_schema.tables
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%'${
        keyset("table_schema", "table_name")
      }
ORDER BY table_schema, table_name LIMIT ${n}`;
      break;
    case "sqlite":
      sql = `SELECT schema, name, type FROM pragma_table_list
WHERE type IN ('table', 'view', 'virtual') AND schema <> 'temp' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'${
        keyset("schema", "name")
      }
ORDER BY schema, name LIMIT ${n}`;
      break;
    default: // generic, and any engine without SQL of its own here: ODBC catalog calls
      return { tables: [], more: false };
  }
  const result = await ctx.db.query(sql, { params, maxRows: n, signal: ctx.signal });
  const tables = result.rows.slice(0, size).map((r) => ({
    database: text(r[0]),
    table: text(r[1]),
    kind: kindName(text(r[2])),
  }));
  return { tables, more: result.rows.length > size };
}

/** Database (schema) names starting with `prefix`, at most {@link COMPLETION_LIMIT}. */
export async function completeDatabases(ctx: ReadContext, prefix: string): Promise<string[]> {
  const like = likePrefix(prefix);
  const options = { params: [like], maxRows: COMPLETION_LIMIT, signal: ctx.signal };
  switch (ctx.dialect) {
    case "teradata": // DBC.DatabasesVX: DatabaseName (databases and users the caller may see)
      return names(
        await ctx.db.query(
          `SELECT TOP ${COMPLETION_LIMIT} DatabaseName FROM DBC.DatabasesVX WHERE DatabaseName LIKE ? ESCAPE '!'
ORDER BY DatabaseName`,
          options,
        ),
      );
    case "postgres":
      return names(
        await ctx.db.query(
          `SELECT schema_name FROM information_schema.schemata
WHERE schema_name NOT IN ('pg_catalog', 'information_schema') AND schema_name NOT LIKE 'pg\\_%'
  AND schema_name ILIKE ? ESCAPE '!' ORDER BY schema_name LIMIT ${COMPLETION_LIMIT}`,
          options,
        ),
      );
    case "sqlite":
      return names(
        await ctx.db.query(
          `SELECT name FROM pragma_database_list WHERE name <> 'temp' AND name LIKE ? ESCAPE '!' ORDER BY seq`,
          options,
        ),
      );
    default: { // generic, and any engine without SQL of its own here: ODBC catalog calls
      const tables = await ctx.db.odbcTables(null, null);
      const at = columnAt(tables, "TABLE_SCHEM", 1);
      const schemas = new Set(tables.rows.map((r) => r[at] === null ? NO_SCHEMA : text(r[at])));
      return startingWith([...schemas].sort(), prefix);
    }
  }
}

/** Table and view names of `database` starting with `prefix`, at most {@link COMPLETION_LIMIT}. */
export async function completeTables(ctx: ReadContext, database: string, prefix: string): Promise<string[]> {
  const like = likePrefix(prefix);
  const options = { params: [database, like], maxRows: COMPLETION_LIMIT, signal: ctx.signal };
  switch (ctx.dialect) {
    case "teradata":
      return names(
        await ctx.db.query(
          `SELECT TOP ${COMPLETION_LIMIT} TableName FROM DBC.TablesVX
WHERE DatabaseName = ? AND TableName LIKE ? ESCAPE '!' AND TableKind IN ('T', 'V', 'O', 'Q') ORDER BY TableName`,
          options,
        ),
      );
    case "postgres":
      return names(
        await ctx.db.query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name ILIKE ? ESCAPE '!'
ORDER BY table_name LIMIT ${COMPLETION_LIMIT}`,
          options,
        ),
      );
    case "sqlite":
      return names(
        await ctx.db.query(
          `SELECT name FROM pragma_table_list WHERE schema = ? AND name LIKE ? ESCAPE '!'
  AND type IN ('table', 'view', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT ${COMPLETION_LIMIT}`,
          options,
        ),
      );
    default: { // generic, and any engine without SQL of its own here: ODBC catalog calls
      const tables = await ctx.db.odbcTables(database === NO_SCHEMA ? null : database, `${prefix}%`);
      const found = tables.rows.map((r) => text(r[columnAt(tables, "TABLE_NAME", 2)]));
      return startingWith(found.sort(), prefix).slice(0, COMPLETION_LIMIT);
    }
  }
}

/** Readable kinds: Teradata letters, PostgreSQL table types, SQLite types, in one vocabulary. */
export function kindName(kind: string): string {
  const k = kind.trim();
  const known: Record<string, string> = {
    T: "table",
    O: "table",
    Q: "queue table",
    V: "view",
    "BASE TABLE": "table",
    VIEW: "view",
    "FOREIGN": "foreign table",
    "LOCAL TEMPORARY": "temporary table",
    r: "table",
    p: "table",
    v: "view",
    m: "materialized view",
    f: "foreign table",
    virtual: "virtual table",
    TABLE: "table",
  };
  return known[k] ?? k.toLowerCase();
}

/**
 * A LIKE pattern matching values that start with `prefix`, for `ESCAPE '!'`
 * (not a backslash, which PostgreSQL reads differently depending on
 * standard_conforming_strings).
 */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function startingWith(values: string[], prefix: string): string[] {
  const p = prefix.toLowerCase();
  return values.filter((v) => v.toLowerCase().startsWith(p)).slice(0, COMPLETION_LIMIT);
}

function names(result: QueryResult): string[] {
  return result.rows.map((r) => text(r[0]));
}

function columnAt(result: QueryResult, name: string, fallback: number): number {
  const at = result.columns.findIndex((c) => c.name.toUpperCase() === name);
  return at < 0 ? fallback : at;
}

/** A catalog name as text (Teradata pads CHAR columns). */
export function text(cell: Cell): string {
  return cell === null ? "" : String(cell).trimEnd();
}

/** A catalog text that may be NULL. */
export function nullableText(cell: Cell): string | null {
  return cell === null ? null : String(cell);
}

/** Quotes a database name for SQLite's `"db".pragma_...` form. */
export function sqliteSchema(database: string): string {
  return quoteIdent(database, "sqlite");
}
