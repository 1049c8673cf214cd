import assert from "node:assert/strict";
import { DATABASE_DEFAULTS } from "../../connection/database.ts";
import { runScript } from "../../connection/script.ts";
import { connectClient, demoPostgresUri, demoSqlitePath, note, testDatabase, textOf } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

/** Polls until `check` is true or `limitMs` passes; returns the time it took or throws. */
async function eventually(check: () => Promise<boolean>, limitMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await check()) return Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${limitMs} ms`);
}

async function activeSleeps(marker: string): Promise<number> {
  return Number(
    await pgAdmin(
      `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%${marker}%' AND query NOT LIKE '%pg_stat_activity%'`,
    ),
  );
}

Deno.test({
  name: "postgres: a 60 s statement is stopped at a 2 s timeout, leaves pg_stat_activity, and the connection is reused",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
    await using c = await connectClient(db);
    const started = performance.now();
    const r = await c.call("base_readQuery", { sql: "SELECT pg_sleep(60) AS timeout_probe", timeout_seconds: 2 });
    const elapsed = performance.now() - started;
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^Timed out: .*2 s timeout.*cancelled at the database/);
    assert.ok(elapsed < 10_000, `returned after ${elapsed} ms`);
    const gone = await eventually(
      async () => (await activeSleeps("timeout_probe")) === 0,
      10_000,
      "the backend's statement ending",
    );
    note(
      `timeout returned after ${Math.round(elapsed)} ms; statement gone from pg_stat_activity ${gone} ms later`,
    );
    const after = await c.call("base_readQuery", { sql: "SELECT 41 + 1" });
    assert.equal(Number(after.structuredContent!.rows[0][0]), 42);
    assert.equal(db.stats().timeouts, 1);
    assert.equal(db.stats().inUse, 0);
    assert.equal(db.stats().opened, 1, "the cancelled connection is reused, not replaced");
  },
});

Deno.test("sqlite: a runaway statement is cancelled at its timeout even though the driver ignores query timeouts", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`, { poolSize: 1 });
  await using c = await connectClient(db);
  const r = await c.call("base_readQuery", {
    sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT count(*) FROM n",
    timeout_seconds: 1,
  });
  assert.equal(r.isError, true);
  assert.match(textOf(r), /^Timed out: /);
  const after = await c.call("base_readQuery", { sql: "SELECT count(*) FROM regions" });
  assert.equal(after.isError, undefined, textOf(after));
  assert.equal(db.stats().inUse, 0);
});

Deno.test({
  name: "postgres: an MCP cancellation stops the statement at the database and frees the connection",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
    await using c = await connectClient(db);
    const controller = new AbortController();
    const call = c.client.callTool(
      { name: "base_readQuery", arguments: { sql: "SELECT pg_sleep(60) AS cancel_probe" } },
      { signal: controller.signal },
    );
    await eventually(async () => (await activeSleeps("cancel_probe")) === 1, 10_000, "the statement starting");
    controller.abort();
    await assert.rejects(call);
    const gone = await eventually(
      async () => (await activeSleeps("cancel_probe")) === 0,
      10_000,
      "the statement ending",
    );
    note(`cancelled statement gone from pg_stat_activity ${gone} ms after the cancellation`);
    await eventually(() => Promise.resolve(db.stats().inUse === 0), 10_000, "the connection coming back");
    assert.equal(db.stats().cancellations, 1);
    const after = await c.call("base_readQuery", { sql: "SELECT 1" });
    assert.equal(after.isError, undefined, textOf(after));
  },
});

Deno.test({
  name: "postgres: a call running longer than a second reports progress to a client that asked",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    await using c = await connectClient(db);
    const seen: { progress: number; message?: string }[] = [];
    const r = await c.client.callTool(
      { name: "base_readQuery", arguments: { sql: "SELECT pg_sleep(2.5)" } },
      { onprogress: (p) => seen.push(p), timeout: 20_000 },
    );
    assert.equal(r.isError, undefined);
    assert.ok(seen.length >= 2, `expected at least 2 progress notifications, got ${seen.length}`);
    assert.match(seen[0].message ?? "", /base_readQuery running for \d+ s/);
  },
});

Deno.test("results are cut at the byte budget and long cells are shortened, each with its reason", async () => {
  const path = await demoSqlitePath();
  {
    await using db = testDatabase(`sqlite://${path}`, { maxBytes: 10_000 });
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", { sql: "SELECT * FROM big" });
    assert.equal(r.structuredContent!.truncated, true);
    assert.equal(r.structuredContent!.truncated_by, "bytes");
    assert.ok(r.structuredContent!.row_count > 10 && r.structuredContent!.row_count < 1000);
    assert.ok(JSON.stringify(r.structuredContent!.rows).length <= 10_000);
  }
  {
    await using db = testDatabase(`sqlite://${path}`, { maxCellChars: 100 });
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", {
      sql: "SELECT substr(hex(zeroblob(500)), 1, 1000) AS long_text, 'short' AS s",
    });
    assert.equal(r.structuredContent!.truncated_by, "cells");
    assert.equal(String(r.structuredContent!.rows[0][0]).length, 101);
    assert.equal(r.structuredContent!.rows[0][1], "short");
  }
});

/** Text values around a 100-character cell limit: exact, one over, multibyte, very long, empty and NULL. */
const CELL_VALUES: (string | null)[] = [
  "a".repeat(100),
  "b".repeat(101),
  "é".repeat(150),
  "😀".repeat(150),
  "x".repeat(20_000),
  "",
  null,
];

/** What a 100-character limit must make of each value (computed here, not by the database). */
function expectedCells(limit: number): (string | null)[] {
  return CELL_VALUES.map((v) => v === null || v.length <= limit ? v : `${v.slice(0, limit)}…`);
}

async function assertCellsCut(uri: string, table: string): Promise<void> {
  await using db = testDatabase(uri, { maxCellChars: 100 });
  await using c = await connectClient(db);
  const r = await c.call("base_readQuery", { sql: `SELECT id, body FROM ${table} ORDER BY id` });
  assert.equal(r.structuredContent!.truncated_by, "cells");
  assert.deepEqual(r.structuredContent!.rows.map((row: unknown[]) => row[1]), expectedCells(100));
  // The first value fits exactly: it is returned whole, not marked.
  const exact = await c.call("base_readQuery", { sql: `SELECT body FROM ${table} WHERE id = 0` });
  assert.equal(exact.structuredContent!.truncated, false);
  assert.equal(exact.structuredContent!.rows[0][0], CELL_VALUES[0]);
}

Deno.test("long TEXT cells are cut at the cell limit, exactly at the boundary and intact in multibyte text: SQLite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const literal = (v: string | null) => v === null ? "NULL" : `'${v}'`;
    await runScript(`sqlite://${dir}/cells.db`, [
      "CREATE TABLE cells (id INTEGER PRIMARY KEY, body TEXT)",
      ...CELL_VALUES.map((v, i) => `INSERT INTO cells VALUES (${i}, ${literal(v)})`),
    ]);
    await assertCellsCut(`sqlite://${dir}/cells.db`, "cells");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "long TEXT cells are cut at the cell limit, exactly at the boundary and intact in multibyte text: PostgreSQL",
  ignore: !pgUri(),
  async fn() {
    const literal = (v: string | null) => v === null ? "NULL" : `'${v}'`;
    await pgAdmin(`DROP SCHEMA IF EXISTS tdmcp_cells CASCADE; CREATE SCHEMA tdmcp_cells;
CREATE TABLE tdmcp_cells.cells (id integer PRIMARY KEY, body text);
INSERT INTO tdmcp_cells.cells VALUES ${CELL_VALUES.map((v, i) => `(${i}, ${literal(v)})`).join(", ")}`);
    try {
      await assertCellsCut((await demoPostgresUri())!, "tdmcp_cells.cells");
    } finally {
      await pgAdmin("DROP SCHEMA tdmcp_cells CASCADE");
    }
  },
});

Deno.test("wide rows are fetched a few at a time and still arrive whole and in order (SQLite, PostgreSQL)", async () => {
  const targets = [[`sqlite://${await demoSqlitePath()}`, "big"]];
  const pg = await demoPostgresUri();
  if (pg) targets.push([pg, "tdmcp_demo_v1.big"]);
  for (const [uri, table] of targets) {
    // 1 byte: the smallest budget, two rows per fetch; the default; and no budget at all.
    for (const fetchBytes of [1, DATABASE_DEFAULTS.fetchBytes, Number.MAX_SAFE_INTEGER]) {
      await using db = testDatabase(uri, { fetchBytes });
      const r = await db.query(`SELECT id, payload FROM ${table} WHERE id <= 1001 ORDER BY id`, { maxRows: 1000 });
      assert.equal(r.rowCount, 1000, `${uri} ${fetchBytes}`);
      assert.equal(r.truncatedBy, "rows");
      assert.deepEqual(r.rows.map((row) => Number(row[0])), Array.from({ length: 1000 }, (_, i) => i + 1));
    }
  }
});

Deno.test("with allowWrite the SQL tool advertises itself as destructive and runs one write; the catalog tools stay read-only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runScript(`sqlite://${dir}/w.db`, ["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"]);
    await using db = testDatabase(`sqlite://${dir}/w.db`, { allowWrite: true });
    await using c = await connectClient(db);
    const { tools } = await c.client.listTools();
    const sql = tools.find((t) => t.name === "base_readQuery")!;
    assert.equal(sql.annotations?.readOnlyHint, false);
    assert.equal(sql.annotations?.destructiveHint, true);
    assert.equal(tools.find((t) => t.name === "base_tableList")!.annotations?.readOnlyHint, true);
    const insert = await c.call("base_readQuery", { sql: "INSERT INTO notes (body) VALUES ('hello')" });
    assert.equal(insert.isError, undefined, textOf(insert));
    const two = await c.call("base_readQuery", { sql: "INSERT INTO notes (body) VALUES ('a'); DELETE FROM notes" });
    assert.match(textOf(two), /^Refused: only one statement/);
    const count = await c.call("base_readQuery", { sql: "SELECT count(*) FROM notes" });
    assert.equal(Number(count.structuredContent!.rows[0][0]), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "postgres: the read-only session refuses a write the classifier never sees (writes inside a function)",
  ignore: !pgUri(),
  async fn() {
    const uri = (await demoPostgresUri())!;
    const schema = `ro_${crypto.randomUUID().slice(0, 8)}`;
    await pgAdmin(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (a int);
      CREATE FUNCTION ${schema}.sneaky() RETURNS int LANGUAGE sql AS 'INSERT INTO ${schema}.t VALUES (1) RETURNING a'`);
    try {
      await using db = testDatabase(uri);
      await using c = await connectClient(db);
      const r = await c.call("base_readQuery", { sql: `SELECT ${schema}.sneaky()` });
      assert.equal(r.isError, true);
      assert.match(textOf(r), /SQLSTATE 25006.*read-only transaction/);
      assert.equal((await pgAdmin(`SELECT count(*) FROM ${schema}.t`)).trim(), "0");
    } finally {
      await pgAdmin(`DROP SCHEMA ${schema} CASCADE`);
    }
  },
});

Deno.test({
  name: "postgres: even with allowWrite, a COPY through STDIN/STDOUT is refused instead of blocking a connection",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { allowWrite: true });
    await using c = await connectClient(db);
    for (const sql of ["COPY (SELECT 1) TO STDOUT", "copy t FROM stdin"]) {
      const r = await c.call("base_readQuery", { sql });
      assert.match(textOf(r), /^Refused: COPY \.\.\. FROM STDIN/, sql);
    }
    assert.equal(db.stats().opened, 0, "nothing reached the database");
  },
});

/** Rows of a SQLite statement: 1..n. */
const sqliteSeries = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;

Deno.test("sqlite: computed text and blobs arrive whole up to the cell budget, or cut there and marked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runScript(`sqlite://${dir}/c.db`, [
      "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, v VARCHAR(10))",
      "INSERT INTO t VALUES (1, randomblob(70000), printf('%.*c', 300, 'y'))",
    ]);
    await using db = testDatabase(`sqlite://${dir}/c.db`);
    const budget = DATABASE_DEFAULTS.maxCellChars;
    const whole = [
      [`SELECT printf('%.*c', ${budget}, 'x')`, budget],
      [`${sqliteSeries(3000)} SELECT group_concat(i) FROM n`, 13_892],
      ["SELECT hex(randomblob(5000))", 10_000],
      ["SELECT v FROM t", 300], // declared VARCHAR(10): SQLite does not enforce it, the driver reports it
    ] as const;
    for (const [sql, length] of whole) {
      const r = await db.query(sql);
      assert.equal(String(r.rows[0][0]).length, length, sql);
      assert.equal(r.truncatedBy, null, sql);
    }
    for (const sql of [`SELECT printf('%.*c', 20000, 'x')`, "SELECT b FROM t"]) {
      const r = await db.query(sql);
      assert.equal(r.truncatedBy, "cells", sql);
      assert.equal(String(r.rows[0][0]).length, budget + 1, sql);
      assert.ok(String(r.rows[0][0]).endsWith("…"), sql);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // With a larger budget the same value comes back whole.
  await using wide = testDatabase(`sqlite://${await demoSqlitePath()}`, { maxCellChars: 30_000 });
  const r = await wide.query(`SELECT printf('%.*c', 20000, 'x')`);
  assert.equal(String(r.rows[0][0]).length, 20_000);
  assert.equal(r.truncated, false);
});

Deno.test("sqlite: the driver itself stops text at a NUL byte and says the value is whole (a known gap)", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const r = await db.query("SELECT 'a' || char(0) || 'bc' AS t, length(CAST('a' || char(0) || 'bc' AS BLOB)) AS n");
  // sqlite3odbc keeps rows as C strings: its length indicator says 1, so neither the addon nor tdmcp can tell.
  assert.deepEqual(r.rows[0].map(String), ["a", "4"]);
});

Deno.test({
  name: "postgres: unbounded varchar, long text and bytea arrive whole up to the cell budget, or cut there and marked",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    const budget = DATABASE_DEFAULTS.maxCellChars;
    // psqlODBC reports varchar as 255 characters and text as 8,190: longer values used to arrive cut, unmarked.
    for (const [sql, length] of [["SELECT repeat('x', 2000)::varchar", 2000], ["SELECT repeat('é', 10000)", 10_000]]) {
      const r = await db.query(sql as string);
      assert.equal(String(r.rows[0][0]).length, length, sql as string);
      assert.equal(r.truncatedBy, null);
    }
    for (
      const sql of [
        "SELECT repeat('😀', 20000)::varchar",
        "SELECT decode(repeat('ab', 20000), 'hex')",
        "SELECT repeat('x', 5000000)",
      ]
    ) {
      const r = await db.query(sql);
      const cell = String(r.rows[0][0]);
      assert.equal(r.truncatedBy, "cells", sql);
      assert.ok(cell.length <= budget + 1 && cell.length >= budget - 1 && cell.endsWith("…"), `${sql}: ${cell.length}`);
      assert.doesNotMatch(cell, /[\ud800-\udbff]…$/, "no half surrogate pair");
    }
  },
});

Deno.test("1,000 rows of 16,000 control characters: the reply, serialized, stays within MAX_RESULT_BYTES and keeps whole rows", async () => {
  const maxResultBytes = 2 * 1024 * 1024;
  const limits = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000, maxResultBytes };
  // The data budget as main.ts sets it (MAX_RESULT_BYTES), and one larger than the reply may take.
  for (const maxBytes of [maxResultBytes, 16 * 1024 * 1024]) {
    await using db = testDatabase(`sqlite://${await demoSqlitePath()}`, { maxBytes });
    await using c = await connectClient(db, limits);
    const r = await c.call("base_readQuery", {
      sql: `${sqliteSeries(1000)} SELECT i, replace(printf('%.*c', 16000, 'x'), 'x', char(1)) AS c FROM n`,
    });
    const size = new TextEncoder().encode(JSON.stringify(r)).length;
    note(
      `data budget ${maxBytes}: reply ${size} bytes for ${
        r.structuredContent!.row_count
      } rows (limit ${maxResultBytes})`,
    );
    assert.ok(size <= maxResultBytes - 1024, `${size} bytes`);
    assert.equal(r.structuredContent!.truncated_by, "bytes");
    assert.ok(r.structuredContent!.row_count >= 15, `${r.structuredContent!.row_count} rows`); // 96 KB each
    for (const row of r.structuredContent!.rows) assert.equal(row[1], "\x01".repeat(16_000));
    assert.match(
      textOf(r),
      /\(\d+ rows; truncated at the result size limit\)$|\[text rendering shortened to keep the reply/,
    );
  }
});
