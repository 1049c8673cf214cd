import { z } from "zod";
import { notFoundMessage } from "../lib/catalog.ts";
import { flag, FLAG_ARG, teradataUserDatabases } from "../lib/args.ts";
import { LOCKING, MAX_TOP_N, optionalName, topN } from "../lib/dba.ts";
import { defineTool, type Dialect, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { quoteIdent } from "../lib/sql.ts";

// Teradata: DBC.TableSizeVX (DatabaseName, TableName, CurrentPerm, PeakPerm; one row per AMP).
// PostgreSQL: pg_total_relation_size = pg_table_size (with TOAST) + pg_indexes_size. SQLite: the dbstat virtual table.
function statement(
  dialect: Dialect,
  database: string | null,
  table: string | null,
  n: number,
  excludeSystem: boolean,
) {
  const db = database === null ? null : "?";
  const tableFilter = (column: string) => table === null ? "" : ` AND ${column} = ?`;
  switch (dialect) {
    case "teradata": {
      // exclude_system: no system database (the official server's list) and only tables (DBC.TablesVX TableKind
      // T, O, Q), not the join and hash indexes DBC.TableSizeVX also sizes.
      const user = excludeSystem
        ? ` AND ${teradataUserDatabases("s.DatabaseName")} AND EXISTS (SELECT 1 FROM DBC.TablesVX t ` +
          `WHERE t.DatabaseName = s.DatabaseName AND t.TableName = s.TableName AND t.TableKind IN ('T', 'O', 'Q'))`
        : "";
      return `${LOCKING}SELECT TOP ${n} s.DatabaseName AS database_name, s.TableName AS table_name,
  SUM(s.CurrentPerm) AS total_bytes, SUM(s.PeakPerm) AS peak_bytes,
  CAST(100 - AVG(s.CurrentPerm) * 100.0 / NULLIFZERO(MAX(s.CurrentPerm)) AS DECIMAL(5,2)) AS skew_pct,
  COUNT(*) AS amps
FROM DBC.TableSizeVX s WHERE s.DatabaseName = ${db ?? "DATABASE"}${tableFilter("s.TableName")}${user}
GROUP BY s.DatabaseName, s.TableName ORDER BY total_bytes DESC, table_name`;
    }
    case "postgres":
      return `SELECT n.nspname AS database_name, c.relname AS table_name, pg_total_relation_size(c.oid) AS total_bytes,
  pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname = ${db ?? "current_schema()"}${tableFilter("c.relname")}${
        excludeSystem ? " AND n.nspname NOT IN ('pg_catalog', 'information_schema')" : ""
      }
ORDER BY total_bytes DESC, table_name LIMIT ${n}`;
    case "sqlite":
      return `SELECT ? AS database_name, m.tbl_name AS table_name, sum(s.pgsize) AS total_bytes,
  sum(CASE WHEN m.type = 'table' THEN s.pgsize ELSE 0 END) AS table_bytes,
  sum(CASE WHEN m.type = 'index' THEN s.pgsize ELSE 0 END) AS index_bytes
FROM ${quoteIdent(database ?? "main", "sqlite")}.sqlite_schema m JOIN dbstat(?, 1) s ON s.name = m.name
WHERE m.type IN ('table', 'index')${tableFilter("m.tbl_name")}${
        excludeSystem ? " AND m.tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\'" : ""
      }
GROUP BY m.tbl_name ORDER BY total_bytes DESC, table_name LIMIT ${n}`;
    default: // the catalog offers the tool only on the dialects it lists
      throw new Error(`dba_tableSpace has no SQL for the ${dialect} dialect`);
  }
}

/** Space used per table of a database. */
export default defineTool({
  name: "dba_tableSpace",
  title: "Table space",
  description:
    `Space used per table of one database (Teradata database, PostgreSQL schema, SQLite database), largest first.
Use it to find the biggest tables or how much one table and its indexes take.
Teradata: DBC.TableSizeVX summed over AMPs; total_bytes = CurrentPerm (with its secondary indexes), peak_bytes = PeakPerm,
skew_pct = 100 - avg/max per-AMP size × 100 (0 = evenly spread; high means a poor primary index), amps = AMPs reporting.
PostgreSQL: tables, materialized views and partitioned tables; total_bytes = table_bytes (heap, TOAST, free space and
visibility maps) + index_bytes. SQLite: the dbstat virtual table; total_bytes = table_bytes + index_bytes (its indexes,
including automatic ones), in whole pages.
top_n: most tables (default 100; 0 = as many as the server's MAX_ROW_LIMIT, as the official server's 0 means no limit).
exclude_system ('Y'/'N' or a boolean, default N): leave out system databases and, on Teradata, the join and hash
indexes (tables only); SQLite: its sqlite_* tables.
Result: columns database_name, table_name, total_bytes, then Teradata peak_bytes, skew_pct, amps or PostgreSQL/SQLite
table_bytes, index_bytes. A table_name that matches nothing is an error naming similar tables.`,
  inputSchema: {
    database_name: z.string().optional().describe("Database (schema) to measure; default: the current one"),
    table_name: z.string().optional().describe("Only this table; default: every table of the database"),
    top_n: z.number().int().min(0).max(MAX_TOP_N).optional().describe(
      `Most tables, largest first (0-${MAX_TOP_N}; default 100; 0 = up to the server's MAX_ROW_LIMIT)`,
    ),
    exclude_system: FLAG_ARG.optional().describe("'Y' (or true) to leave out system databases and non-tables"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres", "sqlite"],
  async handler({ database_name, table_name, top_n, exclude_system }, ctx) {
    const database = optionalName(database_name, "database_name");
    const table = optionalName(table_name, "table_name");
    const n = top_n === 0 ? ctx.limits.maxRows : topN(top_n);
    const params = ctx.dialect === "sqlite"
      ? [database ?? "main", database ?? "main"]
      : database === null
      ? []
      : [database];
    if (table !== null) params.push(table);
    let result;
    try {
      result = await ctx.db.query(statement(ctx.dialect, database, table, n, flag(exclude_system)), {
        params,
        maxRows: n,
        signal: ctx.signal,
      });
    } catch (error) {
      if (ctx.dialect === "sqlite" && error instanceof Error && /no such table: dbstat/i.test(error.message)) {
        return errorResult(
          "this SQLite build has no dbstat virtual table (SQLITE_ENABLE_DBSTAT_VTAB), so table sizes are unknown",
        );
      }
      throw error;
    }
    if (table !== null && result.rowCount === 0) {
      return errorResult(await notFoundMessage(ctx, { database, table }));
    }
    return tableResult(result);
  },
});
