// Scale-out benchmark (issue 15 item 3): point queries on PostgreSQL through HAProxy round-robin over 1 and 3
// tdmcp replicas (the `start:http` task's command line, the rig of tests/integration/haproxy_test.ts), with the
// real v2 client (pinned to 2026-07-28 by default) at concurrency 16. Reports calls/s and CPU per call: the
// replicas' together (from /proc), HAProxy's, and this process's (the clients). `0` in `--replicas` is one replica
// called without HAProxy.
//
//   deno run --frozen --allow-read --allow-write --allow-env --allow-ffi --allow-run --allow-net=127.0.0.1 \
//     --allow-sys bench/balancer.ts [--runs=3] [--calls=8000] [--warmup=100] [--concurrency=16]
//     [--replicas=0,1,3] [--mode=pin|legacy] [--env=NAME=VALUE,...] [--json=FILE]
//
// `--mode=legacy` drives the 2025 handshake instead; its replicas need MCP_STATELESS=true (`--env=...`), as a
// 2025 session lives on one replica. Needs `haproxy` (Debian package). Without TDMCP_TEST_PG_URI it starts a
// throwaway PostgreSQL on port 55433 (TDMCP_BENCH_PG_PORT). Markdown on stdout, progress on stderr; the
// numbers go into BENCHMARKS.md ("Scale-out through HAProxy").
import { PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { haproxyPath, type Replica, startBalancer, startReplica } from "../tests/integration/_balancer.ts";
import { type ClientMode, driveCalls } from "../tests/integration/_mcp_load.ts";
import { prepareData } from "./_data.ts";
import { cpuOf, median, say, write } from "./_stats.ts";

interface Options {
  runs: number;
  calls: number;
  warmup: number;
  concurrency: number;
  replicas: number[];
  mode: ClientMode;
  env: Record<string, string>;
  json?: string;
}

/** One measurement: a number of replicas behind HAProxy, or one replica called directly (`replicas: 0`). */
interface Sample {
  replicas: number;
  perSecond: number;
  /** CPU µs per call: all replicas together, HAProxy, this process (the clients). */
  serverCpu: number;
  haproxyCpu: number;
  clientCpu: number;
  errors: number;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number) => {
    const n = Number(value(name) ?? fallback);
    if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`--${name} must be a positive integer`);
    return n;
  };
  const mode = value("mode") ?? "pin";
  if (mode !== "pin" && mode !== "legacy") throw new TypeError(`--mode accepts pin, legacy: got ${mode}`);
  const env = Object.fromEntries((value("env") ?? "").split(",").filter(Boolean).map((kv) => kv.split(/=(.*)/s, 2)));
  return {
    runs: count("runs", 3),
    calls: count("calls", 8000),
    warmup: count("warmup", 100),
    concurrency: count("concurrency", 16),
    replicas: (value("replicas") ?? "0,1,3").split(",").map(Number),
    mode,
    env,
    json: value("json"),
  };
}

function pointQuery(n: number): string {
  return `SELECT * FROM ${PG_DEMO_SCHEMA}.orders WHERE order_id = ${(n * 7919) % 100_000 + 1}`;
}

async function measure(
  haproxy: string,
  work: string,
  uri: string,
  count: number,
  options: Options,
): Promise<Sample> {
  // The bench cluster logs in as its superuser, which tdmcp refuses unless told (README: Safety).
  const env = { DATABASE_URI: uri, ALLOW_SUPERUSER: "true", ...options.env };
  const replicas: Replica[] = [];
  const dir = await Deno.makeTempDir({ dir: work, prefix: `lb${count}-` });
  try {
    for (let i = 1; i <= count; i++) replicas.push(await startReplica(`r${i}`, env));
    // 0 replicas: one replica called directly, to tell HAProxy's share from the replicas'.
    if (count === 0) replicas.push(await startReplica("r1", env));
    const balancer = count > 0 ? await startBalancer(haproxy, dir, replicas) : undefined;
    try {
      const cpu = () => ({
        server: replicas.reduce((sum, r) => sum + cpuOf(r.pid), 0),
        haproxy: balancer ? cpuOf(balancer.pid) : 0,
        client: cpuOf("self"),
      });
      let before = cpu();
      let started = 0;
      const records = await driveCalls({
        url: balancer?.url ?? new URL(`http://127.0.0.1:${replicas[0].port}/mcp`),
        mode: options.mode,
        concurrency: options.concurrency,
        warmup: options.warmup,
        calls: options.calls,
        sql: pointQuery,
        onStart(n) {
          if (n !== 0) return;
          before = cpu();
          started = performance.now();
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const after = cpu();
      const errors = records.filter((r) => !r.ok);
      if (errors.length > 0) say(`${errors.length} errors with ${count} replicas, e.g. ${errors[0].error}`);
      return {
        replicas: count,
        perSecond: options.calls / seconds,
        serverCpu: (after.server - before.server) / options.calls,
        haproxyCpu: (after.haproxy - before.haproxy) / options.calls,
        clientCpu: (after.client - before.client) / options.calls,
        errors: errors.length,
      };
    } finally {
      await balancer?.stop();
    }
  } catch (error) {
    throw new Error(`${count} replicas: ${error}\n${replicas.map((r) => `${r.name}: ${r.log()}`).join("\n")}`);
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

function table(samples: Sample[], options: Options): string {
  const rows = options.replicas.map((count) => {
    const mine = samples.filter((s) => s.replicas === count);
    const m = (key: keyof Sample) => median(mine.map((s) => s[key]));
    return `| ${count || "1, direct (no HAProxy)"} | ${m("perSecond").toFixed(0)} | ${m("serverCpu").toFixed(0)} | ${
      m("haproxyCpu").toFixed(0)
    } | ` +
      `${m("clientCpu").toFixed(0)} | ${mine.reduce((sum, s) => sum + s.errors, 0)} |`;
  });
  const mode = options.mode === "pin" ? "2026-07-28 (pinned)" : "2025 (legacy)";
  return `Through HAProxy (round robin), point query on PostgreSQL, v2 client ${mode}, c${options.concurrency}, ` +
    `${options.calls} calls per run, medians of ${options.runs} runs (load ${Deno.loadavg()[0].toFixed(2)}):\n\n` +
    "| replicas | calls/s | server CPU µs/call (all replicas) | HAProxy CPU µs/call | client CPU µs/call | errors |\n" +
    "| ---: | ---: | ---: | ---: | ---: | ---: |\n" + rows.join("\n") + "\n";
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const haproxy = haproxyPath();
  if (!haproxy) throw new Error("haproxy is not installed: apt-get install haproxy");
  const work = await Deno.makeTempDir({ prefix: "tdmcp-bench-lb-" });
  const data = await prepareData(work, true);
  try {
    const samples: Sample[] = [];
    for (let run = 1; run <= options.runs; run++) {
      // Alternate the order between runs, so that drift favours neither.
      const order = run % 2 === 1 ? options.replicas : [...options.replicas].reverse();
      for (const count of order) {
        const s = await measure(haproxy, work, data.pgUri, count, options);
        samples.push(s);
        say(
          `run ${run}, ${count} replicas: ${s.perSecond.toFixed(0)} calls/s, server CPU ${s.serverCpu.toFixed(0)} ` +
            `µs/call, HAProxy ${s.haproxyCpu.toFixed(0)}, client ${s.clientCpu.toFixed(0)}, ${s.errors} errors`,
        );
      }
    }
    if (options.json) await Deno.writeTextFile(options.json, JSON.stringify({ options, samples }, null, 1));
    write(table(samples, options));
  } finally {
    await data.cleanup();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main(Deno.args);
