/**
 * Addon patch 11's `declareFetch` and its use by the Database on PostgreSQL: a read whose row cap fits one psqlODBC
 * batch runs without a server-side cursor (one round trip), a larger cap keeps the cursor, and the connection gets its
 * own setting back after every statement. Seen from PostgreSQL itself: `pg_cursors` lists the statement's own cursor.
 * @module
 */
import assert from "node:assert/strict";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { demoPostgresUri, testDatabase } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";

const OPEN_CURSORS = "SELECT count(*)::int AS n FROM pg_catalog.pg_cursors";

/** The open cursors a statement sees while it runs (its own, when it is read through one). */
async function cursorsSeen(connection: OdbcConnection, declareFetch?: boolean): Promise<number> {
  const options = {
    cursor: true as const,
    fetchSize: 10,
    firstFetch: true,
    ...(declareFetch === undefined ? {} : { declareFetch }),
  };
  const cursor = await connection.query(OPEN_CURSORS, null, options);
  try {
    const batch = cursor.odbcCursor?.firstBatch ?? await cursor.fetch();
    return Number(batch[0][0]);
  } finally {
    await cursor.close();
  }
}

Deno.test({
  name: "declareFetch: false reads without a server-side cursor, and the connection gets its setting back after it",
  ignore: !pgUri(),
  async fn() {
    const { connectionString } = parseDatabaseUri(pgUri()!, { streaming: true });
    const connection = await loadOdbc().connect(connectionString, 5);
    try {
      assert.equal(await cursorsSeen(connection), 1, "UseDeclareFetch=1: the statement's own cursor");
      assert.equal(await cursorsSeen(connection, false), 0, "no cursor");
      assert.equal(await cursorsSeen(connection), 1, "the connection's own setting is back");
      assert.equal(await cursorsSeen(connection, true), 1);
    } finally {
      await connection.close();
    }
  },
});

Deno.test({
  name: "postgres: a read whose cap fits one psqlODBC batch runs without a cursor; a larger cap keeps it",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
    const seen = async (maxRows?: number) => (await db.query(OPEN_CURSORS, { maxRows })).rows[0][0];
    assert.equal(await seen(), 0, "the default cap of 1,000");
    assert.equal(await seen(1000), 0);
    assert.equal(await seen(1001), 1, "more than one batch: read through the cursor");
    assert.equal(await seen(5), 0, "and without again on the same connection");
    // Rows past the cap stay uncomputed either way (LIMIT), and the values are the same.
    const sql = "SELECT g, repeat('x', g % 7) AS t FROM generate_series(1, 3000) AS s(g)";
    const small = await db.query(sql, { maxRows: 1000 });
    const large = await db.query(sql, { maxRows: 2000 });
    assert.deepEqual(large.rows.slice(0, 1000), small.rows);
    assert.equal(small.rows.length, 1000);
    assert.equal(large.rows.length, 2000);
    assert.ok(small.truncated && large.truncated);
  },
});
