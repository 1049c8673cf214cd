/**
 * The measurements of one server on one database: point-query latency and
 * throughput, cold start, and the capped SELECT with the server's peak RSS.
 * @module
 */
import { callTool, httpSession, initialize, type McpSession, stdioSession } from "./_mcp.ts";
import { commandFor, type ServerKind, type ServerProcess, type StartOptions, withTimeout } from "./_servers.ts";
import { closedLoop, cpuOf, type LoadSample, memoryOf, timed } from "./_stats.ts";

/** The tool each server answers SQL with. */
export const SQL_TOOL: Record<ServerKind, string> = { tdmcp: "base_readQuery", dbhub: "execute_sql" };

/** Rows and the truncation flag of a SQL tool's result, in either server's format. */
export function rowsOf(kind: ServerKind, result: Record<string, unknown>): { rows: number; truncated: boolean } {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content).slice(0, 300)}`);
  if (kind === "tdmcp") {
    const c = result.structuredContent as { row_count: number; truncated: boolean };
    return { rows: c.row_count, truncated: c.truncated };
  }
  const text = (result.content as { text: string }[])[0].text;
  const body = JSON.parse(text);
  if (!body.success) throw new Error(`dbhub error: ${text.slice(0, 300)}`);
  const statement = body.data.statements?.[0] ?? body.data;
  return { rows: statement.rows.length, truncated: statement.truncated === true };
}

/** Calls the server's SQL tool and checks the number of rows (and truncation, when given). */
export async function sqlCall(
  session: McpSession,
  kind: ServerKind,
  sql: string,
  rows: number,
  truncated?: boolean,
): Promise<void> {
  const got = rowsOf(kind, await callTool(session, SQL_TOOL[kind], { sql }));
  if (got.rows !== rows || (truncated !== undefined && got.truncated !== truncated)) {
    throw new Error(`${kind}: ${sql}: expected ${rows} rows (truncated ${truncated}), got ${JSON.stringify(got)}`);
  }
}

/**
 * Point queries at `concurrency`: over stdio all callers share the one
 * session; over HTTP each caller has its own session (as separate agents do).
 * The sample's `cpu` is the server process's CPU µs per timed call.
 */
export async function pointLoad(
  server: ServerProcess,
  concurrency: number,
  warmup: number,
  calls: number,
  sql: (n: number) => string,
): Promise<LoadSample> {
  const sessions: McpSession[] = [];
  if (server.stdio) sessions.push(server.stdio);
  else {
    for (let i = 0; i < concurrency; i++) {
      const session = httpSession(server.url!);
      await initialize(session);
      sessions.push(session);
    }
  }
  try {
    return await closedLoop(
      concurrency,
      warmup,
      calls,
      (worker, n) => sqlCall(sessions[worker % sessions.length], server.kind, sql(n), 1),
      () => cpuOf(server.pid),
    );
  } finally {
    if (!server.stdio) await Promise.all(sessions.map((s) => s.close()));
  }
}

/** Milliseconds from spawning a stdio server to its answer to the first `tools/list`. */
export async function coldStart(options: StartOptions): Promise<number> {
  const { argv, env } = commandFor({ ...options, transport: "stdio" });
  const started = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: new URL("..", import.meta.url).pathname,
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const session = stdioSession(child);
  try {
    await withTimeout(initialize(session), 60_000, "initialize");
    const answer = await withTimeout(session.request("tools/list"), 60_000, "tools/list");
    const elapsed = performance.now() - started;
    const tools = (answer.result?.tools as unknown[] | undefined)?.length ?? 0;
    if (tools === 0) throw new Error(`${options.kind}: tools/list answered no tools: ${JSON.stringify(answer)}`);
    return elapsed;
  } finally {
    await session.close();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    clearTimeout(timer);
  }
}

/** The capped SELECT: the 1M-row table under the default cap against the 1,000-row table, and memory. */
export interface CappedSample {
  big: number[];
  small: number[];
  /** Peak RSS (VmHWM) after the 1M-row calls minus the RSS before them, bytes. */
  peakGrowth: number;
  /** Peak RSS after the 1M-row calls, bytes. */
  peak: number;
  /** The server process's CPU µs per timed 1M-row call. */
  bigCpu: number;
  /** The server process's CPU µs per 1,000-row call, over `cpuCalls` further calls after the timed ones. */
  smallCpu: number;
}

/** 1,000-row reads of the small table before anything of the capped SELECT is measured. */
export const PRE_WARM_READS = 10;

/**
 * Runs the capped SELECT on a fresh stdio server (`tables`: qualified names of
 * `big` and `small`). The server's CPU per 1,000-row read is taken over
 * `cpuCalls` more reads (CPU accounting has 10 ms ticks: 20 calls are too few).
 */
export async function cappedSelect(
  server: ServerProcess,
  tables: { big: string; small: string; point: string },
  warmup: number,
  calls: number,
  cpuCalls = calls,
): Promise<CappedSample> {
  const session = server.stdio!;
  await sqlCall(session, server.kind, tables.point, 1); // connects and loads everything first
  const readSmall = () => sqlCall(session, server.kind, `SELECT * FROM ${tables.small}`, 1000, false);
  // Both reads run the same code: warming it on the small table first keeps the 1M-row calls, timed first, from
  // paying the fresh process's compilation alone, and leaves the 1M-row table out of the memory baseline.
  await timed(readSmall, PRE_WARM_READS, 0);
  const before = memoryOf(server.pid);
  const big = await cpuTimed(
    server.pid,
    () => sqlCall(session, server.kind, `SELECT * FROM ${tables.big}`, 1000, true),
    warmup,
    calls,
  );
  const after = memoryOf(server.pid);
  const small = await timed(readSmall, warmup, calls);
  const smallCpu = await cpuTimed(server.pid, readSmall, 0, cpuCalls);
  return {
    big: big.times,
    small,
    peakGrowth: after.peak - before.rss,
    peak: after.peak,
    bigCpu: big.cpu,
    smallCpu: smallCpu.cpu,
  };
}

/** `timed`, plus the CPU µs per timed call that process `pid` spent (warm-ups excluded). */
async function cpuTimed(
  pid: number,
  fn: () => Promise<void>,
  warmup: number,
  calls: number,
): Promise<{ times: number[]; cpu: number }> {
  await timed(fn, warmup, 0);
  const before = cpuOf(pid);
  const times = await timed(fn, 0, calls);
  return { times, cpu: (cpuOf(pid) - before) / calls };
}

/** `count` cold starts after one untimed start (which warms the file and compile caches). */
export async function coldStarts(options: StartOptions, count: number): Promise<number[]> {
  await coldStart(options);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await coldStart(options));
  return out;
}
