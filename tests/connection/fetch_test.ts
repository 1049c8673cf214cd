/**
 * `readCursor` over real ODBC cursors (the demo SQLite database and the test PostgreSQL cluster): the row, byte and
 * cell budgets, what leaves the driver, cuts made by the addon, the abort signal, and the result's shape.
 * @module
 */
import assert from "node:assert/strict";
import { type ReadBudget, readCursor, ReaderCache } from "../../connection/fetch.ts";
import {
  ColumnTexts,
  type CursorOptions,
  loadOdbc,
  type OdbcBatch,
  type OdbcConnection,
  type OdbcCursor,
} from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import type { Cell } from "../../connection/types.ts";
import { demoSqlitePath } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";

const pg = pgUri();
const BUDGET: ReadBudget = { maxRows: 1_000, maxBytes: 1_000_000, maxCellChars: 10_000 };

/** Opens a connection to the demo SQLite database (read-only, statements stepped lazily, as the server does). */
async function sqlite(): Promise<OdbcConnection> {
  const target = parseDatabaseUri(`sqlite://${await demoSqlitePath()}`, { streaming: true, readOnly: true });
  return await loadOdbc().connect(target.connectionString, 5);
}

async function postgres(): Promise<OdbcConnection> {
  return await loadOdbc().connect(parseDatabaseUri(pg!, { fetchRows: 100 }).connectionString, 5);
}

/** A real cursor, watched: counts the rows that left the driver (first batch included) and the fetch calls. */
async function watchedCursor(connection: OdbcConnection, sql: string, options: Partial<CursorOptions> = {}) {
  const cursor = await connection.query(sql, null, { cursor: true, fetchSize: 100, ...options });
  const seen = { rows: cursor.odbcCursor?.firstBatch?.length ?? 0, fetches: 0 };
  const watched: OdbcCursor & { seen: typeof seen } = {
    seen,
    get noData() {
      return cursor.noData;
    },
    get odbcCursor() {
      return cursor.odbcCursor;
    },
    async fetch(): Promise<OdbcBatch> {
      seen.fetches++;
      const batch = await cursor.fetch();
      seen.rows += batch.length;
      return batch;
    },
    close: () => cursor.close(),
  };
  return watched;
}

/** Reads `sql` through a cursor with `budget` and closes it. */
async function read(
  connection: OdbcConnection,
  sql: string,
  budget: Partial<ReadBudget> = {},
  options: Partial<CursorOptions> = {},
) {
  const cursor = await watchedCursor(connection, sql, options);
  try {
    const result = await readCursor(cursor, { ...BUDGET, ...budget }, performance.now());
    return { ...result, seen: cursor.seen };
  } finally {
    await cursor.close();
  }
}

const jsonBytes = (rows: Cell[][]) => new TextEncoder().encode(JSON.stringify(rows)).length;

Deno.test("readCursor stops at maxRows on a million-row table: at most maxRows + 1 rows leave the driver", async () => {
  const connection = await sqlite();
  try {
    const sql = "SELECT id, payload, amount FROM big ORDER BY id";
    for (const firstFetch of [false, true]) {
      const result = await read(connection, sql, { maxRows: 10 }, { fetchSize: 11, firstFetch });
      assert.deepEqual(result.rows.slice(0, 2), [[1, "row 1", 0.5], [2, "row 2", 1]]);
      assert.deepEqual(result.rows.map((r) => r[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(result.rowCount, 10);
      assert.equal(result.truncated, true);
      assert.equal(result.truncatedBy, "rows");
      assert.equal(result.seen.rows, 11, `firstFetch ${firstFetch}: one batch of maxRows + 1`);
    }
    const small = await read(connection, sql, { maxRows: 10 }, { fetchSize: 3 });
    assert.equal(small.rowCount, 10);
    assert.equal(small.seen.rows, 12, "batches of 3 until the eleventh row was seen, no further");
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor: a result of exactly maxRows rows is whole, not truncated, whatever the batch size", async () => {
  const connection = await sqlite();
  try {
    for (const fetchSize of [1, 5, 10, 11, 100]) {
      const result = await read(connection, "SELECT id FROM big WHERE id <= 10 ORDER BY id", { maxRows: 10 }, {
        fetchSize,
      });
      assert.equal(result.rowCount, 10, `fetchSize ${fetchSize}`);
      assert.equal(result.truncated, false, `fetchSize ${fetchSize}`);
      assert.equal(result.truncatedBy, null);
    }
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor: an empty result still describes its columns; nothing is cut or truncated", async () => {
  const connection = await sqlite();
  try {
    let cuts = 0;
    const result = await read(connection, "SELECT id, payload, amount FROM big WHERE id < 0", {
      onCutValues: () => cuts++,
    });
    assert.deepEqual(result.columns, [
      { name: "id", type: "INTEGER", nullable: true, json: "number" },
      { name: "payload", type: "TEXT", nullable: true, json: "string" },
      { name: "amount", type: "REAL", nullable: true, json: "number" },
    ]);
    assert.deepEqual(result.rows, []);
    assert.equal(result.truncated, false);
    assert.equal(cuts, 0, "onCutValues is only called when the driver or addon cut something");
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor keeps the rows' JSON within maxBytes to the byte, escapes and multibyte text included", async () => {
  const connection = await sqlite();
  try {
    // Quotes, a control character and 'é' make the JSON size differ from the text's length.
    const sql = "SELECT id, payload || ' \"é' || char(1) AS text FROM big WHERE id <= 40 ORDER BY id";
    const whole = await read(connection, sql);
    assert.equal(whole.rowCount, 40);
    for (const n of [1, 7, 25]) {
      const size = jsonBytes(whole.rows.slice(0, n));
      const fits = await read(connection, sql, { maxBytes: size }, { fetchSize: 4 });
      assert.equal(fits.rowCount, n, `exactly ${size} bytes hold ${n} rows`);
      assert.equal(fits.truncatedBy, "bytes");
      assert.deepEqual(fits.rows, whole.rows.slice(0, n));
      const short = await read(connection, sql, { maxBytes: size - 1 }, { fetchSize: 4 });
      assert.equal(short.rowCount, n - 1, `one byte less holds ${n - 1}`);
      assert.ok(jsonBytes(short.rows) <= size - 1);
    }
    const all = await read(connection, sql, { maxBytes: jsonBytes(whole.rows) });
    assert.equal(all.truncated, false, "a budget of exactly the whole result truncates nothing");
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor cuts text cells longer than maxCellChars with '…' and says so; shorter ones stay", async () => {
  const connection = await sqlite();
  try {
    const result = await read(
      connection,
      "SELECT 'abcdefghij' AS long, 'abcde' AS fits, id, NULL AS missing FROM big WHERE id = 42",
      {
        maxCellChars: 5,
      },
    );
    assert.deepEqual(result.rows, [["abcde…", "abcde", 42, null]]);
    assert.equal(result.truncated, true);
    assert.equal(result.truncatedBy, "cells");
    const capped = await read(connection, "SELECT payload FROM big ORDER BY id", { maxRows: 3, maxCellChars: 2 }, {
      fetchSize: 4,
    });
    assert.deepEqual(capped.rows, [["ro…"], ["ro…"], ["ro…"]]);
    assert.equal(capped.truncatedBy, "rows", "a row cap is reported over cut cells");
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor marks values the addon cut while fetching, even below maxCellChars, and reports the largest", async () => {
  const connection = await sqlite();
  try {
    const largest: number[] = [];
    // maxBoundChars 6 gives the addon a budget of 24 bytes of UTF-8 per value.
    const result = await read(
      connection,
      "SELECT replace(hex(zeroblob(50)), '0', 'x') AS t, 'short' AS s",
      { maxCellChars: 1_000, onCutValues: (bytes) => largest.push(bytes) },
      { maxBoundChars: 6, firstFetch: true },
    );
    const [cut, short] = result.rows[0] as string[];
    assert.match(cut, /^x+…$/, "the addon's cut is marked");
    assert.ok(cut.length < 100);
    assert.equal(short, "short");
    assert.equal(result.truncatedBy, "cells");
    assert.deepEqual(largest, [100], "called once, with the database value's size in bytes");
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor checks the signal before every fetch: an abort between batches ends the read", async () => {
  const connection = await sqlite();
  try {
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));
    const early = await watchedCursor(connection, "SELECT id FROM big", { fetchSize: 5 });
    await assert.rejects(readCursor(early, { ...BUDGET, signal: controller.signal }, 0), /caller gave up/);
    assert.equal(early.seen.fetches, 0, "nothing was fetched after the abort");
    await early.close();

    const later = new AbortController();
    const cursor = await watchedCursor(connection, "SELECT id FROM big", { fetchSize: 5 });
    const fetch = cursor.fetch;
    cursor.fetch = async () => {
      const batch = await fetch();
      if (cursor.seen.fetches === 2) later.abort(new Error("stopped after two batches"));
      return batch;
    };
    await assert.rejects(readCursor(cursor, { ...BUDGET, signal: later.signal }, 0), /stopped after two batches/);
    assert.equal(cursor.seen.fetches, 2);
    await cursor.close();
  } finally {
    await connection.close();
  }
});

Deno.test("readCursor: elapsedMs counts from the given start, rounded to hundredths", async () => {
  const connection = await sqlite();
  try {
    const cursor = await connection.query("SELECT 1", null, { cursor: true, fetchSize: 2 });
    const result = await readCursor(cursor, BUDGET, performance.now() - 1_234.5678);
    await cursor.close();
    assert.ok(result.elapsedMs >= 1_234.56, String(result.elapsedMs));
    assert.equal(Math.round(result.elapsedMs * 100) / 100, result.elapsedMs);
  } finally {
    await connection.close();
  }
});

Deno.test({
  name: "readCursor on PostgreSQL: row cap over generate_series, exact byte budget, and cut values reported once",
  ignore: !pg,
  async fn() {
    const connection = await postgres();
    try {
      const rows = await read(connection, "SELECT g, 'row ' || g AS payload FROM generate_series(1, 1000000) g", {
        maxRows: 10,
      }, { fetchSize: 11 });
      assert.deepEqual(rows.rows.at(-1), [10, "row 10"]);
      assert.equal(rows.truncatedBy, "rows");
      assert.equal(rows.seen.rows, 11);
      assert.deepEqual(rows.columns.map((c) => c.name), ["g", "payload"]);

      const sql = "SELECT g, 'é\"' || repeat('x', g) AS text FROM generate_series(1, 30) g";
      const whole = await read(connection, sql);
      const size = jsonBytes(whole.rows.slice(0, 12));
      const fits = await read(connection, sql, { maxBytes: size }, { fetchSize: 5 });
      assert.equal(fits.rowCount, 12);
      assert.equal(fits.truncatedBy, "bytes");

      // Values of 1,000 to 5,000 bytes over three batches; the addon keeps 10 characters of each.
      const largest: number[] = [];
      const cut = await read(
        connection,
        "SELECT repeat('x', g * 1000) AS t FROM generate_series(1, 5) g",
        { maxCellChars: 10, onCutValues: (bytes) => largest.push(bytes) },
        { fetchSize: 2, maxBoundChars: 11 },
      );
      assert.deepEqual(cut.rows, Array.from({ length: 5 }, () => [`${"x".repeat(10)}…`]));
      assert.equal(cut.truncatedBy, "cells");
      assert.deepEqual(largest, [5_000], "one call, with the largest value of all batches");
    } finally {
      await connection.close();
    }
  },
});

Deno.test({
  name:
    "readCursor with remembered readers: the same columns and values as fresh ones, a column turned to text stays in its own result, and results share no column objects",
  ignore: !pg,
  async fn() {
    const connection = await postgres();
    try {
      const readers = new ReaderCache();
      const columnTexts = new ColumnTexts();
      const options = { columnsText: true, firstFetch: true };
      const sql = (big: string) =>
        `SELECT v::numeric(38,0) AS n, v || 'x' AS t, now()::timestamp(3) AS at, true AS b FROM (VALUES ('1'), ('${big}')) AS q(v)`;
      // The second value does not fit a JSON number: the column becomes text in that result only.
      const fresh = await read(connection, sql("12345678901234567890"), {}, options);
      const misfit = await read(connection, sql("12345678901234567890"), { readers, columnTexts }, options);
      const fits = await read(connection, sql("2"), { readers, columnTexts }, options);
      const again = await read(connection, sql("2"), { readers, columnTexts }, options);
      assert.deepEqual(misfit.columns, fresh.columns);
      assert.deepEqual(misfit.rows.map((r) => r[0]), ["1", "12345678901234567890"]);
      assert.equal(misfit.columns[0].json, "string");
      assert.deepEqual(fits.rows.map((r) => r[0]), [1, 2]);
      assert.equal(fits.columns[0].json, "number");
      assert.deepEqual(fits.columns.map((c) => c.type), [
        "NUMERIC(38,0)",
        "TEXT",
        "TIMESTAMP(3) WITHOUT TIME ZONE",
        "BOOLEAN",
      ]);
      fits.columns[0].name = "changed by a caller";
      assert.equal(again.columns[0].name, "n");
      assert.notEqual(again.columns[1], fits.columns[1]);
    } finally {
      await connection.close();
    }
  },
});
