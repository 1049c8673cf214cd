import {
  defineTool,
  DIALECTS,
  errorResult,
  type QueryResult,
  READ_ONLY,
  TABLE_OUTPUT,
  tableResult,
  type ToolResult,
} from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { defaultDatabase, qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

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

/** Teradata TableKind codes of tables and views (DBC.TablesV[X], Data Dictionary) and the SHOW that prints each. */
const SHOWN: Readonly<Record<string, string>> = { T: "TABLE", O: "TABLE", Q: "TABLE", V: "VIEW" };

/** Other TableKind codes: what the object is and the SHOW statement that prints it (not run by this tool). */
const NOT_SHOWN: Readonly<Record<string, [string, string]>> = {
  I: ["a join index", "SHOW JOIN INDEX"],
  N: ["a hash index", "SHOW HASH INDEX"],
  M: ["a macro", "SHOW MACRO"],
  P: ["a stored procedure", "SHOW PROCEDURE"],
  E: ["an external stored procedure", "SHOW PROCEDURE"],
  G: ["a trigger", "SHOW TRIGGER"],
  F: ["a function", "SHOW FUNCTION"],
  A: ["an aggregate function", "SHOW FUNCTION"],
  R: ["a table function", "SHOW FUNCTION"],
};

/** Shows the CREATE statement of a table or view. */
export default defineTool({
  name: "base_tableDDL",
  title: "Show table DDL",
  description:
    `Show the DDL (CREATE TABLE / CREATE VIEW) of one table or view, with keys, indexes and (Teradata) the primary index.
Teradata runs SHOW TABLE or SHOW VIEW as DBC.TablesVX says, and joins the rows SHOW returns into one text with line
breaks as newlines; a join index, hash index, macro or procedure is not shown (the message names the SHOW statement to
run with base_readQuery). SQLite returns the stored CREATE statements (the table and its indexes); PostgreSQL rebuilds it
from the catalog (columns, defaults, constraints, indexes; view definitions).
Result: the whole DDL as the text content; structured: one column ddl, one row holding the whole DDL.`,
  inputSchema: {
    ...TABLE_ARGS,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS.filter((d) => d !== "generic"),
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const withDb = [ref.table, ...(ref.database === null ? [] : [ref.database])];
    let result: QueryResult;
    let separator = "";
    switch (ctx.dialect) {
      case "teradata": {
        const kind = await ctx.db.query(
          `SELECT TableKind FROM DBC.TablesVX WHERE TableName = ? AND DatabaseName = ${
            ref.database === null ? "DATABASE" : "?"
          }`,
          { ...options, params: withDb },
        );
        if (kind.rowCount === 0) return errorResult(await notFoundMessage(ctx, ref));
        const code = String(kind.rows[0][0]).trim();
        const name = qualifiedName(ref, "teradata");
        if (!(code in SHOWN)) {
          const [what, show] = NOT_SHOWN[code] ?? [`an object of TableKind ${code}`, "SHOW"];
          return errorResult(
            `${name} is ${what}, not a table or view, so base_tableDDL does not show it; ` +
              `run base_readQuery with: ${show} ${name}`,
          );
        }
        result = await ctx.db.query(`SHOW ${SHOWN[code]} ${name}`, options);
        break;
      }
      case "postgres":
        result = await ctx.db.query(POSTGRES_DDL + (ref.database === null ? "current_schema()" : "?"), {
          ...options,
          params: withDb,
        });
        break;
      default: {
        const schema = quoteIdent(ref.database ?? defaultDatabase("sqlite")!, "sqlite");
        result = await ctx.db.query(
          `SELECT sql AS ddl FROM ${schema}.sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL
ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 0 ELSE 1 END, name`,
          { ...options, params: [ref.table] },
        );
        separator = ";\n\n";
      }
    }
    if (result.rowCount === 0) return errorResult(await notFoundMessage(ctx, ref));
    return ddlResult(result, separator);
  },
});

/**
 * One DDL text from the rows of a SHOW (Teradata splits long DDL over several rows, to be joined as they are, and
 * ends its lines with a carriage return) or of several statements (SQLite: joined with `separator`).
 */
function ddlResult(result: QueryResult, separator: string): ToolResult {
  const parts = result.rows.map((r) => r[0]).filter((cell) => cell !== null).map(String);
  let ddl = parts.join(separator).replace(/\r\n?/g, "\n");
  if (separator !== "" && !/;\s*$/.test(ddl)) ddl += ";";
  const whole: QueryResult = {
    ...result,
    columns: [{ name: "ddl", type: "VARCHAR", nullable: false }],
    rows: [[ddl]],
    rowCount: 1,
  };
  const note = result.truncated ? "\n(the DDL was cut at the row limit)" : "";
  return { ...tableResult(whole), content: [{ type: "text", text: `${ddl}${note}` }] };
}
