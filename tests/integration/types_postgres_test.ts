// Every type family on PostgreSQL through the MCP client (base_readQuery), compared with what psql reads.
import assert from "node:assert/strict";
import { connectClient, testDatabase } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const uri = pgUri();

async function read(sql: string) {
  await using db = testDatabase(uri!);
  await using mcp = await connectClient(db);
  const result = await mcp.call("base_readQuery", { sql });
  assert.ok(!result.isError, JSON.stringify(result.content));
  const content = result.structuredContent as unknown as {
    columns: { name: string; type: string; json: string; nullable: boolean }[];
    rows: unknown[][];
  };
  return content;
}

Deno.test({
  name: "PostgreSQL answers the acceptance query with exact values and its own type names",
  ignore: uri === undefined,
  fn: async () => {
    const { columns, rows } = await read(
      "SELECT 6*7 AS a, true AS b, 12345678901234567890::numeric(38,0) AS n, DATE '2024-01-02' AS d",
    );
    assert.deepEqual(rows, [[42, true, "12345678901234567890", "2024-01-02"]]);
    assert.deepEqual(columns.map((c) => c.type), ["INTEGER", "BOOLEAN", "NUMERIC(38,0)", "DATE"]);
    assert.deepEqual(columns.map((c) => c.json), ["number", "boolean", "string", "string"]);
  },
});

const FAMILIES = `SELECT
  32767::int2 AS i2, 2147483647::int4 AS i4, 9007199254740991::int8 AS safe, 9007199254740992::int8 AS beyond,
  1.50::numeric(18,2) AS dec, 12345678901234567890123456789.123456789::numeric(38,9) AS dec38,
  false AS f, DATE '2024-02-29' AS d, TIME '23:59:59.5' AS t,
  TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05.5+05:30' AS tstz,
  INTERVAL '1 day 02:03:04' AS iv, '\\x00ff10'::bytea AS bin, 'Grüße, 世界 😀'::text AS uni,
  NULL::int4 AS ni, NULL::numeric AS nn, NULL::bool AS nb, NULL::date AS nd, NULL::bytea AS nby`;

Deno.test({
  name: "every PostgreSQL type family reads as psql reads it, in its JSON form",
  ignore: uri === undefined,
  fn: async () => {
    const { columns, rows } = await read(FAMILIES);
    const psql = (await pgAdmin(`SET TimeZone = 'UTC'; ${FAMILIES}`)).trim().split("|");
    const byName = Object.fromEntries(columns.map((c, i) => [c.name, { ...c, value: rows[0][i], psql: psql[i] }]));
    assert.equal(byName.i2.value, Number(byName.i2.psql));
    assert.equal(byName.i4.value, Number(byName.i4.psql));
    assert.equal(byName.safe.value, 9007199254740991);
    assert.equal(byName.safe.json, "number");
    assert.equal(byName.beyond.value, byName.beyond.psql);
    assert.equal(byName.dec.value, 1.5);
    assert.equal(byName.dec.type, "NUMERIC(18,2)");
    assert.equal(byName.dec38.value, byName.dec38.psql);
    assert.equal(byName.f.value, false);
    assert.equal(byName.d.value, byName.d.psql);
    assert.equal(byName.t.value, byName.t.psql);
    assert.equal(byName.ts.value, byName.ts.psql.replace(" ", "T"));
    assert.equal(byName.ts.type, "TIMESTAMP(6) WITHOUT TIME ZONE");
    assert.equal(byName.tstz.value, "2024-01-01T21:34:05.500000+00:00");
    assert.equal(byName.tstz.type, "TIMESTAMP(6) WITH TIME ZONE");
    assert.equal(byName.iv.value, byName.iv.psql);
    assert.equal(byName.bin.value, btoa("\x00\xff\x10"));
    assert.equal(byName.bin.json, "base64");
    assert.equal(byName.uni.value, byName.uni.psql);
    for (const name of ["ni", "nn", "nb", "nd", "nby"]) assert.equal(byName[name].value, null, name);
    assert.equal(byName.nb.json, "boolean");
  },
});

Deno.test({
  name: "a PostgreSQL column with a number a double cannot hold says it is written as strings",
  ignore: uri === undefined,
  fn: async () => {
    const { columns, rows } = await read(
      "SELECT v::int8 AS big, (v::numeric(38,9) / 7)::numeric(38,9) AS dec FROM (VALUES (1), (9007199254740993)) AS t(v)",
    );
    assert.deepEqual(rows, [["1", "0.142857143"], ["9007199254740993", "1286742750677284.714285714"]]);
    assert.deepEqual(columns.map((c) => c.json), ["string", "string"]);
  },
});

Deno.test({
  name: "a very long PostgreSQL text is cut at the cell budget and marked",
  ignore: uri === undefined,
  fn: async () => {
    await using db = testDatabase(uri!, { maxCellChars: 100 });
    await using mcp = await connectClient(db);
    const result = await mcp.call("base_readQuery", { sql: "SELECT repeat('é', 100000) AS long" });
    const content = result.structuredContent!;
    assert.equal(content.rows[0][0], `${"é".repeat(100)}…`);
    assert.equal(content.truncated_by, "cells");
  },
});

Deno.test({
  name: "PostgreSQL: a read the server rewrites (a long text column) still says which columns turned to strings",
  ignore: uri === undefined,
  fn: async () => {
    const { columns, rows } = await read("SELECT 9007199254740992::int8 AS beyond, repeat('x', 3) AS txt");
    assert.deepEqual(rows, [["9007199254740992", "xxx"]]);
    assert.deepEqual(columns.map((c) => c.json), ["string", "string"]);
  },
});
