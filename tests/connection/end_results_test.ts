/**
 * Addon patch 12's `endResults` and its use by the Database on PostgreSQL: a read without a server-side cursor carries
 * the call's end-of-call statement in its own message, the addon reads the results after the read's once the read has
 * been read to its end, and a read stopped before its end gets the end-of-call statement on its own. Seen from
 * PostgreSQL itself: the backend's last message (`pg_stat_activity.query`) and its transaction state.
 * @module
 */
import assert from "node:assert/strict";
import { loadOdbc, type OdbcConnection, takeFirstBatch } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { demoPostgresUri, testDatabase } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";

/** A connection readied as the Database readies one: read-only session, autocommit off. */
async function sessionLikeTdmcp(): Promise<OdbcConnection> {
  const { connectionString } = parseDatabaseUri(pgUri()!, { streaming: true });
  const connection = await loadOdbc().connect(connectionString, 5);
  await connection.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  await connection.beginTransaction();
  return connection;
}

/** The closing statements of these tests: end the transaction, then leave a mark only a run suffix leaves. */
const SUFFIX = "ROLLBACK; SELECT set_config('tdmcp.end_mark', 'ran', false)";

/** Whether the next statement starts a transaction of its own, and the mark the suffix left. */
async function after(connection: OdbcConnection): Promise<[string, string]> {
  const rows = await connection.query(
    "SELECT (now() = statement_timestamp())::text, coalesce(current_setting('tdmcp.end_mark', true), '')",
  );
  await connection.query("ROLLBACK; SELECT set_config('tdmcp.end_mark', '', false)");
  return [String(rows[0][0]), String(rows[0][1])];
}

/** Reads `read` as the Database reads without a cursor, its text followed by `suffix` of `count` statements. */
function withEnd(connection: OdbcConnection, read: string, fetchSize = 10, suffix = SUFFIX, count = 2) {
  return connection.query(`${read}\n;${suffix}`, null, {
    cursor: true,
    fetchSize,
    firstFetch: true,
    declareFetch: false,
    endResults: count,
  });
}

const series = (rows: number) => `SELECT g FROM generate_series(1, ${rows}) AS s(g)`;

Deno.test({
  name: "endResults: the suffix runs in the read's message and reports ok once the read has been read to its end",
  ignore: !pgUri(),
  async fn() {
    const connection = await sessionLikeTdmcp();
    try {
      // Ended in the fetch that rides with the execute.
      let cursor = await withEnd(connection, series(3));
      assert.deepEqual(takeFirstBatch(cursor)?.map((r) => r[0]), [1, 2, 3]);
      assert.equal(cursor.odbcCursor?.endSql, "ok");
      await cursor.close();
      assert.deepEqual(await after(connection), ["true", "ran"], "a new transaction, and the suffix ran");

      // Ended in a later fetch: reported by that fetch.
      cursor = await withEnd(connection, series(25));
      const seen = [...takeFirstBatch(cursor)!];
      assert.equal(cursor.odbcCursor?.endSql, undefined, "not read to its end yet");
      while (!cursor.noData) seen.push(...await cursor.fetch());
      assert.equal(seen.length, 25);
      assert.equal(cursor.odbcCursor?.endSql, "ok");
      await cursor.close();
      assert.deepEqual(await after(connection), ["true", "ran"]);

      // Closed before its end: not reported (the server ran the suffix all the same; the caller cannot know).
      cursor = await withEnd(connection, series(25));
      assert.equal(takeFirstBatch(cursor)?.length, 10);
      await cursor.close();
      assert.equal(cursor.odbcCursor, null);
      assert.deepEqual(await after(connection), ["true", "ran"]);
    } finally {
      await connection.close();
    }
  },
});

Deno.test({
  name: "endResults: a count of results other than the statement's says failed (a suffix cut or swallowed)",
  ignore: !pgUri(),
  async fn() {
    const connection = await sessionLikeTdmcp();
    try {
      for (const [count, expected] of [[1, "failed"], [2, "ok"], [3, "failed"]] as const) {
        const cursor = await withEnd(connection, "SELECT 1 AS one", 10, SUFFIX, count);
        assert.equal(cursor.odbcCursor?.endSql, expected, `${count} expected`);
        await cursor.close();
      }
      await assert.rejects(
        connection.query("SELECT 1", null, { cursor: true, fetchSize: 1, endResults: 0 }),
        /endResults must be a count/,
      );
    } finally {
      await connection.close();
    }
  },
});

Deno.test({
  name: "endResults: a suffix that fails fails the read, whose rows are never reported",
  ignore: !pgUri(),
  async fn() {
    const connection = await sessionLikeTdmcp();
    try {
      await assert.rejects(withEnd(connection, "SELECT 1 AS one", 10, "ROLLBACK; SELECT 1/0"));
    } finally {
      await connection.close();
    }
  },
});

/** The Database's one connection as PostgreSQL sees it between calls: its transaction state and last message. */
async function backend(pid: number): Promise<{ state: string; query: string }> {
  const { connectionString } = parseDatabaseUri(pgUri()!, {});
  const observer = await loadOdbc().connect(connectionString, 5);
  try {
    const rows = await observer.query(`SELECT state, query FROM pg_catalog.pg_stat_activity WHERE pid = ${pid}`);
    return { state: String(rows[0][0]), query: String(rows[0][1]) };
  } finally {
    await observer.close();
  }
}

Deno.test({
  name: "postgres: a read without a cursor ends its call in its own round trip; one stopped at its cap ends it after",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
    const pid = Number((await db.query("SELECT pg_backend_pid()")).rows[0][0]);
    const ends = (query: string) => /;ROLLBACK; DEALLOCATE ALL; SELECT pg_advisory_unlock_all\(\)/.test(query);

    // A point query: the read and the end-of-call statement were one message, and nothing followed it.
    const point = await db.query("SELECT 6*7 AS answer");
    assert.deepEqual(point.rows, [[42]]);
    let seen = await backend(pid);
    assert.equal(seen.state, "idle", "no transaction left open");
    assert.match(seen.query, /SELECT 6\*7 AS answer/);
    assert.ok(ends(seen.query), seen.query);

    // Read to its end over several fetches (fetch size 100): the same single message.
    const many = await db.query("SELECT g FROM generate_series(1, 450) AS s(g)");
    assert.equal(many.rows.length, 450);
    seen = await backend(pid);
    assert.equal(seen.state, "idle");
    assert.match(seen.query, /generate_series\(1, 450\)/);
    assert.ok(ends(seen.query), seen.query);

    // Cut at its cap within one fetch: the fetch binds one row more than the LIMIT, so it is seen to end there.
    const capped = await db.query("SELECT g FROM generate_series(1, 100) AS s(g)", { maxRows: 5 });
    assert.deepEqual(capped.rows.map((r) => r[0]), [1, 2, 3, 4, 5]);
    assert.ok(capped.truncated);
    seen = await backend(pid);
    assert.equal(seen.state, "idle");
    assert.ok(ends(seen.query), seen.query);

    // Stopped at its cap before the driver said the rows had ended (the cap and one more fill two fetches of 100):
    // the suffix's results were never read, so the end-of-call statement runs again on its own, after (psqlODBC opens
    // a transaction for it: the suffix ended the read's).
    const stopped = await db.query("SELECT g FROM generate_series(1, 1000) AS s(g)", { maxRows: 199 });
    assert.equal(stopped.rows.length, 199);
    assert.ok(stopped.truncated);
    seen = await backend(pid);
    assert.equal(seen.state, "idle");
    assert.match(seen.query, /^BEGIN;ROLLBACK; DEALLOCATE ALL; SELECT pg_advisory_unlock_all\(\)/);

    // Parameters keep the end-of-call statement apart (no multi-statement prepare).
    const [row] = (await db.query("SELECT ?::int + 1", { params: [41] })).rows;
    assert.deepEqual(row, [42]);
    seen = await backend(pid);
    assert.equal(seen.state, "idle");
    assert.match(seen.query, /^ROLLBACK; DEALLOCATE ALL/);
  },
});
