/**
 * Results for agents: structured content (columns, rows, counts) plus a
 * compact text rendering for clients that only read text, and the rule that
 * keeps a reply within its byte budget ({@link fitResult}): the structured
 * content is authoritative, the text rendering gives way first.
 * @module
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { Cell, JsonKind, QueryResult } from "../connection/types.ts";
import type { ToolResult } from "./tool.ts";

/** The output schema of every tool that returns a table. */
export const TABLE_OUTPUT = {
  columns: z.array(z.object({
    name: z.string(),
    type: z.string().describe("The database's type name with length, precision and scale, e.g. NUMERIC(38,0)"),
    nullable: z.boolean().describe("Whether the column may hold NULL (true when the driver does not say)"),
    json: z.enum(["number", "string", "boolean", "base64"]).describe(
      "How values are written: number (exact), string (text; dates and times ISO 8601; numbers a double cannot " +
        "hold exactly), boolean, base64 (binary); NULL is null",
    ),
  })).describe("Result columns in order"),
  rows: z.array(z.array(z.unknown())).describe(
    "Rows as arrays, in column order",
  ),
  row_count: z.number().int().describe("Rows returned"),
  truncated: z.boolean().describe(
    "True when more rows existed than were returned",
  ),
  truncated_by: z.enum(["rows", "bytes", "cells"]).nullable().describe(
    "Why the result is incomplete: rows or bytes cut at the budget, or long cells shortened; null when whole",
  ),
};

/** Longest cell shown in the text rendering (structured content keeps it whole; so does the text for DDL and SQL). */
const TEXT_CELL_MAX = 200;

/** Builds a tool result from a query result, with an optional note for the agent. */
export function tableResult(result: QueryResult, note?: string): ToolResult {
  const structured = {
    columns: result.columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      json: c.json ?? valuesJson(result.rows, i),
    })),
    rows: result.rows,
    row_count: result.rowCount,
    truncated: result.truncated,
    truncated_by: result.truncatedBy,
  };
  return {
    content: [{ type: "text", text: renderText(result, note) }],
    structuredContent: structured,
  };
}

/** The JSON form of a column a tool built itself: that of its first value that is not NULL. */
function valuesJson(rows: readonly Cell[][], column: number): JsonKind {
  for (const row of rows) {
    const cell = row[column];
    if (typeof cell === "number") return "number";
    if (typeof cell === "boolean") return "boolean";
    if (cell !== null && cell !== undefined) return "string";
  }
  return "string";
}

/** A result the agent should read as a failure it can fix. */
export function errorResult(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Columns holding DDL or SQL text, shown whole in the text rendering (a statement cut at 200 characters is
 * useless): tdmcp's own `ddl`, `sql_text`, `query_text`, `definition`, and Teradata's RequestText (SHOW, DBC.TablesV),
 * SqlTextInfo (DBC.QryLogSQLV) and QueryText (DBC.QryLogV).
 */
const WHOLE_TEXT = /^(?:ddl|sql_?text|query_?text|definition|request ?text|sqltextinfo)$/i;

/** Renders a result as a header line and one tab-separated line per row. */
export function renderText(result: QueryResult, note?: string): string {
  // One string built cell by cell (an array per row and a join cost about twice as much for 1,000 rows).
  let text = result.columns.map((c) => c.name).join("\t");
  const whole = result.columns.map((c) => WHOLE_TEXT.test(c.name.trim()));
  for (const row of result.rows) {
    text += "\n";
    for (let i = 0; i < row.length; i++) {
      if (i > 0) text += "\t";
      text += renderCell(row[i], whole[i]);
    }
  }
  const plural = result.rowCount === 1 ? "row" : "rows";
  let footer = `(${result.rowCount} ${plural}`;
  if (result.truncatedBy === "rows") {
    footer += `; truncated at the row limit, more rows exist`;
  }
  if (result.truncatedBy === "bytes") {
    footer += `; truncated at the result size limit`;
  }
  if (result.truncatedBy === "cells") footer += `; long values shortened (marked …)`;
  footer += ")";
  if (note) footer += `\n${note}`;
  return `${text}\n${footer}`;
}

/** Tabs and line breaks, which would break the row and column layout. */
const LAYOUT_BREAKS = /[\t\n\r]/g;
const HAS_LAYOUT_BREAK = /[\t\n\r]/;

function renderCell(cell: Cell, whole = false): string {
  if (cell === null) return "NULL";
  if (typeof cell !== "string") return String(cell); // numbers and booleans: nothing to replace or cut
  if (whole || cell.length <= TEXT_CELL_MAX) {
    // Most cells hold no tab or line break: a test, then the cell itself (a replace builds a new string each time).
    return HAS_LAYOUT_BREAK.test(cell) ? cell.replace(LAYOUT_BREAKS, " ") : cell;
  }
  // Longer: cut first (replacing keeps the length, so the order does not matter, and cutting first is cheaper).
  return `${cell.slice(0, TEXT_CELL_MAX).replace(LAYOUT_BREAKS, " ")}…`;
}

/** Room kept for the note that says the text rendering was shortened. */
const NOTE_BYTES = 400;

/** UTF-8 bytes of a value serialized as JSON (escapes included): what it takes on the wire. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** Longest JSON text of a finite number: a sign, 17 significant digits, a point and 6 leading zeros, or an exponent. */
const NUMBER_BYTES_MAX = 25;
/** Deepest nesting {@link jsonBytesAtMost} walks; deeper (or cyclic) values are measured exactly (or fail as they would). */
const BOUND_DEPTH_MAX = 32;

/**
 * An upper bound of {@link jsonBytes} without serializing: a string takes at most 6 bytes a UTF-16 unit (`\u001f`;
 * any other character 1 to 3 bytes, a surrogate pair 4 for its 2 units) plus its quotes, a number at most
 * {@link NUMBER_BYTES_MAX}. `Infinity` for what it does not walk (objects other than plain ones and arrays, a `toJSON`
 * method, a bigint, deep or cyclic values): measure those exactly.
 */
export function jsonBytesAtMost(value: unknown, depth = 0): number {
  switch (typeof value) {
    case "string":
      return 6 * value.length + 2;
    case "number":
      return NUMBER_BYTES_MAX;
    case "boolean":
      return 5;
    case "undefined":
    case "function":
    case "symbol":
      return 4; // "null" in an array; left out of an object
    case "object": {
      if (value === null) return 4;
      if (depth >= BOUND_DEPTH_MAX || typeof (value as { toJSON?: unknown }).toJSON === "function") return Infinity;
      if (Array.isArray(value)) {
        let bytes = 2 + value.length;
        for (const item of value) bytes += jsonBytesAtMost(item, depth + 1);
        return bytes;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return Infinity;
      let bytes = 2;
      for (const key of Object.keys(value)) {
        bytes += 6 * key.length + 4 + jsonBytesAtMost((value as Record<string, unknown>)[key], depth + 1);
      }
      return bytes;
    }
    default:
      return Infinity; // a bigint: JSON.stringify throws, and jsonBytes says so
  }
}

/**
 * Fits a tool result into `maxBytes` of serialized JSON (UTF-8, escapes
 * included). The structured content is authoritative: the text rendering is
 * shortened first, at a line break, with a note saying so; only when the
 * structured content alone does not fit are its last rows dropped (marked
 * `truncated_by: "bytes"`). A result without rows that cannot fit becomes
 * an error the agent can act on.
 */
export function fitResult(result: ToolResult, maxBytes: number): ToolResult {
  // Most replies are far below the budget: a cheap bound says so without serializing them.
  if (jsonBytesAtMost(result) <= maxBytes) return result;
  const total = jsonBytes(result);
  if (total <= maxBytes) return result;
  const blank = (r: ToolResult): ToolResult => ({
    ...r,
    content: r.content.map((c) => c.type === "text" ? { type: "text", text: "" } : c),
  });
  let fitted = result;
  if (jsonBytes(blank(result)) + NOTE_BYTES > maxBytes) {
    const structured = result.structuredContent;
    const rows = structured?.rows;
    if (!structured || !Array.isArray(rows)) {
      return errorResult(
        `the result is too large to send (${total} bytes; replies are limited to ${maxBytes}): ask for less`,
      );
    }
    const kept = rowsThatFit(
      rows,
      maxBytes - NOTE_BYTES - jsonBytes(blank({ ...result, structuredContent: { ...structured, rows: [] } })),
    );
    fitted = {
      ...result,
      structuredContent: {
        ...structured,
        rows: rows.slice(0, kept),
        row_count: kept,
        truncated: true,
        truncated_by: "bytes",
      },
    };
  }
  let room = maxBytes - jsonBytes(blank(fitted)) - NOTE_BYTES;
  const rowCount = (fitted.structuredContent as { row_count?: unknown } | undefined)?.row_count;
  const note = `[text rendering shortened to keep the reply within ${maxBytes} bytes; ` +
    (typeof rowCount === "number"
      ? `structuredContent holds all ${rowCount} rows of the result]`
      : "the rest is omitted]");
  let noted = false;
  const content = fitted.content.map((block) => {
    if (block.type !== "text") return block;
    const text = cutText(block.text, Math.max(0, room));
    room -= jsonBytes(text) - 2;
    if (text.length === block.text.length) return block;
    const shortened = noted ? text : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${note}`;
    noted = true;
    return { type: "text" as const, text: shortened };
  });
  return { ...fitted, content };
}

/** How many leading rows fit into `room` bytes of a JSON array. */
function rowsThatFit(rows: readonly unknown[], room: number): number {
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    used += jsonBytes(rows[i]) + (i > 0 ? 1 : 0);
    if (used > room) return i;
  }
  return rows.length;
}

/** The longest start of `text` that takes at most `room` bytes inside a JSON string, cut after a line break when there is one. */
function cutText(text: string, room: number): string {
  let used = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    let size = 1;
    let units = 1;
    if (code < 0x20) size = code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
    else if (code === 0x22 || code === 0x5c) size = 2;
    else if (code < 0x80) size = 1;
    else if (code < 0x800) size = 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(end + 1))) (size = 4, units = 2);
    else if (code >= 0xd800 && code <= 0xdfff) size = 6; // a lone surrogate is written as \uXXXX
    else size = 3;
    if (used + size > room) break;
    used += size;
    end += units;
  }
  if (end === text.length) return text;
  const lineEnd = text.lastIndexOf("\n", end - 1);
  return text.slice(0, lineEnd >= 0 ? lineEnd + 1 : end);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
