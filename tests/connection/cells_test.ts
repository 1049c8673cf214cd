import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  cutCell,
  rowJsonBytes,
  rowJsonBytesBound,
  stringJsonBytes,
  toCell,
  toColumns,
} from "../../connection/cells.ts";
import { loadOdbc } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgUri } from "../_pg.ts";
import type { Cell } from "../../connection/types.ts";

/** Strings whose JSON size differs from their length: escapes, multibyte text, surrogates. */
const STRINGS = [
  "",
  "plain ascii",
  'quote " and backslash \\',
  "\x00\x01\x1f tab\t newline\n return\r backspace\b formfeed\f",
  "\x7f delete is not escaped",
  "é ß ñ", // 2 bytes each
  "€ 中文 \u2028 \u2029", // 3 bytes each
  "😀 🎉", // 4 bytes per pair
  "lone high \ud83d then text",
  "lone low \ude00",
  "ends on a high surrogate \ud83d",
];

function randomText(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) {
    const pick = Math.random();
    text += pick < 0.3
      ? String.fromCharCode(Math.floor(Math.random() * 0x20))
      : pick < 0.6
      ? String.fromCharCode(0x20 + Math.floor(Math.random() * 0x60))
      : String.fromCharCode(Math.floor(Math.random() * 0x10000));
  }
  return text;
}

Deno.test("stringJsonBytes is exactly the UTF-8 size of JSON.stringify, escapes and surrogates included", () => {
  for (const text of [...STRINGS, ...Array.from({ length: 200 }, () => randomText(50))]) {
    assert.equal(stringJsonBytes(text), Buffer.byteLength(JSON.stringify(text)), JSON.stringify(text));
  }
  assert.equal(stringJsonBytes("\x01".repeat(16_000)), 96_002, "one control character takes six bytes");
});

Deno.test("rowJsonBytes is exact and rowJsonBytesBound never below it", () => {
  const rows: Cell[][] = [
    [],
    [null, true, false, 0, -1.5e-300, 123456789012345, "x"],
    STRINGS,
    [randomText(1000), 3.14, null],
  ];
  for (const row of rows) {
    assert.equal(rowJsonBytes(row), Buffer.byteLength(JSON.stringify(row)));
    assert.ok(rowJsonBytesBound(row) >= rowJsonBytes(row));
  }
});

Deno.test("cutCell marks the cut and never leaves half a surrogate pair", () => {
  assert.equal(cutCell("abcdef", 3), "abc…");
  assert.equal(cutCell("ab😀cd", 3), "ab…", "the pair would be split: it goes whole");
  assert.equal(cutCell("short", 100), "short…", "a value the driver cut is marked even below the limit");
});

Deno.test("toCell turns driver values into JSON-safe cells without losing precision", () => {
  assert.equal(toCell("text"), "text");
  assert.equal(toCell(true), true);
  assert.equal(toCell(-1.5), -1.5);
  assert.equal(toCell(null), null);
  assert.equal(toCell(undefined), null);
  assert.equal(toCell(NaN), "NaN", "JSON has no NaN");
  assert.equal(toCell(-Infinity), "-Infinity");
  assert.equal(toCell(9007199254740991n), 9007199254740991, "a safe big integer becomes a number");
  assert.equal(toCell(9007199254740993n), "9007199254740993", "an unsafe one keeps every digit as text");
  assert.equal(toCell(-9007199254740993n), "-9007199254740993");
  assert.equal(toCell(new Uint8Array([0, 15, 255])), "AA//", "bytes as base64");
  assert.equal(toCell(new Uint8Array([1, 2]).buffer), "AQI=");
  assert.equal(toCell(new Uint8Array()), "");
  assert.equal(toCell(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), "2026-01-02T03:04:05.000Z");
  assert.equal(toCell({ toString: () => "an object" }), "an object");
});

Deno.test("toColumns names a type the driver cannot name by its ODBC type, and keeps name and nullability", () => {
  assert.deepEqual(
    toColumns([
      { name: "id", dataTypeName: "SQL_BIGINT", columnSize: 20, nullable: false },
      { name: "note", dataTypeName: "SQL_WVARCHAR", columnSize: 255, nullable: true },
      { name: "x", dataTypeName: "INTERVAL", columnSize: 0, nullable: true },
    ]),
    [
      { name: "id", type: "BIGINT", nullable: false, json: "number" },
      { name: "note", type: "WVARCHAR", nullable: true, json: "string" },
      { name: "x", type: "INTERVAL", nullable: true, json: "string" },
    ],
  );
  assert.deepEqual(toColumns(undefined), [], "a statement without a result set has no columns");
});

Deno.test({
  name: "toCell on real PostgreSQL values: a big bigint keeps its digits, bytea is base64, NaN is text",
  ignore: !pgUri(),
  async fn() {
    const connection = await loadOdbc().connect(parseDatabaseUri(pgUri()!).connectionString, 5);
    try {
      const batch = await connection.query(
        "SELECT 9007199254740993::bigint, 42::bigint, '\\x00ff'::bytea, 'NaN'::float8, NULL::int, 1.25::float8",
      );
      assert.deepEqual(batch[0].map(toCell), ["9007199254740993", 42, "AP8=", "NaN", null, 1.25]);
    } finally {
      await connection.close();
    }
  },
});
