import { DIALECTS } from "../../connection/types.ts";
import { notFoundMessage } from "../_catalog.ts";
import { errorResult, TABLE_OUTPUT, tableResult } from "../_result.ts";
import { defaultDatabase, quoteIdent, TABLE_ARGS, tableRef } from "../_sql.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

/** Describes the columns of a table or view. */
export default defineTool({
  name: "base_columnDescription",
  title: "Describe columns",
  description: `Describe the columns of one table or view: name, type, nullability, default, position.
Use it before writing SQL against a table. table_name may be 'db.table' when database_name is not given.
On Teradata it reads DBC.ColumnsVX (views report no types there; use base_readQuery with HELP COLUMN for those).
Result: columns column_name, data_type, nullable, default_value, position; one row per column. A missing table is an error naming similar tables.`,
  inputSchema: {
    ...TABLE_ARGS,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name }, ctx) {
    const ref = tableRef(table_name, database_name);
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const params = [
      ref.table,
      ...(ref.database === null ? [] : [ref.database]),
    ];
    let result;
    switch (ctx.dialect) {
      case "teradata":
        result = await ctx.db.query(
          `SELECT ColumnName AS column_name, ColumnType AS data_type, Nullable AS nullable,
  DefaultValue AS default_value, ColumnId AS "position", ColumnLength AS "length", DecimalTotalDigits AS "precision",
  DecimalFractionalDigits AS scale, CommentString AS "comment"
FROM DBC.ColumnsVX WHERE TableName = ? AND DatabaseName = ${
            ref.database === null ? "DATABASE" : "?"
          } ORDER BY ColumnId`,
          { ...options, params },
        );
        break;
      case "postgres":
        result = await ctx.db.query(
          `SELECT column_name, CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END AS data_type,
  is_nullable AS nullable, column_default AS default_value, ordinal_position AS "position",
  character_maximum_length AS "length", numeric_precision AS "precision", numeric_scale AS scale
FROM information_schema.columns WHERE table_name = ? AND table_schema = ${
            ref.database === null ? "current_schema()" : "?"
          } ORDER BY ordinal_position`,
          { ...options, params },
        );
        break;
      case "sqlite": {
        const schema = ref.database ?? defaultDatabase("sqlite")!;
        result = await ctx.db.query(
          `SELECT name AS column_name, type AS data_type, CASE WHEN "notnull" = 1 THEN 'NO' ELSE 'YES' END AS nullable,
  dflt_value AS default_value, cid + 1 AS "position", pk AS primary_key_position
FROM ${quoteIdent(schema, "sqlite")}.pragma_table_info(?) ORDER BY cid`,
          { ...options, params: [ref.table] },
        );
        break;
      }
      case "generic":
        result = await ctx.db.odbcColumns(ref.database, ref.table);
        break;
    }
    if (result.rowCount === 0) {
      return errorResult(await notFoundMessage(ctx, ref));
    }
    return tableResult(result);
  },
});
