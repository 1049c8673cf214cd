import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { isMissingObject, notFoundMessage } from "../lib/catalog.ts";
import { qualifiedName, TABLE_ARGS, tableRef, wholeNumber } from "../lib/sql.ts";

/** Most rows a preview returns. */
const PREVIEW_MAX = 100;

/** Shows the first rows of a table. */
export default defineTool({
  name: "base_tablePreview",
  title: "Preview a table",
  description:
    `Show a few rows of a table or view (default 5, at most ${PREVIEW_MAX}) with column names and types, to see what the data looks like.
Cheap on any table size: Teradata uses TOP n, PostgreSQL and SQLite use LIMIT n. Rows are in no particular order.
Result: columns (name, type), rows as arrays, row_count, truncated.`,
  inputSchema: {
    ...TABLE_ARGS,
    rows: z.number().int().min(1).max(PREVIEW_MAX).optional().describe(
      `Rows to show (1-${PREVIEW_MAX}, default 5)`,
    ),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, rows }, ctx) {
    const ref = tableRef(table_name, database_name);
    const n = wholeNumber(rows ?? 5, 1, PREVIEW_MAX, "rows");
    const name = qualifiedName(ref, ctx.dialect);
    const sql = ctx.dialect === "teradata"
      ? `SELECT TOP ${n} * FROM ${name}`
      : ctx.dialect === "generic"
      ? `SELECT * FROM ${name}`
      : `SELECT * FROM ${name} LIMIT ${n}`;
    try {
      return tableResult(
        await ctx.db.query(sql, { maxRows: n, signal: ctx.signal }),
      );
    } catch (error) {
      if (isMissingObject(error)) {
        return errorResult(await notFoundMessage(ctx, ref));
      }
      throw error;
    }
  },
});
