import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { cutCell, rowJsonBytes, rowJsonBytesBound, stringJsonBytes } from "../../connection/cells.ts";
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
