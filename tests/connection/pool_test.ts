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

/** A pool of numbered connections that always open; `checks` answers health checks by connection number. */
function numbered(
  maxSize: number,
  healthAfterMs = 60_000,
  checks: (n: number) => Promise<boolean> = () => Promise.resolve(true),
) {
  const made: (Conn & { n: number })[] = [];
  const warnings: string[] = [];
  const p = new Pool<Conn & { n: number }>({
    maxSize,
    healthAfterMs,
    check: (c) => checks(c.n),
    open: () => {
      const c = Object.assign(new Conn(), { n: made.length + 1 });
      made.push(c);
      return Promise.resolve(c);
    },
    onWarning: (message) => void warnings.push(message),
  });
  return { p, made, warnings };
}

Deno.test("pool: a size that is not a positive integer is refused with the value", () => {
  for (const size of [0, -1, 1.5, NaN]) {
    assert.throws(
      () =>
        new Pool<Conn>({
          maxSize: size,
          healthAfterMs: 0,
          check: () => Promise.resolve(true),
          open: () => Promise.resolve(new Conn()),
        }),
      new RegExp(`^RangeError: Pool size must be a positive integer: current value is ${size}$`),
    );
  }
});

Deno.test("pool: never more than maxSize connections; waiters get released connections first come, first served", async () => {
  const { p, made } = numbered(2);
  const a = await p.acquire();
  const b = await p.acquire();
  assert.deepEqual([a.fresh, b.fresh], [true, true]);
  const order: number[] = [];
  const third = p.acquire().then((l) => (order.push(3), l));
  const fourth = p.acquire().then((l) => (order.push(4), l));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(made.length, 2, "the pool is full: the others wait");
  assert.deepEqual(p.stats(), { size: 2, inUse: 2, idle: 0, waiting: 2, maxSize: 2, opened: 2, discarded: 0 });
  assert.equal(p.tryAcquire(), undefined, "nothing is taken past waiters");
  await p.release(b.connection);
  const got = await third;
  assert.equal(got.connection, b.connection, "the first waiter gets the released connection");
  assert.equal(got.fresh, false);
  await p.release(a.connection);
  assert.equal((await fourth).connection, a.connection);
  assert.deepEqual(order, [3, 4]);
  assert.equal(made.length, 2);
  await p.release(a.connection);
  await p.release(b.connection);
  await p.close();
});

Deno.test("pool: a discarded connection is closed and its slot opens a new one for a waiter", async () => {
  const { p, made } = numbered(1);
  const first = await p.acquire();
  const waiting = p.acquire();
  await p.release(first.connection, { discard: true });
  const second = await waiting;
  assert.equal(made[0].closed, true);
  assert.equal(second.connection, made[1]);
  assert.equal(second.fresh, true);
  assert.equal(p.stats().discarded, 1);
  await p.release(second.connection);
  await p.release(second.connection); // a second release of the same lease changes nothing
  assert.equal(p.stats().idle, 1);
  await p.close();
});

Deno.test("pool: an idle connection past healthAfterMs is checked before reuse; a failed or throwing check replaces it", async () => {
  const answers = new Map<number, () => Promise<boolean>>([
    [1, () => Promise.resolve(false)],
    [2, () => Promise.reject(new Error("server closed the connection"))],
  ]);
  const checked: number[] = [];
  const { p, made, warnings } = numbered(1, 0, (n) => (checked.push(n), answers.get(n)?.() ?? Promise.resolve(true)));
  await p.release((await p.acquire()).connection);
  assert.equal(p.tryAcquire(), undefined, "tryAcquire never takes a connection that needs a check");
  const lease = await p.acquire();
  assert.deepEqual(checked, [1], "connection 1 was checked and failed");
  assert.equal(made[0].closed, true);
  assert.equal(lease.connection, made[1]);
  await p.release(lease.connection);
  const next = await p.acquire();
  assert.deepEqual(checked, [1, 2]);
  assert.equal(made[1].closed, true, "a check that throws counts as failed");
  assert.deepEqual(warnings, ["an idle connection failed its health check"]);
  await p.release(next.connection);
  const kept = await p.acquire();
  assert.equal(kept.connection, made[2], "a passing check keeps the connection");
  assert.equal(kept.fresh, false);
  await p.release(kept.connection);
  await p.close();
});

Deno.test("pool: a recently used idle connection is reused without a check, also through tryAcquire", async () => {
  const checked: number[] = [];
  const { p } = numbered(2, 60_000, (n) => (checked.push(n), Promise.resolve(true)));
  const lease = await p.acquire();
  await p.release(lease.connection);
  const again = p.tryAcquire();
  assert.equal(again, lease.connection);
  assert.equal(p.stats().inUse, 1);
  await p.release(again!);
  assert.equal((await p.acquire()).connection, lease.connection);
  assert.deepEqual(checked, []);
  await p.release(lease.connection);
  await p.close();
});

Deno.test("pool: a waiter whose signal aborts leaves the queue; the released connection goes to the next one", async () => {
  const { p } = numbered(1);
  const held = await p.acquire();
  const controller = new AbortController();
  const quitter = p.acquire(controller.signal);
  const patient = p.acquire();
  controller.abort(new Error("caller gave up"));
  await assert.rejects(quitter, /caller gave up/);
  assert.equal(p.stats().waiting, 1);
  await p.release(held.connection);
  assert.equal((await patient).connection, held.connection);
  await p.release(held.connection);
  await p.close();
});

Deno.test("pool: close fails the waiters, waits for leases to come back, closes everything, and refuses new leases", async () => {
  const { p, made } = numbered(1);
  const held = await p.acquire();
  const waiter = p.acquire();
  const closing = p.close(10_000);
  await assert.rejects(waiter, /the connection pool is closing/);
  let closed = false;
  void closing.then(() => closed = true);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(closed, false, "close waits while a statement still holds its connection");
  assert.equal(made[0].closed, false, "the leased connection was not closed under it");
  await p.release(held.connection);
  await closing;
  assert.equal(made[0].closed, true);
  await assert.rejects(p.acquire(), /the connection pool is closed/);
  assert.equal(p.tryAcquire(), undefined);
});

Deno.test("pool: close gives up waiting after drainMs; a lease returned later is closed, not pooled", async () => {
  const { p, made } = numbered(1);
  const held = await p.acquire();
  await p.close(20);
  assert.equal(made[0].closed, false);
  await p.release(held.connection);
  assert.equal(made[0].closed, true);
  assert.equal(p.stats().idle, 0);
});
