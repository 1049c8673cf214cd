/**
 * Catalog queries shared by several tools, one SQL text per dialect, and
 * "did you mean" suggestions when a table is not found.
 * @module
 */
import type { DatabaseError } from "../../connection/errors.ts";
import type { QueryResult } from "../../connection/types.ts";
import { defaultDatabase, quoteIdent, type TableRef } from "./sql.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** Lists tables and views of one database (schema), optionally filtered by a LIKE pattern. */
export async function listTables(
  ctx: ToolContext,
  database: string | null,
  pattern: string | null,
  maxRows = ctx.limits.maxRows,
): Promise<QueryResult> {
  const params: string[] = [];
  const where = (column: string, value: string | null, fallback: string) => {
    if (value === null) return `${column} = ${fallback}`;
    params.push(value);
    return `${column} = ?`;
  };
  const like = (column: string, op = "LIKE") => {
    if (pattern === null) return "";
    params.push(pattern);
    return ` AND ${column} ${op} ?`;
  };
  const options = { maxRows, signal: ctx.signal };
  switch (ctx.dialect) {
    case "teradata": {
      const sql =
        `SELECT DatabaseName AS database_name, TableName AS table_name, TableKind AS kind, CommentString AS "comment"
FROM DBC.TablesVX WHERE ${where("DatabaseName", database, "DATABASE")} AND TableKind IN ('T', 'V', 'O', 'Q')${
          like("TableName")
        } ORDER BY TableName`;
      return await ctx.db.query(sql, { ...options, params });
    }
    case "postgres": {
      const sql = `SELECT table_schema AS database_name, table_name, table_type AS kind
FROM information_schema.tables WHERE ${where("table_schema", database, "current_schema()")}${
        like("table_name", "ILIKE")
      } ORDER BY table_name`;
      return await ctx.db.query(sql, { ...options, params });
    }
    case "sqlite": {
      const schema = quoteIdent(
        database ?? defaultDatabase("sqlite")!,
        "sqlite",
      );
      params.push(database ?? "main");
      const sql = `SELECT ? AS database_name, name AS table_name, type AS kind FROM ${schema}.sqlite_schema
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'${like("name")} ORDER BY name`;
      return await ctx.db.query(sql, { ...options, params });
    }
    default: { // generic, and any engine without SQL of its own here: ODBC catalog calls
      const result = await ctx.db.odbcTables(database, pattern);
      return result;
    }
  }
}

/**
 * Lists the tables and views of every database (schema) the user can see, optionally filtered by a LIKE pattern:
 * Teradata DBC.TablesVX without a database filter (as the official server's base_tableList without database_name),
 * PostgreSQL every schema but pg_catalog, information_schema and pg_toast, SQLite every attached database, other
 * engines ODBC SQLTables over all schemas.
 */
export async function listAllTables(ctx: ToolContext, pattern: string | null): Promise<QueryResult> {
  const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
  const params = pattern === null ? [] : [pattern];
  switch (ctx.dialect) {
    case "teradata":
      return await ctx.db.query(
        `SELECT DatabaseName AS database_name, TableName AS table_name, TableKind AS kind, CommentString AS "comment"
FROM DBC.TablesVX WHERE TableKind IN ('T', 'V', 'O', 'Q')${pattern === null ? "" : " AND TableName LIKE ?"}
ORDER BY DatabaseName, TableName`,
        { ...options, params },
      );
    case "postgres":
      return await ctx.db.query(
        `SELECT table_schema AS database_name, table_name, table_type AS kind FROM information_schema.tables
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_toast%'${
          pattern === null ? "" : " AND table_name ILIKE ?"
        }
ORDER BY table_schema, table_name`,
        { ...options, params },
      );
    case "sqlite": {
      const databases = await ctx.db.query("SELECT name FROM pragma_database_list ORDER BY seq", {
        maxRows: 100,
        signal: ctx.signal,
      });
      const parts: QueryResult[] = [];
      for (const [name] of databases.rows) parts.push(await listTables(ctx, String(name), pattern));
      const rows = parts.flatMap((p) => p.rows).slice(0, ctx.limits.maxRows);
      const cut = parts.reduce((n, p) => n + p.rowCount, 0) > rows.length || parts.some((p) => p.truncated);
      return {
        columns: parts[0]?.columns ?? [],
        rows,
        rowCount: rows.length,
        truncated: cut,
        truncatedBy: cut ? "rows" : null,
        elapsedMs: parts.reduce((ms, p) => ms + p.elapsedMs, 0),
      };
    }
    default: // generic, and any engine without SQL of its own here: ODBC catalog calls
      return await ctx.db.odbcTables(null, pattern);
  }
}

/** Up to five table names of the database that look like `wanted`. */
export async function similarTables(
  ctx: ToolContext,
  ref: TableRef,
): Promise<string[]> {
  const tables = await listTables(ctx, ref.database, null, 5_000);
  const nameAt = tables.columns.findIndex((c) => /^table_name$/i.test(c.name));
  const names = tables.rows.map((r) => String(r[nameAt < 0 ? 1 : nameAt]));
  const wanted = ref.table.toLowerCase();
  return names
    .map((name) => ({ name, score: distance(wanted, name.toLowerCase()) }))
    .filter(({ name, score }) =>
      score <= Math.max(2, wanted.length / 2) ||
      name.toLowerCase().includes(wanted)
    )
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map(({ name }) => name);
}

/** A "no such table" message that tells the agent what to try instead. */
export async function notFoundMessage(
  ctx: ToolContext,
  ref: TableRef,
): Promise<string> {
  const where = ref.database ?? "the default database";
  const similar = await similarTables(ctx, ref);
  const hint = similar.length > 0
    ? `; similar: ${similar.join(", ")}`
    : "; call base_tableList to see the tables there";
  return `no table or view \`${ref.table}\` in \`${where}\`${hint}`;
}

/**
 * Whether a database error says the object does not exist: Teradata 3807,
 * SQLSTATE 42P01 / 42S02, SQLite's "no such table".
 */
export function isMissingObject(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "DatabaseError") return false;
  const { sqlState, nativeCode } = error as Partial<DatabaseError>;
  // The Teradata ODBC driver reports a statement's code as a negative native code.
  return Math.abs(nativeCode ?? 0) === 3807 || sqlState === "42P01" || sqlState === "42S02" ||
    /no such table|does not exist/i.test(error.message);
}

/** Levenshtein distance, for suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
