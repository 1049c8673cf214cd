/**
 * Addon patch 10: the buffers a statement binds are freed with it, whatever the column's type (smallint and bigint
 * buffers leaked before), measured on a real PostgreSQL as the process's resident memory over many statements.
 * @module
 */
import assert from "node:assert/strict";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgUri } from "../_pg.ts";

const uri = pgUri();
const ROWS_PER_FETCH = 4000;
const STATEMENTS = 3000;

/** Runs `sql` as a cursor bound for ROWS_PER_FETCH rows, `times` times; returns the last batch. */
async function cursorReads(connection: OdbcConnection, sql: string, times: number): Promise<unknown[]> {
  let rows: unknown[] = [];
  for (let i = 0; i < times; i++) {
    const cursor = await connection.query(sql, null, { cursor: true, fetchSize: ROWS_PER_FETCH, firstFetch: true });
    try {
      rows = [...(cursor.odbcCursor?.firstBatch ?? await cursor.fetch())];
    } finally {
      await cursor.close();
    }
  }
  return rows;
}

Deno.test({
  name: "smallint and bigint columns give their bound buffers back after every statement",
  ignore: !uri,
  fn: async () => {
    const connection = await loadOdbc().connect(parseDatabaseUri(uri!, { streaming: true }).connectionString, 5);
    try {
      const sql = "SELECT 7::smallint AS s, 9007199254740993::bigint AS b, 3::smallint AS t";
      // Each statement binds 4,000 rows of 2 + 8 + 2 bytes: 48 KB; 3,000 statements leaking them held 153 MB
      // (measured with patches 01-09), 4.6 MB with patch 10.
      await cursorReads(connection, sql, 200);
      const before = Deno.memoryUsage().rss;
      const rows = await cursorReads(connection, sql, STATEMENTS);
      const grown = (Deno.memoryUsage().rss - before) / 2 ** 20;
      assert.deepEqual(rows, [[7, 9007199254740993n, 3]]);
      assert.ok(grown < 40, `resident memory grew ${grown.toFixed(1)} MB over ${STATEMENTS} statements`);
    } finally {
      await connection.close();
    }
  },
});
