// Where the time of one 1,000-row read goes (issue 16 item 3): `SELECT * FROM
// small` (1,000 rows, id/payload TEXT/amount) under the default 1,000-row cap,
// on SQLite and PostgreSQL. (1) Its stages timed in this process, wall time
// (median per read) and CPU of this process (mean per read, all threads, so
// the addon's driver thread counts): the raw npm:odbc cursor with tdmcp's bind
// limits, the statement PostgreSQL's server-side cut sends, readCursor (toCell
// and the budgets) on the live cursor and on replayed batches, Database.query,
// tableResult/renderText/fitResult, zod's output check, JSON.stringify of the
// reply and its UTF-8 encoding, the whole call through the SDK in memory.
// (2) The `start` server over stdio: client wall time and server CPU per read,
// then a V8 CPU profile (inspector) over 200 reads sorted into layers.
//
//   deno run --allow-all bench/rows.ts [--db=sqlite,postgres] [--calls=100] [--rounds=3] [--table=small|big]
//                                      [--no-server]
//
// Without TDMCP_TEST_PG_URI it starts a throwaway PostgreSQL (port 55433), as bench/main.ts does.
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { DATABASE_DEFAULTS, openDatabase } from "../connection/database.ts";
import { readCursor } from "../connection/fetch.ts";
import { rowJsonBytesBound, toCell } from "../connection/cells.ts";
import { PostgresCut } from "../connection/cut_postgres.ts";
import type { OdbcBatch } from "../connection/odbc.ts";
import { PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { createServer } from "../server/create.ts";
import { loadTools } from "../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../server/paths.ts";
import { resultBudget } from "../transports/stdio.ts";
import { fitResult, renderText, TABLE_OUTPUT, tableResult } from "../plugin/result.ts";
import type { Tool, ToolContext } from "../plugin/tool.ts";
import { connectProfiler, summarize } from "./_cpu_profile.ts";
import { BENCH_SCHEMA, prepareData } from "./_data.ts";
import { inMemorySession } from "./_mcp.ts";
import { sqlCall } from "./_measure.ts";
import { cursorRead, RawPool } from "./_raw.ts";
import { defaultBinding, openCursor, readBatches, replay } from "./_cursor.ts";
import { freePort, startServer } from "./_servers.ts";
import { cpuOf, median, say, timed, write } from "./_stats.ts";

const LIMITS = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };
const BUDGET = {
  maxRows: 1000,
  maxBytes: DATABASE_DEFAULTS.maxBytes,
  maxCellChars: DATABASE_DEFAULTS.maxCellChars,
};

/** One stage: median wall µs and mean CPU µs (this process) per call. */
interface Timing {
  wall: number;
  cpu: number;
}

async function timeIt(calls: number, fn: () => unknown): Promise<Timing> {
  for (let i = 0; i < Math.ceil(calls / 5); i++) await fn();
  const samples: number[] = [];
  const cpu0 = cpuOf("self");
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn();
    samples.push((performance.now() - t) * 1000);
  }
  return { wall: median(samples), cpu: (cpuOf("self") - cpu0) / calls };
}

/** Stage timings of one round. */
async function stages(uri: string, sql: string, calls: number): Promise<[string, Timing][]> {
  const out: [string, Timing][] = [];
  const postgres = !uri.startsWith("sqlite");
  const raw = await RawPool.open(uri, 1);
  let sent = sql;
  let batches: OdbcBatch[] = [];
  try {
    await raw.use(async (c) => {
      out.push([
        "1 raw cursor read, the statement as written (driver + addon → row arrays)",
        await timeIt(calls, () => cursorRead(c, sql, raw.fetchBytes)),
      ]);
      // What the bind width and the batch count cost: text bound 256 characters wide (the data's values are shorter),
      // then also the whole read in one fetch.
      const variant = (fetchSize: number) => () =>
        readBatches(c, sql, { fetchSize, maxBoundChars: 256, maxBoundBytes: 1 << 30 });
      out.push(["1a raw cursor read, text bound 256 wide, fetch size 100", await timeIt(calls, variant(100))]);
      out.push(["1b raw cursor read, text bound 256 wide, one 1,001-row fetch", await timeIt(calls, variant(1001))]);
      if (postgres) {
        const cut = new PostgresCut({ maxChars: DATABASE_DEFAULTS.maxCellChars, inline: true });
        const plan = await cut.plan(sql, async (text) => (await c.query(text)).columns ?? []);
        sent = plan?.statement ?? sql;
        out.push([
          "2 raw cursor read, the statement cut_postgres sends",
          await timeIt(calls, () => cursorRead(c, sent, raw.fetchBytes)),
        ]);
        out.push([
          "2b cut plan (shape key, cached)",
          await timeIt(calls, () => cut.plan(sql, () => Promise.reject(new Error("uncached")))),
        ]);
      }
      out.push([
        "3 readCursor on the live cursor (1/2 + toCell + budgets)",
        await timeIt(calls, async () => {
          const cursor = await openCursor(c, sent, defaultBinding(raw.fetchBytes));
          try {
            await readCursor(cursor, BUDGET, performance.now());
          } finally {
            await cursor.close();
          }
        }),
      ]);
      batches = await readBatches(c, sent, defaultBinding(raw.fetchBytes));
    });
  } finally {
    await raw.close();
  }
  const rows = batches.flat();
  out.push([
    "4a toCell, 1,000 rows (row.map)",
    await timeIt(calls, () => rows.slice(0, 1000).map((r) => r.map(toCell))),
  ]);
  out.push([
    "4b rowJsonBytesBound, 1,000 rows",
    await timeIt(calls, () => rows.slice(0, 1000).forEach((r) => rowJsonBytesBound(r as never))),
  ]);
  out.push([
    "4c readCursor on replayed batches (toCell + budgets, no driver)",
    await timeIt(calls, () => readCursor(replay(batches), BUDGET, 0)),
  ]);
  // The bench clusters log in as their superuser (as bench/_servers.ts allows the server).
  await using db = openDatabase({ ...DATABASE_DEFAULTS, uri, allowSuperuser: true });
  const result = await db.query(sql);
  if (result.rowCount !== 1000) throw new Error(`expected 1000 rows, got ${result.rowCount}`);
  out.push(["5 Database.query (lease, guard, cut, cursor, readCursor, end)", await timeIt(calls, () => db.query(sql))]);
  out.push(["6a tableResult (structured + renderText)", await timeIt(calls, () => tableResult(result))]);
  out.push(["6b renderText alone", await timeIt(calls, () => renderText(result))]);
  const reply = tableResult(result);
  out.push([
    "6c fitResult (JSON.stringify + byteLength, fits)",
    await timeIt(calls, () => fitResult(reply, resultBudget())),
  ]);
  const output = z.object(TABLE_OUTPUT);
  out.push([
    "7 zod output schema parse (structuredContent)",
    await timeIt(calls, () => output.parse(reply.structuredContent)),
  ]);
  const message = { jsonrpc: "2.0", id: 1, result: reply };
  out.push(["8a JSON.stringify of the JSON-RPC reply", await timeIt(calls, () => JSON.stringify(message))]);
  const line = JSON.stringify(message) + "\n";
  const encoder = new TextEncoder();
  out.push(["8b TextEncoder.encode of the line", await timeIt(calls, () => encoder.encode(line))]);
  const tools = (await loadTools([BUILTIN_TOOLS_DIR])).map((l) => l.tool);
  const readQuery = tools.find((t) => t.name === "base_readQuery")! as Tool;
  const ctx = {
    db,
    dialect: postgres ? "postgres" : "sqlite",
    signal: new AbortController().signal,
    log: getLogger(["tdmcp", "bench"]),
    limits: LIMITS,
    requestId: "1",
    progress: () => Promise.resolve(),
  } as unknown as ToolContext;
  out.push([
    "9a tool handler (Database.query + tableResult)",
    await timeIt(calls, () => readQuery.handler({ sql } as never, ctx)),
  ]);
  // The whole call through the SDK server over an in-memory transport (no pipes).
  const server = createServer({ db, tools, limits: LIMITS, log: getLogger(["tdmcp", "bench"]) });
  const { rpc } = await inMemorySession(server);
  out.push([
    "9b whole tools/call through the SDK server in memory",
    await timeIt(calls, () => rpc("tools/call", { name: "base_readQuery", arguments: { sql } })),
  ]);
  await server.close();
  return out;
}

/** The `start` server over stdio: client wall and server CPU per read, then (another server) a profile over `profiled` reads. */
async function serverPart(uri: string, sql: string, calls: number, profiled: number): Promise<string> {
  const plain = await startServer({ kind: "tdmcp", transport: "stdio", uri, dbhubToml: "" });
  let timing: string;
  try {
    const read = () => sqlCall(plain.stdio!, "tdmcp", sql, 1000);
    for (let i = 0; i < 30; i++) await read();
    const cpu0 = cpuOf(plain.pid);
    const walls = await timed(read, 0, calls);
    timing = `stdio: ${(1000 * median(walls)).toFixed(0)} µs per read (client wall, median of ${calls}); ` +
      `server CPU ${((cpuOf(plain.pid) - cpu0) / calls).toFixed(0)} µs per read (/proc, all threads).`;
  } finally {
    await plain.stop();
  }
  const port = freePort();
  const flags = [`--inspect=127.0.0.1:${port}`];
  const server = await startServer({ kind: "tdmcp", transport: "stdio", uri, dbhubToml: "", denoFlags: flags });
  const profiler = await connectProfiler(port);
  try {
    const read = () => sqlCall(server.stdio!, "tdmcp", sql, 1000);
    for (let i = 0; i < 30; i++) await read();
    await profiler.start();
    for (let i = 0; i < profiled; i++) await read();
    const { totalUs, layers, functions } = summarize(await profiler.stop());
    return [
      timing,
      "",
      `| layer (profiled, ${profiled} reads) | µs per read | share |`,
      "| --- | ---: | ---: |",
      ...layers.map(([name, us]) =>
        `| ${name} | ${(us / profiled).toFixed(0)} | ${(100 * us / totalUs).toFixed(1)} % |`
      ),
      "",
      "| top functions (self time) | µs per read |",
      "| --- | ---: |",
      ...functions.slice(0, 30).map(([name, us]) => `| \`${name}\` | ${(us / profiled).toFixed(1)} |`),
    ].join("\n") + "\n";
  } finally {
    profiler.close();
    await server.stop();
  }
}

async function main(args: string[]): Promise<void> {
  const arg = (name: string, fallback: string) =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const dbs = arg("db", "sqlite,postgres").split(",");
  const calls = Number(arg("calls", "100"));
  const rounds = Number(arg("rounds", "3"));
  const table = arg("table", "small");
  const work = await Deno.makeTempDir({ prefix: "tdmcp-rows-" });
  const data = await prepareData(work, dbs.includes("postgres"));
  try {
    for (const db of dbs) {
      const uri = db === "postgres" ? data.pgUri : `sqlite://${data.sqlitePath}`;
      const schema = db === "postgres" ? `${table === "small" ? BENCH_SCHEMA : PG_DEMO_SCHEMA}.` : "";
      const sql = `SELECT * FROM ${schema}${table}`;
      const all = new Map<string, Timing[]>();
      for (let r = 0; r < rounds; r++) {
        say(`${db}: stages, round ${r + 1} of ${rounds}`);
        for (const [name, t] of await stages(uri, sql, calls)) all.set(name, [...(all.get(name) ?? []), t]);
      }
      const span = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
      write(
        [
          `## ${db}: ${sql}, stages in process (${rounds} rounds × ${calls} reads)`,
          "",
          "| stage | wall µs (median of round medians) | spread | CPU µs (median) | spread |",
          "| --- | ---: | ---: | ---: | ---: |",
          ...[...all].map(([name, ts]) => {
            const w = ts.map((t) => t.wall);
            const c = ts.map((t) => t.cpu);
            return `| ${name} | ${median(w).toFixed(0)} | ${span(w)} | ${median(c).toFixed(0)} | ${span(c)} |`;
          }),
          "",
        ].join("\n") + "\n",
      );
      if (!args.includes("--no-server")) {
        say(`${db}: the server over stdio`);
        write(`## ${db}: ${sql}, the server over stdio\n\n${await serverPart(uri, sql, 200, 200)}\n`);
      }
    }
  } finally {
    await data.cleanup();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main(Deno.args);
