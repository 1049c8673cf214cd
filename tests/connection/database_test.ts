/**
 * connection/database.ts: its text helper, and waiting for a pooled connection on the real PostgreSQL.
 * @module
 */
import assert from "node:assert/strict";
import { terminateLineComment } from "../../connection/database.ts";
import type { DatabaseError } from "../../connection/errors.ts";
import { demoPostgresUri, testDatabase } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";

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

Deno.test({
  name:
    "a call waiting for a connection ends at its timeout or at its cancel, each with its own message, and the pool works on",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
    await db.query("SELECT 1"); // the one connection is open
    const holding = db.query("SELECT pg_sleep(1.5) AS holds_the_connection");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const cancel = new AbortController();
    const cancelled = db.query("SELECT 2", { signal: cancel.signal });
    const timedOut = db.query("SELECT 3", { timeoutMs: 400 });
    setTimeout(() => cancel.abort(), 200);
    await assert.rejects(cancelled, (error: DatabaseError) => {
      assert.equal(error.kind, "cancelled");
      assert.match(error.message, /cancelled while waiting for a connection/);
      return true;
    });
    const cancelledAfter = performance.now() - started;
    await assert.rejects(timedOut, (error: DatabaseError) => {
      assert.equal(error.kind, "timeout");
      assert.match(error.message, /no database connection became free within 0\.4 s \(all 1 are busy\)/);
      return true;
    });
    const timedOutAfter = performance.now() - started;
    assert.ok(cancelledAfter >= 190 && cancelledAfter < 1_000, `cancelled after ${cancelledAfter} ms`);
    assert.ok(timedOutAfter >= 390 && timedOutAfter < 1_300, `timed out after ${timedOutAfter} ms`);
    assert.equal((await holding).rowCount, 1);
    const already = new AbortController();
    already.abort();
    const busy = db.query("SELECT pg_sleep(0.3)");
    await assert.rejects(db.query("SELECT 4", { signal: already.signal }), /cancelled/);
    await busy;
    assert.deepEqual((await db.query("SELECT 5 AS n")).rows, [[5]]);
    assert.equal(db.stats().waiting, 0);
    assert.equal(db.stats().cancellations, 2);
  },
});
