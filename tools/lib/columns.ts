/**
 * The column listing behind base_columnDescription on every dialect: names
 * or LIKE patterns for the database and table, types spelled as the engine
 * declares them (Teradata codes decoded), nullability as a boolean.
 * @module
 */
import type { Cell, QueryResult, ResultColumn } from "../../connection/types.ts";
import { defaultDatabase, quoteIdent } from "./sql.ts";
import { TYPE_FIELDS, typeAt } from "./teradata_columns.ts";
import { teradataNullable } from "./teradata_types.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** How a name argument selects: one exact name, a LIKE pattern, the session's default database, or anything. */
export type NameFilter =
  | { kind: "exact"; value: string }
  | { kind: "pattern"; value: string }
  | { kind: "current" }
  | { kind: "any" };

/** A name argument as a filter: `%` (or `_` next to a `%`) makes it a pattern; `%` alone matches anything. */
export function nameFilter(value: string | null, fallback: NameFilter): NameFilter {
  if (value === null) return fallback;
  if (/^%+$/.test(value)) return { kind: "any" };
  return value.includes("%") ? { kind: "pattern", value } : { kind: "exact", value };
}

/** The result columns every dialect returns, in order. */
export const COLUMN_FIELDS: readonly ResultColumn[] = [
  { name: "column_name", type: "VARCHAR", nullable: false },
  { name: "data_type", type: "VARCHAR", nullable: true },
  { name: "nullable", type: "BOOLEAN", nullable: true },
  { name: "default_value", type: "VARCHAR", nullable: true },
  { name: "position", type: "INTEGER", nullable: false },
  { name: "comment", type: "VARCHAR", nullable: true },
  { name: "table_name", type: "VARCHAR", nullable: false },
  { name: "database_name", type: "VARCHAR", nullable: true },
];

/** Teradata adds the raw ColumnType code and the status of view columns whose types are unknown. */
export const TERADATA_FIELDS: readonly ResultColumn[] = [
  ...COLUMN_FIELDS,
  { name: "type_code", type: "VARCHAR", nullable: true },
  { name: "status", type: "VARCHAR", nullable: true },
];

/** A filter on a catalog column as SQL, binding its value; `upper` compares upper-cased (Teradata, as the official server does). */
function where(column: string, filter: NameFilter, current: string, bind: (v: string) => string, like: string) {
  switch (filter.kind) {
    case "exact":
      return `${column} = ${bind(filter.value)}`;
    case "pattern":
      return like === "UPPER"
        ? `UPPER(${column}) LIKE UPPER(${bind(filter.value)})`
        : `${column} ${like} ${bind(filter.value)}`;
    case "current":
      return `${column} = ${current}`;
    case "any":
      return "";
  }
}

/** Joins the non-empty conditions with AND. */
function all(conditions: string[]): string {
  const kept = conditions.filter(Boolean);
  return kept.length === 0 ? "1 = 1" : kept.join(" AND ");
}

/**
 * Teradata: DBC.ColumnsVX (DatabaseName, TableName, ColumnName, ColumnId, the type fields, Nullable Y/N,
 * DefaultValue, CommentString). View columns have no type there: rows come back with a null type for
 * {@link resolveTeradataViews} to fill in.
 */
async function teradataColumns(ctx: ToolContext, database: NameFilter, table: NameFilter): Promise<QueryResult> {
  const params: string[] = [];
  const bind = (value: string) => (params.push(value), "?");
  const single = table.kind === "exact" && (database.kind === "exact" || database.kind === "current");
  const sql = `SELECT ColumnName AS column_name, ${TYPE_FIELDS}, Nullable AS nullable, DefaultValue AS default_value,
  ColumnId AS "position", CommentString AS "comment", TableName AS table_name, DatabaseName AS database_name
FROM DBC.ColumnsVX WHERE ${
    all([where("TableName", table, "", bind, "UPPER"), where("DatabaseName", database, "DATABASE", bind, "UPPER")])
  } ORDER BY ${single ? "ColumnId" : "DatabaseName, TableName, ColumnId"}`;
  const result = await ctx.db.query(sql, { params, maxRows: ctx.limits.maxRows, signal: ctx.signal });
  // column_name, 6 type fields, nullable, default, position, comment, table, database.
  const rows = result.rows.map((r) => [
    trimmed(r[0]),
    typeAt(r, 1),
    teradataNullable(r[7]),
    r[8],
    r[9],
    r[10],
    trimmed(r[11]),
    trimmed(r[12]),
    r[1] === null ? null : String(r[1]).trim(),
    null,
  ]);
  return { ...result, columns: [...TERADATA_FIELDS], rows };
}

/** PostgreSQL: pg_catalog, for the declared types (format_type) and comments; columns the role may use. */
async function postgresColumns(ctx: ToolContext, database: NameFilter, table: NameFilter): Promise<QueryResult> {
  const params: string[] = [];
  const bind = (value: string) => (params.push(value), "?");
  const single = table.kind === "exact" && (database.kind === "exact" || database.kind === "current");
  const system = database.kind === "any" ? "n.nspname NOT IN ('pg_catalog', 'information_schema')" : "";
  const sql = `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type,
  CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS nullable,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_value, a.attnum AS "position",
  col_description(c.oid, a.attnum) AS "comment", c.relname AS table_name, n.nspname AS database_name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES')
  AND ${
    all([
      where("c.relname", table, "", bind, "ILIKE"),
      where("n.nspname", database, "current_schema()", bind, "ILIKE"),
      system,
    ])
  }
ORDER BY ${single ? "a.attnum" : "n.nspname, c.relname, a.attnum"}`;
  const result = await ctx.db.query(sql, { params, maxRows: ctx.limits.maxRows, signal: ctx.signal });
  return { ...result, columns: [...COLUMN_FIELDS], rows: result.rows.map((r) => withNullable(r, r[2] === "YES")) };
}

/** SQLite: pragma_table_info of each table of each attached database that matches. */
async function sqliteColumns(ctx: ToolContext, database: NameFilter, table: NameFilter): Promise<QueryResult> {
  const databases = database.kind === "exact"
    ? [database.value]
    : database.kind === "current"
    ? [defaultDatabase("sqlite")!]
    : (await ctx.db.query("SELECT name FROM pragma_database_list ORDER BY seq", { maxRows: 100, signal: ctx.signal }))
      .rows.map((r) => String(r[0])).filter((name) => database.kind === "any" || likeMatches(database.value, name));
  const results: QueryResult[] = [];
  let room = ctx.limits.maxRows;
  for (const name of databases) {
    const params: string[] = [name];
    const bind = (value: string) => (params.push(value), "?");
    const schema = quoteIdent(name, "sqlite");
    const sql =
      `SELECT p.name AS column_name, p.type AS data_type, p."notnull" AS nullable, p.dflt_value AS default_value,
  p.cid + 1 AS "position", NULL AS "comment", m.name AS table_name, ? AS database_name
FROM ${schema}.sqlite_schema m JOIN pragma_table_info(m.name, ${bind(name)}) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND ${
        all([where("m.name", table, "", bind, "LIKE")])
      }
ORDER BY m.name, p.cid`;
    const result = await ctx.db.query(sql, { params, maxRows: room, signal: ctx.signal });
    results.push(result);
    room -= result.rowCount;
    if (room <= 0 || result.truncated) break;
  }
  const rows = results.flatMap((r) => r.rows.map((row) => withNullable(row, Number(row[2]) === 0)));
  return {
    columns: [...COLUMN_FIELDS],
    rows,
    rowCount: rows.length,
    truncated: results.some((r) => r.truncated) || room <= 0,
    truncatedBy: results.find((r) => r.truncatedBy)?.truncatedBy ?? (room <= 0 ? "rows" : null),
    elapsedMs: results.reduce((sum, r) => sum + r.elapsedMs, 0),
  };
}

/** ODBC type codes of character types (length in the type) and exact numerics (precision and scale). */
const ODBC_SIZED = new Set([1, 12, -8, -9]);
const ODBC_DECIMAL = new Set([2, 3]);

/** An ODBC SQLColumns type as SQL: TYPE_NAME with COLUMN_SIZE (and DECIMAL_DIGITS) for character and exact types. */
export function odbcType(typeName: Cell, dataType: Cell, size: Cell, digits: Cell): string | null {
  if (typeName === null) return null;
  const name = String(typeName);
  const code = Number(dataType);
  if (name.includes("(") || size === null) return name;
  if (ODBC_SIZED.has(code)) return `${name}(${size})`;
  if (ODBC_DECIMAL.has(code)) return `${name}(${size},${digits ?? 0})`;
  return name;
}

/** Other engines: ODBC SQLColumns, which takes `%` patterns itself; an exact name is matched exactly afterwards. */
async function odbcColumns(ctx: ToolContext, database: NameFilter, table: NameFilter): Promise<QueryResult> {
  const pattern = (filter: NameFilter) =>
    filter.kind === "exact" || filter.kind === "pattern" ? filter.value : filter.kind === "any" ? "%" : null;
  const result = await ctx.db.odbcColumns(pattern(database), pattern(table) ?? "%");
  const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
  const [schemaAt, tableAt, nameAt, codeAt, typeNameAt, sizeAt, digitsAt, nullAt, defaultAt, remarksAt, positionAt] = [
    "TABLE_SCHEM",
    "TABLE_NAME",
    "COLUMN_NAME",
    "DATA_TYPE",
    "TYPE_NAME",
    "COLUMN_SIZE",
    "DECIMAL_DIGITS",
    "NULLABLE",
    "COLUMN_DEF",
    "REMARKS",
    "ORDINAL_POSITION",
  ].map(at);
  const cell = (row: Cell[], i: number) => (i < 0 ? null : row[i]);
  const exact = (filter: NameFilter, value: Cell) => filter.kind !== "exact" || value === filter.value;
  const rows = result.rows
    .filter((row) => exact(table, cell(row, tableAt)) && exact(database, cell(row, schemaAt)))
    .map((row) => {
      const sized = odbcType(cell(row, typeNameAt), cell(row, codeAt), cell(row, sizeAt), cell(row, digitsAt));
      const nullable = Number(cell(row, nullAt));
      return [
        cell(row, nameAt),
        sized,
        nullable === 1 ? true : nullable === 0 ? false : null,
        cell(row, defaultAt),
        cell(row, positionAt),
        cell(row, remarksAt),
        cell(row, tableAt),
        cell(row, schemaAt),
      ];
    });
  return { ...result, columns: [...COLUMN_FIELDS], rows, rowCount: rows.length };
}

/** The columns of the tables and views that match, on the connected dialect. */
export async function describeColumns(ctx: ToolContext, database: NameFilter, table: NameFilter): Promise<QueryResult> {
  switch (ctx.dialect) {
    case "teradata":
      return await teradataColumns(ctx, database, table);
    case "postgres":
      return await postgresColumns(ctx, database, table);
    case "sqlite":
      return await sqliteColumns(ctx, database, table);
    default: // generic, and any engine without SQL of its own here: ODBC catalog calls
      return await odbcColumns(ctx, database, table);
  }
}

/** A row with its third cell (nullability) replaced by a boolean. */
function withNullable(row: Cell[], nullable: boolean): Cell[] {
  const copy = [...row];
  copy[2] = nullable;
  return copy;
}

function trimmed(cell: Cell): Cell {
  return typeof cell === "string" ? cell.trimEnd() : cell;
}

/** Whether `name` matches a SQL LIKE pattern (`%`, `_`; case-insensitive, as SQLite's LIKE is for ASCII). */
export function likeMatches(pattern: string, name: string): boolean {
  return likeRegExp(pattern).test(name);
}

/** A SQL LIKE pattern (`%`, `_`) as a case-insensitive regular expression. */
export function likeRegExp(pattern: string): RegExp {
  const source = [...pattern].map((c) => c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("");
  return new RegExp(`^${source}$`, "is");
}
