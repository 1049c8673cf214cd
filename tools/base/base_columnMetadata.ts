import { z } from "zod";
import type { Cell } from "../../connection/types.ts";
import { DIALECTS } from "../../connection/types.ts";
import { QUALITY_OUTPUT, summaryResult } from "../_quality.ts";
import { columnPage, decodePageToken, encodePageToken, type Scope } from "../_quality_columns.ts";
import { checkIdentifier } from "../_sql.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

/** Page budget in bytes per row of the server's default row limit (1000 rows: 128,000 bytes). */
const BYTES_PER_ROW = 128;

const COLUMNS: [string, string][] = [
  ["database_name", "VARCHAR"],
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["data_type", "VARCHAR"],
  ["nullable", "VARCHAR"],
  ["ordinal", "INTEGER"],
  ["default_value", "VARCHAR"],
];

/** Column metadata for many tables at once, paged. */
export default defineTool({
  name: "base_columnMetadata",
  title: "Column metadata in bulk",
  description: `List the columns of MANY tables in one call: database_name, table_name, column_name, data_type, nullable
(YES/NO), ordinal, default_value; ordered by table and column position. Use it to learn a whole schema at once instead
of calling base_columnDescription per table. Narrow it with table_filter (SQL LIKE, case-insensitive on PostgreSQL) or
table_names. Pages: a page stops at the server's DEFAULT_ROW_LIMIT rows or ${BYTES_PER_ROW} bytes per such row, whichever
comes first; summary.next_page_token (null on the last page) fetches the next page when passed back with the same arguments.
Sources: Teradata DBC.ColumnsVX joined to DBC.TablesVX (tables, views, no-PI and queue tables; ColumnType codes shown as
type names; ordinal is ColumnId; view columns have NO type there: data_type is NULL, use base_columnDescription or
HELP COLUMN per view); PostgreSQL information_schema.columns; SQLite sqlite_schema with pragma_table_info; other ODBC
databases the ODBC SQLColumns call (its result is capped at the server's row limit before paging).`,
  inputSchema: {
    database_name: z.string().optional().describe("Database (schema) to list; default: the current one"),
    table_filter: z.string().optional().describe("SQL LIKE pattern on table names, e.g. 'sales%'"),
    table_names: z.array(z.string().min(1)).max(1000).optional().describe("Only these tables (exact names)"),
    page_token: z.string().optional().describe("summary.next_page_token from the previous page, to continue"),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler({ database_name, table_filter, table_names, page_token }, ctx) {
    const scope: Scope = {
      database: database_name?.trim() ? checkIdentifier(database_name.trim(), "database_name") : null,
      pattern: table_filter ?? null,
      names: table_names?.length ? table_names.map((n) => checkIdentifier(n.trim(), "table_names")) : null,
    };
    const request = JSON.stringify(scope);
    const after = page_token ? decodePageToken(page_token, request) : null;
    const pageRows = ctx.limits.defaultRows;
    const budget = pageRows * BYTES_PER_ROW;
    const fetched = await columnPage(ctx, scope, after, pageRows + 1);
    const rows: Cell[][] = [];
    let bytes = 2;
    for (const row of fetched) {
      const size = new TextEncoder().encode(JSON.stringify(row)).length + 1;
      if (rows.length >= pageRows || (rows.length > 0 && bytes + size > budget)) break;
      rows.push(row);
      bytes += size;
    }
    const last = rows.at(-1);
    const more = rows.length < fetched.length && last !== undefined;
    const next = more ? encodePageToken(request, { table: String(last[1]), ordinal: Number(last[5]) }) : null;
    return summaryResult(
      COLUMNS,
      rows,
      { next_page_token: next, page_bytes: bytes, byte_budget: budget },
      {
        truncated: more,
        note: more ? `more columns exist: call again with the same arguments and page_token "${next}"` : undefined,
      },
    );
  },
});
