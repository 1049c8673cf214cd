/**
 * Stateful HTTP sessions on their own: the bounded event store's limits and replay, and the session registry (a
 * session is registered once initialize gave it an id, expires when idle with no call running, leaves when its
 * transport closes, and closeAll ends everything). Requests go straight to the SDK transport, without a listener.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { BoundedEventStore, type Session, SessionRegistry } from "../../../transports/http/sessions.ts";
import { type JSONRPCMessage, McpServer } from "../../../server/sdk.ts";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "sessions-test", version: "0" } },
};
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function registry(sessionIdleMs = 60_000, eventStoreSize = 10) {
  const servers: McpServer[] = [];
  const sessions = new SessionRegistry({
    newServer: () => {
      const server = new McpServer({ name: "sessions-test", version: "0" });
      servers.push(server);
      return server;
    },
    log: getLogger(["tdmcp", "test"]),
    eventStoreSize,
    sessionIdleMs,
  });
  return { sessions, servers };
}

/** Opens a session the way the endpoint does: open, answer initialize, settle. */
async function initialized(sessions: SessionRegistry): Promise<Session> {
  const session = await sessions.open("2025-06-18");
  const request = new Request("http://127.0.0.1/mcp", {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify(INITIALIZE),
  });
  const response = await session.transport.handleRequest(request, { parsedBody: INITIALIZE });
  await response.body?.cancel();
  await sessions.settle(session);
  return session;
}

Deno.test("event store: its size must be a positive integer", () => {
  for (const size of [0, -3, 2.5, NaN]) {
    assert.throws(
      () => new BoundedEventStore(size),
      new RegExp(`^RangeError: the event store size must be a positive integer: current value is ${size}$`),
    );
  }
});

Deno.test("event store: replays only the same stream's events after the given id, skipping priming events", async () => {
  const store = new BoundedEventStore(10);
  const message = (n: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/message", params: { n } });
  const first = await store.storeEvent("a", message(1));
  await store.storeEvent("b", message(2));
  await store.storeEvent("a", {} as JSONRPCMessage); // a priming event: an id and no message
  await store.storeEvent("a", message(3));
  const sent: [string, unknown][] = [];
  const stream = await store.replayEventsAfter(first, { send: (id, m) => Promise.resolve(void sent.push([id, m])) });
  assert.equal(stream, "a");
  assert.deepEqual(sent, [["4", message(3)]]);
  assert.equal(await store.getStreamIdForEventId("2"), "b");
  assert.equal(await store.getStreamIdForEventId("99"), undefined);
});

Deno.test("event store: resuming after an event that was dropped says it is no longer stored", async () => {
  const store = new BoundedEventStore(2);
  const oldest = await store.storeEvent("a", { jsonrpc: "2.0", method: "ping" } as JSONRPCMessage);
  await store.storeEvent("a", { jsonrpc: "2.0", method: "ping" } as JSONRPCMessage);
  await store.storeEvent("a", { jsonrpc: "2.0", method: "ping" } as JSONRPCMessage);
  assert.equal(store.size, 2);
  await assert.rejects(
    store.replayEventsAfter(oldest, { send: () => Promise.resolve() }),
    (error: unknown) => error instanceof RangeError && error.message === "event 1 is no longer stored",
  );
});

Deno.test("sessions: a session is registered under the id its initialize answer gave it, not before", async () => {
  const { sessions } = registry();
  try {
    const opened = await sessions.open("2025-06-18");
    assert.equal(sessions.size, 0, "not registered before settle");
    assert.equal(opened.id, "");
    const request = new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify(INITIALIZE),
    });
    const response = await opened.transport.handleRequest(request, { parsedBody: INITIALIZE });
    await response.body?.cancel();
    await sessions.settle(opened);
    assert.equal(sessions.size, 1);
    assert.match(opened.id, /^[0-9a-f-]{36}$/);
    assert.equal(opened.id, response.headers.get("mcp-session-id"));
    assert.equal(sessions.get(opened.id), opened);
    assert.equal(opened.protocolVersion, "2025-06-18");
    assert.equal(sessions.get("no-such-session"), undefined);
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("sessions: a session whose initialize never succeeded is closed at settle and never registered", async () => {
  const { sessions, servers } = registry();
  try {
    const session = await sessions.open("2025-06-18");
    assert.equal(servers[0].isConnected(), true);
    await sessions.settle(session);
    assert.equal(sessions.size, 0);
    assert.equal(servers[0].isConnected(), false, "its server was closed");
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("sessions: expireIdle closes sessions idle past the limit with no call running, and keeps busy ones", async () => {
  const { sessions } = registry(60_000);
  try {
    const idle = await initialized(sessions);
    const busy = await initialized(sessions);
    const recent = await initialized(sessions);
    busy.inFlight = 1;
    const now = performance.now();
    idle.lastSeen = busy.lastSeen = now - 60_001;
    recent.lastSeen = now - 59_000;
    await sessions.expireIdle(now);
    assert.equal(sessions.get(idle.id), undefined, "the idle session expired");
    assert.equal(idle.server.isConnected(), false, "and its server was closed");
    assert.equal(sessions.get(busy.id), busy, "a session with a call running never expires");
    assert.equal(sessions.get(recent.id), recent, "one seen within the limit stays");
    busy.inFlight = 0;
    await sessions.expireIdle(now);
    assert.equal(sessions.get(busy.id), undefined);
    assert.equal(sessions.size, 1);
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("sessions: the idle sweep runs by itself", async () => {
  const { sessions } = registry(50);
  try {
    const session = await initialized(sessions);
    for (let i = 0; i < 200 && sessions.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sessions.size, 0, "expired without anyone calling expireIdle");
    assert.equal(session.server.isConnected(), false);
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("sessions: a DELETE from the client closes the transport and the session leaves the registry", async () => {
  const { sessions } = registry();
  try {
    const session = await initialized(sessions);
    const response = await session.transport.handleRequest(
      new Request("http://127.0.0.1/mcp", {
        method: "DELETE",
        headers: { "mcp-session-id": session.id, "mcp-protocol-version": "2025-06-18" },
      }),
    );
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.equal(sessions.get(session.id), undefined);
    assert.equal(sessions.size, 0);
  } finally {
    await sessions.closeAll();
  }
});

Deno.test("sessions: closeAll closes every session and stops the sweep (no timer is left behind)", async () => {
  const { sessions, servers } = registry(100);
  await initialized(sessions);
  await initialized(sessions);
  await sessions.closeAll();
  assert.equal(sessions.size, 0);
  assert.deepEqual(servers.map((s) => s.isConnected()), [false, false]);
  // Deno's test sanitizer fails this test if the sweep's interval were still running.
});
