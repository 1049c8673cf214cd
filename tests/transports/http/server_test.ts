import assert from "node:assert/strict";
import { configure, getLogger, reset } from "@logtape/logtape";
import { serveHttp } from "../../../transports/http/server.ts";
import { BoundedEventStore } from "../../../transports/http/sessions.ts";
import { hostAllowed, originAllowed } from "../../../transports/http/guard.ts";
import { type CallToolResult, SdkHttpError } from "../../_sdk.ts";
import { demoPostgresUri, PG_DEMO_SCHEMA, textOf } from "../../_helpers.ts";
import { connect, httpOptions, INITIALIZE, post, rawStatus, readUntil, SLOW_SQL, startHttp, TOKEN } from "./_http.ts";

Deno.test("a stateful client lists tools, queries over HTTP and ends its session with DELETE", async () => {
  await using server = await startHttp();
  await using c = await connect(server.url);
  const sessionId = c.transport.sessionId;
  assert.match(sessionId ?? "", /^[0-9a-f-]{36}$/);
  const { tools } = await c.client.listTools();
  assert.ok(tools.length >= 6, `${tools.length} tools`); // the six base tools plus the tool families
  const r = await c.call("base_readQuery", { sql: "SELECT count(*) FROM regions" });
  assert.equal(r.isError, undefined, textOf(r));
  assert.ok(Number(r.structuredContent!.rows[0][0]) > 0);
  await c.transport.terminateSession();
  const after = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }), {
    "mcp-session-id": sessionId!,
  });
  assert.equal(after.status, 404);
  assert.equal((await after.json()).error.code, -32001);
});

Deno.test("a long call streams progress notifications to the client over SSE", async () => {
  await using server = await startHttp();
  await using c = await connect(server.url);
  const progress: number[] = [];
  const sql = SLOW_SQL.replace("3000000", "20000000");
  const r = await c.client.callTool({ name: "base_readQuery", arguments: { sql } }, {
    onprogress: (p) => progress.push(p.progress),
  }) as CallToolResult;
  assert.equal(r.isError, undefined, textOf(r));
  assert.ok(progress.length >= 1, "at least one progress notification arrived before the result");
});

Deno.test("a client that lost its SSE stream resumes with Last-Event-ID and gets the result", async () => {
  await using server = await startHttp();
  const version = "2025-11-25";
  const init = await post(
    server.url,
    JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: version } }),
  );
  const session = init.headers.get("mcp-session-id")!;
  await init.text();
  const headers = { "mcp-session-id": session, "mcp-protocol-version": version };
  const initialized = await post(
    server.url,
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    headers,
  );
  assert.equal(initialized.status, 202);
  const call = {
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name: "base_readQuery", arguments: { sql: SLOW_SQL } },
  };
  const first = await post(server.url, JSON.stringify(call), headers);
  const priming = await readUntil(first.body!, /id: (\S+)\n/); // then drop the stream
  const lastEventId = /id: (\S+)\n/.exec(priming)![1];
  const resumed = await fetch(server.url, {
    headers: { ...headers, accept: "text/event-stream", "last-event-id": lastEventId },
  });
  assert.equal(resumed.status, 200);
  const replay = await readUntil(resumed.body!, /"id":7/);
  assert.match(replay, /"result":\{/);
  const end = await fetch(server.url, { method: "DELETE", headers });
  assert.equal(end.status, 200);
});

Deno.test("a 2025-11-25 client's event stream opens with a priming event that says when to reconnect", async () => {
  await using h = await startHttp();
  const init = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
  });
  const response = await post(h.url, init);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const text = await readUntil(response.body!, /"result"/);
  assert.match(text, /^id: \S+\nretry: 500\ndata: \n\n/, "priming event first");
});

Deno.test("a stateless server answers each POST as JSON without a session", async () => {
  await using server = await startHttp({ stateless: true });
  await using c = await connect(server.url);
  assert.equal(c.transport.sessionId, undefined);
  const r = await c.call("base_readQuery", { sql: "SELECT 1 AS one" });
  assert.equal(r.isError, undefined, textOf(r));
  assert.equal(Number(r.structuredContent!.rows[0][0]), 1);
  const raw = await post(server.url, JSON.stringify(INITIALIZE));
  assert.equal(raw.status, 200);
  assert.match(raw.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(raw.headers.get("mcp-session-id"), null);
  await raw.body?.cancel();
  const get = await fetch(server.url, { headers: { accept: "text/event-stream" } });
  assert.equal(get.status, 405);
  await get.body?.cancel();
});

Deno.test("without the right bearer token the endpoint answers 401 with WWW-Authenticate", async () => {
  await using server = await startHttp({ authToken: TOKEN });
  const none = await post(server.url, JSON.stringify(INITIALIZE));
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
  assert.equal((await none.json()).jsonrpc, "2.0");
  const wrong = await post(server.url, JSON.stringify(INITIALIZE), { authorization: `Bearer ${TOKEN}x` });
  assert.equal(wrong.status, 401);
  assert.match(wrong.headers.get("www-authenticate") ?? "", /invalid_token/);
  await wrong.body?.cancel();
  await assert.rejects(connect(server.url, { authorization: "Bearer nope" }), (e) => {
    return e instanceof SdkHttpError && e.status === 401;
  });
  await using c = await connect(server.url, { authorization: `Bearer ${TOKEN}` });
  const r = await c.call("base_readQuery", { sql: "SELECT 2 AS two" });
  assert.equal(r.isError, undefined, textOf(r));
});

Deno.test("a foreign Host or Origin gets 403 (DNS-rebinding protection)", async () => {
  await using server = await startHttp();
  const port = server.http.addr.port;
  const body = JSON.stringify(INITIALIZE);
  const request = (host: string) =>
    `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
    `Accept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
  assert.equal(await rawStatus(port, request("evil.example.com")), 403);
  assert.equal(await rawStatus(port, request(`evil.example.com:${port}`)), 403);
  assert.equal(await rawStatus(port, request(`localhost:${port}`)), 200);
  const evil = await post(server.url, body, { origin: "http://evil.example.com" });
  assert.equal(evil.status, 403);
  assert.match((await evil.json()).error.message, /Origin/);
  const local = await post(server.url, body, { origin: "http://localhost:6274" });
  assert.equal(local.status, 200);
  await local.body?.cancel();
});

Deno.test("Host and Origin allow-lists match names with or without a port", () => {
  assert.ok(hostAllowed("localhost:8001", ["localhost"]));
  assert.ok(hostAllowed("[::1]:8001", ["[::1]"]));
  assert.ok(!hostAllowed("localhost:9", ["localhost:8001"]));
  assert.ok(!hostAllowed(null, ["localhost"]));
  assert.ok(hostAllowed("anything", ["*"]));
  assert.ok(originAllowed(null, []));
  assert.ok(originAllowed("http://127.0.0.1:3000", []));
  assert.ok(!originAllowed("null", []));
  assert.ok(!originAllowed("http://localhost.evil.com", []));
  assert.ok(originAllowed("https://app.example.com", ["https://app.example.com/"]));
  assert.ok(!originAllowed("http://localhost:3000", ["https://app.example.com"]));
});

Deno.test("a body over the limit gets 413, declared or streamed", async () => {
  await using server = await startHttp({ maxBodyBytes: 4096 });
  const big = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: "x".repeat(10_000) } });
  const declared = await post(server.url, big);
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).error.code, -32000);
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(big));
      controller.close();
    },
  });
  const streamed = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: chunks,
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
});

Deno.test("calls over the global or per-session concurrency limit get 429 with Retry-After", async () => {
  {
    await using server = await startHttp({ maxConcurrent: 1 });
    await using a = await connect(server.url);
    await using b = await connect(server.url);
    const slow = a.call("base_readQuery", { sql: SLOW_SQL });
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(b.call("base_readQuery", { sql: "SELECT 1" }), (e) => {
      return e instanceof SdkHttpError && e.status === 429;
    });
    const r = await slow;
    assert.equal(r.isError, undefined, textOf(r));
    assert.equal((await b.call("base_readQuery", { sql: "SELECT 1" })).isError, undefined);
  }
  {
    await using server = await startHttp({ maxConcurrentPerSession: 1 });
    await using a = await connect(server.url);
    await using b = await connect(server.url);
    const slow = a.call("base_readQuery", { sql: SLOW_SQL });
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(a.call("base_readQuery", { sql: "SELECT 1" }), (e) => {
      return e instanceof SdkHttpError && e.status === 429;
    });
    assert.equal((await b.call("base_readQuery", { sql: "SELECT 1" })).isError, undefined, "another session is fine");
    await slow;
  }
  {
    await using server = await startHttp({ maxConcurrent: 1 });
    await using a = await connect(server.url);
    const slow = a.call("base_readQuery", { sql: SLOW_SQL });
    await new Promise((r) => setTimeout(r, 100));
    const raw = await post(server.url, JSON.stringify(INITIALIZE));
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get("retry-after"), "1");
    assert.equal((await raw.json()).jsonrpc, "2.0");
    await slow;
  }
});

Deno.test("/healthz answers 200 and /readyz follows the database", async () => {
  await using server = await startHttp({ authToken: TOKEN });
  const health = await fetch(`${server.base}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const ready = await fetch(`${server.base}/readyz`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();
  const log = getLogger(["tdmcp", "test", "http"]);
  const down = serveHttp(httpOptions(), {
    newServer: () => {
      throw new Error("unused");
    },
    ready: () => Promise.resolve({ ok: false, message: "connection refused" }),
    log,
  });
  try {
    const notReady = await fetch(`http://127.0.0.1:${down.addr.port}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: "not ready" });
    const unknown = await fetch(`http://127.0.0.1:${down.addr.port}/nothing`);
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
  } finally {
    await down.shutdown(1_000);
  }
});

Deno.test("eight clients share the pool at once: 8 × 25 calls, no errors", async () => {
  await using server = await startHttp();
  const clients = await Promise.all(Array.from({ length: 8 }, () => connect(server.url)));
  try {
    const failures: string[] = [];
    await Promise.all(clients.map(async (c, n) => {
      for (let i = 0; i < 25; i++) {
        const r = await c.call("base_readQuery", { sql: `SELECT ${n * 100 + i} AS v` });
        if (r.isError || Number(r.structuredContent?.rows[0][0]) !== n * 100 + i) failures.push(textOf(r));
      }
    }));
    assert.deepEqual(failures, []);
  } finally {
    await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
  }
});

Deno.test({
  name: "sixteen clients × 200 calls against PostgreSQL, no errors",
  ignore: !Deno.env.get("TDMCP_TEST_PG_URI"),
  async fn() {
    const uri = (await demoPostgresUri())!;
    await using server = await startHttp({}, uri);
    const clients = await Promise.all(Array.from({ length: 16 }, () => connect(server.url)));
    try {
      const results = await Promise.all(clients.map(async (c, n) => {
        let errors = 0;
        for (let i = 0; i < 200; i++) {
          const sql = `SELECT order_id, status FROM ${PG_DEMO_SCHEMA}.orders WHERE order_id = ${
            1 + ((n * 200 + i) % 100_000)
          }`;
          if ((await c.call("base_readQuery", { sql })).isError) errors++;
        }
        return errors;
      }));
      assert.deepEqual(results, Array(16).fill(0));
    } finally {
      await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
    }
  },
});

Deno.test("an idle session expires and later requests get 404", async () => {
  await using server = await startHttp({ sessionIdleMs: 150 });
  await using c = await connect(server.url);
  const id = c.transport.sessionId!;
  await new Promise((r) => setTimeout(r, 500));
  const r = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list" }), {
    "mcp-session-id": id,
  });
  assert.equal(r.status, 404);
  await r.body?.cancel();
});

Deno.test("the access log has one line per request with status and session, never the token", async () => {
  const lines: string[] = [];
  await configure({
    reset: true,
    sinks: { memory: (record) => lines.push(record.message.join("") + " " + JSON.stringify(record.properties)) },
    loggers: [
      { category: ["tdmcp"], lowestLevel: "info", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["memory"] },
    ],
  });
  try {
    await using server = await startHttp({ authToken: TOKEN });
    {
      await using c = await connect(server.url, { authorization: `Bearer ${TOKEN}` });
      await c.call("base_readQuery", { sql: "SELECT 1" });
    }
    const denied = await post(server.url, "{}", { authorization: "Bearer wrong-token" });
    await denied.body?.cancel();
  } finally {
    await reset();
  }
  const access = lines.filter((l) => /^(GET|POST|DELETE) \/mcp \d{3} /.test(l));
  assert.ok(access.some((l) => l.startsWith("POST /mcp 200") && /"session":"[0-9a-f]{8}"/.test(l)), access.join("\n"));
  assert.ok(access.some((l) => l.startsWith("POST /mcp 401")));
  assert.ok(!lines.some((l) => l.includes(TOKEN) || l.includes("wrong-token")));
});

Deno.test("serveHttp refuses a non-loopback address without a token unless forced", () => {
  const deps = {
    newServer: () => {
      throw new Error("unused");
    },
    ready: () => Promise.resolve({ ok: true, message: "" }),
    log: getLogger(["tdmcp", "test", "http"]),
  };
  assert.throws(() => serveHttp(httpOptions({ host: "0.0.0.0" }), deps), TypeError);
  assert.throws(() => serveHttp(httpOptions({ host: "0.0.0.0" }), deps), /MCP_AUTH_TOKEN/);
});

Deno.test("the event store keeps the newest events per stream and replays after an id", async () => {
  const store = new BoundedEventStore(3);
  const message = (n: number) => ({ jsonrpc: "2.0" as const, method: "notifications/message", params: { n } });
  const a1 = await store.storeEvent("a", message(1));
  await store.storeEvent("b", message(2));
  const a3 = await store.storeEvent("a", message(3));
  await store.storeEvent("a", message(4));
  assert.equal(store.size, 3);
  assert.equal(await store.getStreamIdForEventId(a1), undefined, "the oldest event was dropped");
  const replayed: unknown[] = [];
  const stream = await store.replayEventsAfter(a3, {
    send: (_id, m) => Promise.resolve(void replayed.push(m)),
  });
  assert.equal(stream, "a");
  assert.deepEqual(replayed, [message(4)]);
});

Deno.test("shutdown waits for a call in flight, then refuses new work", async () => {
  const server = await startHttp();
  await using c = await connect(server.url);
  const slow = c.call("base_readQuery", { sql: SLOW_SQL });
  await new Promise((r) => setTimeout(r, 100));
  const stopping = server.http.shutdown(10_000);
  const r = await slow;
  assert.equal(r.isError, undefined, textOf(r));
  await stopping;
  await assert.rejects(fetch(`${server.base}/healthz`));
  await server.db.close();
});
