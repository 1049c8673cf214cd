// SQLite columns without a declared type, read by their values' storage classes (dialects/sqlite_storage.ts) through
// the real driver and readCursor, compared with typeof() as node:sqlite reads it.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { describeSql } from "../../connection/cut_postgres.ts";
import { SqliteStorage, storageClassSql, untyped } from "../../connection/dialects/sqlite_storage.ts";
import { readCursor } from "../../connection/fetch.ts";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { sqliteFixture } from "../_helpers.ts";

const BUDGET = { maxRows: 1_000, maxBytes: 1_000_000, maxCellChars: 100 };

async function fixture(): Promise<string> {
  return await sqliteFixture("storage_v1", () => [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, u, label TEXT)",
    "INSERT INTO t VALUES (1, 42, '42'), (2, 1.5, 'x'), (3, 'text', 'y'), (4, x'00ff', 'z'), (5, NULL, NULL)",
  ]);
}

/** Reads `sql` as the server would with storage classes: describe, rewrite, run, convert per column. */
async function read(connection: OdbcConnection, sql: string) {
  const columns = (await connection.query(describeSql(sql))).columns ?? [];
  const statement = storageClassSql(sql, columns);
  const cursor = await connection.query(statement ?? sql, null, {
    cursor: true,
    fetchSize: 100,
    firstFetch: true,
    maxBoundChars: BUDGET.maxCellChars + 1,
  });
  try {
    return await readCursor(cursor, { ...BUDGET, columns, storage: statement !== null }, performance.now());
  } finally {
    await cursor.close();
  }
}

async function withConnection<T>(path: string, fn: (c: OdbcConnection) => Promise<T>): Promise<T> {
  const target = parseDatabaseUri(`sqlite://${path}`, { streaming: true, readOnly: true });
  const connection = await loadOdbc().connect(target.connectionString, 5);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

Deno.test("sqlite: a computed column takes its type from its values' storage class: 6*7 is the number 42", async () => {
  await withConnection(await fixture(), async (connection) => {
    const r = await read(connection, "SELECT 6*7 AS a, 1.5*2 AS f, 'x' || 'y' AS s, count(*) AS n FROM t");
    assert.deepEqual(r.rows, [[42, 3, "xy", 5]]);
    assert.deepEqual(r.columns.map((c) => [c.type, c.json]), [
      ["INTEGER", "number"],
      ["REAL", "number"],
      ["TEXT", "string"],
      ["INTEGER", "number"],
    ]);
  });
});

Deno.test("sqlite: an untyped column holding every storage class is strings, as node:sqlite's typeof() says", async () => {
  const path = await fixture();
  const direct = new DatabaseSync(path, { readOnly: true });
  const classes = direct.prepare("SELECT typeof(u) AS c FROM t ORDER BY id").all().map((row) => row.c);
  direct.close();
  assert.deepEqual(classes, ["integer", "real", "text", "blob", "null"]);
  await withConnection(path, async (connection) => {
    const r = await read(connection, "SELECT id, u, label FROM t ORDER BY id");
    assert.deepEqual(r.rows.map((row) => row[1]), ["42", "1.5", "text", "AP8=", null]);
    assert.deepEqual(r.columns.map((c) => [c.name, c.type, c.json]), [
      ["id", "INTEGER", "number"],
      ["u", "ANY", "string"],
      ["label", "TEXT", "string"],
    ]);
    assert.equal(r.rows[0][2], "42", "a declared TEXT column's '42' stays text");
  });
});

Deno.test("sqlite: storage-class reading keeps exact integers, reals, long text cut at the budget, and what is not a query", async () => {
  await withConnection(await fixture(), async (connection) => {
    const big = await read(connection, "SELECT 9007199254740993 AS big UNION ALL SELECT 1");
    assert.deepEqual(big.rows, [["9007199254740993"], ["1"]]);
    assert.equal(big.columns[0].json, "string");
    const real = await read(connection, "SELECT 0.1 + 0.2 AS r");
    assert.deepEqual(real.rows, [[0.1 + 0.2]], "a real's every digit");
    const long = await read(connection, "SELECT printf('%.*c', 500, 'x') AS long");
    assert.equal(long.rows[0][0], `${"x".repeat(100)}…`);
    assert.equal(long.truncatedBy, "cells");
    assert.equal(
      storageClassSql("PRAGMA table_info(t)", [{
        name: "x",
        typeName: "varchar",
        dataTypeName: "SQL_VARCHAR",
        columnSize: 255,
        nullable: true,
      }]),
      null,
    );
    assert.ok(
      untyped({ name: "x", typeName: "varchar", dataTypeName: "SQL_VARCHAR", columnSize: 255, nullable: true }),
    );
  });
});

Deno.test("sqlite: a statement shape is described once, and forgotten when a run's typed column changes type", async () => {
  const storage = new SqliteStorage();
  const described: string[] = [];
  const columns = [
    { name: "id", typeName: "INTEGER", dataTypeName: "SQL_BIGINT", columnSize: 20, nullable: true },
    { name: "a", typeName: "varchar", dataTypeName: "SQL_VARCHAR", columnSize: 255, nullable: true },
  ];
  const describe = (sql: string) => {
    described.push(sql);
    return Promise.resolve(columns);
  };
  const first = await storage.plan("SELECT id, 6*7 AS a FROM t WHERE id = 1", describe);
  const planned = storage.plan("SELECT id, 6*7 AS a FROM t WHERE id = 2", describe);
  assert.ok(!(planned instanceof Promise), "a remembered shape is planned at once");
  const second = await planned;
  assert.equal(described.length, 1, "the same shape");
  assert.equal(first?.storage, true);
  assert.equal(second?.cached, true);
  assert.match(second!.statement, /CASE typeof\(tdmcp_q\."2"\)/);
  storage.check(second!, [{ ...columns[0], typeName: "TEXT" }, columns[1]]);
  await storage.plan("SELECT id, 6*7 AS a FROM t WHERE id = 3", describe);
  assert.equal(described.length, 2, "described again after a mismatch");
  assert.equal(await storage.plan("PRAGMA table_info(t)", describe), null);
});
