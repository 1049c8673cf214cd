/**
 * The column catalog for the data-quality tools: the columns of one table
 * with their types per dialect (which are numeric, which can be grouped),
 * and a paged listing of the columns of many tables with continuation tokens.
 * @module
 */
import type { Cell, QueryResult } from "../connection/types.ts";
import { defaultDatabase, qualifiedName, quoteIdent, type TableRef } from "./_sql.ts";
import { toNumber } from "./_quality.ts";
import type { ToolContext } from "./_tool.ts";

/** A column as the quality tools need it. */
export interface ColumnInfo {
  name: string;
  /** Type name from the catalog; null when the catalog has none (Teradata view columns without HELP COLUMN). */
  type: string | null;
  /** Whether SUM, comparisons with 0 and standard deviations apply. */
  numeric: boolean;
  /** Whether the values can be grouped and counted distinct (not LOBs, JSON, XML, geometry). */
  comparable: boolean;
}

/**
 * Teradata ColumnType codes (DBC.ColumnsVX, HELP COLUMN "Type") and their
 * names, as Teradata's own dbt adapter maps them.
 */
// deno-fmt-ignore
export const TERADATA_TYPES: Readonly<Record<string, string>> = {
  I1: "BYTEINT", I2: "SMALLINT", I: "INTEGER", I8: "BIGINT", D: "DECIMAL", F: "FLOAT", N: "NUMBER",
  CF: "CHAR", CV: "VARCHAR", CO: "CLOB", BF: "BYTE", BV: "VARBYTE", BO: "BLOB", JN: "JSON", XM: "XML",
  DA: "DATE", AT: "TIME", TS: "TIMESTAMP", TZ: "TIME WITH TIME ZONE", SZ: "TIMESTAMP WITH TIME ZONE",
  YR: "INTERVAL YEAR", YM: "INTERVAL YEAR TO MONTH", MO: "INTERVAL MONTH", DY: "INTERVAL DAY",
  DH: "INTERVAL DAY TO HOUR", DM: "INTERVAL DAY TO MINUTE", DS: "INTERVAL DAY TO SECOND", HR: "INTERVAL HOUR",
  HM: "INTERVAL HOUR TO MINUTE", HS: "INTERVAL HOUR TO SECOND", MI: "INTERVAL MINUTE",
  MS: "INTERVAL MINUTE TO SECOND", SC: "INTERVAL SECOND", PD: "PERIOD(DATE)", PT: "PERIOD(TIME)",
  PZ: "PERIOD(TIME WITH TIME ZONE)", PS: "PERIOD(TIMESTAMP)", PM: "PERIOD(TIMESTAMP WITH TIME ZONE)",
  UT: "UDT", A1: "ARRAY", AN: "ARRAY", "++": "TD_ANYTYPE",
};

const TERADATA_NUMERIC = new Set(["I1", "I2", "I", "I8", "D", "F", "N"]);
const TERADATA_UNCOMPARABLE = new Set(["CO", "BO", "JN", "XM", "UT", "A1", "AN", "++"]);
const POSTGRES_NUMERIC = new Set(["smallint", "integer", "bigint", "numeric", "real", "double precision"]);
const POSTGRES_UNCOMPARABLE = new Set(["json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"]);
/** ODBC SQL type codes: TINYINT, BIGINT, NUMERIC, DECIMAL, INTEGER, SMALLINT, FLOAT, REAL, DOUBLE. */
const ODBC_NUMERIC = new Set([-6, -5, 2, 3, 4, 5, 6, 7, 8]);
/** ODBC long types: LONGVARCHAR, LONGVARBINARY, WLONGVARCHAR. */
const ODBC_UNCOMPARABLE = new Set([-1, -4, -10]);

/** The columns of a table in order, typed from the catalog; empty when the table does not exist. */
export async function tableColumns(ctx: ToolContext, ref: TableRef): Promise<ColumnInfo[]> {
  const options = { maxRows: 5_000, signal: ctx.signal };
  const params = [ref.table, ...(ref.database === null ? [] : [ref.database])];
  switch (ctx.dialect) {
    case "teradata": {
      // DBC.ColumnsVX: ColumnName, ColumnType (CHAR(2) code; NULL for view columns), ColumnId.
      const result = await ctx.db.query(
        `SELECT ColumnName, ColumnType FROM DBC.ColumnsVX WHERE TableName = ? AND DatabaseName = ${
          ref.database === null ? "DATABASE" : "?"
        } ORDER BY ColumnId`,
        { ...options, params },
      );
      const columns = result.rows.map(([name, code]) => teradataColumn(String(name).trim(), code));
      if (columns.some((c) => c.type === null)) await typeViewColumns(ctx, ref, columns);
      return columns;
    }
    case "postgres": {
      const result = await ctx.db.query(
        `SELECT column_name, CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END
FROM information_schema.columns WHERE table_name = ? AND table_schema = ${
          ref.database === null ? "current_schema()" : "?"
        } ORDER BY ordinal_position`,
        { ...options, params },
      );
      return result.rows.map(([name, type]) => ({
        name: String(name),
        type: String(type),
        numeric: POSTGRES_NUMERIC.has(String(type)),
        comparable: !POSTGRES_UNCOMPARABLE.has(String(type)),
      }));
    }
    case "sqlite": {
      const schema = quoteIdent(ref.database ?? defaultDatabase("sqlite")!, "sqlite");
      const result = await ctx.db.query(`SELECT name, type FROM ${schema}.pragma_table_info(?) ORDER BY cid`, {
        ...options,
        params: [ref.table],
      });
      // Declared types decide: INT, REAL, FLOAT, DOUBLE, NUMERIC, DECIMAL (not DATE, which has NUMERIC affinity).
      return result.rows.map(([name, type]) => ({
        name: String(name),
        type: String(type ?? ""),
        numeric: /INT|REAL|FLOA|DOUB|NUM|DEC/i.test(String(type ?? "")),
        comparable: true,
      }));
    }
    case "generic": {
      const result = await ctx.db.odbcColumns(ref.database, ref.table);
      const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
      const [name, code, type] = [at("COLUMN_NAME"), at("DATA_TYPE"), at("TYPE_NAME")];
      return result.rows.map((row) => ({
        name: String(row[name]),
        type: row[type] === null ? null : String(row[type]),
        numeric: ODBC_NUMERIC.has(Number(row[code])),
        comparable: !ODBC_UNCOMPARABLE.has(Number(row[code])),
      }));
    }
  }
}

function teradataColumn(name: string, code: Cell): ColumnInfo {
  if (code === null) return { name, type: null, numeric: false, comparable: true };
  const trimmed = String(code).trim();
  return {
    name,
    type: TERADATA_TYPES[trimmed] ?? trimmed,
    numeric: TERADATA_NUMERIC.has(trimmed),
    comparable: !TERADATA_UNCOMPARABLE.has(trimmed),
  };
}

/** DBC.ColumnsVX has no types for view columns: HELP COLUMN ("Column Name", "Type") has them. */
async function typeViewColumns(ctx: ToolContext, ref: TableRef, columns: ColumnInfo[]): Promise<void> {
  const help = await ctx.db.query(`HELP COLUMN ${qualifiedName(ref, "teradata")}.*`, {
    maxRows: 5_000,
    signal: ctx.signal,
  });
  const find = (pattern: RegExp, fallback: number) => {
    const at = help.columns.findIndex((c) => pattern.test(c.name.trim()));
    return at < 0 ? fallback : at;
  };
  const [nameAt, typeAt] = [find(/^column ?name$/i, 0), find(/^type$/i, 1)];
  const types = new Map(help.rows.map((r) => [String(r[nameAt]).trim().toUpperCase(), r[typeAt]]));
  columns.forEach((column, i) => {
    if (column.type === null) columns[i] = teradataColumn(column.name, types.get(column.name.toUpperCase()) ?? null);
  });
}

/** Finds a column by name (exact, else case-insensitive); a RangeError listing the columns otherwise. */
export function findColumn(columns: readonly ColumnInfo[], name: string, table: string): ColumnInfo {
  const found = columns.find((c) => c.name === name) ??
    columns.find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
  if (found) return found;
  const list = columns.map((c) => c.name).slice(0, 50).join(", ");
  throw new RangeError(`no column \`${name}\` in \`${table}\`; its columns are: ${list}`);
}

/** The named columns (each found as by {@link findColumn}, duplicates dropped), or all of them when none is named. */
export function pickColumns(columns: readonly ColumnInfo[], names: readonly string[] | undefined, table: string) {
  if (!names || names.length === 0) return [...columns];
  return [...new Set(names.map((name) => findColumn(columns, name, table)))];
}

/** Checks that a column holds numbers (columns of unknown type are let through for the database to judge). */
export function requireNumeric(column: ColumnInfo): ColumnInfo {
  if (column.type !== null && !column.numeric) {
    throw new RangeError(`column \`${column.name}\` is ${column.type}, not numeric; pick a numeric column`);
  }
  return column;
}

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
    throw new RangeError("page_token is not a token this tool returned; omit it to start from the first page");
  }
  if (r !== fingerprint(request)) {
    throw new RangeError("page_token belongs to a call with other arguments; repeat those arguments or omit the token");
  }
  return { table: t, ordinal: o };
}

/** FNV-1a of a string, as 8 hex digits. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/** What to list: a database, optionally narrowed by a LIKE pattern or a list of tables. */
export interface Scope {
  database: string | null;
  pattern: string | null;
  names: string[] | null;
}

/**
 * Up to `n` columns of the tables in scope after position `after`, ordered by table and position, as rows
 * (database_name, table_name, column_name, data_type, nullable YES/NO, ordinal, default_value).
 */
export async function columnPage(
  ctx: ToolContext,
  scope: Scope,
  after: PagePosition | null,
  n: number,
): Promise<Cell[][]> {
  if (ctx.dialect === "generic") return await odbcColumnPage(ctx, scope, after, n);
  const result = await ctx.db.query(...catalogSql(ctx, scope, after, n));
  return result.rows.map((raw) =>
    ctx.dialect === "teradata" ? teradataRow(raw) : [...raw.slice(0, 5), toNumber(raw[5]), raw[6]]
  );
}

/** The catalog SELECT for one page, with its parameters and row cap. */
function catalogSql(ctx: ToolContext, scope: Scope, after: PagePosition | null, n: number) {
  const params: (string | number)[] = [];
  const bind = (value: string | number) => (params.push(value), "?");
  const filters = (table: string, ordinal: string, like = "LIKE", order = table) =>
    (scope.pattern === null ? "" : ` AND ${table} ${like} ${bind(scope.pattern)}`) +
    (scope.names === null ? "" : ` AND ${table} IN (${scope.names.map(bind).join(", ")})`) +
    (after === null
      ? ""
      : ` AND (${order} > ${bind(after.table)} OR (${table} = ${bind(after.table)} AND ${ordinal} > ${
        bind(after.ordinal)
      }))`);
  let sql: string;
  switch (ctx.dialect) {
    case "teradata": {
      // DBC.ColumnsVX (ColumnName, ColumnType, Nullable, ColumnId, DefaultValue) joined to DBC.TablesVX (TableKind).
      const database = scope.database === null ? "DATABASE" : bind(scope.database);
      sql =
        `SELECT TOP ${n} c.DatabaseName, c.TableName, c.ColumnName, c.ColumnType, c.Nullable, c.ColumnId, c.DefaultValue
FROM DBC.ColumnsVX c JOIN DBC.TablesVX t ON t.DatabaseName = c.DatabaseName AND t.TableName = c.TableName
WHERE c.DatabaseName = ${database} AND t.TableKind IN ('T', 'V', 'O', 'Q')${filters("c.TableName", "c.ColumnId")}
ORDER BY c.TableName, c.ColumnId`;
      break;
    }
    case "postgres": {
      // Compared and sorted in the C collation, so that the continuation matches the order exactly.
      const database = scope.database === null ? "current_schema()" : bind(scope.database);
      const order = `CAST(table_name AS text) COLLATE "C"`;
      sql = `SELECT table_schema, table_name, column_name,
  CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END, is_nullable, ordinal_position, column_default
FROM information_schema.columns WHERE table_schema = ${database}${
        filters("table_name", "ordinal_position", "ILIKE", order)
      }
ORDER BY ${order}, ordinal_position LIMIT ${n}`;
      break;
    }
    default: {
      const database = scope.database ?? defaultDatabase("sqlite")!;
      const name = bind(database);
      const nullable = `CASE WHEN p."notnull" = 1 THEN 'NO' ELSE 'YES' END`;
      sql = `SELECT ${name}, m.name, p.name, p.type, ${nullable}, p.cid + 1, p.dflt_value
FROM ${quoteIdent(database, "sqlite")}.sqlite_schema m JOIN pragma_table_info(m.name, ${bind(database)}) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'${filters("m.name", "p.cid + 1")}
ORDER BY m.name, p.cid LIMIT ${n}`;
    }
  }
  return [sql, { params, maxRows: n, signal: ctx.signal }] as const;
}

/** Teradata rows: type codes as names (NULL for view columns), Nullable Y/N as YES/NO. */
function teradataRow([database, table, column, code, nullable, ordinal, fallback]: Cell[]): Cell[] {
  const type = code === null ? null : TERADATA_TYPES[String(code).trim()] ?? String(code).trim();
  const isNullable = nullable === null ? null : String(nullable).trim() === "N" ? "NO" : "YES";
  return [database, table, column, type, isNullable, toNumber(ordinal), fallback];
}

/** SQLColumns result columns in the order of a page row. */
const ODBC_COLUMNS = [
  "TABLE_SCHEM",
  "TABLE_NAME",
  "COLUMN_NAME",
  "TYPE_NAME",
  "IS_NULLABLE",
  "ORDINAL_POSITION",
  "COLUMN_DEF",
];

/** The generic dialect: ODBC SQLColumns per table (or once for the pattern), sorted and paged here. */
async function odbcColumnPage(ctx: ToolContext, scope: Scope, after: PagePosition | null, n: number) {
  const results: QueryResult[] = [];
  for (const table of scope.names ?? [scope.pattern ?? "%"]) {
    results.push(await ctx.db.odbcColumns(scope.database, table));
  }
  const rows = results.flatMap((result) => {
    const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
    const picks = ODBC_COLUMNS.map(at);
    return result.rows.map((row) => picks.map((i) => (i < 0 ? null : row[i])));
  });
  const key = (row: Cell[]) => [String(row[1]), Number(row[5])] as const;
  const sorted = rows.sort((a, b) => {
    const [ta, oa] = key(a), [tb, ob] = key(b);
    return ta < tb ? -1 : ta > tb ? 1 : oa - ob;
  }).filter((row) => {
    const [table, ordinal] = key(row);
    return after === null || table > after.table || (table === after.table && ordinal > after.ordinal);
  });
  return sorted.slice(0, n);
}
