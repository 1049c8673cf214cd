/**
 * `QueryOptions.once` on real engines: the token goes into the ledger table in the write's own transaction, so a
 * token used before runs nothing, and a write that fails takes its token back with it.
 * @module
 */
import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import { DatabaseError } from "../../connection/errors.ts";
import { runScript } from "../../connection/script.ts";
import type { Database } from "../../connection/types.ts";
import { pgUri } from "../_pg.ts";

const token = () => crypto.randomUUID().replaceAll("-", "");

interface Fixture {
  db: Database;
  /** The data table (`id` primary key, `v`), empty at first. */
  table: string;
  ledger: string;
  count(sql: string): Promise<number>;
}

/** A writable Database on PostgreSQL with a scratch schema holding a data table and the ledger. */
async function postgres(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const uri = pgUri()!;
  const schema = `once_${token().slice(0, 12)}`;
  await runScript(uri, [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${schema}.items (id integer PRIMARY KEY, v text NOT NULL)`,
    `CREATE TABLE ${schema}.ledger (token char(32) PRIMARY KEY, used_at timestamptz NOT NULL DEFAULT now())`,
  ]);
  const db = openDatabase({ ...DATABASE_DEFAULTS, allowSuperuser: true, allowWrite: true, uri });
  const count = async (sql: string) => Number((await db.query(sql)).rows[0][0]);
  try {
    await fn({ db, table: `${schema}.items`, ledger: `${schema}.ledger`, count });
  } finally {
    await db.close();
    await runScript(uri, [`DROP SCHEMA ${schema} CASCADE`]);
  }
}

/** The same on a fresh SQLite file. */
async function sqlite(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-once-" });
  const uri = `sqlite://${dir}/once.db`;
  await runScript(uri, [
    "CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL)",
    "CREATE TABLE ledger (token text PRIMARY KEY, used_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)",
  ]);
  const db = openDatabase({ ...DATABASE_DEFAULTS, allowWrite: true, uri });
  const count = async (sql: string) => Number((await db.query(sql)).rows[0][0]);
  try {
    await fn({ db, table: "items", ledger: "ledger", count });
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${error}`);
  return error;
}

for (const [engine, fixture, ignore] of [["PostgreSQL", postgres, !pgUri()], ["SQLite", sqlite, false]] as const) {
  Deno.test({
    name: `${engine}: a write with a once-only token runs and records the token; the same token again runs nothing`,
    ignore,
    fn: () =>
      fixture(async ({ db, table, ledger, count }) => {
        const once = { table: ledger, token: token() };
        await db.query(`INSERT INTO ${table} VALUES (1, 'a')`, { readOnly: false, once });
        assert.equal(await count(`SELECT count(*) FROM ${ledger} WHERE token = '${once.token}'`), 1);
        const error = await refusal(
          db.query(`INSERT INTO ${table} VALUES (2, 'b')`, { readOnly: false, once }),
        );
        assert.equal(error.kind, "refused");
        assert.match(error.message, /run already \(its once-only token is recorded in .*ledger\): nothing was run/);
        assert.equal(await count(`SELECT count(*) FROM ${table}`), 1, "the second insert did not run");
        const updated = await db.query(`UPDATE ${table} SET v = 'z'`, {
          readOnly: false,
          once: { table: ledger, token: token() },
        });
        assert.equal(updated.changedRows, 1, "the driver's count of changed rows");
        assert.equal(await count(`SELECT count(*) FROM ${table} WHERE v = 'z'`), 1);
      }),
  });

  Deno.test({
    name: `${engine}: a write that fails takes its token back, so the same token can run a write afterwards`,
    ignore,
    fn: () =>
      fixture(async ({ db, table, ledger, count }) => {
        await db.query(`INSERT INTO ${table} VALUES (1, 'a')`, { readOnly: false });
        const once = { table: ledger, token: token() };
        const failed = await refusal(db.query(`INSERT INTO ${table} VALUES (1, 'dup')`, { readOnly: false, once }));
        assert.notEqual(failed.kind, "refused", "the statement's own error, not the ledger's");
        assert.equal(await count(`SELECT count(*) FROM ${ledger}`), 0, "the token was rolled back");
        await db.query(`INSERT INTO ${table} VALUES (2, 'b')`, { readOnly: false, once });
        assert.equal(await count(`SELECT count(*) FROM ${table}`), 2);
      }),
  });

  Deno.test({
    name: `${engine}: without the ledger table the write is refused, runs nothing, and the error says what to create`,
    ignore,
    fn: () =>
      fixture(async ({ db, table, count }) => {
        const once = { table: "no_such_ledger", token: token() };
        const error = await refusal(db.query(`INSERT INTO ${table} VALUES (1, 'a')`, { readOnly: false, once }));
        assert.equal(error.kind, "refused");
        assert.match(error.message, /ledger table no_such_ledger, so nothing was run: [\s\S]*Create the table/);
        assert.equal(await count(`SELECT count(*) FROM ${table}`), 0);
      }),
  });

  Deno.test({
    name: `${engine}: DDL with a token runs after the ledger insert, and a read ignores the token`,
    ignore,
    fn: () =>
      fixture(async ({ db, table, ledger, count }) => {
        const once = { table: ledger, token: token() };
        await db.query(`CREATE TABLE ${table}_new (a integer)`, { readOnly: false, once });
        assert.equal(await count(`SELECT count(*) FROM ${table}_new`), 0);
        assert.equal(await count(`SELECT count(*) FROM ${ledger}`), 1);
        await db.query(`SELECT 1`, { once });
        await db.query(`SELECT 1`, { readOnly: false, once });
        assert.equal(await count(`SELECT count(*) FROM ${ledger}`), 1);
      }),
  });
}

Deno.test("a ledger name or token that is not a plain name and hex is refused before anything runs", async () => {
  await sqlite(async ({ db, table, count }) => {
    for (
      const once of [
        { table: "ledger; DROP TABLE items", token: token() },
        { table: "ledger", token: "1'); DROP TABLE items; --" },
        { table: "ledger", token: "ABCDEF0123456789" },
        { table: "a.b.c", token: token() },
      ]
    ) {
      await assert.rejects(
        () => db.query(`INSERT INTO ${table} VALUES (1, 'a')`, { readOnly: false, once }),
        RangeError,
      );
    }
    assert.equal(await count(`SELECT count(*) FROM ${table}`), 0);
  });
});

Deno.test("checkOnly judges a statement by the guard it would meet and runs nothing", async () => {
  await sqlite(async ({ db, table, count }) => {
    const checked = await db.query(`INSERT INTO ${table} VALUES (1, 'a')`, { readOnly: false, checkOnly: true });
    assert.equal(checked.rowCount, 0);
    assert.equal(await count(`SELECT count(*) FROM ${table}`), 0);
    const two = await refusal(
      db.query(`DELETE FROM ${table}; DELETE FROM ${table}`, { readOnly: false, checkOnly: true }),
    );
    assert.match(two.message, /only one statement/);
    const read = await refusal(db.query(`DELETE FROM ${table}`, { checkOnly: true }));
    assert.match(read.message, /DELETE is a write/);
    assert.equal(db.stats().opened, 1, "only the counting read opened a connection");
  });
});
