/**
 * Pure helpers of connection/database.ts.
 * @module
 */
import assert from "node:assert/strict";
import { terminateLineComment } from "../../connection/database.ts";

Deno.test("terminateLineComment ends the text with a newline only when its last line holds --", () => {
  const cases: [string, string][] = [
    ["SELECT 1", "SELECT 1"],
    ["SELECT 1 -- note", "SELECT 1 -- note\n"],
    ["SELECT 1 -- note\n", "SELECT 1 -- note\n"],
    ["-- first\nSELECT 1", "-- first\nSELECT 1"],
    ["SELECT '--'\nFROM t -- x", "SELECT '--'\nFROM t -- x\n"],
    ["SELECT 1\n--", "SELECT 1\n--\n"],
    ["SELECT 1 - -1", "SELECT 1 - -1"],
    ["", ""],
  ];
  for (const [sql, sent] of cases) assert.equal(terminateLineComment(sql), sent, JSON.stringify(sql));
});
