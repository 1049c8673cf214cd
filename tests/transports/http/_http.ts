/** Shared pieces of the HTTP transport tests: a listener over a real database, clients, raw requests. */
import { getLogger } from "@logtape/logtape";
import type { Database } from "../../../connection/types.ts";
import { createServer } from "../../../server/create.ts";
import { type HttpOptions, serveHttp } from "../../../transports/http/server.ts";
import { loadTools } from "../../../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../../../server/paths.ts";
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "../../_sdk.ts";
import { demoSqlitePath, testDatabase } from "../../_helpers.ts";

/** The built-in tools. */
export const TOOLS = (await loadTools([BUILTIN_TOOLS_DIR])).map((l) => l.tool);
/** The tool limits of the test servers. */
export const LIMITS = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };
/** A bearer token for the auth tests. */
export const TOKEN = "s3cret-token-for-tests";

/** Options for a test listener on a free loopback port. */
export function httpOptions(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    path: "/mcp",
    stateless: false,
    authToken: null,
    allowedHosts: [],
    allowedOrigins: [],
    maxBodyBytes: 1024 * 1024,
    maxSessions: 100,
    maxConcurrentPerSession: 8,
    maxConcurrent: 64,
    sessionIdleMs: 60_000,
    eventStoreSize: 100,
    maxConnections: 1000,
    headerTimeoutMs: 10_000,
    bodyTimeoutMs: 30_000,
    idleTimeoutMs: 60_000,
    ...overrides,
  };
}

/** A listener over a real Database on the demo SQLite file (or `uri`). */
export async function startHttp(overrides: Partial<HttpOptions> = {}, uri?: string) {
  const db: Database = testDatabase(uri ?? `sqlite://${await demoSqlitePath()}`);
  const log = getLogger(["tdmcp", "test", "http"]);
  const http = serveHttp(httpOptions(overrides), {
    newServer: () => createServer({ db, tools: TOOLS, limits: LIMITS, log }),
    ready: () => db.health(),
    log,
  });
  const url = new URL(`http://127.0.0.1:${http.addr.port}/mcp`);
  return {
    http,
    db,
    url,
    base: `http://127.0.0.1:${http.addr.port}`,
    async [Symbol.asyncDispose]() {
      await http.shutdown(2_000);
      await db.close();
    },
  };
}

/** An SDK client over Streamable HTTP. */
export async function connect(url: URL, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  const client = new Client({ name: "tdmcp-http-test", version: "0" });
  await client.connect(transport);
  return {
    client,
    transport,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      await client.callTool({ name, arguments: args }) as CallToolResult & {
        structuredContent?: { rows: unknown[][] };
      },
    async [Symbol.asyncDispose]() {
      await client.close().catch(() => {});
    },
  };
}

/** A SQLite statement that keeps a connection busy for a while. */
export const SLOW_SQL =
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n";

/** A raw initialize request (protocol 2025-06-18). */
export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

/** A raw POST of `body` to the endpoint with the headers the transport expects. */
export function post(url: URL | string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body,
  });
}

/** Sends a raw HTTP/1.1 request (fetch will not send a forged Host header) and returns the status. */
export async function rawStatus(port: number, request: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  } finally {
    conn.close();
  }
}

/** Reads an SSE body until `pattern` matches the text so far, then cancels it. */
export async function readUntil(body: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!pattern.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

/** Initializes a session with raw requests; returns the headers its later requests carry. */
export async function rawSession(url: URL, protocolVersion: string): Promise<Record<string, string>> {
  const init = await post(url, JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion } }));
  const sessionId = init.headers.get("mcp-session-id");
  await init.text();
  if (!sessionId) throw new Error(`initialize answered ${init.status} without a session`);
  const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": protocolVersion };
  const initialized = await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), headers);
  await initialized.body?.cancel();
  return headers;
}

/** A `tools/call` of base_readQuery as a raw JSON-RPC message. */
export function readQueryCall(id: number, sql: string) {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name: "base_readQuery", arguments: { sql } } };
}

/** Opens a raw connection and writes `text` to it (a request, or part of one). */
export async function rawConnection(port: number, text: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(text));
  return conn;
}

/** The head of a raw POST to /mcp whose body is `length` bytes long. */
export function rawPostHead(port: number, length: number, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Accept: application/json, text/event-stream\r\n${extra}Content-Length: ${length}\r\n\r\n`;
}

/**
 * Reads from a raw connection until it closes (null) or `pattern` matches; returns what arrived. Throws when neither
 * happened within `timeoutMs` (the connection is closed then), so a missing guard fails the test instead of hanging it.
 */
export async function readRaw(
  conn: Deno.Conn,
  pattern?: RegExp,
  timeoutMs = 15_000,
): Promise<{ text: string; closed: boolean }> {
  const buffer = new Uint8Array(16_384);
  const decoder = new TextDecoder();
  let text = "";
  let late = false;
  const timer = setTimeout(() => (late = true, conn.close()), timeoutMs);
  try {
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch (error) {
        if (late) throw new Error(`the connection neither closed nor matched ${pattern} within ${timeoutMs} ms`);
        if (error instanceof Deno.errors.ConnectionReset) return { text, closed: true };
        throw error;
      }
      if (n === null) return { text, closed: true };
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      if (pattern?.test(text)) return { text, closed: false };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 50 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return await condition();
}
