/**
 * A table's schema as one JSON document — columns, primary key, a row count
 * estimate — read from each dialect's catalog. Backs the `schema://` resource
 * template and the data-quality prompt.
 * @module
 */
import { isMissingObject, notFoundMessage } from "./catalog.ts";
import { type ReadContext, ResourceNotFoundError } from "../../plugin/resource.ts";
import { catalogContext, kindName, NO_SCHEMA, nullableText, sqliteSchema, text } from "./schema_catalog.ts";
import { describeTeradata } from "./schema_teradata.ts";

/** One column of a table schema. */
export interface ColumnSchema {
  name: string;
  /** The declared type as the database spells it; null where the catalog has none (Teradata views). */
  type: string | null;
  nullable: boolean;
  /** The default as SQL text, or null. */
  default: string | null;
}

/** What a `schema://{database}/{table}` resource holds. */
export interface TableSchema {
  database: string;
  table: string;
  /** `table`, `view`, `materialized view`, ...; null when the catalog does not say (generic dialect). */
  kind: string | null;
  columns: ColumnSchema[];
  /** Primary-key columns in key order; null when there is none or the catalog cannot say. */
  primary_key: string[] | null;
  /** The catalog's row count estimate (never a COUNT(*)); null when it has none. */
  row_count_estimate: number | null;
  /** Where the estimate comes from and how fresh it is. */
  row_count_source: string | null;
  /**
   * Teradata views only, when HELP COLUMN failed and the types stay unknown: NO_ACCESS (no SELECT right on the
   * view or what it reads) or BROKEN_VIEW, with the database's message.
   */
  status?: "NO_ACCESS" | "BROKEN_VIEW";
  status_detail?: string;
}

type Describe = (ctx: ReadContext, database: string, table: string) => Promise<TableSchema | null>;

/**
 * Reads the schema of `database.table`. Throws {@link ResourceNotFoundError}
 * naming similar tables when there is no such table or view.
 */
export async function readTableSchema(ctx: ReadContext, database: string, table: string): Promise<TableSchema> {
  const describe: Partial<Record<ReadContext["dialect"], Describe>> = {
    teradata: describeTeradata,
    postgres: describePostgres,
    sqlite: describeSqlite,
    generic: describeGeneric,
  };
  // Any other engine: ODBC's SQLColumns, as for the generic dialect.
  const schema = await (describe[ctx.dialect] ?? describeGeneric)(ctx, database, table);
  if (schema === null || schema.columns.length === 0) {
    throw new ResourceNotFoundError(await missingMessage(ctx, database, table));
  }
  return schema;
}

/** "No such table" with similar names, or with a pointer to the database list when the database itself is missing. */
async function missingMessage(ctx: ReadContext, database: string, table: string): Promise<string> {
  const ref = { database: database === NO_SCHEMA ? null : database, table };
  try {
    return await notFoundMessage(catalogContext(ctx), ref);
  } catch (error) {
    if (!isMissingObject(error)) throw error;
    return `no table or view \`${table}\` in \`${database}\`, which is not a database here; call base_databaseList`;
  }
}

async function describeSqlite(ctx: ReadContext, database: string, table: string): Promise<TableSchema | null> {
  const options = { signal: ctx.signal, maxRows: ctx.limits.maxRows };
  const found = await ctx.db.query(
    `SELECT name, type FROM pragma_table_list WHERE schema = ? AND (name = ? COLLATE NOCASE OR name = 'sqlite_stat1')`,
    { ...options, params: [database, table] },
  );
  const self = found.rows.find((r) => text(r[0]).toLowerCase() === table.toLowerCase() && r[0] !== "sqlite_stat1");
  if (self === undefined) return null;
  const name = text(self[0]);
  const schema = sqliteSchema(database);
  const columns = await ctx.db.query(
    `SELECT name, type, "notnull", dflt_value, pk FROM ${schema}.pragma_table_info(?) ORDER BY cid`,
    { ...options, params: [name] },
  );
  const key = columns.rows.filter((r) => Number(r[4]) > 0).sort((a, b) => Number(a[4]) - Number(b[4]));
  let estimate: number | null = null;
  if (found.rows.some((r) => r[0] === "sqlite_stat1")) {
    // sqlite_stat1.stat starts with the table's row count as of the last ANALYZE.
    const stat = await ctx.db.query(`SELECT stat FROM ${schema}.sqlite_stat1 WHERE tbl = ? LIMIT 1`, {
      ...options,
      params: [name],
    });
    estimate = stat.rowCount > 0 ? Number.parseInt(text(stat.rows[0][0]), 10) : null;
  }
  return {
    database,
    table: name,
    kind: kindName(text(self[1])),
    columns: columns.rows.map((r) => ({
      name: text(r[0]),
      type: text(r[1]) || null,
      nullable: Number(r[2]) === 0,
      default: nullableText(r[3]),
    })),
    primary_key: key.length > 0 ? key.map((r) => text(r[0])) : null,
    row_count_estimate: Number.isFinite(estimate) ? estimate : null,
    row_count_source: Number.isFinite(estimate) ? "sqlite_stat1 (as of the last ANALYZE)" : null,
  };
}

async function describePostgres(ctx: ReadContext, database: string, table: string): Promise<TableSchema | null> {
  // pg_catalog for the exact declared types (format_type) and the key; columns are shown only with
  // a privilege on them, as information_schema.columns does.
  const result = await ctx.db.query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
  array_position(i.indkey::int2[], a.attnum), c.relkind::text, c.reltuples::bigint
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary
WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES')
ORDER BY a.attnum`,
    { params: [database, table], maxRows: ctx.limits.maxRows, signal: ctx.signal },
  );
  if (result.rowCount === 0) return null;
  const key = result.rows.filter((r) => r[4] !== null).sort((a, b) => Number(a[4]) - Number(b[4]));
  const estimate = Number(result.rows[0][6]);
  const known = Number.isFinite(estimate) && estimate >= 0 && result.rows[0][5] !== "v";
  return {
    database,
    table,
    kind: kindName(text(result.rows[0][5])),
    columns: result.rows.map((r) => ({
      name: text(r[0]),
      type: text(r[1]),
      nullable: r[2] === "YES",
      default: nullableText(r[3]),
    })),
    primary_key: key.length > 0 ? key.map((r) => text(r[0])) : null,
    row_count_estimate: known ? estimate : null,
    row_count_source: known ? "pg_class.reltuples (planner estimate as of the last VACUUM or ANALYZE)" : null,
  };
}

async function describeGeneric(ctx: ReadContext, database: string, table: string): Promise<TableSchema | null> {
  const result = await ctx.db.odbcColumns(database === NO_SCHEMA ? null : database, table);
  const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
  // SQLColumns takes search patterns: `_` in a name matches any character, so keep exact matches only.
  const rows = result.rows.filter((r) => text(r[at("TABLE_NAME")]) === table);
  if (rows.length === 0) return null;
  return {
    database,
    table,
    kind: null,
    columns: rows.map((r) => ({
      name: text(r[at("COLUMN_NAME")]),
      type: nullableText(r[at("TYPE_NAME")]),
      nullable: Number(r[at("NULLABLE")]) !== 0,
      default: nullableText(r[at("COLUMN_DEF")]),
    })),
    primary_key: null,
    row_count_estimate: null,
    row_count_source: null,
  };
}
