/**
 * Per-call isolation and engine identification against the real PostgreSQL test cluster: every read runs in a
 * read-only transaction that is rolled back, so a function the statement guard cannot see into (a user-defined one
 * here) leaves nothing behind for the next call; writes commit and close their connection; the engine is learned from
 * the driver whatever the URI looked like; the role's power is reported and a superuser refused by default.
 */
import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import { DatabaseError } from "../../connection/errors.ts";
import { pgAdmin, pgUri } from "../_pg.ts";
import { testDatabase } from "../_helpers.ts";

const uri = pgUri();
const PG = { ignore: !uri };

/** Unique names for this test process (roles are cluster-wide). */
const TAG = `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const SCHEMA = `tdmcp_session_${TAG}`;

/** The test cluster's URI with another user and password. */
function uriAs(user: string, password: string): string {
  const url = new URL(uri!);
  url.username = user;
  url.password = password;
  return url.href;
}

/** The same target as a raw ODBC string naming the driver by its library path (no "postgres" in it). */
function driverPathString(user: string, password: string): string {
  const url = new URL(uri!);
  return `odbc:DRIVER=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Server=${url.hostname};Port=${url.port};` +
    `Database=${url.pathname.slice(1)};UID=${user};PWD=${password};`;
}

let ready: Promise<void> | undefined;
/** Objects shared by the tests: functions the guard cannot see into, a table, a sequence and an owner role. */
function setUp(): Promise<void> {
  return ready ??= pgAdmin(`
    CREATE SCHEMA ${SCHEMA};
    CREATE TABLE ${SCHEMA}.t (id int);
    CREATE SEQUENCE ${SCHEMA}.seq;
    CREATE FUNCTION ${SCHEMA}.poison() RETURNS int LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM set_config('default_transaction_read_only', 'off', false);
      PERFORM set_config('DateStyle', 'SQL, DMY', false);
      PERFORM set_config('search_path', 'nowhere', false);
      PERFORM set_config('statement_timeout', '1', false);
      PERFORM set_config('tdmcp.flag', 'leaked', false);
      PERFORM pg_advisory_lock(4242);
      PERFORM pg_notify('tdmcp_channel', 'leaked');
      PERFORM lo_create(0);
      EXECUTE 'PREPARE tdmcp_leak AS SELECT 1';
      PERFORM setseed(0.5);
      RETURN 1;
    END $$;
    CREATE VIEW ${SCHEMA}.poisoned AS SELECT ${SCHEMA}.poison() AS p;
    CREATE FUNCTION ${SCHEMA}.bump() RETURNS int LANGUAGE sql AS 'INSERT INTO ${SCHEMA}.t VALUES (1) RETURNING 1';
    CREATE FUNCTION ${SCHEMA}.tick() RETURNS bigint LANGUAGE sql AS $$SELECT nextval('${SCHEMA}.seq')$$;
    CREATE FUNCTION ${SCHEMA}.suicide() RETURNS boolean LANGUAGE sql AS 'SELECT pg_terminate_backend(pg_backend_pid())';
    CREATE ROLE ${TAG}_owner LOGIN PASSWORD 'owner-pw';
    CREATE ROLE ${TAG}_signal LOGIN PASSWORD 'signal-pw' IN ROLE pg_signal_backend;
    CREATE TABLE ${SCHEMA}.owned (id int);
    ALTER TABLE ${SCHEMA}.owned OWNER TO ${TAG}_owner;
    GRANT USAGE ON SCHEMA ${SCHEMA} TO ${TAG}_owner, ${TAG}_signal;
  `).then(() => {});
}

Deno.test({
  ...PG,
  name: "postgres: what a read leaves behind in its session is rolled back before the next call on the connection",
  async fn() {
    await setUp();
    const largeObjects = await pgAdmin("SELECT count(*) FROM pg_largeobject_metadata");
    await using db = testDatabase(uri!, { poolSize: 1 });
    const start = await db.query(
      "SELECT current_setting('DateStyle'), current_setting('search_path'), current_setting('statement_timeout'), " +
        "current_setting('tdmcp.flag', true)",
    );
    // Through a view: the guard sees no call of a user function, so the connection is reused and only the rollback
    // stands between this call and the next.
    const poisoned = await db.query(`SELECT p FROM ${SCHEMA}.poisoned`);
    assert.deepEqual(poisoned.rows, [[1]], "the function ran: only the rollback can undo it");
    const after = await db.query(
      "SELECT current_setting('default_transaction_read_only'), current_setting('transaction_read_only'), " +
        "current_setting('DateStyle'), current_setting('search_path'), current_setting('statement_timeout'), " +
        "nullif(current_setting('tdmcp.flag', true), ''), (SELECT count(*)::int FROM pg_prepared_statements)",
    );
    assert.deepEqual(after.rows, [["on", "on", ...start.rows[0].slice(0, 3), start.rows[0][3] || null, 0]]);
    const seeded = await pgAdmin("SELECT setseed(0.5); SELECT random()");
    const random = await db.query("SELECT random()::text");
    assert.notEqual(`${random.rows[0][0]}\n`, seeded.split("\n").at(-2) + "\n", "random() is not the seeded sequence");
    assert.equal(await pgAdmin("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), "0\n");
    assert.equal(await pgAdmin("SELECT count(*) FROM pg_largeobject_metadata"), largeObjects);
    assert.equal(db.stats().opened, 1, "the same connection served every call");
  },
});

Deno.test({
  ...PG,
  name: "postgres: a read that calls a user-defined function gets a fresh connection afterwards; other reads do not",
  async fn() {
    await setUp();
    await using db = testDatabase(uri!, { poolSize: 1 });
    await db.query("SELECT lower('A'), count(*) FROM generate_series(1, 3) AS g(i)");
    assert.equal(db.stats().discarded, 0, "built-in functions keep the connection");
    await db.query(`SELECT ${SCHEMA}.poison()`);
    assert.equal(db.stats().discarded, 1, "the connection that ran poison() was closed");
    await db.query(`SELECT * FROM ts_stat('SELECT ${SCHEMA}.poison()::text::tsvector')`).catch(() => {});
    assert.equal(db.stats().discarded, 2, "a user function inside SQL text counts too");
    // A rollback cannot undo a custom setting's name: the empty placeholder would have told the next caller.
    const after = await db.query(
      "SELECT CASE WHEN current_setting('tdmcp.flag', true) IS NULL THEN 'absent' ELSE 'present' END",
    );
    assert.deepEqual(after.rows, [["absent"]]);
    await using fresh = testDatabase(uri!, { poolSize: 1 });
    await fresh.query(`SELECT ${SCHEMA}.poison()`);
    assert.equal(fresh.stats().discarded, 1, "also as the first call of a process, before any connection was open");
  },
});

Deno.test({
  ...PG,
  name: "postgres: a connection whose driver received a huge value is closed after the call; one that did not is kept",
  async fn() {
    await using db = testDatabase(uri!, { poolSize: 1 });
    // A SELECT's long values are cut by the server (cut_postgres.ts): the driver never holds them.
    for (const sql of ["SELECT repeat('x', 100000)", "SELECT repeat('x', 20000000)"]) {
      const r = await db.query(sql);
      assert.equal(r.truncatedBy, "cells", sql);
    }
    assert.equal(db.stats().discarded, 0);
    // EXPLAIN cannot be wrapped, and prints the folded constant whole.
    const huge = await db.query("EXPLAIN VERBOSE SELECT repeat('x', 20000000)");
    assert.equal(huge.truncatedBy, "cells");
    assert.equal(db.stats().discarded, 1, "psqlODBC's buffers grew to 20 MB: the connection is not pooled again");
    // An error that quotes a huge value: the driver keeps 4,096 characters of it, libpq's buffer grew to 20 MB.
    await assert.rejects(db.query("SELECT repeat('x', 20000000)::int"), /invalid input syntax/);
    assert.equal(db.stats().discarded, 2, "closed after a message the driver cut");
    await assert.rejects(db.query("SELECT 'short'::int"), /invalid input syntax/);
    assert.equal(db.stats().discarded, 2, "a short error keeps the connection");
  },
});

Deno.test({
  ...PG,
  name: "postgres: a function that writes or advances a sequence fails in the read-only transaction",
  async fn() {
    await setUp();
    await using db = testDatabase(uri!, { poolSize: 1 });
    await assert.rejects(db.query(`SELECT ${SCHEMA}.bump()`), /read-only transaction/);
    await assert.rejects(db.query(`SELECT ${SCHEMA}.tick()`), /read-only transaction/);
    assert.equal(await pgAdmin(`SELECT count(*) FROM ${SCHEMA}.t`), "0\n");
    assert.equal(await pgAdmin(`SELECT is_called FROM ${SCHEMA}.seq`), "f\n");
    assert.deepEqual((await db.query("SELECT 1")).rows, [[1]], "the connection still serves after the failures");
  },
});

Deno.test({
  ...PG,
  name: "postgres: a read whose statement ends its own backend ends at most four sessions",
  async fn() {
    await setUp();
    await using db = testDatabase(uri!, { poolSize: 1 });
    await db.query("SELECT 1");
    const error = await db.query(`SELECT ${SCHEMA}.suicide()`).then(() => undefined, (e) => e);
    assert.ok(error instanceof DatabaseError, "the call fails");
    // The pooled connection's loss is not counted (it could have died idle); the two on connections opened for the
    // call are, and a third ends the retries.
    assert.equal(db.stats().retries, 3, "three transparent retries");
    assert.equal(db.stats().opened, 4, "four backends in all: the pooled one and three opened by retries (21 before)");
  },
});

Deno.test({
  ...PG,
  name: "postgres: an allowed write commits, runs in its own read-write transaction and closes its connection",
  async fn() {
    await setUp();
    await using db = testDatabase(uri!, { poolSize: 1, allowWrite: true });
    await db.query(`INSERT INTO ${SCHEMA}.t VALUES (7)`, { readOnly: false });
    assert.equal(await pgAdmin(`SELECT count(*) FROM ${SCHEMA}.t WHERE id = 7`), "1\n");
    assert.equal(db.stats().discarded, 1, "the write's connection was closed");
    const read = await db.query("SELECT current_setting('transaction_read_only')");
    assert.deepEqual(read.rows, [["on"]], "reads stay read-only on a server that allows writes");
    await assert.rejects(db.query(`SELECT ${SCHEMA}.bump()`), /read-only transaction/);
    for (
      const sql of [
        "SET standard_conforming_strings = off",
        "SELECT set_config('standard_conforming_strings', 'off', false)",
        `INSERT INTO ${SCHEMA}.t VALUES (length('\\'));DELETE FROM ${SCHEMA}.t WHERE true --')`,
        "BEGIN",
      ]
    ) {
      await assert.rejects(db.query(sql, { readOnly: false }), DatabaseError, sql);
    }
    assert.equal(await pgAdmin(`SELECT count(*) FROM ${SCHEMA}.t`), "1\n", "nothing else was written or deleted");
    await pgAdmin(`DELETE FROM ${SCHEMA}.t`);
  },
});

Deno.test({
  ...PG,
  name: "postgres reached through a driver-path ODBC string is identified as PostgreSQL and gets its protections",
  async fn() {
    await setUp();
    await using db = testDatabase(driverPathString(`${TAG}_owner`, "owner-pw"), { poolSize: 1 });
    assert.equal(db.dialect, "generic", "the string alone names no engine");
    const engine = await db.identify();
    assert.equal(engine.dialect, "postgres");
    assert.equal(db.dialect, "postgres");
    assert.equal(engine.dbmsName, "PostgreSQL");
    assert.deepEqual(engine.role?.notes, ["owns 1 relations", "may write 1 tables"]);
    const read = await db.query("SELECT current_setting('transaction_read_only')");
    assert.deepEqual(read.rows, [["on"]]);
    await db.query(`SELECT ${SCHEMA}.poison()`);
    const after = await db.query(
      "SELECT current_setting('default_transaction_read_only'), nullif(current_setting('tdmcp.flag', true), '')",
    );
    assert.deepEqual(after.rows, [["on", null]], "the owner's session was rolled back as well");
    await assert.rejects(db.query("SELECT 1; DELETE FROM x"), /only one statement/, "the PostgreSQL guard applies");
  },
});

Deno.test({
  ...PG,
  name: "postgres: the role's power is reported, and a superuser is refused unless allowed, without new logons",
  async fn() {
    await setUp();
    {
      await using db = testDatabase(uriAs(`${TAG}_signal`, "signal-pw"));
      const engine = await db.identify();
      assert.equal(engine.role?.superuser, false);
      assert.deepEqual(engine.role?.notes, ["pg_signal_backend (may cancel or terminate other sessions)"]);
    }
    await using db = openDatabase({ ...DATABASE_DEFAULTS, uri: uri! });
    for (let i = 0; i < 3; i++) {
      const error = await db.query("SELECT 1").then(() => undefined, (e) => e);
      assert.ok(error instanceof DatabaseError && error.kind === "refused", String(error));
      assert.match(error.message, /is a superuser.*--allow-superuser/);
    }
    assert.equal(db.stats().opened, 0, "no connection was kept");
    await using allowed = openDatabase({ ...DATABASE_DEFAULTS, uri: uri!, allowSuperuser: true });
    assert.equal((await allowed.identify()).role?.superuser, true);
  },
});

Deno.test({
  ...PG,
  name: "an engine tdmcp does not know is refused unless --allow-unknown-engine is given",
  async fn() {
    const { unknownEngineDriver } = await import("../_helpers.ts");
    const config = { ...DATABASE_DEFAULTS, uri: `odbc:${driverPathString(`${TAG}_owner`, "owner-pw").slice(5)}` };
    await setUp();
    await using refused = openDatabase(config, unknownEngineDriver());
    await assert.rejects(refused.identify(), /cannot make AcmeDB read-only.*--allow-unknown-engine/);
    await using allowed = openDatabase({ ...config, allowUnknownEngine: true }, unknownEngineDriver());
    assert.equal((await allowed.identify()).dialect, "generic");
  },
});
