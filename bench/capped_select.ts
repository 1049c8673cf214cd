// Benchmark: a capped SELECT through the real MCP tool `base_readQuery`
// (in-memory MCP client) on SQLite and PostgreSQL: a 1,000,000-row table
// under the default 1000-row cap against a 1,000-row table, a point query,
// the raw npm:odbc floor, peak RSS, and a sweep of the cursor fetch size.
// Every configuration runs in a fresh child process, so its memory is its own.
//
//   deno run --allow-read --allow-write --allow-env --allow-ffi --allow-run \
//     --allow-net=127.0.0.1 --allow-sys bench/capped_select.ts [--runs=3]
//
// Without TDMCP_TEST_PG_URI it starts a throwaway PostgreSQL on port 55433
// (TDMCP_BENCH_PG_PORT) and removes it afterwards. See BENCHMARKS.md.
import { connectClient, PG_DEMO_SCHEMA, testDatabase } from "../tests/_helpers.ts";
import { DATABASE_DEFAULTS } from "../connection/database.ts";
import { loadOdbc } from "../connection/odbc.ts";
import { parseDatabaseUri } from "../connection/uri.ts";
import { BENCH_SCHEMA, prepareData } from "./_data.ts";
import { median, memoryOf, quantile as q, say, timed, write } from "./_stats.ts";

const FETCH_SIZES = [50, 100, 200, 500, 1001];
const [WARMUP, CALLS, POINT_WARMUP, POINT_CALLS] = [3, 20, 20, 200];
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-run"];
/** The `sqlite:` URI as shipped, SQLite with the driver's StepAPI=1 (an `odbc:` URI), PostgreSQL. */
const TARGETS = { sqlite: "SQLite", "sqlite-step": "SQLite StepAPI=1", postgres: "PostgreSQL" };
type Target = keyof typeof TARGETS;
interface Job {
  target: Target;
  uri: string;
  fetchSize: number;
  full: boolean;
}
interface Sample {
  big: number[];
  rssGrowth: number;
  peakGrowth: number;
  small?: number[];
  point?: number[];
  raw?: number[];
}

/** Runs in a child process: one target, one fetch size. */
async function measure(job: Job): Promise<Sample> {
  const [demo, bench] = job.target === "postgres" ? [`${PG_DEMO_SCHEMA}.`, `${BENCH_SCHEMA}.`] : ["", ""];
  await using db = testDatabase(job.uri, { fetchSize: job.fetchSize });
  await using mcp = await connectClient(db);
  const call = async (sql: string, rows: number, truncated: boolean) => {
    const r = await mcp.call("base_readQuery", { sql });
    const c = r.structuredContent;
    if (r.isError || c?.row_count !== rows || c.truncated !== truncated) {
      throw new Error(`${sql}: unexpected result ${JSON.stringify(r).slice(0, 300)}`);
    }
  };
  const point = (i: number) =>
    call(`SELECT * FROM ${demo}orders WHERE order_id = ${(i * 7919) % 100_000 + 1}`, 1, false);
  await point(0); // opens the pooled connection and loads everything first
  const rssBefore = Deno.memoryUsage().rss;
  const big = await timed(() => call(`SELECT * FROM ${demo}big`, 1000, true), WARMUP, CALLS);
  const sample: Sample = {
    big,
    rssGrowth: Deno.memoryUsage().rss - rssBefore,
    peakGrowth: memoryOf(Deno.pid).peak - rssBefore,
  };
  if (!job.full) return sample;
  sample.small = await timed(() => call(`SELECT * FROM ${bench}small`, 1000, false), WARMUP, CALLS);
  sample.point = await timed(point, POINT_WARMUP, POINT_CALLS);
  sample.raw = await rawFloor(job.uri, `SELECT * FROM ${demo}big`);
  return sample;
}

/** npm:odbc alone on one connection: a cursor with fetchSize 100 reading 1001 rows. */
async function rawFloor(uri: string, sql: string): Promise<number[]> {
  const connection = await loadOdbc().connect(parseDatabaseUri(uri).connectionString, 10);
  try {
    return await timed(
      async () => {
        const cursor = await connection.query(sql, null, { cursor: true, fetchSize: 100 });
        let rows = 0;
        try {
          while (rows < 1001 && !cursor.noData) rows += (await cursor.fetch()).length;
        } finally {
          await cursor.close();
        }
        if (rows < 1001) throw new Error(`raw floor read only ${rows} rows`);
      },
      WARMUP,
      CALLS,
    );
  } finally {
    await connection.close();
  }
}

async function child(job: Job): Promise<Sample> {
  const args = ["run", ...PERMISSIONS, "--allow-net=127.0.0.1", "--allow-sys", import.meta.filename!];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, `--child=${JSON.stringify(job)}`],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`child ${job.target} fetchSize=${job.fetchSize} failed (exit ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

/** The three targets' URIs over the benchmark's copy of the data. */
function targetUris(sqlitePath: string, pgUri: string): Record<Target, string> {
  const step = `odbc:DRIVER={SQLite3};Database=${sqlitePath};BigInt=1;StepAPI=1;`;
  return { sqlite: `sqlite://${sqlitePath}`, "sqlite-step": step, postgres: pgUri };
}

const ms = (v: number) => v < 10 ? v.toFixed(2) : v.toFixed(1);
const mb = (v: number) => (v / 2 ** 20).toFixed(0);

function report(runs: Map<string, Sample>[]): string {
  const targets = Object.keys(TARGETS) as Target[];
  const stat = (key: string, f: (s: Sample) => number) => median(runs.map((r) => f(r.get(key)!))); // median over runs
  const pq = (key: string, field: "big" | "small" | "point" | "raw") =>
    `${ms(stat(key, (s) => median(s[field]!)))} / ${ms(stat(key, (s) => q(s[field]!, 0.95)))}`;
  const row = (label: string, f: (key: string) => string) =>
    `| ${label} | ${targets.map((t) => f(`${t}:${DATABASE_DEFAULTS.fetchSize}`)).join(" | ")} |`;
  const lines = [
    `| base_readQuery, fetchSize ${DATABASE_DEFAULTS.fetchSize} (default) | ${Object.values(TARGETS).join(" | ")} |`,
    `| --- |${" ---: |".repeat(targets.length)}`,
    row("1M-row table, cap 1000: p50 / p95 ms", (k) => pq(k, "big")),
    row("1k-row table, all 1000 rows: p50 / p95 ms", (k) => pq(k, "small")),
    row("ratio 1M / 1k (p50)", (k) => stat(k, (s) => median(s.big) / median(s.small!)).toFixed(1)),
    row("raw npm:odbc, 1M-row table, 1001 rows, fetchSize 100: p50 / p95 ms", (k) => pq(k, "raw")),
    row("point query by primary key: p50 / p95 ms", (k) => pq(k, "point")),
    row(`RSS after − before the ${WARMUP + CALLS} 1M-row calls, MB`, (k) => mb(stat(k, (s) => s.rssGrowth))),
    row("peak RSS (VmHWM) − RSS before, MB", (k) => mb(stat(k, (s) => s.peakGrowth))),
    "",
    `| 1M-row table, cap 1000: fetchSize | ${targets.map((t) => `${TARGETS[t]} p50 / p95 ms | peak MB`).join(" | ")} |`,
    `| ---: |${" ---: |".repeat(2 * targets.length)}`,
  ];
  for (const size of FETCH_SIZES) {
    const cells = targets.flatMap((t) => [pq(`${t}:${size}`, "big"), mb(stat(`${t}:${size}`, (s) => s.peakGrowth))]);
    lines.push(`| ${size} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}

async function main(args: string[]): Promise<void> {
  const childArg = args.find((a) => a.startsWith("--child="));
  if (childArg) return write(JSON.stringify(await measure(JSON.parse(childArg.slice(8)))) + "\n");
  const runCount = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 1);
  let interrupted = false; // Ctrl-C also stops the running child; clean up below
  Deno.addSignalListener("SIGINT", () => interrupted = true);
  const work = await Deno.makeTempDir({ prefix: "tdmcp-bench-" });
  const data = await prepareData(work);
  try {
    const uris = targetUris(data.sqlitePath, data.pgUri);
    const runs: Map<string, Sample>[] = [];
    for (let run = 1; run <= runCount; run++) {
      const samples = new Map<string, Sample>();
      for (const target of Object.keys(TARGETS) as Target[]) {
        for (const fetchSize of FETCH_SIZES) {
          if (interrupted) throw new Error("interrupted");
          const full = fetchSize === DATABASE_DEFAULTS.fetchSize;
          const s = await child({ target, uri: uris[target], fetchSize, full });
          say(`run ${run}/${runCount} ${target} fetchSize ${fetchSize}: 1M capped p50 ${ms(median(s.big))} ms`);
          samples.set(`${target}:${fetchSize}`, s);
        }
      }
      runs.push(samples);
    }
    write(
      `\nMedians of ${runCount} run(s) of ${CALLS} timed calls after ${WARMUP} warm-ups ` +
        `(point query: ${POINT_CALLS} after ${POINT_WARMUP}).\n\n${report(runs)}`,
    );
  } finally {
    await data.cleanup();
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  await main(Deno.args);
  Deno.exit(0); // the SIGINT listener would keep the process alive
}
