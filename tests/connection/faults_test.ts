// Fault injection against the throwaway PostgreSQL of tests/run.ts: backends
// killed during load, a restart during load, a start while the database is
// down, and a burst on a small pool. Every loop is bounded by a count; the
// MCP request timeout (15 s) turns a hang into a failed call. Timings are
// reported on stderr and only checked against generous bounds.
import assert from "node:assert/strict";
import { connectClient, testDatabase, textOf } from "../_helpers.ts";
import { pgAdmin, pgControllable, pgCtl, pgStart, pgStop, pgUri } from "../_pg.ts";
import { BREAKER_DEFAULTS } from "../../connection/breaker.ts";
import type { Database } from "../../connection/types.ts";

/** Every connection of these tests carries this application_name (psqlODBC passes `pqopt` to libpq). */
const APP = "tdmcp_faults";
const OURS = `datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND ` +
  `application_name = '${APP}'`;
/** A call that hangs longer than this fails (the SDK rejects it). */
const CALL_TIMEOUT_MS = 15_000;
/** Generous bound on recovery; the goal (2 s) is reported, not asserted. */
const RECOVERY_BOUND_MS = 10_000;

function faultUri(): string {
  const url = new URL(pgUri()!);
  url.searchParams.set("pqopt", `application_name=${APP}`);
  return url.href;
}

function report(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[faults] ${line}\n`));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Our client backends as PostgreSQL sees them. */
async function ourBackends(): Promise<number> {
  return Number((await pgAdmin(`SELECT count(*) FROM pg_stat_activity WHERE ${OURS}`)).trim());
}

/** Polls (at most 20 × 100 ms) until none of our backends remains; returns how many remain. */
async function waitGone(): Promise<number> {
  let left = await ourBackends();
  for (let i = 0; i < 20 && left > 0; i++) {
    await sleep(100);
    left = await ourBackends();
  }
  return left;
}

/** Starts the cluster unless it runs (so a failed test never leaves it down for later files). */
async function ensureRunning(): Promise<void> {
  try {
    await pgCtl(["status", "-D", Deno.env.get("TDMCP_TEST_PG_DATA")!]);
  } catch {
    await pgStart();
  }
}

/** Samples the pool every 2 ms: the largest size and wait queue seen. */
function watchPool(db: Database) {
  const seen = { size: 0, waiting: 0 };
  const sample = () => {
    const s = db.stats();
    seen.size = Math.max(seen.size, s.size);
    seen.waiting = Math.max(seen.waiting, s.waiting);
  };
  const timer = setInterval(sample, 2);
  return { seen, sample, stop: () => clearInterval(timer) };
}

interface Outcome {
  ok: boolean;
  text: string;
  start: number;
  end: number;
}

type Client = Awaited<ReturnType<typeof connectClient>>;

/** One base_readQuery call through the MCP client, timed. */
async function readQuery(mcp: Client, sql: string, expect: string): Promise<Outcome> {
  const start = performance.now();
  try {
    const result = await mcp.client.callTool(
      { name: "base_readQuery", arguments: { sql } },
      { timeout: CALL_TIMEOUT_MS },
    ) as Parameters<typeof textOf>[0];
    const text = textOf(result);
    const ok = result.isError !== true && text.split("\n")[1]?.split("\t")[0] === expect;
    return { ok, text, start, end: performance.now() };
  } catch (error) {
    return { ok: false, text: `threw: ${(error as Error).message}`, start, end: performance.now() };
  }
}

/** Runs `call` on `concurrency` workers until `stop()` says so or `maxCalls` calls were made. */
async function load(
  concurrency: number,
  maxCalls: number,
  call: () => Promise<Outcome>,
  stop: (outcomes: Outcome[]) => boolean,
  onOutcome: () => void = () => {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let started = 0;
  const worker = async () => {
    while (started < maxCalls && !stop(outcomes)) {
      started++;
      const outcome = await call();
      outcomes.push(outcome);
      onOutcome();
      if (!outcome.ok) await sleep(20); // a client pauses after an error; keeps fail-fast loops bounded in time
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/** The distinct failure messages (numbers masked) with their counts. */
function summary(failed: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of failed) {
    const key = o.text.replace(/\d+/g, "N").replace(/\s+/g, " ").slice(0, 220);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${n}× ${k}`).join(" | ");
}

/** Median and slowest call duration in ms. */
function latency(outcomes: Outcome[]): string {
  const ms = outcomes.map((o) => o.end - o.start).sort((a, b) => a - b);
  return `median ${Math.round(ms[ms.length >> 1] ?? 0)} ms, slowest ${Math.round(ms.at(-1) ?? 0)} ms`;
}

Deno.test({
  name: "faults: backends killed every 200 ms during 1,000+ read calls at concurrency 8: 0 failures",
  ignore: !pgUri(),
  async fn() {
    const poolSize = 8;
    const db = testDatabase(faultUri(), { poolSize, queryTimeoutMs: 10_000 });
    const pool = watchPool(db);
    let kills = 0, rounds = 0, roundsWithKills = 0, mostBackends = 0, stopKiller = false;
    try {
      await using mcp = await connectClient(db);
      const killer = (async () => {
        while (!stopKiller && rounds < 1_000) {
          const roundStart = performance.now();
          const [seen, killed] = (await pgAdmin(
            `SELECT count(*), count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE ${OURS}`,
          )).trim().split("|").map(Number);
          rounds++;
          kills += killed;
          if (killed > 0) roundsWithKills++;
          mostBackends = Math.max(mostBackends, seen);
          await sleep(Math.max(0, 200 - (performance.now() - roundStart))); // one round every 200 ms
        }
      })();
      const sql = "SELECT count(*) AS n FROM generate_series(1, 20000)";
      const began = performance.now();
      const outcomes = await load(
        8,
        20_000,
        () => readQuery(mcp, sql, "20000"),
        (done) => done.length >= 1_000 && roundsWithKills >= 20,
        pool.sample,
      ).finally(() => stopKiller = true);
      await killer;
      const elapsed = performance.now() - began;
      pool.stop();
      const failed = outcomes.filter((o) => !o.ok);
      const stats = db.stats();
      const backends = await ourBackends();
      report(
        `killed backends: ${outcomes.length} calls (${latency(outcomes)}), ${failed.length} failed, ${kills} ` +
          `backends killed in ${roundsWithKills}/${rounds} rounds, retries ${stats.retries}, reconnects ` +
          `${stats.reconnects}, opened ${stats.opened}, largest pool ${pool.seen.size}/${poolSize}, most backends ` +
          `${mostBackends}, ${
            Math.round(elapsed / Math.max(1, rounds))
          } ms per round, after: inUse ${stats.inUse}, backends ${backends}; failures: ${summary(failed)}`,
      );
      assert.ok(outcomes.length >= 1_000, `only ${outcomes.length} calls`);
      assert.equal(failed.length, 0, `${failed.length} of ${outcomes.length} calls failed: ${summary(failed)}`);
      assert.ok(kills > 0, "no backend was killed");
      assert.ok(stats.retries > 0, "no retry was counted");
      assert.ok(pool.seen.size <= poolSize, `pool grew to ${pool.seen.size}`);
      assert.ok(mostBackends <= poolSize, `PostgreSQL saw ${mostBackends} backends of ours at once`);
      assert.equal(stats.inUse, 0, "leases leaked");
      assert.ok(backends <= poolSize, `${backends} backends of ours remain`);
    } finally {
      stopKiller = true;
      pool.stop();
      await db.close();
    }
  },
});

Deno.test({
  name: "faults: PostgreSQL restarted (stopped 1.5 s) during load: clear fast errors, then recovery by itself",
  ignore: !pgControllable(),
  async fn() {
    const queryTimeoutMs = 5_000;
    const db = testDatabase(faultUri(), { poolSize: 8, queryTimeoutMs });
    let startedAt = Infinity;
    try {
      await using mcp = await connectClient(db);
      let phase: "warm" | "down" | "up" = "warm";
      const outage = (async () => {
        while (phase === "warm") await sleep(50);
        await pgStop("fast");
        await sleep(1_500);
        await pgStart();
        startedAt = performance.now();
        phase = "up";
      })();
      const outcomes = await load(8, 20_000, () => readQuery(mcp, "SELECT 1 AS one", "1"), (done) => {
        if (phase === "warm" && done.filter((o) => o.ok).length >= 200) phase = "down";
        return done.filter((o) => o.ok && o.start >= startedAt).length >= 200 ||
          (phase === "up" && performance.now() - startedAt > 30_000);
      });
      await outage;
      const failed = outcomes.filter((o) => !o.ok);
      const firstOk = outcomes.filter((o) => o.ok && o.end >= startedAt).sort((a, b) => a.end - b.end)[0];
      const recoveryMs = firstOk ? Math.round(firstOk.end - startedAt) : Infinity;
      const slowest = Math.round(Math.max(0, ...failed.map((o) => o.end - o.start)));
      const stats = db.stats();
      report(
        `restart: ${outcomes.length} calls, ${failed.length} failed (slowest failure ${slowest} ms), first success ` +
          `${recoveryMs} ms after pgStart returned (goal 2000), retries ${stats.retries}, reconnects ` +
          `${stats.reconnects}, inUse after ${stats.inUse}; failures: ${summary(failed)}`,
      );
      assert.ok(failed.length > 0, "the outage was not observed by any call");
      const unclear = failed.filter((o) => !/database (is )?unavailable/i.test(o.text));
      assert.equal(unclear.length, 0, `failures without a clear message: ${summary(unclear)}`);
      assert.ok(slowest < queryTimeoutMs, `a failing call took ${slowest} ms (query timeout ${queryTimeoutMs} ms)`);
      assert.ok(recoveryMs < RECOVERY_BOUND_MS, `no success within ${RECOVERY_BOUND_MS} ms: ${recoveryMs}`);
      assert.equal(stats.inUse, 0, "leases leaked");
      assert.ok((await db.health()).ok, "health() after recovery");
    } finally {
      await ensureRunning();
      await db.close();
    }
  },
});

Deno.test({
  name: "faults: server started while PostgreSQL is down lists tools, errors clearly, recovers by itself",
  ignore: !pgControllable(),
  async fn() {
    await pgStop("fast");
    let db: Database | undefined;
    try {
      db = testDatabase(faultUri(), { poolSize: 2, queryTimeoutMs: 5_000 });
      await using mcp = await connectClient(db);
      const { tools } = await mcp.client.listTools();
      assert.ok(tools.some((t) => t.name === "base_readQuery"), "base_readQuery is listed");
      const down = await readQuery(mcp, "SELECT 1 AS one", "1");
      report(`started down: first call answered in ${Math.round(down.end - down.start)} ms: ${down.text}`);
      assert.equal(down.ok, false);
      assert.match(down.text, /database (is )?unavailable/i);
      await pgStart();
      const startedAt = performance.now();
      let attempts = 0, last: Outcome | undefined;
      const refused: Outcome[] = [];
      while (attempts < 40 && !last?.ok && performance.now() - startedAt < RECOVERY_BOUND_MS) {
        if (attempts++ > 0) await sleep(250);
        last = await readQuery(mcp, "SELECT 1 AS one", "1");
        if (!last.ok) refused.push(last);
      }
      const recoveryMs = Math.round(last!.end - startedAt);
      report(`started down: first success ${recoveryMs} ms after pgStart returned, attempt ${attempts}: ${last!.ok}`);
      assert.ok(last!.ok, `no success after ${attempts} attempts: ${last!.text}`);
      // The first call succeeds unless the circuit's pause (at most BREAKER_DEFAULTS.maxMs, 1 s) from the calls made
      // while the database was down has not yet run out: then it is answered at once, saying when the next attempt
      // is, and a call after that pause succeeds.
      for (const r of refused) assert.match(r.text, /^Database unavailable, retrying: .*next attempt in \d+ ms/);
      assert.ok(
        recoveryMs <= BREAKER_DEFAULTS.maxMs + 1_000,
        `recovered ${recoveryMs} ms after the database came back`,
      );
    } finally {
      await ensureRunning();
      await db?.close();
    }
  },
});

Deno.test({
  name: "faults: a burst of 50 calls on a pool of 4 never opens a fifth connection and leaves none behind",
  ignore: !pgUri(),
  async fn() {
    const poolSize = 4;
    const db = testDatabase(faultUri(), { poolSize });
    const pool = watchPool(db);
    try {
      await using mcp = await connectClient(db);
      const serverSide: number[] = [];
      let bursting = true;
      const watcher = (async () => {
        while (bursting && serverSide.length < 100) serverSide.push(await ourBackends());
      })();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => readQuery(mcp, `SELECT ${i} AS i, pg_sleep(0.05)`, `${i}`)),
      ).finally(() => bursting = false);
      await watcher;
      pool.stop();
      const failed = outcomes.filter((o) => !o.ok);
      report(
        `burst: 50 calls, ${failed.length} failed, largest pool ${pool.seen.size}/${poolSize}, most waiting ` +
          `${pool.seen.waiting}, backends seen during the burst ${Math.max(0, ...serverSide)} ` +
          `(${serverSide.length} samples), opened ${db.stats().opened}`,
      );
      assert.equal(failed.length, 0, summary(failed));
      assert.ok(pool.seen.size <= poolSize, `pool grew to ${pool.seen.size}`);
      assert.ok(Math.max(0, ...serverSide) <= poolSize, `PostgreSQL saw ${Math.max(...serverSide)} backends`);
      assert.equal(db.stats().inUse, 0, "leases leaked");
    } finally {
      pool.stop();
      await db.close();
    }
    const left = await waitGone();
    assert.equal(left, 0, `${left} backends of ours remain after close()`);
  },
});

Deno.test({
  name:
    "faults: a connection idle past healthAfterMs is checked before reuse (a dead one is replaced, not retried); a recent one is reused as is",
  ignore: !pgUri(),
  async fn() {
    // Both pools hold one connection whose backend is killed while it sits idle.
    const killIdle = async (db: Database) => {
      await db.query("SELECT 1");
      assert.equal(db.stats().idle, 1);
      const killed = await pgAdmin(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE ${OURS}`,
      );
      assert.equal(killed.trim(), "1");
      await waitGone();
    };
    const checked = testDatabase(faultUri(), { poolSize: 1, healthAfterMs: 50 });
    try {
      await killIdle(checked);
      await sleep(100); // idle past healthAfterMs: the next lease checks it first
      const { rows } = await checked.query("SELECT 2 AS two");
      assert.deepEqual(rows, [[2]]);
      const s = checked.stats();
      assert.equal(s.retries, 0, "the dead connection was found by the health check, not by a failed statement");
      assert.equal(s.discarded, 1);
      assert.equal(s.opened, 2);
    } finally {
      await checked.close();
    }
    const recent = testDatabase(faultUri(), { poolSize: 1, healthAfterMs: 60_000 });
    try {
      await killIdle(recent);
      const { rows } = await recent.query("SELECT 3 AS three");
      assert.deepEqual(rows, [[3]]);
      const s = recent.stats();
      assert.equal(s.retries, 1, "a recently used connection is reused without a check; the read is retried once");
      assert.equal(s.opened, 2);
    } finally {
      await recent.close();
    }
    assert.equal(await waitGone(), 0);
  },
});

/** Freezes or continues a PostgreSQL backend (the tests run as root or as the cluster's owner). */
function signalProcess(pid: string, signal: "SIGSTOP" | "SIGCONT"): void {
  Deno.kill(Number(pid), signal);
}

Deno.test({
  name:
    "faults: a backend that cannot obey the cancel (stopped with SIGSTOP) fails the call at timeout + grace, says so, and its connection is set aside",
  ignore: !pgUri(),
  async fn() {
    const grace = 500;
    const db = testDatabase(faultUri(), { poolSize: 1, cancelGraceMs: grace });
    const frozen = new Set<string>();
    try {
      for (const how of ["timeout", "cancel"] as const) {
        const controller = new AbortController();
        const started = performance.now();
        const call = db.query(`SELECT pg_sleep(20) AS ${how}`, {
          timeoutMs: how === "timeout" ? 1_000 : 30_000,
          signal: controller.signal,
        }).then(() => null, (error: Error) => error);
        let pid = "";
        for (let i = 0; i < 100 && !pid; i++) {
          pid = (await pgAdmin(`SELECT pid FROM pg_stat_activity WHERE ${OURS} AND query LIKE '%AS ${how}%'`)).trim();
          if (!pid) await sleep(20);
        }
        assert.ok(pid, "the statement reached PostgreSQL");
        signalProcess(pid, "SIGSTOP");
        frozen.add(pid);
        if (how === "cancel") controller.abort();
        // A regression must fail the test, not hang it: the backend stays frozen until we continue it.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const error = await Promise.race([
          call,
          new Promise<Error>((resolve) =>
            timer = setTimeout(() => resolve(new Error("no answer within 10 s")), 10_000)
          ),
        ]).finally(() => clearTimeout(timer));
        const ms = performance.now() - started;
        report(`${how}: the call failed after ${Math.round(ms)} ms with a frozen backend (grace ${grace} ms)`);
        assert.ok(error, "the call failed");
        assert.match(error.message, /a cancel was sent, but the database had not stopped the statement 0\.5 s later/);
        assert.match(error.message, how === "timeout" ? /1 s timeout/ : /^the call was cancelled/);
        assert.ok(ms >= grace, `failed after ${ms} ms`);
        assert.equal(db.stats().inUse, 1, "the connection stays leased while the driver still runs the statement");
        signalProcess(pid, "SIGCONT");
        frozen.delete(pid);
        for (let i = 0; i < 100 && db.stats().inUse > 0; i++) await sleep(20);
        assert.equal(db.stats().inUse, 0, "the connection came back once the backend obeyed");
      }
      const s = db.stats();
      assert.equal(s.discarded, 2, "neither connection went back to the pool");
      assert.equal(s.idle, 0);
      assert.deepEqual((await db.query("SELECT 1 AS one")).rows, [[1]]);
    } finally {
      for (const pid of frozen) {
        try {
          signalProcess(pid, "SIGCONT");
        } catch { /* already gone */ }
      }
      await db.close();
    }
    assert.equal(await waitGone(), 0);
  },
});
