/**
 * PostgreSQL's EXPLAIN of a write without ANALYZE is a read: it plans the write and runs nothing. Everything that
 * could make PostgreSQL run the write (ANALYZE in any spelling, a quoted option name, an unknown option) stays refused,
 * and the admitted form runs in the call's read-only transaction on the real server.
 */
import assert from "node:assert/strict";
import { checkReadOnly } from "../../connection/guard.ts";
import { testDatabase } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const ADMITTED = [
  "EXPLAIN UPDATE t SET a = 1",
  "EXPLAIN VERBOSE DELETE FROM t WHERE a > 1",
  "EXPLAIN (FORMAT JSON) UPDATE t SET a = 0 WHERE a <= 40",
  "explain (format json, costs off, verbose true) insert into t select * from t",
  "EXPLAIN (SETTINGS ON, GENERIC_PLAN FALSE) MERGE INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE",
];

const REFUSED = [
  "EXPLAIN ANALYZE UPDATE t SET a = 1",
  "EXPLAIN ANALYSE DELETE FROM t",
  "EXPLAIN (ANALYZE) UPDATE t SET a = 1",
  "EXPLAIN (FORMAT JSON, ANALYZE) UPDATE t SET a = 1",
  "EXPLAIN (ANALYZE 1) UPDATE t SET a = 1",
  "EXPLAIN (analyse true) DELETE FROM t",
  'EXPLAIN ("analyze") UPDATE t SET a = 1', // PostgreSQL reads a quoted option name as the option
  'EXPLAIN ("ANALYZE" on) DELETE FROM t',
  "EXPLAIN (BUFFERS) UPDATE t SET a = 1",
  "EXPLAIN (FORMAT JSON) UPDATE t SET a = 1; DELETE FROM t",
  "EXPLAIN UPDATE t SET a = pg_terminate_backend(1)",
  "EXPLAIN CREATE TABLE u AS SELECT 1",
  "EXPLAIN EXECUTE p",
];

Deno.test("guard: PostgreSQL EXPLAIN of a write without ANALYZE is a read; every form that could run it is refused", () => {
  for (const sql of ADMITTED) assert.equal(checkReadOnly(sql, "postgres").ok, true, sql);
  for (const sql of REFUSED) assert.equal(checkReadOnly(sql, "postgres").ok, false, sql);
  // Other engines keep their own rules: SQLite's EXPLAIN of a write is not admitted, nor a generic source's.
  for (const dialect of ["sqlite", "generic"] as const) {
    assert.equal(checkReadOnly("EXPLAIN UPDATE t SET a = 1", dialect).ok, false, dialect);
  }
});

Deno.test({
  name: "postgres: an admitted EXPLAIN of a write plans it in a read-only call and changes nothing",
  ignore: !pgUri(),
  async fn() {
    await pgAdmin(
      "DROP TABLE IF EXISTS guard_explain_t; CREATE TABLE guard_explain_t AS SELECT generate_series(1, 50) AS a",
    );
    const db = testDatabase(pgUri()!);
    try {
      const planned = await db.query("EXPLAIN (FORMAT JSON) UPDATE guard_explain_t SET a = 0 WHERE a <= 40");
      const plan = JSON.parse(String(planned.rows[0][0]));
      assert.equal(plan[0].Plan["Node Type"], "ModifyTable");
      assert.equal((await pgAdmin("SELECT count(*) FROM guard_explain_t WHERE a = 0")).trim(), "0");
      await assert.rejects(db.query("EXPLAIN ANALYZE UPDATE guard_explain_t SET a = 0"), /Refused|read-only|EXPLAIN/);
      assert.equal((await pgAdmin("SELECT count(*) FROM guard_explain_t WHERE a = 0")).trim(), "0");
    } finally {
      await db.close();
      await pgAdmin("DROP TABLE IF EXISTS guard_explain_t");
    }
  },
});
