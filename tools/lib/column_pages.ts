/**
 * The paged listing of many tables' columns behind base_columnMetadata: one
 * catalog query per page (keyset by table name and column position), types
 * spelled as base_columnDescription spells them, nullability as a boolean,
 * continuation tokens bound to the request.
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import type { Cell, QueryResult } from "../../connection/types.ts";
import { likeRegExp, odbcType } from "./columns.ts";
import { toNumber } from "./quality.ts";
import { defaultDatabase, quoteIdent } from "./sql.ts";
import { TYPE_FIELDS, typeAt } from "./teradata_columns.ts";
import { teradataCharset, teradataNullable } from "./teradata_types.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** Where a paged listing stopped: the last table and column position returned. */
export interface PagePosition {
  table: string;
  ordinal: number;
}

/** An opaque continuation token: base64 of the position and a fingerprint of the request it belongs to. */
export function encodePageToken(request: string, position: PagePosition): string {
  const json = JSON.stringify({ r: fingerprint(request), t: position.table, o: position.ordinal });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)));
}

/** Reads a token made by {@link encodePageToken} for the same request; a RangeError for anything else. */
export function decodePageToken(token: string, request: string): PagePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token.trim()), (c) => c.charCodeAt(0))));
  } catch {
    parsed = null;
  }
  const { r, t, o } = (parsed ?? {}) as { r?: unknown; t?: unknown; o?: unknown };
  if (typeof r !== "string" || typeof t !== "string" || typeof o !== "number") {
    throw new ToolInputError("page_token is not a token this tool returned; omit it to start from the first page");
  }
  if (r !== fingerprint(request)) {
    throw new ToolInputError(
      "page_token belongs to a call with other arguments; repeat those arguments or omit the token",
    );
  }
  return { table: t, ordinal: o };
}

/** FNV-1a of a string, as 8 hex digits. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/** Teradata TableKind codes the listing covers: T table, O no-PI table, Q queue table, V view. */
export const TABLE_KINDS = ["T", "O", "Q", "V"] as const;

/** What to list: a database, optionally narrowed by a LIKE pattern, a list of tables, kinds and exclusions. */
export interface Scope {
  database: string | null;
  pattern: string | null;
  names: string[] | null;
  /** TableKind codes from {@link TABLE_KINDS}; on other engines T, O and Q mean tables and V views. */
  kinds: string[];
  /** LIKE patterns of table names to leave out. */
  exclude: string[];
}

/** The row layout of a page: these on every dialect, then {@link TERADATA_EXTRA} on Teradata. */
export const PAGE_COLUMNS: [string, string][] = [
  ["database_name", "VARCHAR"],
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["data_type", "VARCHAR"],
  ["nullable", "BOOLEAN"],
  ["ordinal", "INTEGER"],
  ["default_value", "VARCHAR"],
];

/** Teradata adds the ColumnType code, the character set, the index class (UPI, NUPI, USI, NUSI) and view status. */
export const TERADATA_EXTRA: [string, string][] = [
  ["type_code", "VARCHAR"],
  ["char_set", "VARCHAR"],
  ["index_type", "VARCHAR"],
  ["status", "VARCHAR"],
];

/** Up to `n` columns of the tables in scope after position `after`, ordered by table and position. */
export async function columnPage(
  ctx: ToolContext,
  scope: Scope,
  after: PagePosition | null,
  n: number,
): Promise<Cell[][]> {
  if (ctx.dialect === "generic") return await odbcColumnPage(ctx, scope, after, n);
  const result = await ctx.db.query(...catalogSql(ctx, scope, after, n));
  if (ctx.dialect !== "teradata") {
    return result.rows.map((raw) => [...raw.slice(0, 4), nullableFlag(raw[4]), toNumber(raw[5]), raw[6]]);
  }
  // database, table, column, 6 type fields, Nullable, ColumnId, DefaultValue.
  return result.rows.map((r) => [
    r[0],
    r[1],
    r[2],
    typeAt(r, 3),
    teradataNullable(r[9]),
    toNumber(r[10]),
    r[11],
    r[3] === null ? null : String(r[3]).trim(),
    teradataCharset(r[5]),
    null,
    null,
  ]);
}

/** 'YES'/'NO' (PostgreSQL, SQLite here) as a boolean. */
function nullableFlag(cell: Cell): boolean | null {
  return cell === "YES" ? true : cell === "NO" ? false : null;
}

/** The catalog SELECT for one page, with its parameters and row cap. */
function catalogSql(ctx: ToolContext, scope: Scope, after: PagePosition | null, n: number) {
  const params: (string | number)[] = [];
  const bind = (value: string | number) => (params.push(value), "?");
  const filters = (table: string, ordinal: string, like = "LIKE", order = table) =>
    (scope.pattern === null ? "" : ` AND ${table} ${like} ${bind(scope.pattern)}`) +
    (scope.names === null ? "" : ` AND ${table} IN (${scope.names.map(bind).join(", ")})`) +
    scope.exclude.map((pattern) => ` AND ${table} NOT ${like} ${bind(pattern)}`).join("") +
    (after === null
      ? ""
      : ` AND (${order} > ${bind(after.table)} OR (${table} = ${bind(after.table)} AND ${ordinal} > ${
        bind(after.ordinal)
      }))`);
  const tables = scope.kinds.some((k) => k !== "V");
  const views = scope.kinds.includes("V");
  let sql: string;
  switch (ctx.dialect) {
    case "teradata": {
      // DBC.ColumnsVX (the type fields, Nullable, ColumnId, DefaultValue) joined to DBC.TablesVX (TableKind).
      const database = scope.database === null ? "DATABASE" : bind(scope.database);
      const kinds = scope.kinds.map((k) => `'${k}'`).join(", ");
      const c = TYPE_FIELDS.split(", ").map((f) => `c.${f}`).join(", ");
      sql = `SELECT TOP ${n} c.DatabaseName, c.TableName, c.ColumnName, ${c}, c.Nullable, c.ColumnId, c.DefaultValue
FROM DBC.ColumnsVX c JOIN DBC.TablesVX t ON t.DatabaseName = c.DatabaseName AND t.TableName = c.TableName
WHERE c.DatabaseName = ${database} AND t.TableKind IN (${kinds})${filters("c.TableName", "c.ColumnId")}
ORDER BY c.TableName, c.ColumnId`;
      break;
    }
    case "postgres": {
      // pg_catalog for the declared types (format_type), as base_columnDescription; compared and sorted in the
      // C collation, so that the continuation matches the order exactly.
      const database = scope.database === null ? "current_schema()" : bind(scope.database);
      const order = `CAST(c.relname AS text) COLLATE "C"`;
      const relkinds = [...(tables ? ["'r'", "'p'", "'f'"] : []), ...(views ? ["'v'", "'m'"] : [])].join(", ");
      sql = `SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
  CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END, a.attnum, CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = ${database} AND c.relkind IN (${relkinds})
  AND has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES')${
        filters("c.relname", "a.attnum", "ILIKE", order)
      }
ORDER BY ${order}, a.attnum LIMIT ${n}`;
      break;
    }
    default: {
      const database = scope.database ?? defaultDatabase("sqlite")!;
      const name = bind(database);
      const nullable = `CASE WHEN p."notnull" = 1 THEN 'NO' ELSE 'YES' END`;
      const types = [...(tables ? ["'table'"] : []), ...(views ? ["'view'"] : [])].join(", ");
      sql = `SELECT ${name}, m.name, p.name, p.type, ${nullable}, p.cid + 1, p.dflt_value
FROM ${quoteIdent(database, "sqlite")}.sqlite_schema m JOIN pragma_table_info(m.name, ${bind(database)}) p
WHERE m.type IN (${types}) AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'${filters("m.name", "p.cid + 1")}
ORDER BY m.name, p.cid LIMIT ${n}`;
    }
  }
  return [sql, { params, maxRows: n, signal: ctx.signal }] as const;
}

/** The generic dialect: ODBC SQLColumns per table (or once for the pattern), sorted and paged here. */
async function odbcColumnPage(ctx: ToolContext, scope: Scope, after: PagePosition | null, n: number) {
  const results: QueryResult[] = [];
  for (const table of scope.names ?? [scope.pattern ?? "%"]) {
    results.push(await ctx.db.odbcColumns(scope.database, table));
  }
  const rows = results.flatMap((result) => {
    const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
    const [schema, table, column, code, type, size, digits, nullable, ordinal, fallback] = [
      "TABLE_SCHEM",
      "TABLE_NAME",
      "COLUMN_NAME",
      "DATA_TYPE",
      "TYPE_NAME",
      "COLUMN_SIZE",
      "DECIMAL_DIGITS",
      "NULLABLE",
      "ORDINAL_POSITION",
      "COLUMN_DEF",
    ].map(at);
    const cell = (row: Cell[], i: number) => (i < 0 ? null : row[i]);
    return result.rows.map((row) => [
      cell(row, schema),
      cell(row, table),
      cell(row, column),
      odbcType(cell(row, type), cell(row, code), cell(row, size), cell(row, digits)),
      Number(cell(row, nullable)) === 1 ? true : Number(cell(row, nullable)) === 0 ? false : null,
      cell(row, ordinal),
      cell(row, fallback),
    ]);
  });
  const key = (row: Cell[]) => [String(row[1]), Number(row[5])] as const;
  const excluded = (table: string) => scope.exclude.some((p) => likeRegExp(p).test(table));
  const sorted = rows.sort((a, b) => {
    const [ta, oa] = key(a), [tb, ob] = key(b);
    return ta < tb ? -1 : ta > tb ? 1 : oa - ob;
  }).filter((row) => {
    const [table, ordinal] = key(row);
    if (excluded(table)) return false;
    return after === null || table > after.table || (table === after.table && ordinal > after.ordinal);
  });
  return sorted.slice(0, n);
}

/**
 * Teradata index classes of the columns of `tables` (DBC.IndicesVX: IndexType P/Q primary index, A primary AMP
 * index, S and the secondary kinds K, U, V, H, O, G; UniqueFlag Y/N), by `table\u0000column`: UPI, NUPI, PA, USI or
 * NUSI; a primary index wins over a secondary one. Join and hash index rows (J, N, 1, 2) are left out.
 */
export async function teradataIndexTypes(
  ctx: ToolContext,
  database: string | null,
  tables: readonly string[],
): Promise<Map<string, string>> {
  const classes = new Map<string, string>();
  for (let start = 0; start < tables.length; start += 100) {
    const batch = tables.slice(start, start + 100);
    const result = await ctx.db.query(
      `SELECT TableName, ColumnName, IndexType, UniqueFlag FROM DBC.IndicesVX
WHERE DatabaseName = ${database === null ? "DATABASE" : "?"} AND TableName IN (${batch.map(() => "?").join(", ")})
  AND ColumnName IS NOT NULL AND IndexType IN ('P', 'Q', 'A', 'S', 'K', 'U', 'V', 'H', 'O', 'G')`,
      { params: [...(database === null ? [] : [database]), ...batch], maxRows: 100_000, signal: ctx.signal },
    );
    for (const [table, column, type, unique] of result.rows) {
      const key = `${String(table).trimEnd()}\u0000${String(column).trimEnd()}`;
      const code = String(type).trim();
      const primary = code === "P" || code === "Q";
      const label = code === "A" ? "PA" : `${String(unique).trim() === "Y" ? "U" : "NU"}${primary ? "PI" : "SI"}`;
      const known = classes.get(key);
      if (known === undefined || (!known.endsWith("PI") && primary)) classes.set(key, label);
    }
  }
  return classes;
}
