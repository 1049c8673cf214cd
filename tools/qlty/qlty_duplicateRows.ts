import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY, ToolInputError } from "tdmcp/plugin";
import { notFoundMessage } from "../lib/catalog.ts";
import { countOf, groupsWithTotals, QUALITY_OUTPUT, rowCap, summaryResult, toCount } from "../lib/quality.ts";
import { pickColumns, tableColumns } from "../lib/quality_columns.ts";
import { qualifiedName, quoteIdent, TABLE_ARGS, tableRef } from "../lib/sql.ts";

/** Groups of rows that repeat the same values. */
export default defineTool({
  name: "qlty_duplicateRows",
  title: "Duplicate rows",
  description: `Find groups of rows that share the same values in the given columns (default: all columns, i.e. exact
duplicate rows), most repeated first. Use it to check a supposed key (columns = the key) or to find double loads.
NULLs compare equal here, as in GROUP BY. One statement: GROUP BY the columns HAVING COUNT(*) > 1, with window totals
so the counts cover every group even when only the first 'limit' groups are returned. Columns that cannot be grouped
(LOBs, JSON, XML, geometry) are left out of the default and refused when named.
Result: the grouped columns plus occurrences; at most 'limit' groups (default 20); summary: duplicate_groups,
rows_in_duplicate_groups, surplus_rows (rows beyond the first of each group: what deduplication would remove).`,
  inputSchema: {
    ...TABLE_ARGS,
    columns: z.array(z.string().min(1)).max(1000).optional().describe(
      "Columns that define a duplicate (default: all columns)",
    ),
    limit: z.number().int().min(1).optional().describe(
      "Most duplicate groups to return, most repeated first (default 20; capped at MAX_ROW_LIMIT)",
    ),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ table_name, database_name, columns: names, limit }, ctx) {
    const ref = tableRef(table_name, database_name);
    const all = await tableColumns(ctx, ref);
    if (all.length === 0) return errorResult(await notFoundMessage(ctx, ref));
    const keys = pickColumns(names?.length ? all : all.filter((c) => c.comparable), names, ref.table);
    const bad = keys.find((c) => !c.comparable);
    if (bad) {
      throw new ToolInputError(`column \`${bad.name}\` (${bad.type}) cannot be grouped; leave it out of columns`);
    }
    const q = (name: string) => quoteIdent(name, ctx.dialect);
    const cap = rowCap(ctx, limit, 20);
    const aliases = keys.map((_, i) => q(`k${i}`));
    const inner = `SELECT ${keys.map((c, i) => `${q(c.name)} AS ${aliases[i]}`).join(", ")}, ${
      countOf("*", ctx.dialect)
    } AS ${q("n")}
FROM ${qualifiedName(ref, ctx.dialect)} GROUP BY ${keys.map((c) => q(c.name)).join(", ")} HAVING COUNT(*) > 1`;
    const result = await groupsWithTotals(ctx, inner, aliases, { order: q("n"), cap });
    const width = keys.length;
    const groups = toCount(result.rows[0]?.[width + 1] ?? 0);
    const rowsInGroups = toCount(result.rows[0]?.[width + 2] ?? 0);
    return summaryResult(
      [...keys.map((c): [string, string] => [c.name, c.type ?? ""]), ["occurrences", "BIGINT"]],
      result.rows.map((row) => [...row.slice(0, width), toCount(row[width])]),
      { duplicate_groups: groups, rows_in_duplicate_groups: rowsInGroups, surplus_rows: rowsInGroups - groups },
      { truncated: groups > result.rowCount },
    );
  },
});
