/**
 * The real tdmcp server for isolation_test.ts, driven the way a client
 * drives it: `main.ts` spawned with the exact permissions of `deno task
 * start` (stdio, one session) or `deno task start:http` (Streamable HTTP,
 * two sessions on one server), with `POOL_SIZE=1` so that every call of
 * every session runs on the same database connection.
 * @module
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, StdioClientTransport, StreamableHTTPClientTransport } from "../_sdk.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;

/** What one tool call came back with. */
export interface CallOutcome {
  /** The call failed (a tool error or a protocol error). */
  error: boolean;
  /** The text the agent would read (shortened). */
  text: string;
  /** The structured rows, when the call answered. */
  rows?: unknown[][];
  /** The column names, when the call answered. */
  columns?: string[];
}

/** One MCP session: calls a tool (`base_readQuery` for SQL) and returns what came back. */
export interface Session {
  readQuery(sql: string): Promise<CallOutcome>;
  call(tool: string, args: Record<string, unknown>): Promise<CallOutcome>;
}

/** A running server with one (stdio) or two (HTTP) sessions. */
export interface RunningServer extends AsyncDisposable {
  /** The sessions, in order; HTTP servers have two, stdio servers one. */
  sessions: Session[];
  /** The server's log so far (stderr). */
  log(): string;
}

/** How the server is reached. */
export type Transport = "stdio" | "http";

/** The words of a deno.json task, with main.ts made absolute. */
function taskArgs(task: "start" | "start:http"): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks[task].command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1).map((w) => w === "main.ts" ? MAIN : w);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The environment every server gets: one pooled connection, quiet logs. */
function serverEnv(uri: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    DATABASE_URI: uri,
    POOL_SIZE: "1",
    QUERY_TIMEOUT: "20",
    LOGGING_LEVEL: "info",
    ...extra,
  };
}

const TEXT_MAX = 300;

function outcomeOf(
  result: CallToolResult & { structuredContent?: { rows?: unknown[][]; columns?: { name: string }[] } },
): CallOutcome {
  const text = result.content.map((c) => c.type === "text" ? c.text : "").join("\n").slice(0, TEXT_MAX);
  if (result.isError) return { error: true, text };
  return {
    error: false,
    text,
    rows: result.structuredContent?.rows,
    columns: result.structuredContent?.columns?.map((c) => c.name),
  };
}

function sessionOf(client: Client): Session {
  const call = async (name: string, args: Record<string, unknown>): Promise<CallOutcome> => {
    try {
      const result = await client.callTool({ name, arguments: args }, { timeout: 60_000 });
      return outcomeOf(result as Parameters<typeof outcomeOf>[0]);
    } catch (error) {
      // A protocol-level failure (the server hung up, a timeout): report it like a failed call.
      return { error: true, text: `protocol error: ${(error as Error).message}`.slice(0, TEXT_MAX) };
    }
  };
  return { call, readQuery: (sql) => call("base_readQuery", { sql, timeout_seconds: 15 }) };
}

/** Starts `main.ts` over stdio with the scoped permissions of `deno task start`. */
async function startStdio(uri: string, env: Record<string, string>): Promise<RunningServer> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: taskArgs("start"),
    env: serverEnv(uri, env),
    cwd: ROOT,
    stderr: "pipe",
  });
  const chunks: string[] = [];
  transport.stderr?.on("data", (chunk: Uint8Array) => chunks.push(new TextDecoder().decode(chunk)));
  const client = new Client({ name: "tdmcp-isolation-stdio", version: "0" });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => {});
    throw new Error(`${(error as Error).message}\nserver log:\n${chunks.join("").slice(-2000)}`);
  }
  return {
    sessions: [sessionOf(client)],
    log: () => chunks.join(""),
    async [Symbol.asyncDispose]() {
      await client.close();
    },
  };
}

/** Starts `main.ts` over Streamable HTTP (scoped permissions of `deno task start:http`) and opens two sessions. */
async function startHttp(uri: string, env: Record<string, string>): Promise<RunningServer> {
  const port = freePort();
  const args = taskArgs("start:http").map((w) => w.replace("127.0.0.1:8001", `127.0.0.1:${port}`));
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, "--port", String(port)],
    cwd: ROOT,
    env: serverEnv(uri, env),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const logDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) log += decoder.decode(chunk, { stream: true });
  })();
  const clients: Client[] = [];
  try {
    let ready = false;
    let exited = false;
    child.status.then(() => exited = true);
    for (let i = 0; i < 300 && !ready && !exited; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => {
        await r.body?.cancel();
        return r.ok;
      }, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, `the HTTP server answered /healthz:\n${log}`);
    const url = new URL(`http://127.0.0.1:${port}/mcp`);
    for (const name of ["a", "b"]) {
      const client = new Client({ name: `tdmcp-isolation-http-${name}`, version: "0" });
      await client.connect(new StreamableHTTPClientTransport(url));
      clients.push(client);
    }
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* it had exited already */ }
    await child.status;
    await logDone;
    throw new Error(`${(error as Error).message}\nserver log:\n${log.slice(-2000)}`);
  }
  return {
    sessions: clients.map(sessionOf),
    log: () => log,
    async [Symbol.asyncDispose]() {
      for (const client of clients) await client.close().catch(() => {});
      try {
        child.kill("SIGTERM");
      } catch { /* it had exited already */ }
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
      await logDone;
    },
  };
}

/** Starts the real server over the given transport with `POOL_SIZE=1`. */
export async function startServer(
  transport: Transport,
  uri: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  return transport === "stdio" ? await startStdio(uri, env) : await startHttp(uri, env);
}
