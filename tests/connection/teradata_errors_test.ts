// What a caller gets when Teradata answers with its own error codes: the real
// Database (pool, retry loop, breaker) over a stand-in driver that throws what
// the Teradata ODBC driver reports (negative native code, `[Teradata Database]`
// tag, the manuals' wording), and where the agent sees it, a tool call through
// the MCP client. Wording sources: Analytics Database Messages (B035-1096),
// CLIv2 "Responding to Error and Failure Parcels" (connection/errors.ts keeps
// the table); the object/access/spool texts as Teradata's drivers print them.
import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import { DatabaseError, TERADATA_CODES } from "../../connection/errors.ts";
import type { OdbcDriver } from "../../connection/odbc.ts";
import { connectClient, textOf } from "../_helpers.ts";
import { recordingDriver } from "../tools/_teradata_fake.ts";
import { teradataError } from "../tools/_teradata_named.ts";

const PASSWORD = "s3cret";
const URI = `teradata://reader:${PASSWORD}@tdhost/sales?LOGMECH=LDAP`;
/** Tool limits with the EXPLAIN pre-check off, so each tool call sends the agent's statement alone. */
const LIMITS = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000, explainFirst: "off" };

/**
 * The Teradata ODBC driver refusing a logon: native code 210, the Teradata code as `FailCode` (CliUsrLgnExt); SQLSTATE
 * 28000 for a bad logon, HY000 for a database that takes no logons (connection/errors.ts, note 3).
 */
function logonFailure(code: number, text: string, state = "28000"): Error {
  return Object.assign(new Error("[odbc] Error connecting to the database"), {
    odbcErrors: [{
      state,
      code: 210,
      message: `[Teradata][ODBC Teradata Driver][Teradata Database] (210) ${text} FailCode = -${code}`,
    }],
  });
}

/** ODBC's own SQLSTATE for a dropped link (ODBC 3.x appendix A: 08S01 "Communication link failure"). */
function linkFailure(): Error {
  return Object.assign(new Error("[odbc] Error executing the sql statement"), {
    odbcErrors: [{ state: "08S01", code: 0, message: "[Teradata][ODBC Teradata Driver] Communication link failure" }],
  });
}

/**
 * A Teradata Database over the recording stand-in: `refuse()` may fail a logon, `fail(sql)` may fail a statement
 * (once per call of `fail`). `logons` counts logon attempts; `ran(marker)` counts statements containing `marker`.
 */
function standIn(
  { refuse = () => null, fail = () => null }: {
    refuse?: () => Error | null;
    fail?: (sql: string) => Error | null;
  } = {},
) {
  const recording = recordingDriver((sql) => {
    const error = fail(sql);
    if (error) throw error;
    return sql.includes("FROM sales.") ? [[1]] : [];
  });
  let logons = 0;
  const driver: OdbcDriver = {
    addonPath: recording.driver.addonPath,
    connect: (connectionString, timeout) => {
      logons++;
      const error = refuse();
      return error ? Promise.reject(error) : recording.driver.connect(connectionString, timeout);
    },
  };
  const db = openDatabase({ ...DATABASE_DEFAULTS, uri: URI }, driver);
  return {
    db,
    logons: () => logons,
    ran: (marker: string) => recording.sent.filter((s) => s.sql.includes(marker)).length,
  };
}

/** Fails on statements containing `marker`, `times` times, with `error()`. */
function failing(marker: string, error: () => Error, times = Infinity) {
  let left = times;
  return (sql: string) => sql.includes(marker) && left-- > 0 ? error() : null;
}

async function failure(call: Promise<unknown>): Promise<DatabaseError> {
  const error = await call.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${error}`);
  return error;
}

// ---- logon ----

Deno.test("teradata errors: 8017 at logon fails the tool call at once (one attempt, none after), naming no password", async () => {
  const { db, logons } = standIn({ refuse: () => logonFailure(8017, "The UserId, Password or Account is invalid.") });
  try {
    await using c = await connectClient(db, LIMITS);
    const first = await c.call("base_readQuery", { sql: "SELECT 1 FROM sales.orders" });
    assert.equal(first.isError, true);
    assert.match(
      textOf(first),
      /^Logon refused: the database refused the logon \(.*The UserId, Password or Account is invalid/,
    );
    assert.match(textOf(first), /retrying cannot help/);
    assert.equal(textOf(first).includes(PASSWORD), false, "no password in the message");
    assert.equal(logons(), 1, "exactly one logon attempt");
    const direct = await failure(db.query("SELECT 1 FROM sales.orders"));
    assert.equal(direct.kind, "auth");
    assert.equal(direct.retryable, false);
    const again = await c.call("base_tableList", { database_name: "sales" });
    assert.match(textOf(again), /^Logon refused: .*No new logon is tried for \d+ s/);
    assert.equal(logons(), 1, "calls while logons are paused make no attempt");
  } finally {
    await db.close();
  }
});

Deno.test("teradata errors: every auth code of the table (8017 also as a statement-style record) costs one logon", async () => {
  const auth = [...TERADATA_CODES].filter(([, c]) => c.class === "auth");
  assert.deepEqual(auth.map(([code]) => code).sort(), [3002, 3032, 8017]);
  const forms = [
    ...auth.map(([code, { wording }]) => ({ code, error: () => logonFailure(code, wording) })),
    { code: 8017, error: () => teradataError(8017, "The UserId, Password or Account is invalid.", "28000") },
  ];
  for (const { code, error } of forms) {
    const { db, logons } = standIn({ refuse: error });
    try {
      for (let i = 0; i < 3; i++) {
        const e = await failure(db.query("SELECT 1 FROM sales.orders"));
        assert.equal(e.kind, "auth", `${code}: ${e.message}`);
        assert.equal(e.message.includes(PASSWORD), false);
      }
      assert.equal(logons(), 1, `${code}: three calls, one logon attempt`);
    } finally {
      await db.close();
    }
  }
});

Deno.test("teradata errors: a database taking no logons (8024, 3055) is retried with backoff; the call succeeds once it does", async () => {
  for (
    const [code, text] of [[8024, "All virtual circuits are currently in use."], [
      3055,
      TERADATA_CODES.get(3055)!.wording,
    ]] as const
  ) {
    let refusals = 1;
    const { db, logons } = standIn({ refuse: () => refusals-- > 0 ? logonFailure(code, text, "HY000") : null });
    try {
      const result = await db.query("SELECT 1 FROM sales.orders");
      assert.deepEqual(result.rows, [[1]], String(code));
      assert.equal(logons(), 2, `${code}: refused once, then accepted`);
    } finally {
      await db.close();
    }
  }
});

// ---- statement errors the agent must fix: not retried, session kept ----

Deno.test("teradata errors: 3807 (object missing) becomes the tool's 'no table' message, sent once, session kept", async () => {
  const { db, logons, ran } = standIn({
    fail: failing("custmers", () => teradataError(3807, "Object 'sales.custmers' does not exist.", "42S02")),
  });
  try {
    await using c = await connectClient(db, LIMITS);
    const r = await c.call("base_tablePreview", { database_name: "sales", table_name: "custmers" });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^no table or view `custmers` in `sales`/);
    assert.equal(ran("custmers"), 1, "the missing object is not asked for again");
    const q = await c.call("base_readQuery", { sql: "SELECT * FROM sales.custmers" });
    assert.match(textOf(q), /Object 'sales\.custmers' does not exist/);
    assert.equal(ran("custmers"), 2);
    const stats = db.stats();
    assert.equal(stats.retries, 0);
    assert.equal(stats.discarded, 0);
    assert.equal(logons(), 1);
  } finally {
    await db.close();
  }
});

Deno.test("teradata errors: 3523 (no access) is a plain statement error: not retried, no logon pause, session kept", async () => {
  const text = "The user does not have SELECT access to DBC.AccessLogV.";
  const { db, logons, ran } = standIn({ fail: failing("DBC.AccessLogV", () => teradataError(3523, text)) });
  try {
    await using c = await connectClient(db, LIMITS);
    const r = await c.call("base_readQuery", { sql: "SELECT * FROM DBC.AccessLogV" });
    assert.equal(r.isError, true);
    assert.match(
      textOf(r),
      /^Database error \(SQLSTATE 42000\): .*The user does not have SELECT access to DBC\.AccessLogV/,
    );
    assert.equal(ran("DBC.AccessLogV"), 1);
    const e = await failure(db.query("SELECT * FROM DBC.AccessLogV"));
    assert.equal(e.kind, "sql");
    assert.equal(e.retryable, false);
    const stats = db.stats();
    assert.equal(stats.retries, 0);
    assert.equal(stats.discarded, 0);
    assert.equal(stats.breaker, "closed", "an access error is not a logon refusal");
    assert.deepEqual((await db.query("SELECT 1 FROM sales.orders")).rows, [[1]], "the session still serves calls");
    assert.equal(logons(), 1);
  } finally {
    await db.close();
  }
});

Deno.test("teradata errors: 2646 (spool) is not retried, keeps the session and tells the agent to narrow the query", async () => {
  const { db, logons, ran } = standIn({
    fail: failing("sales.huge", () => teradataError(2646, "No more spool space in reader.", "HY000")),
  });
  try {
    await using c = await connectClient(db, LIMITS);
    const r = await c.call("base_readQuery", { sql: "SELECT a.*, b.* FROM sales.huge a, sales.huge b" });
    assert.equal(r.isError, true);
    const text = textOf(r);
    assert.match(text, /No more spool space in reader\./);
    assert.match(text, /narrow the query/);
    assert.match(text, /a row limit does not help/);
    assert.equal(ran("sales.huge"), 1, "a spool failure is not re-submitted");
    const stats = db.stats();
    assert.equal(stats.retries, 0);
    assert.equal(stats.discarded, 0);
    assert.deepEqual((await db.query("SELECT 1 FROM sales.orders")).rows, [[1]]);
    assert.equal(logons(), 1);
  } finally {
    await db.close();
  }
});

// ---- transient: re-submitted on the same session ----

Deno.test("teradata errors: 2631 (deadlock) through a tool: re-submitted once on the same session, which is kept", async () => {
  const { db, logons, ran } = standIn({
    fail: failing("sales.contended", () => teradataError(2631, "Transaction ABORTed due to deadlock.", "40001"), 1),
  });
  try {
    await using c = await connectClient(db, LIMITS);
    const r = await c.call("base_readQuery", { sql: "SELECT 1 FROM sales.contended" });
    assert.equal(r.isError, undefined, textOf(r));
    assert.deepEqual(r.structuredContent?.rows, [[1]]);
    assert.equal(ran("sales.contended"), 2);
    const stats = db.stats();
    assert.equal(stats.retries, 1);
    assert.equal(stats.discarded, 0, "the session survived the deadlock");
    assert.equal(logons(), 1, "no new logon");
  } finally {
    await db.close();
  }
});

Deno.test("teradata errors: each CLIv2 re-submit code (restart, recovery, deadlock, ...) retries a read on the same session", async () => {
  const transient = [...TERADATA_CODES].filter(([, c]) => c.class === "transient");
  // The manual's database-restart codes are among them: the session survives a restart (Mainframe CLI, CLI0544:
  // "the session itself [is] in a known state, allowing its continued use").
  for (const code of [2825, 2826, 2828, 3120]) assert.ok(transient.some(([c]) => c === code), String(code));
  for (const [code, { wording }] of transient) {
    const { db, logons, ran } = standIn({ fail: failing("sales.orders", () => teradataError(code, wording), 1) });
    try {
      assert.deepEqual((await db.query("SELECT 1 FROM sales.orders")).rows, [[1]], `${code} ${wording}`);
      assert.equal(ran("sales.orders"), 2, `${code}: re-submitted once`);
      assert.equal(db.stats().discarded, 0, `${code}: session kept`);
      assert.equal(logons(), 1, `${code}: no new logon`);
    } finally {
      await db.close();
    }
  }
});

Deno.test("teradata errors: a transient code on a write is not re-submitted", async () => {
  const { wording } = TERADATA_CODES.get(2631)!;
  const recording = recordingDriver((sql) => {
    if (sql.startsWith("UPDATE")) throw teradataError(2631, wording, "40001");
    return [];
  });
  const db = openDatabase({ ...DATABASE_DEFAULTS, uri: URI, allowWrite: true }, recording.driver);
  try {
    const e = await failure(db.query("UPDATE sales.orders SET n = n + 1", { readOnly: false }));
    assert.equal(e.kind, "transient");
    assert.equal(recording.sent.filter((s) => s.sql.startsWith("UPDATE")).length, 1, "a write is never retried");
  } finally {
    await db.close();
  }
});

// ---- the link is lost: reconnect and re-submit a read ----

Deno.test("teradata errors: a lost link (08S01) is retried on a new session for a read; the broken one is closed", async () => {
  const { db, logons, ran } = standIn({ fail: failing("sales.orders", linkFailure, 1) });
  try {
    await using c = await connectClient(db, LIMITS);
    const r = await c.call("base_readQuery", { sql: "SELECT 1 FROM sales.orders" });
    assert.equal(r.isError, undefined, textOf(r));
    assert.equal(ran("sales.orders"), 2);
    const stats = db.stats();
    assert.equal(stats.retries, 1);
    assert.ok(stats.discarded >= 1, "the session that lost its link is not pooled again");
    assert.equal(logons(), 2, "one new logon for the retry");
  } finally {
    await db.close();
  }
});

Deno.test("teradata errors: 2827 (aborted by user or statement error) and codes not in the manual are not retried", async () => {
  for (
    const [code, text] of [
      [2827, "request was aborted by user or due to statement error"],
      [3126, "some message"],
      [8018, "some message"],
    ] as const
  ) {
    const { db, ran } = standIn({ fail: failing("sales.orders", () => teradataError(code, text), 1) });
    try {
      const e = await failure(db.query("SELECT 1 FROM sales.orders"));
      assert.equal(e.kind, "sql", String(code));
      assert.equal(ran("sales.orders"), 1, `${code}: sent once`);
    } finally {
      await db.close();
    }
  }
});
