import assert from "node:assert/strict";
import { fitResult, jsonBytes, jsonBytesAtMost, renderText, tableResult } from "../../plugin/result.ts";
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

Deno.test("renderText: tab-separated cells, NULL, breaks turned to spaces, cells past 200 characters cut and marked", () => {
  const long = `a\tb${"x".repeat(300)}`;
  const result: QueryResult = {
    columns: [
      { name: "id", type: "INTEGER", nullable: false },
      { name: "body", type: "VARCHAR", nullable: true },
      { name: "ddl", type: "VARCHAR", nullable: true },
    ],
    rows: [
      [1, "plain", "CREATE TABLE t\n(x INT)"],
      [2.5, "tab\there,\r\nlines", long],
      [true, null, null],
      [3, "y".repeat(200), ""],
      [4, "z".repeat(201), "é"],
      [5, long, "\t"],
    ],
    rowCount: 6,
    truncated: true,
    truncatedBy: "rows",
    elapsedMs: 1,
  };
  assert.equal(
    renderText(result, "a note"),
    [
      "id\tbody\tddl",
      "1\tplain\tCREATE TABLE t (x INT)",
      `2.5\ttab here,  lines\ta b${"x".repeat(300)}`, // a DDL column is shown whole
      "true\tNULL\tNULL",
      `3\t${"y".repeat(200)}\t`,
      `4\t${"z".repeat(200)}…\té`,
      `5\ta b${"x".repeat(197)}…\t `,
      "(6 rows; truncated at the row limit, more rows exist)",
      "a note",
    ].join("\n"),
  );
});

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

Deno.test("jsonBytesAtMost is never below the serialized size, whatever the values", () => {
  const pieces = [
    "a",
    "é",
    "€",
    "😀",
    "\ud800",
    "\udc00",
    "\x00",
    "\x1f",
    "\t",
    "\n",
    '"',
    "\\",
    "\u2028",
    "\x7f",
    " ",
  ];
  const numbers = [0, -0, 1, -1, 0.1, -0.0000012345678901234567, 1.2345678901234567e-7, -1.7976931348623157e308];
  numbers.push(123456789012345680000, -5e-324, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity);
  let seed = 7;
  const random = (n: number) =>
    Math.floor((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648 * n);
  const text = () => Array.from({ length: random(40) }, () => pieces[random(pieces.length)]).join("");
  const value = (depth: number): unknown => {
    switch (random(depth > 3 ? 6 : 8)) {
      case 0:
        return text();
      case 1:
        return numbers[random(numbers.length)];
      case 2:
        return random(2) === 0;
      case 3:
        return null;
      case 4:
        return undefined;
      case 5:
        return text().length;
      case 6:
        return Array.from({ length: random(6) }, () => value(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: random(6) }, () => [text(), value(depth + 1)]));
    }
  };
  for (const n of numbers) assert.ok(jsonBytesAtMost(n) >= jsonBytes(n), String(n));
  for (const piece of pieces) assert.ok(jsonBytesAtMost(piece.repeat(3)) >= jsonBytes(piece.repeat(3)), piece);
  for (let i = 0; i < 3_000; i++) {
    const t = text();
    assert.ok(jsonBytesAtMost(t) >= jsonBytes(t), JSON.stringify(t));
    const v = { structuredContent: value(0), content: [{ type: "text", text: text() }], list: [value(0), value(0)] };
    assert.ok(jsonBytesAtMost(v) >= jsonBytes(v), JSON.stringify(v));
  }
});

Deno.test("jsonBytesAtMost gives up on what it cannot bound cheaply: toJSON, class instances, bigints, deep nesting", () => {
  assert.equal(jsonBytesAtMost({ a: { toJSON: () => "x".repeat(1_000) } }), Infinity);
  assert.equal(jsonBytesAtMost([new Date(0)]), Infinity);
  assert.equal(jsonBytesAtMost({ m: new Map([[1, 2]]) }), Infinity);
  assert.equal(jsonBytesAtMost({ n: 1n }), Infinity);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(jsonBytesAtMost(cyclic), Infinity);
  assert.throws(() => fitResult({ content: [], structuredContent: cyclic }, 1_000_000), TypeError);
});

Deno.test("fitResult measures exactly when the bound is over the budget: a result within it is returned unchanged", () => {
  // 3,000 control characters: 18,002 bytes escaped, as the bound says; plain letters: 3,002 bytes, bound 18,002.
  const letters = tableResult(table([[1, "x".repeat(3_000)]]));
  assert.ok(jsonBytesAtMost(letters) > 10_000 && jsonBytes(letters) < 10_000);
  assert.equal(fitResult(letters, 10_000), letters);
  const controls = tableResult(table([[1, "\x01".repeat(3_000)]]));
  assert.notEqual(fitResult(controls, 10_000), controls);
});
