import { DIALECTS } from "../../connection/types.ts";
import { notFoundMessage } from "../_catalog.ts";
import { errorResult, TABLE_OUTPUT, tableResult } from "../_result.ts";
import { defaultDatabase, qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../_sql.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

/** PostgreSQL has no SHOW CREATE: rebuild the DDL from the catalog. */
const POSTGRES_DDL = `SELECT CASE WHEN c.relkind IN ('v', 'm')
  THEN 'CREATE ' || CASE WHEN c.relkind = 'm' THEN 'MATERIALIZED ' ELSE '' END || 'VIEW ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
    || ' AS' || chr(10) || pg_get_viewdef(c.oid, true)
  ELSE 'CREATE TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' (' || chr(10) || '  '
    || (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
          || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), ',' || chr(10) || '  ' ORDER BY a.attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
    || COALESCE((SELECT string_agg(',' || chr(10) || '  CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), '' ORDER BY k.contype DESC, k.conname)
        FROM pg_constraint k WHERE k.conrelid = c.oid), '')
    || chr(10) || ');'
    || COALESCE((SELECT string_agg(chr(10) || pg_get_indexdef(i.indexrelid) || ';', '' ORDER BY i.indexrelid)
        FROM pg_index i WHERE i.indrelid = c.oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)), '')
  END AS ddl
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = ? AND n.nspname = `;

/** Shows the CREATE statement of a table or view. */
export default defineTool({
  name: "base_tableDDL",
  title: "Show table DDL",
  description:
    `Show the DDL (CREATE TABLE / CREATE VIEW) of one table or view, with keys, indexes and (Teradata) the primary index.
Teradata uses SHOW TABLE / SHOW VIEW; SQLite returns the stored CREATE statements (table and its indexes);
PostgreSQL rebuilds it from the catalog (columns, defaults, constraints, indexes; view definitions).
Result: one column ddl; one or more rows of DDL text.`,
  inputSchema: {
    ...TABLE_ARGS,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS.filter((d) => d !== "generic"),
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    let result;
    switch (ctx.dialect) {
      case "teradata": {
        const kind = await ctx.db.query(
          `SELECT TableKind FROM DBC.TablesVX WHERE TableName = ? AND DatabaseName = ${
            ref.database === null ? "DATABASE" : "?"
          }`,
          {
            ...options,
            params: [
              ref.table,
              ...(ref.database === null ? [] : [ref.database]),
            ],
          },
        );
        if (kind.rowCount === 0) {
          return errorResult(await notFoundMessage(ctx, ref));
        }
        const what = String(kind.rows[0][0]).trim() === "V" ? "VIEW" : "TABLE";
        result = await ctx.db.query(
          `SHOW ${what} ${qualifiedName(ref, "teradata")}`,
          options,
        );
        break;
      }
      case "postgres":
        result = await ctx.db.query(
          POSTGRES_DDL + (ref.database === null ? "current_schema()" : "?"),
          {
            ...options,
            params: [
              ref.table,
              ...(ref.database === null ? [] : [ref.database]),
            ],
          },
        );
        break;
      default: {
        const schema = quoteIdent(
          ref.database ?? defaultDatabase("sqlite")!,
          "sqlite",
        );
        result = await ctx.db.query(
          `SELECT sql AS ddl FROM ${schema}.sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL
ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 0 ELSE 1 END, name`,
          { ...options, params: [ref.table] },
        );
      }
    }
    if (result.rowCount === 0) {
      return errorResult(await notFoundMessage(ctx, ref));
    }
    return tableResult(result);
  },
});
