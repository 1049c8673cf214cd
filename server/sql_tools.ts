/**
 * SQL-file tools: a `*.sql` file in a tools folder becomes a read-only tool.
 * A header of `-- key: value` comment lines (name, title, description,
 * param, dialects) is followed by one SQL statement whose `:name` parameters
 * are rewritten to `?` markers and bound, never pasted.
 *
 * @example
 * ```sql
 * -- title: Orders of one status
 * -- description: How many orders have a status. Result: orders.
 * -- param: status string "Order status, e.g. shipped"
 * SELECT count(*) AS orders FROM orders WHERE status = :status
 * ```
 * @module
 */
import { z } from "zod";
import { type Dialect, DIALECTS } from "../connection/types.ts";
import { TABLE_OUTPUT, tableResult } from "../plugin/result.ts";
import { READ_ONLY, type Tool } from "../plugin/tool.ts";
import { type Fail, scanStatement } from "./sql_scan.ts";

export { scanStatement };

/** The types a `-- param:` line may declare. */
export const SQL_PARAM_TYPES = ["string", "integer", "number", "boolean", "date"] as const;
/** One declarable parameter type. */
export type SqlParamType = typeof SQL_PARAM_TYPES[number];

/** Header keys a SQL tool file may use. */
export const SQL_HEADER_KEYS = ["name", "title", "description", "param", "dialects"] as const;

/** One declared parameter. */
export interface SqlParam {
  name: string;
  type: SqlParamType;
  description: string;
  /** The default value; undefined makes the parameter required. */
  default?: string | number | boolean;
  /** The header line that declared it. */
  line: number;
}

/** A parsed SQL tool file. */
export interface SqlToolSpec {
  name: string;
  title: string;
  description: string;
  params: SqlParam[];
  dialects: readonly Dialect[];
  /** The statement as sent: each `:name` replaced by `?`. */
  sql: string;
  /** The parameter bound to each `?`, in order (a name used twice is bound twice). */
  bindOrder: string[];
}

/** The field every SQL tool gets besides its declared parameters. */
const ROW_LIMIT = "row_limit";
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads a `.sql` tool file and builds its tool; throws a TypeError naming the file and line. */
export async function loadSqlTool(file: string): Promise<Tool> {
  return sqlTool(parseSqlTool(await Deno.readTextFile(file), file));
}

/** Parses a SQL tool file's text; `file` names it in errors and gives the tool its name (the stem). */
export function parseSqlTool(text: string, file: string): SqlToolSpec {
  const fail = (line: number, problem: string): never => {
    throw new TypeError(`Cannot load tool file ${file}:${line}: ${problem}`);
  };
  const stem = file.replace(/^.*\//, "").replace(/\.sql$/, "");
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(stem)) fail(1, `the name "${stem}" has characters MCP names may not use`);
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const fields = new Map<string, { value: string; line: number }>();
  const params: SqlParam[] = [];
  let last = "";
  let n = 0;
  for (; n < lines.length; n++) {
    const line = n + 1;
    const raw = lines[n];
    if (raw.trim() === "" && fields.size === 0 && params.length === 0) continue;
    if (!raw.trimStart().startsWith("--")) break;
    const body = raw.trimStart().slice(2);
    if (body.trim() === "") continue;
    if (/^\s{2,}|^\t/.test(body)) {
      if (last !== "description") fail(line, "only 'description' may continue on indented comment lines");
      fields.get("description")!.value += "\n" + body.trim();
      continue;
    }
    const kv = /^\s?([A-Za-z_]+)\s*:\s*(.*)$/.exec(body);
    if (!kv) fail(line, `expected '-- key: value' with a key of ${SQL_HEADER_KEYS.join(", ")}`);
    const [, key, value] = kv!;
    if (!(SQL_HEADER_KEYS as readonly string[]).includes(key)) {
      fail(line, `unknown header key '${key}'; known: ${SQL_HEADER_KEYS.join(", ")}`);
    }
    last = key;
    if (key === "param") {
      const param = parseParam(value.trim(), line, fail);
      const earlier = params.find((p) => p.name === param.name);
      if (earlier) fail(line, `parameter '${param.name}' is already declared on line ${earlier.line}`);
      params.push(param);
      continue;
    }
    if (fields.has(key)) fail(line, `header '${key}' is already given on line ${fields.get(key)!.line}`);
    fields.set(key, { value: value.trim(), line });
  }
  const name = fields.get("name");
  if (name && name.value !== stem) fail(name.line, `'name' is "${name.value}" but must equal the file stem "${stem}"`);
  for (const key of ["title", "description"]) {
    if (!fields.get(key)?.value) fail(fields.get(key)?.line ?? 1, `the header needs a non-empty '-- ${key}:' line`);
  }
  const dialects = parseDialects(fields.get("dialects"), fail);
  const scan = scanStatement(lines.slice(n).join("\n"), n + 1, fail);
  const declared = new Map(params.map((p) => [p.name, p]));
  for (const use of scan.uses) {
    if (!declared.has(use.name)) {
      fail(use.line, `':${use.name}' is used but not declared; add '-- param: ${use.name} <type> "<description>"'`);
    }
  }
  for (const p of params) {
    if (!scan.uses.some((u) => u.name === p.name)) fail(p.line, `parameter '${p.name}' is declared but never used`);
  }
  return {
    name: stem,
    title: fields.get("title")!.value,
    description: fields.get("description")!.value.trim(),
    params,
    dialects,
    sql: scan.sql,
    bindOrder: scan.uses.map((u) => u.name),
  };
}

/** `name type "description" [default value]`. */
function parseParam(text: string, line: number, fail: Fail): SqlParam {
  const m = /^(\S+)\s+(\S+)\s+"((?:[^"\\]|\\.)*)"\s*(?:default\s+(.+?))?\s*$/.exec(text);
  if (!m) fail(line, `expected '-- param: <name> <type> "<description>" [default <value>]'`);
  const [, name, type, quoted, fallback] = m!;
  if (!IDENT.test(name)) {
    fail(line, `parameter name '${name}' must be letters, digits and _ (not starting with a digit)`);
  }
  if (name === ROW_LIMIT) fail(line, `'${ROW_LIMIT}' is reserved: every SQL tool has it`);
  if (!(SQL_PARAM_TYPES as readonly string[]).includes(type)) {
    fail(line, `unknown type '${type}' for parameter '${name}'; known: ${SQL_PARAM_TYPES.join(", ")}`);
  }
  const description = quoted.replace(/\\(.)/g, "$1").trim();
  if (!description) fail(line, `parameter '${name}' needs a description for the agent`);
  const param: SqlParam = { name, type: type as SqlParamType, description, line };
  if (fallback !== undefined) {
    const value = parseDefault(param.type, fallback);
    if (value === undefined) fail(line, `default ${fallback} of parameter '${name}' is not a valid ${type}`);
    param.default = value;
  }
  return param;
}

function parseDefault(type: SqlParamType, text: string): string | number | boolean | undefined {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  const bare = quoted ? quoted[1].replace(/\\(.)/g, "$1") : text;
  switch (type) {
    case "string":
      return bare;
    case "integer":
      return /^[+-]?\d+$/.test(bare) && Number.isSafeInteger(Number(bare)) ? Number(bare) : undefined;
    case "number":
      return bare.trim() !== "" && Number.isFinite(Number(bare)) ? Number(bare) : undefined;
    case "boolean":
      return bare === "true" ? true : bare === "false" ? false : undefined;
    case "date":
      return z.iso.date().safeParse(bare).success ? bare : undefined;
  }
}

function parseDialects(field: { value: string; line: number } | undefined, fail: Fail): readonly Dialect[] {
  if (!field) return DIALECTS;
  const names = field.value.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) fail(field.line, `'dialects' must list at least one of ${DIALECTS.join(", ")}`);
  for (const d of names) {
    if (!(DIALECTS as readonly string[]).includes(d)) {
      fail(field.line, `unknown dialect '${d}'; known: ${DIALECTS.join(", ")}`);
    }
  }
  return DIALECTS.filter((d) => names.includes(d));
}

/** The zod field of one parameter, described, with its default. */
function paramField(p: SqlParam): z.ZodType {
  const base: z.ZodType = {
    string: () => z.string(),
    integer: () => z.number().int(),
    number: () => z.number(),
    boolean: () => z.boolean(),
    date: () => z.iso.date(),
  }[p.type]();
  const type = p.type === "date" ? "date, yyyy-mm-dd" : p.type;
  const described = `${p.description} (${type}${p.default === undefined ? "" : `; default ${String(p.default)}`})`;
  return (p.default === undefined ? base : base.default(p.default as never)).describe(described);
}

/** Builds the read-only tool of a parsed SQL file. */
export function sqlTool(spec: SqlToolSpec): Tool {
  const declared = new Map(spec.params.map((p) => [p.name, p]));
  const inputSchema: z.ZodRawShape = Object.fromEntries([
    ...spec.params.map((p) => [p.name, paramField(p)]),
    [
      ROW_LIMIT,
      z.number().int().min(1).optional().describe(
        "Most rows to return (default: the server's DEFAULT_ROW_LIMIT; capped at MAX_ROW_LIMIT)",
      ),
    ],
  ]);
  return {
    name: spec.name,
    title: spec.title,
    description:
      `${spec.description}\nRuns a fixed read-only SQL query (${spec.name}.sql) with the arguments bound as ` +
      "parameters; at most row_limit rows come back. Result: columns (name, type), rows as arrays, row_count, " +
      "truncated, truncated_by.",
    inputSchema,
    outputSchema: TABLE_OUTPUT,
    annotations: READ_ONLY,
    dialects: spec.dialects,
    async handler(args, ctx) {
      const params = spec.bindOrder.map((name) => {
        const param = declared.get(name)!;
        const value = (args[name] ?? param.default) as string | number | boolean;
        // Booleans bind as 1 and 0 on every dialect (SQLite and Teradata have no boolean type).
        return param.type === "boolean" ? (value ? 1 : 0) : value as string | number;
      });
      const asked = args[ROW_LIMIT] as number | undefined;
      const maxRows = Math.min(asked ?? ctx.limits.defaultRows, ctx.limits.maxRows);
      const result = await ctx.db.query(spec.sql, { params, maxRows, signal: ctx.signal, readOnly: true });
      const lowered = asked !== undefined && asked > ctx.limits.maxRows;
      return tableResult(result, lowered ? `row_limit was lowered to the server maximum of ${maxRows}` : undefined);
    },
  };
}
