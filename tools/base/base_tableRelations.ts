import { notFoundMessage } from "../lib/catalog.ts";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { tableExists } from "../lib/sec.ts";
import { defaultDatabase, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Teradata DBC.All_RI_ChildrenVX / All_RI_ParentsVX: IndexName, ChildDB, ChildTable, ChildKeyColumn, ParentDB, ParentTable, ParentKeyColumn. */
function teradata(db: string): string {
  const columns = `IndexName AS constraint_name, ChildDB AS child_database, ChildTable AS child_table,
  ChildKeyColumn AS child_column, ParentDB AS parent_database, ParentTable AS parent_table, ParentKeyColumn AS parent_column`;
  return `LOCKING ROW FOR ACCESS
SELECT 'outgoing' AS direction, ${columns} FROM DBC.All_RI_ChildrenVX WHERE ChildTable = ? AND ChildDB = ${db}
UNION ALL
SELECT 'incoming', ${columns} FROM DBC.All_RI_ParentsVX WHERE ParentTable = ? AND ParentDB = ${db}
ORDER BY 1 DESC, 2, 4, 5`;
}

const PG_ACTION = (column: string) =>
  `CASE ${column} WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END`;

/** PostgreSQL pg_constraint (contype 'f'), one row per column pair; a self-reference shows in both directions. */
const POSTGRES =
  `SELECT d.direction, k.conname AS constraint_name, cs.nspname AS child_database, c.relname AS child_table,
  ca.attname AS child_column, ps.nspname AS parent_database, p.relname AS parent_table, pa.attname AS parent_column,
  u.n AS column_position, ${PG_ACTION("k.confupdtype")} AS on_update, ${PG_ACTION("k.confdeltype")} AS on_delete
FROM pg_class t JOIN pg_namespace ts ON ts.oid = t.relnamespace
JOIN pg_constraint k ON k.contype = 'f' AND (k.conrelid = t.oid OR k.confrelid = t.oid)
JOIN (VALUES ('outgoing'), ('incoming')) AS d(direction)
  ON (d.direction = 'outgoing' AND k.conrelid = t.oid) OR (d.direction = 'incoming' AND k.confrelid = t.oid)
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cs ON cs.oid = c.relnamespace
JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace ps ON ps.oid = p.relnamespace
CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(child_attnum, parent_attnum, n)
JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.child_attnum
JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.parent_attnum
WHERE t.relname = ? AND ts.nspname = `;

/** SQLite pragma_foreign_key_list of the table (outgoing) and of every table that names it (incoming). */
function sqlite(schema: string): string {
  const s = quoteIdent(schema, "sqlite");
  const parentColumn = `COALESCE(f."to", (SELECT name FROM ${s}.pragma_table_info(f."table") WHERE pk = f.seq + 1))`;
  const columns = `NULL AS constraint_name, ? AS child_database, %CHILD% AS child_table, f."from" AS child_column,
  ? AS parent_database, f."table" AS parent_table, ${parentColumn} AS parent_column, f.seq + 1 AS column_position,
  f.on_update, f.on_delete`;
  return `SELECT 'outgoing' AS direction, ${columns.replace("%CHILD%", "?")} FROM ${s}.pragma_foreign_key_list(?) f
UNION ALL
SELECT 'incoming', ${columns.replace("%CHILD%", "m.name")}
FROM ${s}.sqlite_schema m JOIN ${s}.pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND f."table" = ? COLLATE NOCASE
ORDER BY 1 DESC, 4, 6, 9`;
}

/** Lists the foreign keys from and to a table. */
export default defineTool({
  name: "base_tableRelations",
  title: "Table relations",
  description:
    `List the foreign keys of one table in both directions: 'outgoing' rows are keys of this table that reference a parent
table, 'incoming' rows are keys of other tables that reference this one. One row per column pair (child_column -> parent_column);
a multi-column key has several rows with the same constraint (PostgreSQL and SQLite number them in column_position).
Use it to find join paths between tables. Only declared keys are known: Teradata warehouses often declare none (then try base_tableAffinity).
Teradata reads DBC.All_RI_ChildrenVX and DBC.All_RI_ParentsVX; PostgreSQL pg_constraint; SQLite pragma_foreign_key_list (constraint_name is
empty there; incoming keys are found by reading every table's keys).
Result: direction, constraint_name, child_database, child_table, child_column, parent_database, parent_table, parent_column
(+ PostgreSQL/SQLite column_position, on_update, on_delete). A missing table is an error naming similar tables.`,
  inputSchema: { ...TABLE_ARGS },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres", "sqlite"],
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const named = ref.database !== null;
    let result;
    if (ctx.dialect === "teradata") {
      const params = named ? [ref.table, ref.database!, ref.table, ref.database!] : [ref.table, ref.table];
      result = await ctx.db.query(teradata(named ? "?" : "DATABASE"), { ...options, params });
    } else if (ctx.dialect === "postgres") {
      const sql = `${POSTGRES}${named ? "?" : "current_schema()"} ORDER BY 1 DESC, 2, 9`;
      result = await ctx.db.query(sql, { ...options, params: named ? [ref.table, ref.database!] : [ref.table] });
    } else {
      const schema = ref.database ?? defaultDatabase("sqlite")!;
      const params = [schema, ref.table, schema, ref.table, schema, schema, ref.table];
      result = await ctx.db.query(sqlite(schema), { ...options, params });
    }
    if (result.rowCount > 0) return tableResult(result);
    if (!(await tableExists(ctx, ref))) return errorResult(await notFoundMessage(ctx, ref));
    return tableResult(result, `\`${ref.table}\` has no declared foreign keys in either direction`);
  },
});
