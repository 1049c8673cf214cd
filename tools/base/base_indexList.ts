import { notFoundMessage } from "../lib/catalog.ts";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { decodeColumn, tableExists, TERADATA_INDEX_TYPES } from "../lib/sec.ts";
import { defaultDatabase, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** PostgreSQL: one row per index column (INCLUDE columns marked), expressions shown as written. */
const POSTGRES = `SELECT i.relname AS index_name,
  CASE WHEN x.indisprimary THEN 'primary key'
    WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype = 'u') THEN 'unique constraint'
    WHEN x.indisunique THEN 'unique index' ELSE 'index' END AS index_kind,
  am.amname AS method, x.indisunique AS is_unique,
  COALESCE(a.attname, pg_get_indexdef(x.indexrelid, k.n, true)) AS column_name, k.n AS column_position,
  k.n > x.indnkeyatts AS included, pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
CROSS JOIN LATERAL generate_series(1, x.indnatts) AS k(n)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[k.n - 1] AND a.attnum > 0
WHERE t.relname = ? AND s.nspname = `;

/** SQLite: pragma_index_list + pragma_index_info; an INTEGER PRIMARY KEY is the rowid and has no index of its own. */
function sqlite(schema: string): string {
  const s = quoteIdent(schema, "sqlite");
  return `SELECT l.name AS index_name,
  CASE l.origin WHEN 'pk' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
    ELSE CASE WHEN l."unique" = 1 THEN 'unique index' ELSE 'index' END END AS index_kind,
  l."unique" AS is_unique, COALESCE(i.name, '(expression)') AS column_name, i.seqno + 1 AS column_position, l.partial
FROM ${s}.pragma_index_list(?) l JOIN ${s}.pragma_index_info(l.name) i
UNION ALL
SELECT '(rowid)', 'primary key (rowid)', 1, p.name, 1, 0 FROM ${s}.pragma_table_info(?) p
WHERE p.pk = 1 AND NOT EXISTS (SELECT 1 FROM ${s}.pragma_index_list(?) WHERE origin = 'pk')
ORDER BY 1, 5`;
}

/** Lists the indexes of a table. */
export default defineTool({
  name: "base_indexList",
  title: "List indexes",
  description:
    `List the indexes of one table, one row per index column: primary index / key, secondary and unique indexes.
Use it to see which columns are indexed before writing joins and filters, or to check the Teradata primary index (data distribution).
Teradata reads DBC.IndicesVX: index_type is the IndexType code (P primary index, Q partitioned PI, S secondary, K primary key,
U unique constraint, J join index, ...), index_kind its meaning, is_unique Y/N; a NoPI table may list nothing.
PostgreSQL reads pg_index: index_kind (primary key, unique constraint, unique index, index), method (btree, gin, ...),
included (INCLUDE column), definition. SQLite reads pragma_index_list/pragma_index_info; an INTEGER PRIMARY KEY is the rowid and
is listed as '(rowid)'; partial = 1 for an index with WHERE.
Result: index_name, index_kind, is_unique, column_name, column_position (+ dialect columns above). A missing table is an error naming similar tables.`,
  inputSchema: { ...TABLE_ARGS },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres", "sqlite"],
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const withDb = ref.database === null ? [ref.table] : [ref.table, ref.database];
    let result;
    if (ctx.dialect === "teradata") {
      // DBC.IndicesVX: DatabaseName, TableName, IndexNumber, IndexType, UniqueFlag, IndexName, ColumnName, ColumnPosition.
      result = decodeColumn(
        await ctx.db.query(
          `LOCKING ROW FOR ACCESS
SELECT IndexNumber AS index_number, IndexName AS index_name, IndexType AS index_type, UniqueFlag AS is_unique,
  ColumnName AS column_name, ColumnPosition AS column_position
FROM DBC.IndicesVX WHERE TableName = ? AND DatabaseName = ${ref.database === null ? "DATABASE" : "?"}
ORDER BY IndexNumber, ColumnPosition`,
          { ...options, params: withDb },
        ),
        "index_type",
        "index_kind",
        TERADATA_INDEX_TYPES,
      );
    } else if (ctx.dialect === "postgres") {
      const sql = `${POSTGRES}${ref.database === null ? "current_schema()" : "?"} ORDER BY i.relname, k.n`;
      result = await ctx.db.query(sql, { ...options, params: withDb });
    } else {
      const sql = sqlite(ref.database ?? defaultDatabase("sqlite")!);
      result = await ctx.db.query(sql, { ...options, params: [ref.table, ref.table, ref.table] });
    }
    if (result.rowCount > 0) return tableResult(result);
    if (!(await tableExists(ctx, ref))) return errorResult(await notFoundMessage(ctx, ref));
    return tableResult(result, `\`${ref.table}\` has no indexes`);
  },
});
