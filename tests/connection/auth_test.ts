// A refused logon fails the call at once and is never retried - not by the
// call's retry loop, the pool, the health check nor the warm-up (which is
// db.health()) - because every attempt with a wrong password counts towards
// locking the account (Teradata's MaxLogonAttempts, an LDAP directory).
// First against a stand-in driver that counts logons, then against the real
// PostgreSQL of tests/run.ts, counting the failures in the server's own log.
import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, type DatabaseConfig, openDatabase } from "../../connection/database.ts";
import { DatabaseError } from "../../connection/errors.ts";
import type { OdbcBatch, OdbcConnection, OdbcCursor, OdbcDriver } from "../../connection/odbc.ts";
import type { Database } from "../../connection/types.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

/** What the addon throws: an Error carrying the driver's diagnostic records. */
function odbcError(state: string, code: number, message: string): Error {
  return Object.assign(new Error("[odbc] Error connecting to the database"), {
    odbcErrors: [{ state, code, message }],
  });
}

/** The Teradata ODBC driver refusing a logon (native 210, the Teradata code in the text). */
const TERADATA_8017 = () =>
  odbcError(
    "28000",
    210,
    "[Teradata][ODBC Teradata Driver][Teradata Database] (210) The UserId, Password or Account is invalid. " +
      "FailCode = -8017",
  );
/** A driver that passes PostgreSQL's SQLSTATE through. */
const POSTGRES_28P01 = () => odbcError("28P01", 1, 'FATAL:  password authentication failed for user "reader"');

/** A connection whose statements answer one row, or run `onQuery` first (which may wait or throw). */
function fakeConnection(onQuery: (sql: string) => Promise<void> | void): OdbcConnection {
  const batch = (rows: unknown[][]): OdbcBatch =>
    Object.assign(rows, { columns: [{ name: "one", dataTypeName: "SQL_INTEGER", columnSize: 10, nullable: true }] });
  return {
    connected: true,
    beginTransaction: () => Promise.resolve(),
    query: (async (sql: string, _params?: unknown, options?: { cursor?: boolean }) => {
      await onQuery(sql);
      if (!options?.cursor) return batch([[1]]);
      let done = false;
      const cursor: OdbcCursor = {
        get noData() {
          return done;
        },
        fetch: () => {
          const rows = done ? [] : [[1]];
          done = true;
          return Promise.resolve(batch(rows));
        },
        close: () => Promise.resolve(),
      };
      return cursor;
    }) as OdbcConnection["query"],
    tables: () => Promise.resolve(batch([])),
    columns: () => Promise.resolve(batch([])),
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** A stand-in driver: `refuse()` gives the error a logon fails with (or null to accept); `logons` counts attempts. */
function standIn(refuse: () => Error | null, onQuery: (sql: string) => Promise<void> | void = () => {}) {
  const counts = { logons: 0 };
  const driver: OdbcDriver = {
    addonPath: "(none)",
    connect: () => {
      counts.logons++;
      const error = refuse();
      return error ? Promise.reject(error) : Promise.resolve(fakeConnection(onQuery));
    },
  };
  return { driver, counts };
}

function teradataDb(driver: OdbcDriver, overrides: Partial<DatabaseConfig> = {}): Database {
  return openDatabase(
    { ...DATABASE_DEFAULTS, ...overrides, uri: "teradata://reader:s3cret@tdhost/sales?LOGMECH=LDAP" },
    driver,
  );
}

/** Runs a call and returns the DatabaseError it failed with. */
async function failure(call: Promise<unknown>): Promise<DatabaseError> {
  const error = await call.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${error}`);
  return error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [name, refusal] of [["Teradata 8017", TERADATA_8017], ["SQLSTATE 28P01", POSTGRES_28P01]] as const) {
  Deno.test(`auth: a logon refused with ${name} costs one attempt per call, none while logons are paused`, async () => {
    const { driver, counts } = standIn(refusal);
    const db = teradataDb(driver);
    try {
      const first = await failure(db.query("SELECT 1"));
      assert.equal(counts.logons, 1, "the call made exactly one logon attempt (no retry)");
      assert.equal(first.kind, "auth");
      assert.equal(first.retryable, false);
      assert.match(first.message, /^the database refused the logon \(/);
      assert.equal(first.message.includes("s3cret"), false);
      assert.equal(db.stats().breaker, "open");
      for (let i = 0; i < 5; i++) {
        const again = await failure(db.query("SELECT 1"));
        assert.equal(again.kind, "auth");
        assert.match(again.message, /No new logon is tried for \d+ s/);
      }
      assert.equal(counts.logons, 1, "calls while logons are paused made no attempt");
      const health = await db.health();
      assert.equal(health.ok, false);
      assert.match(health.message, /refused the logon/);
      assert.equal(counts.logons, 1, "nor did the health check (the warm-up is db.health())");
      await failure(db.odbcTables(null, null));
      assert.equal(counts.logons, 1, "nor a catalog call");
    } finally {
      await db.close();
    }
  });
}

Deno.test("auth: concurrent calls on a fresh database share one refused logon", async () => {
  const { driver, counts } = standIn(TERADATA_8017);
  const db = teradataDb(driver);
  try {
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 6 }, () => db.query("SELECT 1")),
      db.health(),
    ]);
    assert.equal(counts.logons, 1, "seven concurrent calls, one logon attempt");
    for (const o of outcomes.slice(0, 6)) {
      assert.equal(o.status, "rejected");
      assert.equal(((o as PromiseRejectedResult).reason as DatabaseError).kind, "auth");
    }
    assert.equal((outcomes[6] as PromiseFulfilledResult<{ ok: boolean }>).value.ok, false);
  } finally {
    await db.close();
  }
});

Deno.test("auth: after the pause one logon is tried; a new refusal doubles the pause, a success ends it", async () => {
  let refuse = true;
  const { driver, counts } = standIn(() => refuse ? TERADATA_8017() : null);
  const db = teradataDb(driver, { breaker: { ...DATABASE_DEFAULTS.breaker, logonPauseMs: 200, maxLogonPauseMs: 800 } });
  try {
    await failure(db.query("SELECT 1"));
    assert.equal(counts.logons, 1);
    await sleep(300); // past the first pause (200 ms)
    await failure(db.query("SELECT 1"));
    assert.equal(counts.logons, 2, "the first call after the pause made one attempt");
    await failure(db.query("SELECT 1"));
    assert.equal(counts.logons, 2, "the pause started again at once");
    await sleep(100); // the second pause is 400 ms: still paused
    await failure(db.query("SELECT 1"));
    assert.equal(counts.logons, 2, "the pause doubled");
    refuse = false; // the administrator fixed the password
    await sleep(400);
    assert.deepEqual((await db.query("SELECT 1 AS one")).rows, [[1]]);
    assert.equal(counts.logons, 3);
    assert.equal(db.stats().breaker, "closed");
  } finally {
    await db.close();
  }
});

Deno.test("auth: while logons are paused, calls an open session can serve still succeed", async () => {
  let refuse = false;
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  const { driver, counts } = standIn(
    () => refuse ? TERADATA_8017() : null,
    (sql) => sql.includes("hold") ? held : undefined,
  );
  const db = teradataDb(driver, { poolSize: 2 });
  try {
    await db.query("SELECT 1");
    assert.equal(counts.logons, 1);
    refuse = true; // the password changed on the server
    const holding = db.query("SELECT 'hold'"); // keeps the one session busy
    await sleep(20);
    const refused = await failure(db.query("SELECT 2")); // needs a second session: one logon, refused
    assert.equal(refused.kind, "auth");
    assert.equal(counts.logons, 2);
    release();
    await holding;
    assert.deepEqual((await db.query("SELECT 3")).rows, [[1]], "the open session still serves calls");
    assert.equal(counts.logons, 2);
  } finally {
    await db.close();
  }
});

Deno.test("auth: a deadlock (Teradata 2631) is retried on the same session, which is kept", async () => {
  let deadlocks = 1;
  const { driver, counts } = standIn(() => null, (sql) => {
    if (sql.includes("contended") && deadlocks-- > 0) {
      throw odbcError(
        "40001",
        -2631,
        "[Teradata][ODBC Teradata Driver][Teradata Database](-2631) Transaction ABORTed due to deadlock.",
      );
    }
  });
  const db = teradataDb(driver);
  try {
    assert.deepEqual((await db.query("SELECT 'contended'")).rows, [[1]]);
    const stats = db.stats();
    assert.equal(counts.logons, 1);
    assert.equal(stats.discarded, 0, "the session survived the deadlock");
    assert.equal(stats.retries, 1);
  } finally {
    await db.close();
  }
});

// ---- the real PostgreSQL: attempts counted in the server's log ----

/** The server log of the test cluster (tests/run.ts starts it with `pg_ctl -l DATA/log`). */
function serverLog(): string {
  return Deno.readTextFileSync(`${Deno.env.get("TDMCP_TEST_PG_DATA")}/log`);
}

/** A role with a password (the cluster checks passwords on 127.0.0.1: scram-sha-256) and a URI that gets it wrong. */
async function roleWithWrongPassword(): Promise<{ role: string; uri: string; drop: () => Promise<void> }> {
  const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const role = `tdmcp_auth_${tag}`;
  await pgAdmin(`CREATE ROLE ${role} LOGIN PASSWORD 'right-${tag}'`);
  const url = new URL(pgUri()!);
  url.username = role;
  url.password = `wrong-${tag}`;
  return { role, uri: url.href, drop: () => pgAdmin(`DROP ROLE IF EXISTS ${role}`).then(() => {}) };
}

/** Lines the server logged since `offset` that match `pattern`. */
async function logged(offset: number, pattern: RegExp): Promise<number> {
  await pgAdmin("SELECT 1"); // a round trip after the calls: the backends' FATAL lines precede their replies anyway
  return serverLog().slice(offset).split("\n").filter((line) => pattern.test(line)).length;
}

Deno.test({
  name: "auth: PostgreSQL - three calls with a wrong password make one logon attempt, as the server's log shows",
  ignore: !Deno.env.get("TDMCP_TEST_PG_DATA"),
  async fn() {
    const { role, uri, drop } = await roleWithWrongPassword();
    const db = openDatabase({ ...DATABASE_DEFAULTS, uri });
    const offset = serverLog().length;
    try {
      const errors: DatabaseError[] = [];
      for (let i = 0; i < 3; i++) errors.push(await failure(db.query("SELECT 1")));
      const attempts = await logged(offset, new RegExp(`password authentication failed for user "${role}"`));
      Deno.stderr.writeSync(new TextEncoder().encode(
        `[auth] ${attempts} failed logon(s) in the server log for 3 calls; first: ${errors[0].message}\n` +
          `[auth] then: ${errors[1].message}\n`,
      ));
      assert.ok(attempts <= 3, `${attempts} logon attempts for three calls`);
      assert.equal(attempts, 1, "the first call's attempt only: the others found logons paused");
      assert.ok(errors.every((e) => e.kind === "auth" && !e.retryable));
      assert.match(errors[0].message, /refused the logon .*password authentication failed for user/);
      assert.ok(errors.every((e) => !e.message.includes(new URL(uri).password)), "no password in any message");
      assert.equal((await db.health()).ok, false);
      assert.equal(await logged(offset, new RegExp(`password authentication failed for user "${role}"`)), 1);
    } finally {
      await db.close();
      await drop();
    }
  },
});

Deno.test({
  name: "auth: PostgreSQL - a burst of calls and health checks on a fresh server shares one refused logon",
  ignore: !Deno.env.get("TDMCP_TEST_PG_DATA"),
  async fn() {
    const { role, uri, drop } = await roleWithWrongPassword();
    const db = openDatabase({ ...DATABASE_DEFAULTS, uri, poolSize: 8 });
    const offset = serverLog().length;
    try {
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 8 }, () => db.query("SELECT 1")),
        db.health(),
        db.health(),
      ]);
      assert.ok(outcomes.slice(0, 8).every((o) => o.status === "rejected"));
      const attempts = await logged(offset, new RegExp(`password authentication failed for user "${role}"`));
      assert.equal(attempts, 1, `${attempts} logon attempts for 8 calls and 2 health checks`);
    } finally {
      await db.close();
      await drop();
    }
  },
});

Deno.test({
  name: "auth: PostgreSQL - a database that does not exist fails each call once, without retries or a pause",
  ignore: !Deno.env.get("TDMCP_TEST_PG_DATA"),
  async fn() {
    const url = new URL(pgUri()!);
    const missing = `tdmcp_missing_${crypto.randomUUID().slice(0, 8)}`;
    url.pathname = `/${missing}`;
    const db = openDatabase({ ...DATABASE_DEFAULTS, uri: url.href });
    const offset = serverLog().length;
    try {
      for (let i = 0; i < 3; i++) {
        const error = await failure(db.query("SELECT 1"));
        assert.equal(error.retryable, false);
        assert.notEqual(error.kind, "auth");
        assert.match(error.message, /database "tdmcp_missing_\w+" does not exist/);
      }
      assert.equal(await logged(offset, new RegExp(`database "${missing}" does not exist`)), 3, "one attempt per call");
    } finally {
      await db.close();
    }
  },
});
