// The pool's rule for logons: until one open has succeeded (at first, and
// again after any failed open) opens run one at a time, and callers waiting
// for that open share its failure instead of trying their own.
import assert from "node:assert/strict";
import { Pool } from "../../connection/pool.ts";

class Conn {
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A pool whose opens fail while `refuse` is set; `opens` counts every attempt. */
function pool(maxSize: number) {
  const state = { refuse: true, opens: 0, inFlight: 0, mostInFlight: 0, log: [] as string[] };
  const p = new Pool<Conn>({
    maxSize,
    healthAfterMs: 60_000,
    check: () => Promise.resolve(true),
    open: async () => {
      state.opens++;
      state.inFlight++;
      state.log.push("start");
      state.mostInFlight = Math.max(state.mostInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.inFlight--;
      state.log.push("end");
      if (state.refuse) throw new Error("password authentication failed");
      return new Conn();
    },
  });
  return { p, state };
}

Deno.test("pool: five callers arriving while the first open fails make one attempt and all get its error", async () => {
  const { p, state } = pool(8);
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => p.acquire()));
  assert.equal(state.opens, 1, "one open for five callers");
  for (const o of outcomes) {
    assert.equal(o.status, "rejected");
    assert.match(String((o as PromiseRejectedResult).reason), /password authentication failed/);
  }
  // The next caller tries again (the pool does not retry by itself, nor does it refuse for ever).
  await assert.rejects(p.acquire(), /password authentication failed/);
  assert.equal(state.opens, 2);
  await p.close();
});

Deno.test("pool: once an open succeeded, opens run in parallel again; after a failed one, one at a time", async () => {
  const { p, state } = pool(8);
  state.refuse = false;
  const first = await Promise.all(Array.from({ length: 4 }, () => p.acquire()));
  assert.equal(state.opens, 4);
  assert.deepEqual(state.log.slice(0, 2), ["start", "end"], "the first open ran alone; the others waited for it");
  assert.equal(state.mostInFlight, 3, "then the three others opened at once");
  state.mostInFlight = 0;
  const more = await Promise.all(Array.from({ length: 3 }, () => p.acquire()));
  assert.equal(state.mostInFlight, 3, "with a proven logon, three opens ran at once");
  for (const lease of [...first, ...more]) await p.release(lease.connection, { discard: true });
  state.refuse = true;
  state.opens = 0;
  await assert.rejects(p.acquire(), /password authentication failed/);
  const after = await Promise.allSettled(Array.from({ length: 3 }, () => p.acquire()));
  assert.equal(state.opens, 2, "after a failed open the next three callers shared one attempt");
  assert.ok(after.every((o) => o.status === "rejected"));
  await p.close();
});

Deno.test("pool: a caller waiting for another's open stops waiting when its own signal aborts", async () => {
  let opens = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const slow = new Pool<Conn>({
    maxSize: 4,
    healthAfterMs: 60_000,
    check: () => Promise.resolve(true),
    open: async () => {
      opens++;
      await gate;
      return new Conn();
    },
  });
  const owner = slow.acquire();
  const controller = new AbortController();
  const follower = slow.acquire(controller.signal);
  controller.abort(new Error("gave up"));
  await assert.rejects(follower, /gave up/);
  release();
  const lease = await owner;
  assert.equal(opens, 1, "the follower made no attempt of its own");
  await slow.release(lease.connection);
  await slow.close();
});
