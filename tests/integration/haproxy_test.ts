/**
 * Scale-out through a real load balancer (issue 15): HAProxy round-robin
 * over three tdmcp replicas (the `start:http` task's command line) on one
 * PostgreSQL, driven by the real v2 client. Every request may land on any
 * replica; HAProxy's log (the `X-Call-Id` each call's request carries) says
 * which replica served which call, so a failure can be traced to where it
 * happened. HAProxy moves a request to another replica only when its
 * connection failed (`retry-on conn-failure`, `option redispatch`), not when a
 * replica hung up on it, so calls in flight on a killed replica fail and are
 * counted; a replica drained in HAProxy before its SIGTERM loses none.
 * 2025-era sessions need sticky routing on `Mcp-Session-Id` (or
 * `MCP_STATELESS`), which is shown too.
 */
import assert from "node:assert/strict";
import { demoPostgresUri, note, PG_DEMO_SCHEMA } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import {
  type Balancer,
  type BalancerLogLine,
  haproxyPath,
  type Replica,
  startBalancer,
  startReplica,
} from "./_balancer.ts";
import { type CallRecord, type ClientMode, driveCalls } from "./_mcp_load.ts";

const HAPROXY = haproxyPath();
const CI = Deno.env.get("CI") === "true";
const CALLS = 3_000;
const CONCURRENCY = 16;

if (!HAPROXY && !CI) note("haproxy_test skipped: no haproxy on PATH (apt-get install haproxy; .ci/run installs it)");

function pointQuery(n: number): string {
  return `SELECT * FROM ${PG_DEMO_SCHEMA}.orders WHERE order_id = ${(n * 7919) % 100_000 + 1}`;
}

/**
 * HAProxy's log lines of the counted calls of one run (from line `from` on), by call number, once every call has
 * its line (HAProxy logs a request when it ends; the lines reach us through a pipe).
 */
async function linesByCall(
  balancer: Balancer,
  from: number,
  records: CallRecord[],
): Promise<Map<number, BalancerLogLine[]>> {
  const logged = () => new Set(balancer.lines().slice(from).map((l) => l.call));
  for (let i = 0; i < 100 && !records.every((r) => logged().has(String(r.n))); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const byCall = new Map<number, BalancerLogLine[]>();
  for (const line of balancer.lines().slice(from)) {
    const n = Number(line.call);
    if (line.call === "" || !Number.isInteger(n) || n < 0) continue;
    byCall.set(n, [...byCall.get(n) ?? [], line]);
  }
  return byCall;
}

function failuresOf(records: CallRecord[]): string {
  return records.filter((r) => !r.ok).slice(0, 5).map((r) => `#${r.n}: ${r.error}`).join("\n");
}

/**
 * Runs `calls` calls through round robin and checks that all succeed, each was one request through HAProxy, every
 * replica served at least a quarter of them, and every client was served by every replica.
 */
async function spreadRun(lb: Balancer, replicas: Replica[], mode: ClientMode, calls: number): Promise<void> {
  const before = lb.lines().length;
  const records = await driveCalls({ url: lb.url, mode, concurrency: CONCURRENCY, calls, sql: pointQuery });
  assert.equal(records.length, calls);
  assert.equal(records.filter((r) => !r.ok).length, 0, `failed calls:\n${failuresOf(records)}`);
  const byCall = await linesByCall(lb, before, records);
  const served: Record<string, number> = {};
  const perClient = new Map<number, Set<string>>();
  for (const record of records) {
    const lines = byCall.get(record.n) ?? [];
    assert.equal(lines.length, 1, `call #${record.n} was one request through HAProxy: ${JSON.stringify(lines)}`);
    served[lines[0].server] = (served[lines[0].server] ?? 0) + 1;
    perClient.set(record.client, (perClient.get(record.client) ?? new Set()).add(lines[0].server));
  }
  note(`haproxy ${mode}: ${calls} calls, 0 errors; served ${JSON.stringify(served)}`);
  for (const replica of replicas) {
    assert.ok(
      (served[replica.name] ?? 0) >= calls / 4,
      `round robin reached ${replica.name}: ${JSON.stringify(served)}`,
    );
  }
  for (const [client, servers] of perClient) {
    assert.equal(servers.size, 3, `client ${client} was served by ${[...servers].join(", ")}`);
  }
}

/** Three replicas with `env` on the test PostgreSQL behind a round-robin HAProxy, for `fn`; then stops them. */
async function withRig(
  env: Record<string, string>,
  fn: (rig: { lb: Balancer; replicas: Replica[]; dir: string }) => Promise<void>,
): Promise<void> {
  assert.ok(HAPROXY, "haproxy is not installed: CI must have it (.ci/run installs the Debian package haproxy)");
  const uri = await demoPostgresUri();
  assert.ok(uri, "the test PostgreSQL is running");
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-haproxy-" });
  const replicas: Replica[] = [];
  let lb: Balancer | undefined;
  try {
    const all = { DATABASE_URI: uri, ALLOW_SUPERUSER: "true", LOGGING_LEVEL: "warning", ...env };
    replicas.push(...await Promise.all(["r1", "r2", "r3"].map((name) => startReplica(name, all))));
    lb = await startBalancer(HAPROXY, dir, replicas, { closeClientConnections: true });
    await fn({ lb, replicas, dir });
  } finally {
    await lb?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Seconds a replica of the rig keeps serving after SIGTERM (MCP_SHUTDOWN_DELAY). */
const SHUTDOWN_DELAY_S = 2;

Deno.test({
  name: "HAProxy round-robin over three tdmcp replicas on one PostgreSQL",
  ignore: (!HAPROXY && !CI) || !pgUri(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    // The recommended setup: replicas drain for MCP_SHUTDOWN_DELAY on SIGTERM (the rolling-update step relies on it
    // for requests HAProxy had already sent when it was told to drain; SIGKILL ignores it).
    await withRig({ MCP_SHUTDOWN_DELAY: String(SHUTDOWN_DELAY_S) }, async ({ lb, replicas, dir }) => {
      await t.step(
        `${CALLS} calls at concurrency ${CONCURRENCY} (2026-07-28 pinned) all succeed, each client's on every replica`,
        () => spreadRun(lb, replicas, "pin", CALLS),
      );

      await t.step(
        "2025-era sessions need sticky routing on Mcp-Session-Id: they work with it, not without",
        async () => {
          await Deno.mkdir(`${dir}/sticky`);
          const sticky = await startBalancer(HAPROXY!, `${dir}/sticky`, replicas, {
            closeClientConnections: true,
            sticky: true,
          });
          try {
            const before = sticky.lines().length;
            const calls = CONCURRENCY * 20;
            const records = await driveCalls({
              url: sticky.url,
              mode: "legacy",
              concurrency: CONCURRENCY,
              calls,
              sql: pointQuery,
            });
            assert.equal(records.filter((r) => !r.ok).length, 0, `failed calls:\n${failuresOf(records)}`);
            const byCall = await linesByCall(sticky, before, records);
            const perClient = new Map<number, Set<string>>();
            for (const r of records) {
              for (const l of byCall.get(r.n) ?? []) {
                perClient.set(r.client, (perClient.get(r.client) ?? new Set()).add(l.server));
              }
            }
            for (const [client, servers] of perClient) {
              assert.equal(servers.size, 1, `client ${client}'s session stayed on one replica: ${[...servers]}`);
            }
            const used = new Set([...perClient.values()].flatMap((s) => [...s]));
            note(
              `haproxy sticky (legacy, stateful replicas): ${calls} calls, 0 errors; sessions on ${[...used].sort()}`,
            );
            assert.equal(used.size, 3, "new sessions are balanced over every replica");
          } finally {
            await sticky.stop();
          }
          // Plain round robin sends a session's next request to a replica that does not know the session.
          const outcome = await driveCalls({ url: lb.url, mode: "legacy", concurrency: 1, calls: 6, sql: pointQuery })
            .then(
              (records) => records.filter((r) => !r.ok).map((r) => r.error).join("; "),
              (error) => `connect: ${error}`,
            );
          note(`haproxy round robin (legacy, stateful replicas): ${outcome.slice(0, 200)}`);
          assert.notEqual(outcome, "", "a 2025 session through plain round robin failed");
        },
      );

      await t.step(`a replica SIGKILLed halfway: the run completes and only calls in flight on it fail`, async () => {
        const victim = replicas[1];
        let killAt = Infinity;
        let exitedAt = Infinity;
        const before = lb.lines().length;
        const records = await driveCalls({
          url: lb.url,
          mode: "pin",
          concurrency: CONCURRENCY,
          calls: CALLS,
          sql: pointQuery,
          onStart(n) {
            if (n !== CALLS / 2) return;
            killAt = performance.now();
            victim.kill("SIGKILL");
            victim.exited.then(() => exitedAt = performance.now());
          },
        });
        await victim.exited;
        assert.equal(records.length, CALLS, "every call settled");
        const byCall = await linesByCall(lb, before, records);
        for (const r of records) {
          assert.equal(
            byCall.get(r.n)?.length,
            1,
            `call #${r.n} has one HAProxy line: ${JSON.stringify(byCall.get(r.n))}`,
          );
        }
        const line = (r: CallRecord) => byCall.get(r.n)![0];
        // On the victim when it died: HAProxy sent it there and it was still open at kill(), or it was sent there
        // after kill() but before the process was gone (until then its listening socket still takes connections).
        const atKill = records.filter((r) => line(r).server === victim.name && r.start <= killAt && r.end >= killAt);
        const whileDying = records.filter((r) =>
          line(r).server === victim.name && r.start > killAt && r.start <= exitedAt
        );
        const failed = records.filter((r) => !r.ok);
        const after = records.filter((r) => r.start > exitedAt);
        const redispatched = records.filter((r) => line(r).retries !== "0");
        note(
          `haproxy kill (pin): ${CALLS} calls, ${failed.length} failed; on ${victim.name} ${atKill.length} in flight ` +
            `at kill() and ${whileDying.length} sent while it died (gone ${
              (exitedAt - killAt).toFixed(1)
            } ms later); ` +
            `${after.length} started after, ${after.filter((r) => r.ok).length} succeeded; ` +
            `${redispatched.length} redispatched by HAProxy; HAProxy holds ${JSON.stringify(await lb.states())}`,
        );
        for (const r of failed) {
          assert.ok(
            atKill.includes(r) || whileDying.includes(r),
            `call #${r.n} failed but was not on ${victim.name} when it died (HAProxy: ${JSON.stringify(line(r))}, ` +
              `started ${(r.start - killAt).toFixed(1)} ms after kill()): ${r.error}`,
          );
        }
        assert.ok(after.length > 0, "calls ran after the kill");
        assert.equal(after.filter((r) => !r.ok).length, 0, `calls after the kill failed:\n${failuresOf(after)}`);
        const lines = lb.lines().slice(before);
        assert.ok(lines.some((l) => l.server === victim.name), `${victim.name} served calls before the kill`);
        let state = "";
        for (let i = 0; i < 100 && !state.startsWith("DOWN"); i++) {
          state = (await lb.states())[victim.name] ?? "";
          if (!state.startsWith("DOWN")) await new Promise((r) => setTimeout(r, 100));
        }
        assert.match(state, /^DOWN/, "HAProxy's /readyz check takes the dead replica out");
      });

      await t.step(
        "a replica drained in HAProxy, then stopped with SIGTERM (a rolling update), loses no call",
        async () => {
          const leaving = replicas[2];
          let stopped: Promise<void> | undefined;
          const records = await driveCalls({
            url: lb.url,
            mode: "pin",
            concurrency: CONCURRENCY,
            calls: CALLS,
            sql: pointQuery,
            onStart(n) {
              if (n !== CALLS / 2) return;
              stopped = (async () => {
                // HAProxy sends it nothing new from here on; SIGTERM then lets the calls it has finish.
                assert.equal(await lb.admin(`set server tdmcp/${leaving.name} state drain`), "");
                leaving.kill("SIGTERM");
              })();
            },
          });
          await stopped;
          const status = await leaving.exited;
          note(`haproxy drain + SIGTERM (pin): ${CALLS} calls, ${records.filter((r) => !r.ok).length} failed`);
          assert.equal(records.filter((r) => !r.ok).length, 0, `failed calls:\n${failuresOf(records)}`);
          assert.equal(status.code, 0, "the replica stopped cleanly");
        },
      );
    });
  },
});

Deno.test({
  name: "HAProxy round-robin over three MCP_STATELESS replicas serves 2025-era clients on every replica",
  ignore: (!HAPROXY && !CI) || !pgUri(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRig({ MCP_STATELESS: "true" }, ({ lb, replicas }) => spreadRun(lb, replicas, "legacy", CONCURRENCY * 30));
  },
});

Deno.test({
  name: "HAProxy: a replica stopped with SIGTERM alone under MCP_SHUTDOWN_DELAY (no balancer command) loses no call",
  ignore: (!HAPROXY && !CI) || !pgUri(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Every replica drains on SIGTERM for longer than HAProxy's checks take to mark it down (inter 500ms fall 2).
    await withRig({ MCP_SHUTDOWN_DELAY: String(SHUTDOWN_DELAY_S) }, async ({ lb, replicas }) => {
      const leaving = replicas[1];
      let signalled = 0;
      const records = await driveCalls({
        url: lb.url,
        mode: "pin",
        concurrency: CONCURRENCY,
        calls: CALLS,
        sql: pointQuery,
        onStart(n) {
          if (n !== CALLS / 2) return;
          // It drains for MCP_SHUTDOWN_DELAY: /readyz 503 takes it out of HAProxy, its answers close their
          // connections, and only then does it stop accepting.
          signalled = performance.now();
          leaving.kill("SIGTERM");
        },
      });
      const status = await leaving.exited;
      const failed = records.filter((r) => !r.ok).length;
      note(
        `SIGTERM with MCP_SHUTDOWN_DELAY=${SHUTDOWN_DELAY_S} s (pin): ${CALLS} calls, ${failed} failed; exited ` +
          `${Math.round(performance.now() - signalled)} ms after the signal`,
      );
      assert.equal(failed, 0, `failed calls:\n${failuresOf(records)}`);
      assert.equal(status.code, 0, "the replica stopped cleanly");
    });
  },
});
