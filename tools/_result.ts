/**
 * Results for agents: structured content (columns, rows, counts) plus a
 * compact text rendering for clients that only read text.
 * @module
 */
import { z } from "zod";
import type { Cell, QueryResult } from "../connection/types.ts";
import type { ToolResult } from "./_tool.ts";

/** The output schema of every tool that returns a table. */
export const TABLE_OUTPUT = {
  columns: z.array(z.object({ name: z.string(), type: z.string() })).describe(
    "Result columns in order",
  ),
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

/** Longest cell shown in the text rendering (structured content keeps it whole). */
const TEXT_CELL_MAX = 200;

/** Builds a tool result from a query result, with an optional note for the agent. */
export function tableResult(result: QueryResult, note?: string): ToolResult {
  const structured = {
    columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
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

/** A result the agent should read as a failure it can fix. */
export function errorResult(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Renders a result as a header line and one tab-separated line per row. */
export function renderText(result: QueryResult, note?: string): string {
  const lines = [result.columns.map((c) => c.name).join("\t")];
  for (const row of result.rows) lines.push(row.map(renderCell).join("\t"));
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
  lines.push(footer);
  return lines.join("\n");
}

/** Tabs and line breaks, which would break the row and column layout. */
const LAYOUT_BREAKS = /[\t\n\r]/g;

function renderCell(cell: Cell): string {
  if (cell === null) return "NULL";
  if (typeof cell !== "string") return String(cell); // numbers and booleans: nothing to replace or cut
  // Replacing keeps the length, so cutting first (one character over, to know it was longer) is the same, and cheaper.
  const text = (cell.length > TEXT_CELL_MAX ? cell.slice(0, TEXT_CELL_MAX + 1) : cell).replace(LAYOUT_BREAKS, " ");
  return text.length > TEXT_CELL_MAX ? `${text.slice(0, TEXT_CELL_MAX)}…` : text;
}
