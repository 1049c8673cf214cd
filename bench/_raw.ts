/**
 * The floor: the point query through npm:odbc alone, in this process, on a
 * small pool of connections opened with exactly the connection string tdmcp's
 * `Database` uses. No server, no MCP, no guard, no JSON.
 * @module
 */
import { DATABASE_DEFAULTS } from "../connection/database.ts";
import { loadOdbc, type OdbcConnection, takeFirstBatch } from "../connection/odbc.ts";
import { parseDatabaseUri } from "../connection/uri.ts";
import { closedLoop, type LoadSample } from "./_stats.ts";

/** How a raw call reads its row. */
export type RawMode = "query" | "cursor";

/** A fixed set of open connections handed out from a free list. */
export class RawPool {
  readonly #free: OdbcConnection[];
  readonly #all: OdbcConnection[];
  readonly #waiters: ((c: OdbcConnection) => void)[] = [];
  /** Bytes of bound buffers per fetch, as tdmcp's `Database` caps them for this driver. */
  readonly fetchBytes: number;

  private constructor(connections: OdbcConnection[], fetchBytes: number) {
    this.#all = connections;
    this.#free = [...connections];
    this.fetchBytes = fetchBytes;
  }

  /** Opens `size` connections to `uri` (read-only and streaming, as tdmcp opens them). */
  static async open(uri: string, size: number): Promise<RawPool> {
    const { connectionString, fetchBytes } = parseDatabaseUri(uri, { readOnly: true, streaming: true });
    const odbc = loadOdbc();
    const connections = await Promise.all(Array.from({ length: size }, () => odbc.connect(connectionString, 10)));
    return new RawPool(connections, Math.min(DATABASE_DEFAULTS.fetchBytes, fetchBytes ?? Infinity));
  }

  /** Runs `fn` on a free connection (waiting for one). */
  async use<T>(fn: (c: OdbcConnection) => Promise<T>): Promise<T> {
    const connection = this.#free.pop() ?? await new Promise<OdbcConnection>((r) => this.#waiters.push(r));
    try {
      return await fn(connection);
    } finally {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(connection);
      else this.#free.push(connection);
    }
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.#all.map((c) => c.close().catch(() => {})));
  }
}

/**
 * Reads at most `cap` + 1 rows of `sql` with the driver calls tdmcp makes with
 * its defaults: a cursor with fetch size 100 whose first fetch runs with the
 * execute (`firstFetch` of tdmcp's addon patch), text bound at most
 * `maxCellChars` + 1 characters wide and `fetchBytes` per fetch, further
 * fetches until the driver has no more data or the cap is passed, then close.
 * Returns the rows read.
 */
export async function cursorRead(c: OdbcConnection, sql: string, fetchBytes: number, cap = 1000): Promise<number> {
  const cursor = await c.query(sql, null, {
    cursor: true,
    fetchSize: Math.min(DATABASE_DEFAULTS.fetchSize, cap + 1),
    timeout: 31,
    firstFetch: true,
    maxBoundChars: DATABASE_DEFAULTS.maxCellChars + 1,
    maxBoundBytes: fetchBytes,
  });
  try {
    let batch = takeFirstBatch(cursor) ?? await cursor.fetch();
    let count = batch.length;
    while (!cursor.noData && batch.length > 0 && count <= cap) {
      batch = await cursor.fetch();
      count += batch.length;
    }
    return count;
  } finally {
    await cursor.close();
  }
}

/**
 * Runs `calls` point queries (`sql(n)` returns one row) at `concurrency`:
 * `query` is a plain `query()` (the fastest call the addon has); `cursor`
 * makes the same driver calls tdmcp makes (`cursorRead`). `cpu` as in
 * `closedLoop`.
 */
export async function rawPointLoad(
  pool: RawPool,
  mode: RawMode,
  concurrency: number,
  warmup: number,
  calls: number,
  sql: (n: number) => string,
  cpu?: () => number,
): Promise<LoadSample> {
  return await closedLoop(concurrency, warmup, calls, async (_, n) => {
    const rows = await pool.use(async (c) =>
      mode === "query" ? (await c.query(sql(n))).length : cursorRead(c, sql(n), pool.fetchBytes)
    );
    if (rows !== 1) throw new Error(`raw ${mode}: expected 1 row, got ${rows}`);
  }, cpu);
}

/**
 * Reads `sql` (`rows` rows, at most the 1,000-row cap) through the raw cursor
 * `calls` times, one after another (as the capped SELECT calls tdmcp); `cpu`
 * as in `closedLoop`.
 */
export async function rawReadLoad(
  pool: RawPool,
  sql: string,
  rows: number,
  warmup: number,
  calls: number,
  cpu?: () => number,
): Promise<LoadSample> {
  return await closedLoop(1, warmup, calls, async () => {
    const got = await pool.use((c) => cursorRead(c, sql, pool.fetchBytes));
    if (got !== rows) throw new Error(`raw cursor: ${sql}: expected ${rows} rows, got ${got}`);
  }, cpu);
}
