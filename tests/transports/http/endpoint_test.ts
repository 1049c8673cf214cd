/**
 * The MCP endpoint on its own, fed `Request` objects without a listener: its answers before dispatch (method, body,
 * session), the concurrency slots a call holds until it answered (global and per session), batches, duplicate ids in
 * flight, and the session limit. The server behind it has one tool that waits for the test to let it finish.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { type Endpoint, type EndpointOptions, mcpEndpoint } from "../../../transports/http/endpoint.ts";
import type { Hook } from "../../../transports/http/calls.ts";
import { SessionRegistry } from "../../../transports/http/sessions.ts";
import { McpServer } from "../../../server/sdk.ts";

const URL_ = "http://127.0.0.1/mcp";
const VERSION = "2025-06-18";
const OPTIONS: EndpointOptions = {
  maxBodyBytes: 4096,
  bodyTimeoutMs: 5_000,
  maxSessions: 8,
  maxConcurrentPerSession: 4,
  maxConcurrent: 8,
};
const log = getLogger(["tdmcp", "test"]);

/** The tool's gate: `hold` calls wait until `open()`; `started` counts calls that began. */
function gate() {
  let open!: () => void;
  let promise = new Promise<void>((resolve) => open = resolve);
  const state = {
    started: 0,
    open: () => open(),
    close: () => void (promise = new Promise<void>((resolve) => open = resolve)),
    wait: () => promise,
  };
  return state;
}

function newServer(g: ReturnType<typeof gate>): () => McpServer {
  return () => {
    const server = new McpServer({ name: "endpoint-test", version: "0" });
    server.registerTool("hold", { description: "Waits for the test." }, async () => {
      g.started++;
      await g.wait();
      return { content: [{ type: "text", text: "done" }] };
    });
    return server;
  };
}

const call = (id: number | string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "hold", arguments: {} },
});
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "endpoint-test", version: "0" } },
};

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": VERSION,
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Answers a request and runs its `after` hooks once the answer was read, as the listener does. */
async function answer(endpoint: Endpoint, request: Request) {
  const after: Hook[] = [];
  const response = await endpoint(request, after);
  const text = await response.text();
  for (const hook of after) await hook(false, null);
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), "the condition never held");
}

Deno.test("stateless endpoint: only POST; bodies that are too large, cut or not JSON are answered before any server runs", async () => {
  const g = gate();
  const endpoint = mcpEndpoint(OPTIONS, null, newServer(g), log);
  const get = await answer(endpoint, new Request(URL_));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.equal(get.json().error.message, "Method not allowed: this server is stateless, use POST");
  const notJson = await answer(endpoint, post('{"jsonrpc":'));
  assert.equal(notJson.status, 400);
  assert.deepEqual(notJson.json().error, { code: -32700, message: "Parse error: the body is not valid JSON" });
  const large = await answer(endpoint, post({ ...call(1), padding: "x".repeat(5000) }));
  assert.equal(large.status, 413);
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });
  const cut = await answer(endpoint, new Request(URL_, { method: "POST", body: broken }));
  assert.equal(cut.status, 400);
  assert.equal(cut.json().error.message, "Parse error: the request body was cut off");
  assert.equal(g.started, 0);
});

Deno.test("stateless endpoint: a call holds a slot until answered; over maxConcurrent the answer is 429 with Retry-After", async () => {
  const g = gate();
  const endpoint = mcpEndpoint({ ...OPTIONS, maxConcurrent: 1 }, null, newServer(g), log);
  const first = answer(endpoint, post(call(1)));
  await until(() => g.started === 1);
  const refused = await answer(endpoint, post(call(2)));
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.equal(refused.json().error.message, "Too Many Requests: too many calls in flight; retry shortly");
  g.open();
  const done = await first;
  assert.equal(done.status, 200);
  assert.equal(done.json().result.content[0].text, "done");
  const again = await answer(endpoint, post(call(3)));
  assert.equal(again.status, 200, "the slot came back once the first call answered");
});

Deno.test("stateless endpoint: a batch takes one slot per call and is refused for protocol versions without batches", async () => {
  const g = gate();
  g.open();
  const endpoint = mcpEndpoint({ ...OPTIONS, maxConcurrent: 2 }, null, newServer(g), log);
  const modern = await answer(endpoint, post([call(1), call(2)]));
  assert.equal(modern.status, 400);
  assert.match(modern.json().error.message, /batches were removed in protocol version 2025-06-18/);
  const old = { "mcp-protocol-version": "2025-03-26" };
  const tooMany = await answer(endpoint, post([call(1), call(2), call(3)], old));
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.json().error.message, /a batch of 3 requests exceeds the limit of 2 calls in flight/);
  assert.equal(g.started, 0);
});

Deno.test("stateful endpoint: unknown sessions get 404, requests without one 400, until initialize opens one", async () => {
  const g = gate();
  const sessions = new SessionRegistry({ newServer: newServer(g), log, eventStoreSize: 10, sessionIdleMs: 60_000 });
  try {
    const endpoint = mcpEndpoint(OPTIONS, sessions, newServer(g), log);
    const unknown = await answer(endpoint, post(call(1), { "mcp-session-id": "not-a-session" }));
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json().error, { code: -32001, message: "Session not found: initialize a new session" });
    const get = await answer(endpoint, new Request(URL_));
    assert.equal(get.status, 400);
    assert.equal(get.json().error.message, "Bad Request: Mcp-Session-Id header is required");
    const noInit = await answer(endpoint, post(call(1)));
    assert.equal(noInit.status, 400);
    assert.equal(noInit.json().error.message, "Bad Request: no valid session id; send initialize first");
    const init = await answer(endpoint, post(INITIALIZE));
    assert.equal(init.status, 200);
    assert.equal(sessions.size, 1);
  } finally {
    await sessions.closeAll();
  }
});

/** Opens a session through the endpoint; returns the headers that address it. */
async function openSession(endpoint: Endpoint): Promise<Record<string, string>> {
  const after: Hook[] = [];
  const response = await endpoint(post(INITIALIZE), after);
  await response.body?.cancel();
  for (const hook of after) await hook(false, null);
  const id = response.headers.get("mcp-session-id");
  assert.ok(id, `initialize answered ${response.status} without a session`);
  const headers = { "mcp-session-id": id };
  const initialized = await answer(endpoint, post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers));
  assert.equal(initialized.status, 202);
  return headers;
}

Deno.test("stateful endpoint: more sessions than maxSessions get 503 with Retry-After", async () => {
  const g = gate();
  const sessions = new SessionRegistry({ newServer: newServer(g), log, eventStoreSize: 10, sessionIdleMs: 60_000 });
  try {
    const endpoint = mcpEndpoint({ ...OPTIONS, maxSessions: 1 }, sessions, newServer(g), log);
    await openSession(endpoint);
    const refused = await answer(endpoint, post(INITIALIZE));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.equal(refused.json().error.message, "Service Unavailable: too many sessions; retry later");
    assert.equal(sessions.size, 1);
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("stateful endpoint: a session's calls are limited per session, and an id still in flight cannot be reused", async () => {
  const g = gate();
  const sessions = new SessionRegistry({ newServer: newServer(g), log, eventStoreSize: 10, sessionIdleMs: 60_000 });
  try {
    const endpoint = mcpEndpoint({ ...OPTIONS, maxConcurrentPerSession: 1 }, sessions, newServer(g), log);
    const one = await openSession(endpoint);
    const two = await openSession(endpoint);
    const running = await endpoint(post(call(7), one), []);
    assert.equal(running.headers.get("content-type"), "text/event-stream");
    await until(() => g.started === 1);
    const reused = await answer(endpoint, post(call(7), one));
    assert.equal(reused.status, 400);
    assert.equal(reused.json().error.message, "Invalid Request: request id 7 is already in flight");
    const busy = await answer(endpoint, post(call(8), one));
    assert.equal(busy.status, 429, "the session's one slot is taken");
    const other = await endpoint(post(call(7), two), []);
    assert.equal(other.status, 200, "another session has its own slots and ids");
    await until(() => g.started === 2);
    g.open();
    assert.match(await running.text(), /"text":"done"/);
    await other.body?.cancel();
    const sameId = await endpoint(post(call(7), one), []);
    assert.equal(sameId.status, 200, "once answered, the id and the slot are free again");
    assert.match(await sameId.text(), /"text":"done"/);
  } finally {
    await sessions.closeAll();
  }
});
