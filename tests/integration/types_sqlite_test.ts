// Every type family of declared SQLite columns through the MCP client (base_readQuery), compared with node:sqlite.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connectClient, sqliteFixture, testDatabase } from "../_helpers.ts";

const SQL = "SELECT i, big, r, txt, bin, b, d, ts, dec FROM t ORDER BY rowid";

async function fixture(): Promise<string> {
  return await sqliteFixture("types_v1", () => [
    "CREATE TABLE t (i INTEGER, big BIGINT, r REAL, txt TEXT, bin BLOB, b BOOLEAN, d DATE, ts TIMESTAMP, dec NUMERIC)",
    "INSERT INTO t VALUES (42, 9007199254740991, 1.5, 'Grüße, 世界 😀', x'00ff10', 1, '2024-02-29', " +
    "'2024-01-02 03:04:05.123', 12.5)",
    "INSERT INTO t VALUES (NULL, 9007199254740993, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
  ]);
}

Deno.test("SQLite's declared columns read as node:sqlite reads them, in their JSON form", async () => {
  const path = await fixture();
  await using db = testDatabase(`sqlite://${path}`);
  await using mcp = await connectClient(db);
  const result = await mcp.call("base_readQuery", { sql: SQL });
  assert.ok(!result.isError, JSON.stringify(result.content));
  const content = result.structuredContent as unknown as {
    columns: { name: string; type: string; json: string }[];
    rows: unknown[][];
  };
  const direct = new DatabaseSync(path, { readOnly: true });
  const statement = direct.prepare(SQL);
  statement.setReadBigInts(true);
  const expected = statement.all() as Record<string, unknown>[];
  direct.close();
  const [first, second] = content.rows;
  assert.equal(first[0], Number(expected[0].i));
  // A column with a value beyond 2^53−1 is written as strings, all of it.
  assert.deepEqual([first[1], second[1]], [String(expected[0].big), String(expected[1].big)]);
  assert.equal(first[2], expected[0].r);
  assert.equal(first[3], expected[0].txt);
  assert.equal(first[4], btoa("\x00\xff\x10"));
  assert.equal(first[5], true);
  assert.equal(first[6], expected[0].d);
  assert.equal(first[7], String(expected[0].ts).replace(" ", "T"));
  assert.equal(first[8], 12.5);
  assert.deepEqual(second.filter((_, i) => i !== 1), [null, null, null, null, null, null, null, null]);
  assert.deepEqual(content.columns.map((c) => c.type), [
    "INTEGER",
    "BIGINT",
    "REAL",
    "TEXT",
    "BLOB",
    "BOOLEAN",
    "DATE",
    "TIMESTAMP",
    "NUMERIC",
  ]);
  assert.deepEqual(content.columns.map((c) => c.json), [
    "number",
    "string",
    "number",
    "string",
    "base64",
    "boolean",
    "string",
    "string",
    "number",
  ]);
});

Deno.test("SQLite: a computed column takes its type from its values' storage class (6*7 is the number 42)", async () => {
  const path = await fixture();
  await using db = testDatabase(`sqlite://${path}`);
  await using mcp = await connectClient(db);
  const sql = "SELECT 6*7 AS a, 1 = 1 AS t, 12345678901234567890 AS big, date('2024-01-02') AS d, count(*) AS n FROM t";
  const result = await mcp.call("base_readQuery", { sql });
  assert.ok(!result.isError, JSON.stringify(result.content));
  const content = result.structuredContent as unknown as { columns: { type: string }[]; rows: unknown[][] };
  const direct = new DatabaseSync(path, { readOnly: true });
  const classes = direct.prepare(
    "SELECT typeof(6*7) AS a, typeof(1 = 1) AS t, typeof(12345678901234567890) AS big, typeof(date('2024-01-02')) AS d",
  ).get() as Record<string, string>;
  direct.close();
  assert.deepEqual({ ...classes }, { a: "integer", t: "integer", big: "real", d: "text" });
  assert.deepEqual(content.rows, [[42, 1, 12345678901234567000, "2024-01-02", 2]]);
  assert.deepEqual(content.columns.map((c) => c.type), ["INTEGER", "INTEGER", "REAL", "TEXT", "INTEGER"]);
});
