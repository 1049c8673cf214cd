import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { batchedSink } from "../../server/log_sink.ts";

function record(message: string): LogRecord {
  return {
    category: ["tdmcp"],
    level: "info",
    message: [message],
    rawMessage: message,
    timestamp: Date.now(),
    properties: {},
  };
}

const format = (r: LogRecord) => `${r.message.join("")}\n`;

/** A stream stand-in that keeps what it was given. */
function collect(writes: string[]): (bytes: Uint8Array) => Promise<void> {
  return (bytes) => {
    writes.push(new TextDecoder().decode(bytes));
    return Promise.resolve();
  };
}

Deno.test("the batched log sink writes records in order, several per write, and disposal writes the rest", async () => {
  const writes: string[] = [];
  const sink = batchedSink(
    collect(writes),
    format,
    { flushMs: 5, batchRecords: 4, maxQueued: 100, disposeWaitMs: 1_000 },
  );
  for (let i = 0; i < 10; i++) sink(record(`line ${i}`));
  await new Promise((r) => setTimeout(r, 30));
  sink(record("line 10"));
  await sink[Symbol.asyncDispose]();
  sink(record("after disposal"));
  const text = writes.join("");
  assert.equal(text, Array.from({ length: 11 }, (_, i) => `line ${i}\n`).join(""));
  assert.ok(writes.length >= 3 && writes.length < 11, `${writes.length} writes`);
});

Deno.test("the batched log sink holds a bounded number of records while its stream is blocked, and says how many it dropped", async () => {
  const writes: string[] = [];
  const { promise: unblocked, resolve: unblock } = Promise.withResolvers<void>();
  let first = true;
  const sink = batchedSink(
    async (bytes) => {
      if (first) {
        first = false;
        await unblocked;
      }
      writes.push(new TextDecoder().decode(bytes));
    },
    format,
    { flushMs: 1, batchRecords: 5, maxQueued: 20, disposeWaitMs: 1_000 },
  );
  for (let i = 0; i < 50; i++) sink(record(`r${i}`));
  unblock();
  await sink[Symbol.asyncDispose]();
  const lines = writes.join("").trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 20), Array.from({ length: 20 }, (_, i) => `r${i}`));
  assert.equal(lines.at(-1), "30 log records dropped: the log stream was not being read");
  assert.equal(lines.length, 21);
});

Deno.test("a record that cannot be formatted becomes a line saying so; a failing stream does not throw", async () => {
  const writes: string[] = [];
  const sink = batchedSink(collect(writes), (r) => {
    if (r.rawMessage === "bad") throw new Error("no format");
    return format(r);
  }, { flushMs: 1, batchRecords: 10, maxQueued: 100, disposeWaitMs: 1_000 });
  sink(record("good"));
  sink(record("bad"));
  await sink[Symbol.asyncDispose]();
  assert.equal(writes.join(""), "good\nlog record could not be formatted: no format\n");

  const failing = batchedSink(() => Promise.reject(new Error("closed")), format);
  failing(record("lost"));
  await failing[Symbol.asyncDispose]();
});

Deno.test("flushSync writes what is queued at once through the synchronous writer (a dying process)", () => {
  const asynchronous: string[] = [];
  const synchronous: string[] = [];
  const sink = batchedSink(
    collect(asynchronous),
    format,
    { flushMs: 60_000, batchRecords: 100, maxQueued: 100, disposeWaitMs: 1_000 },
    (b) => {
      synchronous.push(new TextDecoder().decode(b));
    },
  );
  sink(record("last words"));
  sink(record("before the crash"));
  sink.flushSync();
  sink.flushSync(); // nothing left: no second write
  assert.deepEqual(synchronous, ["last words\nbefore the crash\n"]);
  assert.deepEqual(asynchronous, []);
});

Deno.test("disposal does not wait forever for a stream nobody reads", async () => {
  const sink = batchedSink(() => new Promise(() => {}), format, {
    flushMs: 1,
    batchRecords: 10,
    maxQueued: 100,
    disposeWaitMs: 50,
  });
  sink(record("stuck"));
  const started = performance.now();
  await sink[Symbol.asyncDispose]();
  const waited = performance.now() - started;
  assert.ok(waited >= 40 && waited < 2_000, `waited ${waited} ms`);
});
