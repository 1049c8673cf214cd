/**
 * A minimal MCP client for benchmarks: JSON-RPC over stdio (one JSON message
 * per line) or over Streamable HTTP (POST, answered as JSON or as an SSE
 * stream). It does no schema validation, so the client's own cost stays small
 * and the same for every server measured.
 * @module
 */
import type { McpServer } from "../server/sdk.ts";
import { InMemoryTransport } from "../tests/_sdk.ts";

/** What a server answered to one request. */
export interface RpcAnswer {
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** One MCP session. */
export interface McpSession {
  /** Sends a request and resolves with the server's answer (a JSON-RPC error is not thrown). */
  request(method: string, params?: Record<string, unknown>): Promise<RpcAnswer>;
  /** Sends a notification. */
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

const PROTOCOL_VERSION = "2025-06-18";
const CLIENT_INFO = { name: "tdmcp-bench", version: "0" };

/** Runs the initialize handshake; returns the protocol version the server chose. */
export async function initialize(session: McpSession): Promise<string> {
  const answer = await session.request("initialize", {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: CLIENT_INFO,
  });
  if (!answer.result) throw new Error(`initialize failed: ${JSON.stringify(answer.error)}`);
  await session.notify("notifications/initialized");
  return String(answer.result.protocolVersion);
}

/** Calls a tool; throws on a JSON-RPC error (an `isError` result is returned). */
export async function callTool(
  session: McpSession,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await session.request("tools/call", { name, arguments: args });
  if (!answer.result) throw new Error(`tools/call ${name} failed: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** A session over a child process's stdin/stdout. */
export function stdioSession(child: Deno.ChildProcess): McpSession {
  const writer = child.stdin.getWriter();
  const pending = new Map<number, (answer: RpcAnswer) => void>();
  const encoder = new TextEncoder();
  let nextId = 1;
  let failure: Error | null = null;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const message = JSON.parse(line);
        if (typeof message.id === "number" && ("result" in message || "error" in message)) {
          pending.get(message.id)?.(message);
          pending.delete(message.id);
        }
      }
    }
    failure = new Error("the server closed its stdout");
    for (const resolve of pending.values()) resolve({ error: { code: -1, message: failure.message } });
    pending.clear();
  })();
  const send = (message: Record<string, unknown>) =>
    writer.write(encoder.encode(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n"));
  return {
    request(method, params) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const answer = new Promise<RpcAnswer>((resolve) => pending.set(id, resolve));
      return send({ id, method, params }).then(() => answer);
    },
    async notify(method, params) {
      await send({ method, params });
    },
    async close() {
      await writer.close().catch(() => {});
      await reading.catch(() => {});
    },
  };
}

/** A session over Streamable HTTP at `url` (stateful when the server hands out a session id). */
export function httpSession(url: string): McpSession {
  let sessionId: string | null = null;
  let protocolVersion: string | null = null;
  let nextId = 1;
  const post = async (message: Record<string, unknown>): Promise<Response> => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    if (sessionId) headers["mcp-session-id"] = sessionId;
    if (protocolVersion) headers["mcp-protocol-version"] = protocolVersion;
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", ...message }),
    });
    sessionId = response.headers.get("mcp-session-id") ?? sessionId;
    return response;
  };
  return {
    async request(method, params) {
      const id = nextId++;
      const response = await post({ id, method, params });
      const type = response.headers.get("content-type") ?? "";
      const text = await response.text();
      let answer: RpcAnswer | undefined;
      if (type.startsWith("text/event-stream")) {
        for (const event of text.split(/\r?\n\r?\n/)) {
          const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("\n");
          if (!data.trim()) continue; // a priming event
          const message = JSON.parse(data);
          if (message.id === id) answer = message;
        }
      } else if (text) {
        answer = JSON.parse(text);
      }
      if (!answer) throw new Error(`HTTP ${response.status} without an answer to ${method}: ${text.slice(0, 200)}`);
      if (method === "initialize" && answer.result) protocolVersion = String(answer.result.protocolVersion);
      return answer;
    },
    async notify(method, params) {
      const response = await post({ method, params });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${method}`);
    },
    async close() {
      if (!sessionId) return;
      const headers: Record<string, string> = { "mcp-session-id": sessionId };
      if (protocolVersion) headers["mcp-protocol-version"] = protocolVersion;
      const response = await fetch(url, { method: "DELETE", headers }).catch(() => null);
      await response?.body?.cancel();
    },
  };
}

/**
 * An initialized session with an MCP server over an in-memory transport: raw JSON-RPC messages, no SDK client, no
 * transport I/O. `rpc` resolves when the answer arrives.
 */
export async function inMemorySession(server: McpServer): Promise<{ rpc: Rpc }> {
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<number, () => void>();
  client.onmessage = (m) => waiting.get((m as { id: number }).id)?.();
  await server.connect(serverSide);
  await client.start();
  let id = 0;
  const rpc: Rpc = (method, params) =>
    new Promise<void>((resolve) => {
      waiting.set(++id, resolve);
      client.send({ jsonrpc: "2.0", id, method, params });
    });
  await rpc("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "b", version: "0" } });
  await client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  return { rpc };
}

/** Sends one JSON-RPC request and resolves when its answer arrives. */
export type Rpc = (method: string, params: Record<string, unknown>) => Promise<void>;
