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
import { connectClient, demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA, testDatabase } from "../tests/_helpers.ts";
import { pgAdmin, pgCtl, pgStart, pgStop } from "../tests/_pg.ts";
import { DATABASE_DEFAULTS } from "../connection/database.ts";
import { loadOdbc } from "../connection/odbc.ts";
import { runScript } from "../connection/script.ts";
import { parseDatabaseUri } from "../connection/uri.ts";

const FETCH_SIZES = [50, 100, 200, 500, 1001];
const [WARMUP, CALLS, POINT_WARMUP, POINT_CALLS] = [3, 20, 20, 200];
const BENCH_SCHEMA = "tdmcp_bench";
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

const enc = new TextEncoder();
function write(text: string, to: { writeSync(p: Uint8Array): number } = Deno.stdout): void {
  const bytes = enc.encode(text);
  for (let off = 0; off < bytes.length;) off += to.writeSync(bytes.subarray(off));
}
const say = (msg: string) => write(`[bench] ${msg}\n`, Deno.stderr);
/** Nearest-rank quantile. */
function q(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}
const median = (values: number[]) => q(values, 0.5);

async function timed(fn: (i: number) => Promise<void>, warmup: number, calls: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms: number[] = [];
  for (let i = warmup; i < warmup + calls; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

/** VmHWM (peak RSS since the process started), in bytes; Deno refuses to read /proc/self without -A. */
function peakRss(): number {
  const status = new Deno.Command("cat", { args: [`/proc/${Deno.pid}/status`] }).outputSync().stdout;
  return Number(/VmHWM:\s+(\d+) kB/.exec(new TextDecoder().decode(status))![1]) * 1024;
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
  const sample: Sample = { big, rssGrowth: Deno.memoryUsage().rss - rssBefore, peakGrowth: peakRss() - rssBefore };
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

/** A throwaway cluster run as the `postgres` OS user (when root), controlled through tests/_pg.ts. */
async function startPostgres(): Promise<string> {
  const port = Number(Deno.env.get("TDMCP_BENCH_PG_PORT") ?? 55433);
  const root = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-bench-pg-" });
  const pwfile = `${dir}.pw`;
  const password = crypto.randomUUID().replaceAll("-", "");
  Deno.env.set("TDMCP_TEST_PG_DATA", dir);
  Deno.env.set("TDMCP_TEST_PG_BIN", Deno.env.get("TDMCP_TEST_PG_BIN") ?? "/usr/lib/postgresql/15/bin");
  Deno.env.set("TDMCP_TEST_PG_SUPERUSER_PREFIX", JSON.stringify(root ? ["runuser", "-u", "postgres", "--"] : []));
  const own = async (path: string) => {
    const id = (f: string) =>
      Number(new TextDecoder().decode(new Deno.Command("id", { args: [f, "postgres"] }).outputSync().stdout));
    if (root) await Deno.chown(path, id("-u"), id("-g"));
  };
  await own(dir);
  await Deno.writeTextFile(pwfile, `${password}\n`, { mode: 0o600 });
  await own(pwfile);
  try {
    const initdb = `-U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=${pwfile} --encoding=UTF8`;
    await pgCtl(["init", "-s", "-D", dir, "-o", `${initdb} --locale=C.UTF-8 --no-sync`]);
  } finally {
    await Deno.remove(pwfile);
  }
  const conf = `${dir}/postgresql.auto.conf`;
  const settings = `port = ${port}\nunix_socket_directories = '${dir}'\nlisten_addresses = '127.0.0.1'\n`;
  await Deno.writeTextFile(conf, `${settings}fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n`);
  await own(conf);
  await pgStart();
  Deno.env.set("TDMCP_TEST_PG_URI", `postgres://postgres:${password}@127.0.0.1:${port}/tdmcp_test`);
  await pgAdmin("CREATE DATABASE tdmcp_test", "postgres");
  say(`PostgreSQL on 127.0.0.1:${port} (data ${dir})`);
  return dir;
}

/** A private copy of the SQLite demo file and a schema in PostgreSQL, each with a 1,000-row `small` table. */
async function prepare(work: string): Promise<Record<Target, string>> {
  const path = `${work}/bench.db`;
  await Deno.copyFile(await demoSqlitePath(), path);
  await runScript(`sqlite://${path}`, [
    "CREATE TABLE small (id INTEGER PRIMARY KEY, payload TEXT, amount REAL)",
    "INSERT INTO small SELECT * FROM big WHERE id <= 1000",
  ]);
  const pg = await demoPostgresUri();
  if (!pg) throw new Error("no PostgreSQL");
  await pgAdmin(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE; CREATE SCHEMA ${BENCH_SCHEMA};
CREATE TABLE ${BENCH_SCHEMA}.small AS SELECT * FROM ${PG_DEMO_SCHEMA}.big WHERE id <= 1000; ANALYZE ${BENCH_SCHEMA}.small`);
  const step = `odbc:DRIVER={SQLite3};Database=${path};BigInt=1;StepAPI=1;`;
  return { sqlite: `sqlite://${path}`, "sqlite-step": step, postgres: pg };
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
  const pgDir = Deno.env.get("TDMCP_TEST_PG_URI") ? undefined : await startPostgres();
  try {
    const uris = await prepare(work);
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
    if (pgDir) {
      await pgStop("fast").catch((e) => say(`pg_ctl stop failed: ${e}`));
      await Deno.remove(pgDir, { recursive: true }).catch(() => {});
    } else await pgAdmin(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`).catch(() => {});
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  await main(Deno.args);
  Deno.exit(0); // the SIGINT listener would keep the process alive
}
