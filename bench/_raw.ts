/**
 * The floor: the point query through npm:odbc alone, in this process, on a
 * small pool of connections opened with exactly the connection string tdmcp's
 * `Database` uses. No server, no MCP, no guard, no JSON.
 * @module
 */
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

  private constructor(connections: OdbcConnection[]) {
    this.#all = connections;
    this.#free = [...connections];
  }

  /** Opens `size` connections to `uri` (read-only and streaming, as tdmcp opens them). */
  static async open(uri: string, size: number): Promise<RawPool> {
    const { connectionString } = parseDatabaseUri(uri, { readOnly: true, streaming: true });
    const odbc = loadOdbc();
    return new RawPool(await Promise.all(Array.from({ length: size }, () => odbc.connect(connectionString, 10))));
  }

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

  async close(): Promise<void> {
    await Promise.all(this.#all.map((c) => c.close().catch(() => {})));
  }
}

/**
 * Runs `calls` point queries (`sql(n)` returns one row) at `concurrency`:
 * `query` is a plain `query()` (the fastest call the addon has); `cursor`
 * makes the same driver calls tdmcp makes (a cursor with fetch size 100 whose
 * first fetch runs with the execute, `firstFetch` of tdmcp's addon patch, then
 * close).
 */
export async function rawPointLoad(
  pool: RawPool,
  mode: RawMode,
  concurrency: number,
  warmup: number,
  calls: number,
  sql: (n: number) => string,
): Promise<LoadSample> {
  return await closedLoop(concurrency, warmup, calls, async (_, n) => {
    const rows = await pool.use(async (c) => {
      if (mode === "query") return (await c.query(sql(n))).length;
      const cursor = await c.query(sql(n), null, { cursor: true, fetchSize: 100, timeout: 31, firstFetch: true });
      try {
        let batch = takeFirstBatch(cursor) ?? await cursor.fetch();
        let count = batch.length;
        while (!cursor.noData && batch.length > 0) {
          batch = await cursor.fetch();
          count += batch.length;
        }
        return count;
      } finally {
        await cursor.close();
      }
    });
    if (rows !== 1) throw new Error(`raw ${mode}: expected 1 row, got ${rows}`);
  });
}
