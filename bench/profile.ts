// Where the time of one tool call goes: (1) a CPU profile of the tdmcp server
// process (the `start` task's command line plus --inspect) answering point
// queries over stdio, its main-thread time sorted into layers; (2) the stages
// of the same call timed in this process: the ODBC execute/fetch, the pool
// lease, the read-only guard, the Database, row conversion, the tool handler,
// zod validation, the SDK's dispatch and JSON serialization.
//
//   deno run --allow-all bench/profile.ts [--db=sqlite|postgres] [--calls=2000] [--transports=stdio,http]
//                                         [--no-stages]   (--transports= skips the server profile)
// TDMCP_PROFILE_ENV=NAME=VALUE,... passes environment to the server; TDMCP_PROFILE_TOP=N lists N functions.
//
// Without TDMCP_TEST_PG_URI and with --db=postgres it starts a throwaway
// PostgreSQL (port 55433), as bench/main.ts does.
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { DATABASE_DEFAULTS, openDatabase } from "../connection/database.ts";
import { checkReadOnly } from "../connection/guard.ts";
import { Pool } from "../connection/pool.ts";
import { toCell } from "../connection/cells.ts";
import { PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { createServer } from "../server/create.ts";
import { loadTools } from "../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../server/paths.ts";
import { TABLE_OUTPUT, tableResult } from "../plugin/result.ts";
import type { Tool, ToolContext } from "../plugin/tool.ts";
import { connectProfiler, summarize } from "./_cpu_profile.ts";
import { prepareData } from "./_data.ts";
import { sqlCall } from "./_measure.ts";
import { RawPool } from "./_raw.ts";
import { httpSession, initialize, inMemorySession } from "./_mcp.ts";
import { freePort, startServer, type Transport } from "./_servers.ts";
import { median, say, write } from "./_stats.ts";

const LIMITS = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };

/** Median microseconds per call of `fn` over `calls` calls after a tenth as many warm-ups. */
async function perCall(calls: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.ceil(calls / 10); i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn(i);
    samples.push((performance.now() - t) * 1000);
  }
  return median(samples);
}

/** Part 1: the server process under load, profiled. */
async function profileServer(
  uri: string,
  point: (n: number) => string,
  calls: number,
  transport: Transport,
): Promise<string> {
  const port = freePort();
  const server = await startServer({
    kind: "tdmcp",
    transport,
    uri,
    dbhubToml: "",
    denoFlags: [`--inspect=127.0.0.1:${port}`],
    env: Object.fromEntries(
      (Deno.env.get("TDMCP_PROFILE_ENV") ?? "").split(",").filter(Boolean).map((kv) => kv.split(/=(.*)/s, 2)),
    ),
  });
  const profiler = await connectProfiler(port);
  const session = server.stdio ?? httpSession(server.url!);
  try {
    if (!server.stdio) await initialize(session);
    for (let i = 0; i < 200; i++) await sqlCall(session, "tdmcp", point(i), 1);
    await profiler.start();
    const started = performance.now();
    for (let i = 0; i < calls; i++) await sqlCall(session, "tdmcp", point(i), 1);
    const wallUs = (performance.now() - started) * 1000;
    const { totalUs, layers, functions } = summarize(await profiler.stop());
    const lines = [
      `Server main thread over ${calls} sequential point queries over ${transport}: ${
        (wallUs / calls).toFixed(0)
      } µs per call ` +
      `as the client saw it (profiled, so slower than unprofiled).`,
      "",
      "| layer (runtime time counted for its caller) | µs per call | share |",
      "| --- | ---: | ---: |",
      ...layers.map(([name, us]) => `| ${name} | ${(us / calls).toFixed(0)} | ${(100 * us / totalUs).toFixed(1)} % |`),
      "",
      "| top functions (self time) | µs per call |",
      "| --- | ---: |",
      ...functions.slice(0, Number(Deno.env.get("TDMCP_PROFILE_TOP") ?? 25)).map(([name, us]) =>
        `| \`${name}\` | ${(us / calls).toFixed(1)} |`
      ),
    ];
    return lines.join("\n") + "\n";
  } finally {
    if (!server.stdio) await session.close();
    profiler.close();
    await server.stop();
  }
}

/** Part 2: the stages of one call, timed in this process. */
async function stages(uri: string, point: (n: number) => string, calls: number): Promise<string> {
  const rows: [string, number][] = [];
  const raw = await RawPool.open(uri, 1);
  try {
    rows.push([
      "ODBC execute + fetch + close (raw cursor, fetch size 100)",
      await perCall(calls, (i) =>
        raw.use(async (c) => {
          const cursor = await c.query(point(i), null, { cursor: true, fetchSize: 100, timeout: 31 });
          while (!cursor.noData && (await cursor.fetch()).length > 0);
          await cursor.close();
        })),
    ]);
    rows.push(["ODBC plain query() (no cursor)", await perCall(calls, (i) => raw.use((c) => c.query(point(i))))]);
  } finally {
    await raw.close();
  }
  const pool = new Pool<{ close(): Promise<void> }>({
    maxSize: 8,
    healthAfterMs: 30_000,
    open: () => Promise.resolve({ close: () => Promise.resolve() }),
    check: () => Promise.resolve(true),
  });
  rows.push([
    "pool lease + release (no I/O)",
    await perCall(calls, async () => {
      const lease = await pool.acquire(AbortSignal.timeout(30_000));
      await pool.release(lease.connection);
    }),
  ]);
  const dialect = uri.startsWith("sqlite") ? "sqlite" : "postgres";
  rows.push(["read-only guard (checkReadOnly)", await perCall(calls, (i) => checkReadOnly(point(i), dialect))]);
  // The bench clusters log in as their superuser (README: Safety), as bench/rows.ts accepts.
  await using db = openDatabase({ ...DATABASE_DEFAULTS, uri, allowSuperuser: true });
  const sample = await db.query(point(1));
  rows.push([
    "Database.query() (lease, guard, retry, timers, cursor, cells)",
    await perCall(calls, (i) => db.query(point(i))),
  ]);
  const rawRow = sample.rows[0];
  rows.push(["row conversion (toCell, 1 row)", await perCall(calls, () => rawRow.map(toCell))]);
  const tools = (await loadTools([BUILTIN_TOOLS_DIR])).map((l) => l.tool);
  const readQuery = tools.find((t) => t.name === "base_readQuery")! as Tool;
  const log = getLogger(["tdmcp", "bench"]);
  const ctx = {
    db,
    dialect,
    signal: new AbortController().signal,
    log,
    limits: LIMITS,
    requestId: "1",
    progress: () => Promise.resolve(),
  } as unknown as ToolContext;
  rows.push([
    "tool handler (Database.query + tableResult)",
    await perCall(calls, (i) => readQuery.handler({ sql: point(i) } as never, ctx)),
  ]);
  rows.push(["tableResult (text rendering + structured content)", await perCall(calls, () => tableResult(sample))]);
  const input = z.object(readQuery.inputSchema);
  rows.push(["zod: input schema parse", await perCall(calls, (i) => input.parse({ sql: point(i) }))]);
  const output = z.object(TABLE_OUTPUT);
  const result = tableResult(sample);
  rows.push([
    "zod: output schema parse (structuredContent)",
    await perCall(calls, () => output.parse(result.structuredContent)),
  ]);
  rows.push([
    "JSON.stringify of the JSON-RPC answer",
    await perCall(calls, () => JSON.stringify({ jsonrpc: "2.0", id: 1, result })),
  ]);
  // The SDK's server-side dispatch: raw JSON-RPC messages over an in-memory transport, no SDK client.
  const server = createServer({ db, tools, limits: LIMITS, log });
  const { rpc } = await inMemorySession(server);
  rows.push([
    "whole call through the SDK server, in memory (no transport I/O)",
    await perCall(calls, (i) => rpc("tools/call", { name: "base_readQuery", arguments: { sql: point(i) } })),
  ]);
  await server.close();
  return [
    "| stage (median of one call, in process) | µs |",
    "| --- | ---: |",
    ...rows.map(([name, us]) => `| ${name} | ${us.toFixed(1)} |`),
  ].join("\n") + "\n";
}

async function main(args: string[]): Promise<void> {
  const db = args.find((a) => a.startsWith("--db="))?.slice(5) ?? "sqlite";
  const calls = Number(args.find((a) => a.startsWith("--calls="))?.slice(8) ?? 2000);
  const given = args.find((a) => a.startsWith("--transports="))?.slice(13) ?? "stdio,http";
  const transports = given.split(",").filter(Boolean) as Transport[];
  const skipStages = args.includes("--no-stages");
  const work = await Deno.makeTempDir({ prefix: "tdmcp-profile-" });
  const data = await prepareData(work, db === "postgres");
  try {
    const uri = db === "postgres" ? data.pgUri : `sqlite://${data.sqlitePath}`;
    const schema = db === "postgres" ? `${PG_DEMO_SCHEMA}.` : "";
    const point = (n: number) => `SELECT * FROM ${schema}orders WHERE order_id = ${(n * 7919) % 100_000 + 1}`;
    say(`profiling the server on ${db}`);
    for (const transport of transports) {
      write(`## ${db}: server CPU profile, ${transport}\n\n${await profileServer(uri, point, calls, transport)}\n`);
    }
    if (skipStages) return;
    say(`timing the stages on ${db}`);
    write(`## ${db}: stages\n\n${await stages(uri, point, calls)}\n`);
  } finally {
    await data.cleanup();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main(Deno.args);
