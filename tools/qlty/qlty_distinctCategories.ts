import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY, ToolInputError } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { countOf, groupsWithTotals, percent, QUALITY_OUTPUT, rowCap, summaryResult, toCount } from "../lib/quality.ts";
import { findColumn, tableColumns } from "../lib/quality_columns.ts";
import { qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Lists the values of one column with their frequencies. */
export default defineTool({
  name: "qlty_distinctCategories",
  title: "Distinct values of a column",
  description: `List the distinct values of one column with how often each occurs, most frequent first, plus the total
number of distinct values. Use it on categorical columns (status, country, segment) to see the categories, their balance,
misspellings and unexpected codes. NULL counts as one value. One statement: GROUP BY the column, then window totals
(COUNT(*) OVER (), SUM(...) OVER ()) so the totals cover every value even when only the top 'limit' are returned.
Result: columns value, count, percent (of all rows); at most 'limit' rows (default 20), ties in no fixed order;
summary: distinct_values, total_rows; truncated is true when more distinct values exist than were returned.`,
  inputSchema: {
    ...TABLE_ARGS,
    column_name: z.string().min(1).describe("The column whose values to count"),
    limit: z.number().int().min(1).optional().describe(
      "Most values to return, most frequent first (default 20; capped at the server's MAX_ROW_LIMIT)",
    ),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, column_name, limit }, ctx) {
    const ref = tableRef(table_name, database_name);
    const columns = await tableColumns(ctx, ref);
    if (columns.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const column = findColumn(columns, column_name, ref.table);
    if (!column.comparable) throw new ToolInputError(`values of type ${column.type} cannot be grouped`);
    const n = rowCap(ctx, limit, 20);
    const q = (name: string) => quoteIdent(name, ctx.dialect);
    const inner = `SELECT ${q(column.name)} AS ${q("v")}, ${countOf("*", ctx.dialect)} AS ${q("n")}
FROM ${qualifiedName(ref, ctx.dialect)} GROUP BY ${q(column.name)}`;
    const result = await groupsWithTotals(ctx, inner, [q("v")], { order: q("n"), cap: n });
    const distinct = toCount(result.rows[0]?.[2] ?? 0);
    const total = toCount(result.rows[0]?.[3] ?? 0);
    const rows = result.rows.map(([value, count]) => [value, toCount(count), percent(toCount(count), total)]);
    return summaryResult(
      [["value", column.type ?? "VARCHAR"], ["count", "BIGINT"], ["percent", "DOUBLE"]],
      rows,
      { distinct_values: distinct, total_rows: total },
      {
        truncated: distinct > rows.length,
        note: distinct > rows.length ? `showing the ${rows.length} most frequent of ${distinct} values` : undefined,
      },
    );
  },
});
