import assert from "node:assert/strict";
import { fitResult, jsonBytes, tableResult } from "../../plugin/result.ts";
import type { Cell, QueryResult } from "../../connection/types.ts";

function table(rows: Cell[][]): QueryResult {
  return {
    columns: [{ name: "id", type: "INTEGER", nullable: false }, { name: "body", type: "VARCHAR", nullable: true }],
    rows,
    rowCount: rows.length,
    truncated: false,
    truncatedBy: null,
    elapsedMs: 1,
  };
}

const CONTROL = "\x01".repeat(16_000);

Deno.test("fitResult returns a result that fits unchanged", () => {
  const result = tableResult(table([[1, "a"], [2, "b"]]));
  assert.equal(fitResult(result, 10_000), result);
});

Deno.test("fitResult shortens the text rendering at a line break, says so, and keeps every structured row", () => {
  // 40 rows of control characters: each takes 6 bytes escaped, in both renderings.
  const rows: Cell[][] = Array.from({ length: 40 }, (_, i) => [i, CONTROL.slice(0, 2_000)]);
  const result = tableResult(table(rows));
  const limit = jsonBytes(result.structuredContent) + 20_000;
  assert.ok(jsonBytes(result) > limit, "the unfitted result must be over the limit");
  const fitted = fitResult(result, limit);
  assert.ok(jsonBytes(fitted) <= limit, `${jsonBytes(fitted)} > ${limit}`);
  assert.deepEqual(fitted.structuredContent, result.structuredContent);
  const text = (fitted.content[0] as { text: string }).text;
  assert.match(
    text,
    /\[text rendering shortened to keep the reply within \d+ bytes; structuredContent holds all 40 rows/,
  );
  const kept = text.split("\n").slice(0, -1);
  assert.equal(kept[0], "id\tbody");
  assert.ok(kept.length > 2 && kept.length < 41, `${kept.length} lines kept`);
  for (const line of kept.slice(1)) {
    const [id, body] = line.split("\t");
    assert.match(id, /^\d+$/);
    assert.equal(body, `${"\x01".repeat(200)}…`, "whole lines only");
  }
});

Deno.test("fitResult drops trailing rows, marked truncated_by bytes, when the structured content alone does not fit", () => {
  const rows: Cell[][] = Array.from({ length: 1_000 }, (_, i) => [i, CONTROL]);
  const limit = 1_000_000;
  const fitted = fitResult(tableResult(table(rows)), limit);
  assert.ok(jsonBytes(fitted) <= limit, `${jsonBytes(fitted)} > ${limit}`);
  const structured = fitted.structuredContent as { rows: Cell[][]; row_count: number; truncated_by: string };
  assert.equal(structured.truncated_by, "bytes");
  assert.equal(structured.row_count, structured.rows.length);
  assert.ok(structured.rows.length >= 9 && structured.rows.length < 11, `${structured.rows.length} rows`); // 96 KB each
  assert.deepEqual(structured.rows, rows.slice(0, structured.rows.length), "kept rows are whole");
  assert.match((fitted.content[0] as { text: string }).text, /holds all \d+ rows/);
});

Deno.test("fitResult turns an oversized result without rows into an error the agent can act on", () => {
  const fitted = fitResult(
    { content: [{ type: "text", text: "x" }], structuredContent: { blob: "y".repeat(5_000) } },
    2_000,
  );
  assert.equal(fitted.isError, true);
  assert.match((fitted.content[0] as { text: string }).text, /too large to send .* ask for less/);
});

Deno.test("fitResult counts multibyte text in UTF-8 bytes, not characters", () => {
  const result = { content: [{ type: "text" as const, text: "😀".repeat(3_000) }] };
  const fitted = fitResult(result, 5_000);
  assert.ok(jsonBytes(fitted) <= 5_000, `${jsonBytes(fitted)}`);
  assert.ok(!(fitted.content[0] as { text: string }).text.includes("\ud83d\n"), "no half pair");
});
