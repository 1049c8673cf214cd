// What each layer of a point query costs, by cutting layers out (PostgreSQL,
// concurrency 16): in this process, the raw npm:odbc cursor and tdmcp's
// Database.query(); then stdio servers spawned from the `start` task (as
// shipped) and from bench/_layer_server.ts with the SDK, the tool call or the
// database cut out of the call path. Calls/s, the ratio to the raw cursor in
// the same round, and CPU per call of the server and of this process (the
// client) from /proc. Prints a Markdown table of medians.
//
//   deno run --allow-all bench/layers.ts [--rounds=3] [--calls=6000]
//
// Needs TDMCP_TEST_PG_URI with the demo schema loaded (run `deno task bench`
// once). Linux only. Run it on an idle machine: everything shares the CPUs.
import { demoPostgresUri, PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { DATABASE_DEFAULTS, openDatabase } from "../connection/database.ts";
import type { LayerMode } from "./_layer_server.ts";
import { pointLoad } from "./_measure.ts";
import { initialize, stdioSession } from "./_mcp.ts";
import { rawPointLoad, RawPool } from "./_raw.ts";
import { ROOT, type ServerProcess, startServer, withTimeout } from "./_servers.ts";
import { closedLoop, cpuOf, type LoadSample, median, say, write } from "./_stats.ts";

const CONCURRENCY = 16;

/** Starts bench/_layer_server.ts in `mode` as a stdio server. */
async function startLayerServer(mode: LayerMode, uri: string): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", `${ROOT}bench/_layer_server.ts`, `--mode=${mode}`],
    cwd: ROOT,
    env: { DATABASE_URI: uri },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stdio = stdioSession(child);
  await withTimeout(initialize(stdio), 60_000, `layer server ${mode}: initialize`);
  return {
    kind: "tdmcp",
    transport: "stdio",
    pid: child.pid,
    stdio,
    log: () => "",
    stop: async () => {
      await stdio.close();
      await child.status;
    },
  };
}

interface Sample {
  perSecond: number;
  ratio: number;
  server?: number;
  client: number;
}

async function main(args: string[]): Promise<void> {
  const arg = (name: string, fallback: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  const rounds = arg("rounds", 3);
  const calls = arg("calls", 6000);
  if (!Deno.env.get("TDMCP_TEST_PG_URI")) throw new Error("set TDMCP_TEST_PG_URI (see the header)");
  const uri = (await demoPostgresUri())!;
  const sql = (n: number) => `SELECT * FROM ${PG_DEMO_SCHEMA}.orders WHERE order_id = ${1 + (n * 7919) % 100_000}`;
  const pool = await RawPool.open(uri, DATABASE_DEFAULTS.poolSize);
  const db = openDatabase({ ...DATABASE_DEFAULTS, uri, allowSuperuser: true });
  const rows: [string, (warmup: number, n: number) => Promise<LoadSample>][] = [
    ["raw npm:odbc cursor, in process", (w, n) => rawPointLoad(pool, "cursor", CONCURRENCY, w, n, sql)],
    ["tdmcp `Database.query()`, in process", (w, n) =>
      closedLoop(CONCURRENCY, w, n, async (_, i) => {
        if ((await db.query(sql(i), { maxRows: 1000 })).rows.length !== 1) throw new Error("expected one row");
      })],
  ];
  const servers: [string, () => Promise<ServerProcess>][] = [
    [
      "stdio server as shipped (`start` task)",
      () => startServer({ kind: "tdmcp", transport: "stdio", uri, dbhubToml: "" }),
    ],
    ["layer server, nothing cut", () => startLayerServer("sdk", uri)],
    ["… tools/call before the SDK: no zod, no McpServer", () => startLayerServer("lean", uri)],
    ["… and no runTool (no tool context, no log line)", () => startLayerServer("direct", uri)],
    ["… a replayed answer, no database (JSON-RPC only)", () => startLayerServer("echo", uri)],
  ];
  const samples = new Map<string, Sample[]>();
  const keep = (what: string, sample: Sample) => samples.set(what, [...samples.get(what) ?? [], sample]);
  try {
    for (let round = 1; round <= rounds; round++) {
      let raw = 0;
      for (const [what, run] of rows) {
        await run(5, 500);
        const before = cpuOf("self");
        const { perSecond } = await run(0, calls);
        raw ||= perSecond;
        keep(what, { perSecond, ratio: perSecond / raw, client: (cpuOf("self") - before) / calls });
      }
      for (const [what, start] of servers) {
        const server = await start();
        try {
          await pointLoad(server, CONCURRENCY, 5, 500, sql);
          const before = { client: cpuOf("self"), server: cpuOf(server.pid) };
          const { perSecond } = await pointLoad(server, CONCURRENCY, 0, calls, sql);
          keep(what, {
            perSecond,
            ratio: perSecond / raw,
            server: (cpuOf(server.pid) - before.server) / calls,
            client: (cpuOf("self") - before.client) / calls,
          });
        } finally {
          await server.stop();
        }
      }
      say(`round ${round} of ${rounds} done`);
    }
  } finally {
    await pool.close();
    await db.close();
  }
  const med = (what: string, key: keyof Sample) => median(samples.get(what)!.map((s) => s[key] ?? NaN));
  const us = (v: number) => Number.isNaN(v) ? "–" : v.toFixed(0);
  write(
    [
      `PostgreSQL point query at concurrency ${CONCURRENCY}, ${calls} calls per row and round; medians of ${rounds} rounds`,
      "(the ratio is to the raw cursor in the same round; in-process rows count this whole process as the client):",
      "",
      "| | calls/s | ÷ raw cursor | server CPU µs/call | client CPU µs/call |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...[...samples.keys()].map((what) =>
        `| ${what} | ${med(what, "perSecond").toFixed(0)} | ${med(what, "ratio").toFixed(2)}× | ${
          us(med(what, "server"))
        } | ${us(med(what, "client"))} |`
      ),
      "",
    ].join("\n"),
  );
}

if (import.meta.main) await main(Deno.args);
