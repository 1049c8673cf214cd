import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { EVICT_IDLE_AFTER_MS, listen, serveOnConnection } from "../../../transports/http/listener.ts";
import { textOf } from "../../_helpers.ts";
import {
  connect,
  eventually,
  post,
  rawConnection,
  rawPostHead,
  rawSession,
  readQueryCall,
  readRaw,
  readUntil,
  SLOW_SQL,
  startHttp,
} from "./_http.ts";

const log = getLogger(["tdmcp", "test", "http"]);

Deno.test("this Deno serves each connection through tdmcp's own listener (the per-connection entry point exists)", () => {
  assert.equal(typeof serveOnConnection(), "function", "without it the connection guards fall back to off");
});

Deno.test("a connection that never completes its request headers is closed after the header timeout", async () => {
  await using server = await startHttp({ headerTimeoutMs: 300 });
  const port = server.http.addr.port;
  const partial = await rawConnection(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  const whole = await rawConnection(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  try {
    const answered = await readRaw(whole, /\r\n\r\n\{"status":"ok"\}/);
    assert.match(answered.text, /^HTTP\/1\.1 200/, "a whole request is served");
    const cut = await readRaw(partial);
    assert.deepEqual(cut, { text: "", closed: true }, "closed without an answer");
  } finally {
    partial.close();
    whole.close();
  }
});

Deno.test("a keep-alive connection with no request in flight is closed after the idle timeout", async () => {
  await using server = await startHttp({ idleTimeoutMs: 300 });
  const port = server.http.addr.port;
  const conn = await rawConnection(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  try {
    const first = await readRaw(conn, /\{"status":"ok"\}/);
    assert.doesNotMatch(first.text, /connection: close/i, "kept alive after the answer");
    assert.equal((await readRaw(conn)).closed, true);
  } finally {
    conn.close();
  }
});

Deno.test("SSE streams outlive the idle timeout: a call longer than it answers, the GET stream stays open", async () => {
  await using server = await startHttp({ idleTimeoutMs: 200, headerTimeoutMs: 200 });
  const headers = await rawSession(server.url, "2025-06-18");
  const stream = await fetch(server.url, { headers: { ...headers, accept: "text/event-stream" } });
  assert.equal(stream.status, 200);
  const reader = stream.body!.getReader();
  const next = reader.read();
  const started = performance.now();
  const call = await post(
    server.url,
    JSON.stringify(readQueryCall(2, SLOW_SQL.replace("3000000", "6000000"))),
    headers,
  );
  const answer = await readUntil(call.body!, /"id":2/);
  assert.match(answer, /"result":\{/);
  assert.ok(performance.now() - started > 600, "the call outlasted the idle timeout several times over");
  const still = await Promise.race([next.then(() => "read"), new Promise((r) => setTimeout(() => r("open"), 600))]);
  assert.equal(still, "open", "the GET stream neither ended nor failed");
  const end = await fetch(server.url, { method: "DELETE", headers });
  assert.equal(end.status, 200);
  assert.equal((await next).done, true, "the GET stream ends with its session");
});

Deno.test("beyond the connection cap a newcomer gets a 503 JSON-RPC answer, unless an idle connection makes room", async () => {
  const gate = Promise.withResolvers<void>();
  let entered = 0;
  const listener = listen(
    { hostname: "127.0.0.1", port: 0, maxConnections: 2, headerTimeoutMs: 10_000, idleTimeoutMs: 10_000, log },
    async () => {
      entered++;
      await gate.promise;
      return new Response("ok");
    },
    () => new Response("failed", { status: 500 }),
  );
  const port = listener.addr.port;
  const request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  const busy = [await rawConnection(port, request), await rawConnection(port, request)];
  const extra: Deno.Conn[] = [];
  try {
    assert.ok(await eventually(() => entered === 2, 5_000), "both requests are in flight");
    const refused = await rawConnection(port, request);
    extra.push(refused);
    const answer = await readRaw(refused);
    assert.match(answer.text, /^HTTP\/1\.1 503 /);
    assert.match(answer.text, /retry-after: 1/i);
    const body = JSON.parse(answer.text.slice(answer.text.indexOf("\r\n\r\n") + 4));
    assert.equal(body.jsonrpc, "2.0");
    assert.match(body.error.message, /2 connections are open/);
    gate.resolve();
    for (const conn of busy) assert.match((await readRaw(conn, /ok$/)).text, /^HTTP\/1\.1 200/);
    await new Promise((r) => setTimeout(r, EVICT_IDLE_AFTER_MS + 200)); // both now idle long enough to make room
    const welcome = await rawConnection(port, request);
    extra.push(welcome);
    assert.match((await readRaw(welcome, /ok$/)).text, /^HTTP\/1\.1 200/, "served: an idle connection made room");
    assert.equal(listener.connections, 2);
    const cut = await Promise.race(busy.map((conn) => readRaw(conn)));
    assert.equal(cut.closed, true, "the longest-idle connection was closed");
  } finally {
    gate.resolve();
    for (const conn of [...busy, ...extra]) conn.close();
    await listener.shutdown();
  }
});

Deno.test("a body that does not arrive in time gets 408 and closes its connection, holding no call slot", async () => {
  await using server = await startHttp({ bodyTimeoutMs: 400, maxConcurrentPerSession: 1, maxConcurrent: 1 });
  await using c = await connect(server.url);
  const port = server.http.addr.port;
  const headers = { "mcp-session-id": c.transport.sessionId!, "mcp-protocol-version": c.transport.protocolVersion! };
  const slow = await rawConnection(port, rawPostHead(port, 200, headers) + '{"jsonrpc":"2.0",');
  try {
    const r = await c.call("base_readQuery", { sql: "SELECT 1 AS one" });
    assert.equal(r.isError, undefined, "a call on the same session runs while the body trickles: " + textOf(r));
    const answer = await readRaw(slow, /"id":null\}/);
    assert.match(answer.text, /^HTTP\/1\.1 408 /);
    assert.match(answer.text, /Request Timeout: the request body did not arrive within 0\.4 s/);
    assert.equal((await readRaw(slow)).closed, true, "the connection closes after the 408");
  } finally {
    slow.close();
  }
});
