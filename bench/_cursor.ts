/**
 * Cursor reads for bench/rows.ts: a cursor opened with chosen bind limits,
 * read to the cap with its batches kept, and a cursor that replays kept
 * batches without the driver.
 * @module
 */
import { DATABASE_DEFAULTS } from "../connection/database.ts";
import { type OdbcBatch, type OdbcConnection, type OdbcCursor, takeFirstBatch } from "../connection/odbc.ts";

/** How a cursor binds and fetches. */
export interface Binding {
  fetchSize: number;
  /** Text columns are bound this many characters wide at most. */
  maxBoundChars: number;
  /** Fewer rows per fetch when a row's bound buffers would pass this many bytes. */
  maxBoundBytes: number;
}

/** tdmcp's defaults (connection/database.ts) for a 1,000-row cap; `maxBoundBytes` as the driver caps it. */
export function defaultBinding(fetchBytes: number): Binding {
  return {
    fetchSize: Math.min(DATABASE_DEFAULTS.fetchSize, 1001),
    maxBoundChars: DATABASE_DEFAULTS.maxCellChars + 1,
    maxBoundBytes: fetchBytes,
  };
}

/** Opens a cursor as Database.query does (first fetch with the execute), with `binding`. */
export function openCursor(c: OdbcConnection, sql: string, binding: Binding): Promise<OdbcCursor> {
  return c.query(sql, null, { cursor: true, timeout: 31, firstFetch: true, ...binding }) as Promise<OdbcCursor>;
}

/** Reads `sql` through a cursor until the driver has no more rows or more than `cap` rows came; returns the batches. */
export async function readBatches(c: OdbcConnection, sql: string, binding: Binding, cap = 1000): Promise<OdbcBatch[]> {
  const cursor = await openCursor(c, sql, binding);
  const batches: OdbcBatch[] = [];
  try {
    let batch = takeFirstBatch(cursor) ?? await cursor.fetch();
    batches.push(batch);
    let count = batch.length;
    while (!cursor.noData && batch.length > 0 && count <= cap) {
      batch = await cursor.fetch();
      batches.push(batch);
      count += batch.length;
    }
  } finally {
    await cursor.close();
  }
  return batches;
}

/** A cursor that hands out kept batches (no driver, no addon). */
export function replay(batches: readonly OdbcBatch[]): OdbcCursor {
  let next = 0;
  return {
    get noData() {
      return next >= batches.length;
    },
    fetch: () => Promise.resolve(batches[next++] ?? []),
    close: () => Promise.resolve(),
  };
}
