/**
 * A LogTape sink that keeps log output off the path of a call: records are
 * queued as they are logged and written in one batch a few milliseconds
 * later (or once enough are waiting), formatted at that time. A tool call
 * then costs a queue push instead of formatting plus one stderr write per
 * line (measured in BENCHMARKS.md).
 * @module
 */
import type { LogRecord, Sink } from "@logtape/logtape";

/** A sink that must be disposed at shutdown: disposal writes what is still queued. */
export type BatchedSink = Sink & AsyncDisposable & {
  /** Writes what is queued at once, synchronously (for a process that is about to die). */
  flushSync(): void;
};

/** How the batches are formed. */
export interface BatchOptions {
  /** Longest time a record waits before its batch is written. */
  flushMs: number;
  /** A batch is written at once when this many records wait. */
  batchRecords: number;
  /** Records waiting beyond this (the stream is not being read) are dropped and counted. */
  maxQueued: number;
  /** Disposal waits at most this long for the last writes (a stream nobody reads must not hold up an exit). */
  disposeWaitMs: number;
}

/** Defaults: at most 20 ms late, at most 10,000 records held while the stream is blocked, 2 s for the last writes. */
export const BATCH_DEFAULTS: BatchOptions = { flushMs: 20, batchRecords: 256, maxQueued: 10_000, disposeWaitMs: 2_000 };

/**
 * Queues records and writes them in batches through `write`, each record
 * turned into text by `format` (which should end it with a newline).
 */
export function batchedSink(
  write: (bytes: Uint8Array) => Promise<unknown>,
  format: (record: LogRecord) => string,
  options: BatchOptions = BATCH_DEFAULTS,
  writeSync: (bytes: Uint8Array) => void = () => {},
): BatchedSink {
  const encoder = new TextEncoder();
  let queue: LogRecord[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let disposed = false;

  /** Takes the queue and turns it into text. */
  const take = (): { text: string; count: number } | null => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 && dropped === 0) return null;
    const records = queue;
    const lost = dropped;
    queue = [];
    dropped = 0;
    let text = "";
    for (const record of records) {
      try {
        text += format(record);
      } catch (error) {
        text += `log record could not be formatted: ${error instanceof Error ? error.message : error}\n`;
      }
    }
    if (lost > 0) text += `${lost} log records dropped: the log stream was not being read\n`;
    return { text, count: records.length };
  };

  const flush = () => {
    const batch = take();
    if (batch === null) return;
    inFlight += batch.count;
    writing = writing
      .then(async () => {
        await write(encoder.encode(batch.text));
      })
      .catch(() => {}) // a closed stream must not take the server down
      .finally(() => {
        inFlight -= batch.count;
      });
  };

  const sink = (record: LogRecord) => {
    if (disposed) return;
    if (queue.length + inFlight >= options.maxQueued) {
      dropped++;
      return;
    }
    queue.push(record);
    if (queue.length >= options.batchRecords) flush();
    else timer ??= setTimeout(flush, options.flushMs);
  };
  return Object.assign(sink, {
    [Symbol.asyncDispose]: async () => {
      disposed = true;
      flush();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, options.disposeWaitMs));
      await Promise.race([writing, late]);
      clearTimeout(timer);
    },
    flushSync: () => {
      const batch = take();
      if (batch === null) return;
      try {
        writeSync(encoder.encode(batch.text));
      } catch {
        // the stream is gone; nothing else to do on the way out
      }
    },
  });
}
