/**
 * Addon patch 9's `columnsText`: a result describes its columns in one string, which `ColumnTexts` reads into the very
 * descriptions the addon's `columns` objects give (real SQLite and PostgreSQL), once per distinct text.
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ColumnTexts, loadOdbc, type OdbcBatch, type OdbcConnection, parseColumnsText } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgUri } from "../_pg.ts";

const uri = pgUri();

async function withConnection(target: string, fn: (connection: OdbcConnection) => Promise<void>): Promise<void> {
  const connection = await loadOdbc().connect(parseDatabaseUri(target, { streaming: true }).connectionString, 5);
  try {
    await fn(connection);
  } finally {
    await connection.close();
  }
}

/** Every batch of a cursor read of `sql` (2 rows per fetch), with or without `columnsText`. */
async function batches(connection: OdbcConnection, sql: string, columnsText: boolean): Promise<OdbcBatch[]> {
  const cursor = await connection.query(sql, null, { cursor: true, fetchSize: 2, firstFetch: true, columnsText });
  const out: OdbcBatch[] = [];
  try {
    const first = cursor.odbcCursor?.firstBatch;
    if (first) out.push(first);
    while (!cursor.noData) {
      const batch = await cursor.fetch();
      if (batch.length === 0) break;
      out.push(batch);
    }
  } finally {
    await cursor.close();
  }
  return out;
}

/** Reads `sql` both ways and checks that every batch's text describes exactly what the objects do. */
async function sameDescription(connection: OdbcConnection, sql: string): Promise<void> {
  const objects = await batches(connection, sql, false);
  const texts = await batches(connection, sql, true);
  assert.equal(texts.length, objects.length);
  assert.ok(objects.length > 1, "the read takes more than one fetch");
  const memo = new ColumnTexts();
  for (let i = 0; i < texts.length; i++) {
    assert.equal(texts[i].columns, undefined);
    assert.equal(typeof texts[i].columnsText, "string");
    assert.deepEqual(memo.of(texts[i]), objects[i].columns);
    assert.deepEqual([...texts[i]], [...objects[i]], "the rows are the same");
  }
  assert.equal(memo.of(texts[1]), memo.of(texts[0]), "one description for the same text");
}

Deno.test("columnsText describes SQLite's columns exactly as the column objects do, in every batch", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // tdmcp opens SQLite read-only: the table is made beforehand.
    const file = new DatabaseSync(`${dir}/t.db`);
    file.exec("CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR(20), price DECIMAL(10,2), raw BLOB)");
    file.exec("INSERT INTO t VALUES (1, 'a', 1.5, x'00'), (2, 'b', NULL, NULL), (3, 'ç', 2, x'ff')");
    file.close();
    await withConnection(`sqlite://${dir}/t.db`, async (connection) => {
      await sameDescription(connection, "SELECT * FROM t");
      await sameDescription(connection, `SELECT id AS "a, b", name AS "ünï ""q""", 6*7 AS n, NULL AS none FROM t`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "columnsText describes PostgreSQL's columns exactly as the column objects do, type names included",
  ignore: !uri,
  async fn() {
    await withConnection(uri!, async (connection) => {
      await sameDescription(
        connection,
        `SELECT g AS "a, b", 'é'::varchar(7) AS "ünï ""q""", g::numeric(38,2) AS n, '2024-01-02 03:04:05.5+02'::timestamptz AS at, true AS b,
         NULL::int8 AS nothing, '\\x00'::bytea AS raw FROM generate_series(1, 5) AS g`,
      );
    });
  },
});

Deno.test("ColumnTexts reads each distinct text once, keeps at most its limit and passes column objects through", () => {
  const text = (name: string) => `${name}\x004\x00SQL_INTEGER\x00int4\x0010\x000\x001\x00`;
  const memo = new ColumnTexts(2);
  const a = memo.of(Object.assign([], { columnsText: text("a") }));
  assert.deepEqual(a, [{
    name: "a",
    dataType: 4,
    dataTypeName: "SQL_INTEGER",
    typeName: "int4",
    columnSize: 10,
    decimalDigits: 0,
    nullable: true,
  }]);
  assert.equal(memo.of(Object.assign([], { columnsText: text("a") })), a);
  memo.of(Object.assign([], { columnsText: text("b") }));
  memo.of(Object.assign([], { columnsText: text("c") }));
  assert.notEqual(memo.of(Object.assign([], { columnsText: text("a") })), a, "the oldest text was forgotten");
  assert.ok(Object.isFrozen(a![0]), "shared descriptions cannot be changed by a reader");
  const columns = [{ name: "x", dataTypeName: "SQL_VARCHAR", columnSize: 5, nullable: false }];
  assert.equal(memo.of(Object.assign([], { columns })), columns);
  assert.equal(memo.of(undefined), undefined);
  assert.deepEqual(parseColumnsText(""), []);
});
