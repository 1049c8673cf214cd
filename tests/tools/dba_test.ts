/**
 * The DBA tools against real SQLite and PostgreSQL through the MCP client.
 * Expected values come from outside the tool: the file system, a separate
 * SQLite engine (node:sqlite), the driver's own libsqlite3 read through FFI,
 * and psql as the superuser.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Cell, Database } from "../../connection/types.ts";
import { connectClient, demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA, testDatabase, textOf } from "../_helpers.ts";
import { pgAdmin } from "../_pg.ts";

type Client = Awaited<ReturnType<typeof connectClient>>;

/** The structured rows of a successful call, as objects keyed by column name. */
async function rows(c: Client, tool: string, args: Record<string, unknown> = {}) {
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  const { columns, rows } = r.structuredContent!;
  return rows.map((row) => Object.fromEntries(columns.map((col, i) => [col.name, row[i]]))) as Record<string, Cell>[];
}

const SQLITE_DBA_TOOLS = ["dba_databaseSpace", "dba_databaseVersion", "dba_tableSpace"];
const POSTGRES_DBA_TOOLS = [...SQLITE_DBA_TOOLS, "dba_sessionInfo", "dba_userSqlList"].sort();

function sqliteTest(name: string, fn: (c: Client, path: string) => Promise<void>) {
  Deno.test(`sqlite: ${name}`, async () => {
    const path = await demoSqlitePath();
    await using db = testDatabase(`sqlite://${path}`);
    await using c = await connectClient(db);
    await fn(c, path);
  });
}

/** An independent look at the demo file through another SQLite engine. */
function independent<T>(path: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

sqliteTest("only the DBA tools that work on SQLite are listed", async (c) => {
  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).filter((n) => n.startsWith("dba_")).sort(), SQLITE_DBA_TOOLS);
});

sqliteTest("dba_databaseSpace reports the main database at exactly its file size", async (c, path) => {
  const [main] = await rows(c, "dba_databaseSpace");
  const fileSize = (await Deno.stat(path)).size;
  assert.equal(main.database_name, "main");
  assert.equal(Number(main.used_bytes), fileSize);
  const pageSize = independent(path, (db) => (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
  // max_page_count is a compile-time default of the driver's library, so only its shape can be checked here.
  assert.equal(Number(main.max_bytes) % pageSize, 0);
  assert.equal(Number(main.free_bytes), Number(main.max_bytes) - fileSize);
  assert.ok(Number(main.used_pct) > 0 && Number(main.used_pct) < 100);
  const missing = await c.call("dba_databaseSpace", { database_name: "nosuch" });
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /no database `nosuch`/);
});

sqliteTest("dba_tableSpace accounts for every page of the file, table by table", async (c, path) => {
  const tables = await rows(c, "dba_tableSpace", { top_n: 1000 });
  const fileSize = (await Deno.stat(path)).size;
  const other = independent(path, (db) => {
    const { page_size } = db.prepare("PRAGMA page_size").get() as { page_size: number };
    const { freelist_count } = db.prepare("PRAGMA freelist_count").get() as { freelist_count: number };
    const schema = db.prepare("SELECT count(*) AS pages FROM dbstat WHERE name = 'sqlite_schema'").get() as {
      pages: number;
    };
    const indexes = db.prepare(
      "SELECT coalesce(sum(pgsize), 0) AS bytes FROM dbstat WHERE name IN (SELECT name FROM pragma_index_list(?))",
    ).get("order_items") as { bytes: number };
    return {
      pageSize: page_size,
      freePages: freelist_count,
      schemaPages: schema.pages,
      orderItemIndexes: indexes.bytes,
    };
  });
  const total = tables.reduce((sum, t) => sum + Number(t.total_bytes), 0);
  assert.equal(total + (other.schemaPages + other.freePages) * other.pageSize, fileSize);
  for (const t of tables) {
    assert.equal(Number(t.total_bytes), Number(t.table_bytes) + Number(t.index_bytes), String(t.table_name));
    assert.equal(Number(t.total_bytes) % other.pageSize, 0);
  }
  const sizes = tables.map((t) => Number(t.total_bytes));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), "largest first");
  const byName = Object.fromEntries(tables.map((t) => [String(t.table_name), t]));
  assert.equal(tables[0].table_name, "big");
  assert.equal(Number(byName.big.index_bytes), 0, "big has only its rowid b-tree");
  assert.equal(Number(byName.order_items.index_bytes), other.orderItemIndexes);
  assert.ok(Number(byName.orders.index_bytes) > 0);
});

sqliteTest("dba_tableSpace narrows to one table, caps rows, and names similar tables for a typo", async (c) => {
  const [one] = await rows(c, "dba_tableSpace", { table_name: "orders", database_name: "main" });
  assert.equal(one.table_name, "orders");
  assert.equal((await rows(c, "dba_tableSpace", { top_n: 2 })).length, 2);
  const typo = await c.call("dba_tableSpace", { table_name: "ordrs" });
  assert.equal(typo.isError, true);
  assert.match(textOf(typo), /no table or view `ordrs`.*similar: .*orders/);
  const tooMany = await c.call("dba_tableSpace", { top_n: 5000 });
  assert.equal(tooMany.isError, true);
});

sqliteTest("dba_databaseVersion reports the version of the libsqlite3 the driver loads", async (c) => {
  const facts = Object.fromEntries((await rows(c, "dba_databaseVersion")).map((r) => [r.info_key, r.info_value]));
  const lib = Deno.dlopen("libsqlite3.so.0", {
    sqlite3_libversion: { parameters: [], result: "pointer" },
    sqlite3_sourceid: { parameters: [], result: "pointer" },
  });
  try {
    const read = (p: Deno.PointerValue) => Deno.UnsafePointerView.getCString(p!);
    assert.equal(facts.sqlite_version, read(lib.symbols.sqlite3_libversion()));
    assert.equal(facts.sqlite_source_id, read(lib.symbols.sqlite3_sourceid()));
  } finally {
    lib.close();
  }
});

const pgIgnored = !Deno.env.get("TDMCP_TEST_PG_URI");

function pgTest(name: string, fn: (c: Client, db: Database) => Promise<void>) {
  Deno.test({
    name: `postgres: ${name}`,
    ignore: pgIgnored,
    async fn() {
      const uri = await demoPostgresUri();
      await using db = testDatabase(uri!, { poolSize: 1 });
      await using c = await connectClient(db);
      await fn(c, db);
    },
  });
}

/** The test database's name, from the URI the runner exported. */
const pgDatabase = () => new URL(Deno.env.get("TDMCP_TEST_PG_URI")!).pathname.slice(1);
const pgUser = () => decodeURIComponent(new URL(Deno.env.get("TDMCP_TEST_PG_URI")!).username);
const admin = async (sql: string) => (await pgAdmin(sql)).trim();

pgTest("the DBA tools that work on PostgreSQL are listed", async (c) => {
  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).filter((n) => n.startsWith("dba_")).sort(), POSTGRES_DBA_TOOLS);
});

pgTest("dba_databaseSpace reports the test database at the size pg_database_size gives psql", async (c) => {
  const name = pgDatabase();
  const sql = `SELECT pg_database_size('${name}')`;
  const before = Number(await admin(sql));
  const [row] = await rows(c, "dba_databaseSpace", { database_name: name });
  const after = Number(await admin(sql));
  assert.equal(row.database_name, name);
  const used = Number(row.used_bytes);
  assert.ok(used === before || used === after || (used > before && used < after), `${used} vs ${before}..${after}`);
  assert.equal(row.max_bytes, null);
  const all = await rows(c, "dba_databaseSpace");
  const names = all.map((r) => r.database_name);
  assert.ok(names.includes(name) && names.includes("postgres"), names.join());
  const sizes = all.map((r) => Number(r.used_bytes));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
});

pgTest("dba_tableSpace matches pg_total_relation_size and pg_indexes_size in the demo schema", async (c) => {
  const q = (fn: string, table: string) => admin(`SELECT ${fn}('${PG_DEMO_SCHEMA}.${table}')`);
  const before = {
    big: Number(await q("pg_total_relation_size", "big")),
    idx: Number(await q("pg_indexes_size", "orders")),
  };
  const tables = await rows(c, "dba_tableSpace", { database_name: PG_DEMO_SCHEMA });
  const after = {
    big: Number(await q("pg_total_relation_size", "big")),
    idx: Number(await q("pg_indexes_size", "orders")),
  };
  const byName = Object.fromEntries(tables.map((t) => [String(t.table_name), t]));
  const within = (v: number, lo: number, hi: number) => v >= Math.min(lo, hi) && v <= Math.max(lo, hi);
  assert.ok(within(Number(byName.big.total_bytes), before.big, after.big), String(byName.big.total_bytes));
  assert.ok(within(Number(byName.orders.index_bytes), before.idx, after.idx));
  assert.equal(tables[0].table_name, "big");
  for (const t of tables) {
    assert.equal(t.database_name, PG_DEMO_SCHEMA);
    assert.equal(Number(t.total_bytes), Number(t.table_bytes) + Number(t.index_bytes), String(t.table_name));
  }
  const views = await admin(
    `SELECT count(*) FROM information_schema.views WHERE table_schema = '${PG_DEMO_SCHEMA}' AND table_name = 'v_daily_sales'`,
  );
  assert.equal(views, "1");
  assert.equal(byName.v_daily_sales, undefined, "views take no space and are not listed");
  const typo = await c.call("dba_tableSpace", { database_name: PG_DEMO_SCHEMA, table_name: "ordrs" });
  assert.match(textOf(typo), /similar: .*orders/);
});

/**
 * A second connection running a two-second statement that carries `marker`
 * (psqlODBC wraps every statement in a cursor, and an idle session shows only
 * the cursor's CLOSE, so the marker must be seen while it runs).
 */
async function busySession(marker: string) {
  const db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
  const running = db.query(`SELECT pg_sleep(2), '${marker}' AS marker`);
  const deadline = Date.now() + 5_000;
  while (
    Number(
      await admin(`SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%${marker}%' AND pid <> pg_backend_pid()`),
    ) === 0
  ) {
    if (Date.now() > deadline) throw new Error("the busy session never showed up");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    async [Symbol.asyncDispose]() {
      await running;
      await db.close();
    },
  };
}

pgTest("dba_sessionInfo shows this call's own session and another session with its running statement", async (c) => {
  const [{ pid }] = await rows(c, "base_readQuery", { sql: "SELECT pg_backend_pid() AS pid" });
  const marker = `dba-marker-${crypto.randomUUID()}`;
  await using _busy = await busySession(marker);
  const sessions = await rows(c, "dba_sessionInfo");
  const own = sessions.filter((s) => s.is_current === "Y");
  assert.equal(own.length, 1, JSON.stringify(sessions));
  assert.equal(Number(own[0].session_id), Number(pid), "the session that answered base_readQuery (pool of one)");
  assert.equal(own[0].user_name, pgUser());
  assert.equal(own[0].database_name, pgDatabase());
  assert.match(String(own[0].query_text), /pg_stat_activity/);
  const busy = sessions.filter((s) => String(s.query_text).includes(marker));
  assert.equal(busy.length, 1, "the second connection is listed with its statement");
  assert.equal(busy[0].is_current, "N");
  assert.equal(busy[0].state, "active");
  const none = await rows(c, "dba_sessionInfo", { user_name: "no_such_role" });
  assert.equal(none.length, 0);
});

pgTest("dba_userSqlList lists the current statements of the user's open sessions", async (c) => {
  const marker = `dba-user-${crypto.randomUUID()}`;
  await using _busy = await busySession(marker);
  const listed = await rows(c, "dba_userSqlList", { user_name: pgUser(), days_back: 3 });
  assert.ok(listed.some((r) => String(r.sql_text).includes(marker)), JSON.stringify(listed));
  assert.ok(listed.every((r) => r.user_name === pgUser()));
  assert.equal(listed.filter((r) => r.is_current === "Y").length, 1);
  const nobody = await c.call("dba_userSqlList", { user_name: "no_such_role" });
  assert.equal(nobody.structuredContent!.row_count, 0);
  assert.match(textOf(nobody), /keeps no statement history/);
});

pgTest("dba_databaseVersion matches version() and server_version read through psql", async (c) => {
  const facts = Object.fromEntries((await rows(c, "dba_databaseVersion")).map((r) => [r.info_key, r.info_value]));
  assert.equal(facts.version, await admin("SELECT version()"));
  assert.equal(facts.server_version, await admin("SHOW server_version"));
  assert.equal(facts.server_version_num, await admin("SHOW server_version_num"));
});
