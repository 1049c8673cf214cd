/**
 * Addon patch 8: `endSql` runs a call's closing statement in the worker that executed a point query, on real
 * PostgreSQL: it ran (its effect is visible), a failure is reported, and a result that did not end in its first fetch
 * leaves the closing to the caller.
 * @module
 */
import assert from "node:assert/strict";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgUri } from "../_pg.ts";

const uri = pgUri();

async function withConnection(fn: (connection: OdbcConnection) => Promise<void>): Promise<void> {
  const connection = await loadOdbc().connect(parseDatabaseUri(uri!, { streaming: true }).connectionString, 5);
  try {
    await connection.beginTransaction();
    await fn(connection);
  } finally {
    await connection.close();
  }
}

/** Runs a cursor query with `endSql`, closes it, and returns the first batch and what the addon said of `endSql`. */
async function pointQuery(connection: OdbcConnection, sql: string, endSql: string, fetchSize = 100) {
  const cursor = await connection.query(sql, null, { cursor: true, fetchSize, firstFetch: true, timeout: 31, endSql });
  const ended = cursor.odbcCursor?.endSql;
  const rows = [...cursor.odbcCursor?.firstBatch ?? []];
  await cursor.close();
  return { rows, ended };
}

Deno.test({
  name: "odbc patch 8: endSql runs right after a point query, in the same trip, and its effect is there",
  ignore: !uri,
  async fn() {
    await withConnection(async (connection) => {
      const first = await pointQuery(connection, "SELECT set_config('tdmcp.end', 'set', false)", "ROLLBACK; SELECT 1");
      assert.deepEqual(first, { rows: [["set"]], ended: "ok" });
      const after = await pointQuery(connection, "SELECT current_setting('tdmcp.end', true)", "ROLLBACK");
      assert.deepEqual(after.rows, [[""]], "the ROLLBACK in endSql undid the setting");
    });
  },
});

Deno.test({
  name: "odbc patch 8: a failing endSql is reported, and a result that did not end leaves endSql to the caller",
  ignore: !uri,
  async fn() {
    await withConnection(async (connection) => {
      assert.equal((await pointQuery(connection, "SELECT 1", "ROLLBACK; SELECT 1/0")).ended, "failed");
      await connection.query("ROLLBACK");
      const open = await pointQuery(connection, "SELECT generate_series(1, 5)", "ROLLBACK", 2);
      assert.equal(open.ended, undefined, "five rows in batches of two: the result had not ended");
      assert.equal(open.rows.length, 2);
    });
  },
});
