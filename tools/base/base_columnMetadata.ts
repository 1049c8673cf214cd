import { z } from "zod";
import { type Cell, defineTool, DIALECTS, READ_ONLY, ToolInputError } from "tdmcp/plugin";
import {
  columnPage,
  decodePageToken,
  encodePageToken,
  PAGE_COLUMNS,
  type Scope,
  TABLE_KINDS,
  TERADATA_EXTRA,
  teradataIndexTypes,
} from "../lib/column_pages.ts";
import { QUALITY_OUTPUT, summaryResult } from "../lib/quality.ts";
import { checkIdentifier } from "../lib/sql.ts";
import { typeViewRows } from "../lib/teradata_columns.ts";

/** Page budget in bytes per row of the server's default row limit (1000 rows: 128,000 bytes). */
const BYTES_PER_ROW = 128;
/** Largest page budget an agent may ask for with max_payload_kb. */
const MAX_PAYLOAD_KB = 4096;
/** Views typed with HELP COLUMN per page, and the default time allowed for it. */
const MAX_HELP_VIEWS = 20;
const DEFAULT_HELP_SECONDS = 60;

/** A comma-separated argument as trimmed, non-empty items. */
function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

/** Column metadata for many tables at once, paged. */
export default defineTool({
  name: "base_columnMetadata",
  title: "Column metadata in bulk",
  description: `List the columns of MANY tables and views of one database in one call, ordered by table and column
position: database_name, table_name, column_name, data_type (spelled in full as base_columnDescription does, e.g.
VARCHAR(100) CHARACTER SET UNICODE, DECIMAL(18,2)), nullable (boolean), ordinal, default_value; Teradata adds type_code
(ColumnType), char_set (LATIN, UNICODE, ...), index_type (UPI, NUPI, USI, NUSI, PA from DBC.IndicesVX) and status.
Use it to learn a whole schema at once instead of calling base_columnDescription per table.
Arguments of the official Teradata MCP server work: object_name (one name or a comma-separated list), table_kind
('T,O,Q,V' codes; default all four; elsewhere T/O/Q mean tables, V views), exclude_objects (comma-separated LIKE
patterns), fields (comma-separated result columns to keep; the official names such as ColumnTypeString, CharType,
IndexTypeString are mapped to these columns), max_payload_kb (the page's byte budget),
max_execution_seconds (time allowed for typing view columns), max_workers (accepted, no effect: one page is one query).
Narrow it also with table_filter (SQL LIKE) or table_names. Teradata view columns have no type in DBC.ColumnsVX: the
views of a page (up to ${MAX_HELP_VIEWS}) are typed with HELP COLUMN; a view HELP COLUMN cannot read keeps null types
and status NO_ACCESS or BROKEN_VIEW. Pages: a page stops at DEFAULT_ROW_LIMIT rows (MAX_ROW_LIMIT with max_payload_kb)
or its byte budget (${BYTES_PER_ROW} bytes per default row); summary.next_page_token (null on the last page) fetches
the next page when passed back with the same arguments.`,
  inputSchema: {
    database_name: z.string().optional().describe("Database (schema) to list; default: the current one"),
    object_name: z.string().optional().describe(
      "One table or view name, or a comma-separated list (the official server's form of table_names)",
    ),
    table_kind: z.string().optional().describe("Comma-separated TableKind codes T, O, Q, V (default: all four)"),
    exclude_objects: z.string().optional().describe("Comma-separated LIKE patterns of table names to leave out"),
    fields: z.string().optional().describe(
      "Comma-separated result columns to keep; database_name, table_name and column_name are always kept",
    ),
    max_payload_kb: z.number().int().min(0).max(MAX_PAYLOAD_KB).optional().describe(
      `Byte budget of a page in KB (0 or absent: ${BYTES_PER_ROW} bytes per default row)`,
    ),
    max_execution_seconds: z.number().int().min(0).max(3600).optional().describe(
      `Teradata: seconds allowed for typing view columns with HELP COLUMN (default ${DEFAULT_HELP_SECONDS})`,
    ),
    max_workers: z.number().int().min(1).max(64).optional().describe(
      "Accepted for compatibility with the official server; no effect (one page is one catalog query)",
    ),
    table_filter: z.string().optional().describe("SQL LIKE pattern on table names, e.g. 'sales%'"),
    table_names: z.array(z.string().min(1)).max(1000).optional().describe("Only these tables (exact names)"),
    page_token: z.string().optional().describe("summary.next_page_token from the previous page, to continue"),
  },
  outputSchema: QUALITY_OUTPUT,
  annotations: READ_ONLY,
  dialects: DIALECTS,
  async handler(args, ctx) {
    const names = [...list(args.object_name), ...(args.table_names ?? [])].map((n) =>
      checkIdentifier(n, "object_name")
    );
    const kinds = list(args.table_kind).map((k) => k.toUpperCase());
    const unknownKind = kinds.find((k) => !(TABLE_KINDS as readonly string[]).includes(k));
    if (unknownKind !== undefined) {
      throw new ToolInputError(
        `table_kind '${unknownKind}' is not listed here: use T (table), O (no-PI table), Q (queue table) or V (view)`,
      );
    }
    const scope: Scope = {
      database: args.database_name?.trim() ? checkIdentifier(args.database_name.trim(), "database_name") : null,
      pattern: args.table_filter ?? null,
      names: names.length > 0 ? [...new Set(names)] : null,
      kinds: kinds.length > 0 ? [...new Set(kinds)] : [...TABLE_KINDS],
      exclude: list(args.exclude_objects),
    };
    const columns = ctx.dialect === "teradata" ? [...PAGE_COLUMNS, ...TERADATA_EXTRA] : PAGE_COLUMNS;
    const { keep, ignored } = keptColumns(columns.map(([name]) => name), list(args.fields));
    const request = JSON.stringify(scope);
    const after = args.page_token ? decodePageToken(args.page_token, request) : null;
    const custom = (args.max_payload_kb ?? 0) > 0;
    const pageRows = custom ? ctx.limits.maxRows : ctx.limits.defaultRows;
    const budget = custom ? args.max_payload_kb! * 1024 : ctx.limits.defaultRows * BYTES_PER_ROW;
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
    const notes: string[] = [];
    if (ignored.length > 0) notes.push(`fields ${ignored.join(", ")}: not reported by tdmcp, left out`);
    if (ctx.dialect === "teradata" && rows.length > 0) {
      const seconds = args.max_execution_seconds ?? DEFAULT_HELP_SECONDS;
      notes.push(
        ...await typeViewRows(ctx, rows, {
          database: 0,
          table: 1,
          column: 2,
          type: 3,
          code: 7,
          nullable: 4,
          status: 10,
          charset: 8,
        }, {
          maxViews: MAX_HELP_VIEWS,
          deadline: Date.now() + seconds * 1000,
        }),
      );
      const indexes = await teradataIndexTypes(ctx, scope.database, [...new Set(rows.map((r) => String(r[1])))]);
      for (const row of rows) {
        row[9] = indexes.get(`${String(row[1]).trimEnd()}\u0000${String(row[2]).trimEnd()}`) ?? null;
      }
    }
    if (more) notes.push(`more columns exist: call again with the same arguments and page_token "${next}"`);
    return summaryResult(
      keep.map((i) => columns[i]),
      rows.map((row) => keep.map((i) => row[i])),
      { next_page_token: next, page_bytes: bytes, byte_budget: budget },
      { truncated: more, note: notes.join("\n") || undefined },
    );
  },
});

/**
 * The official server's field names (its normalised HELP COLUMN / DBC.ColumnsVX keys and computed strings) and the
 * result column that holds the same fact here; null where tdmcp has no such column (noted, not refused).
 */
const OFFICIAL_FIELDS: Readonly<Record<string, string | null>> = {
  objectname: "table_name",
  columnname: "column_name",
  columntype: "type_code",
  columntypestring: "data_type",
  columnlength: "data_type",
  decimaltotaldigits: "data_type",
  decimalfractionaldigits: "data_type",
  chartype: "char_set",
  charsetstring: "char_set",
  nullable: "nullable",
  defaultvalue: "default_value",
  columnid: "ordinal",
  "indexed?": "index_type",
  "primary?": "index_type",
  "unique?": "index_type",
  indextypestring: "index_type",
  uppercase: null,
  casespecificitystring: null,
  format: null,
  metadata_source: "status",
};

/** Indexes of the result columns to keep: all, or the named ones plus database, table and column names. */
function keptColumns(available: string[], fields: string[]): { keep: number[]; ignored: string[] } {
  if (fields.length === 0) return { keep: available.map((_, i) => i), ignored: [] };
  const wanted = new Set(["database_name", "table_name", "column_name"]);
  const unknown: string[] = [];
  const ignored: string[] = [];
  for (const field of fields) {
    const name = field.toLowerCase();
    if (available.includes(name)) wanted.add(name);
    else if (OFFICIAL_FIELDS[name]) wanted.add(OFFICIAL_FIELDS[name]!);
    else if (name in OFFICIAL_FIELDS) ignored.push(field);
    else unknown.push(field);
  }
  if (unknown.length > 0) {
    throw new ToolInputError(
      `fields ${unknown.map((f) => `'${f}'`).join(", ")} unknown; available: ${available.join(", ")}`,
    );
  }
  return { keep: available.map((name, i) => (wanted.has(name) ? i : -1)).filter((i) => i >= 0), ignored };
}
