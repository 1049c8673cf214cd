/**
 * MCP 2026-07-28 on the HTTP transport, on the wire: stateless requests beside 2025 sessions, the SDK's
 * `Mcp-Method`/`Mcp-Name` checks, cache hints, and tdmcp's own guard and limits in front of both eras.
 */
import assert from "node:assert/strict";
import { connect, startHttp } from "./_http.ts";

const REVISION = "2026-07-28";

/** The per-request `_meta` envelope a 2026-07-28 client sends. */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": REVISION,
  "io.modelcontextprotocol/clientInfo": { name: "raw-2026-client", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

let nextId = 1;

/** POSTs one 2026-07-28 request; `headers` override the ones a conforming client sends. */
async function post2026(
  url: URL,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string | null> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const name = method === "tools/call" ? String(params.name) : method === "resources/read" ? String(params.uri) : null;
  const all: Record<string, string | null> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": REVISION,
    "mcp-method": method,
    ...(name === null ? {} : { "mcp-name": name }),
    ...headers,
  };
  const response = await fetch(url, {
    method: "POST",
    headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null)),
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params: { ...params, _meta: ENVELOPE } }),
  });
  const text = await response.text();
  // An SSE answer carries the JSON-RPC response as the data of its last message.
  const json = response.headers.get("content-type")?.startsWith("text/event-stream")
    ? text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).filter((l) => l.trim()).at(-1)!
    : text;
  return { status: response.status, body: JSON.parse(json), headers: response.headers };
}

for (const stateless of [false, true]) {
  const mode = stateless ? "MCP_STATELESS" : "with 2025 sessions";
  Deno.test(`HTTP (${mode}): a 2026-07-28 request is answered without a session, with the server's identity`, async () => {
    await using server = await startHttp({ stateless });
    const r = await post2026(server.url, "tools/call", {
      name: "base_readQuery",
      arguments: { sql: "SELECT 6*7 AS answer" },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("mcp-session-id"), null, "no session for the stateless era");
    const result = r.body.result as Record<string, unknown>;
    assert.deepEqual((result.structuredContent as { rows: unknown[][] }).rows.length, 1);
    assert.equal(
      (result._meta as Record<string, { name: string }>)["io.modelcontextprotocol/serverInfo"].name,
      "tdmcp",
    );
    // A 2025 client on the same endpoint still gets its session.
    await using legacy = await connect(server.url);
    assert.equal(legacy.client.getNegotiatedProtocolVersion(), "2025-11-25");
    assert.equal((await legacy.call("base_readQuery", { sql: "SELECT 1 AS one" })).structuredContent?.rows.length, 1);
    if (!stateless) assert.ok(legacy.transport.sessionId, "the 2025 client has a session");
  });
}

Deno.test("HTTP: Mcp-Method and Mcp-Name must match the body (400), and must be there", async () => {
  await using server = await startHttp();
  const call = { name: "base_readQuery", arguments: { sql: "SELECT 1" } };
  const wrongName = await post2026(server.url, "tools/call", call, { "mcp-name": "base_tableList" });
  assert.equal(wrongName.status, 400);
  assert.equal((wrongName.body.error as { code: number }).code, -32020);
  const wrongMethod = await post2026(server.url, "tools/call", call, { "mcp-method": "tools/list" });
  assert.equal(wrongMethod.status, 400);
  const missing = await post2026(server.url, "tools/call", call, { "mcp-method": null });
  assert.equal(missing.status, 400);
  const ok = await post2026(server.url, "tools/call", call);
  assert.equal(ok.status, 200);
});

Deno.test("HTTP: list results carry honest cache hints on 2026-07-28 and none on 2025", async () => {
  await using server = await startHttp();
  for (const method of ["tools/list", "server/discover"]) {
    const { result } = (await post2026(server.url, method)).body as { result: Record<string, unknown> };
    assert.deepEqual({ ttlMs: result.ttlMs, cacheScope: result.cacheScope }, {
      ttlMs: 3_600_000,
      cacheScope: "public",
    });
  }
  // The catalog is fixed while the process runs, and discovery says so.
  const { result } = (await post2026(server.url, "server/discover")).body as {
    result: { capabilities: { tools: { listChanged?: boolean } } };
  };
  assert.notEqual(result.capabilities.tools.listChanged, true);
  await using legacy = await connect(server.url);
  const listed = await legacy.client.request({ method: "tools/list", params: {} });
  assert.equal((listed as Record<string, unknown>).ttlMs, undefined);
});

Deno.test("HTTP: the Host/Origin guard and the bearer token stand in front of 2026-07-28 requests too", async () => {
  await using server = await startHttp({ authToken: "t0ken-for-modern-test" });
  const call = { name: "base_readQuery", arguments: { sql: "SELECT 1" } };
  const anonymous = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", "mcp-protocol-version": REVISION, "mcp-method": "tools/list" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: ENVELOPE } }),
  });
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  const auth = { authorization: "Bearer t0ken-for-modern-test" };
  const foreign = await post2026(server.url, "tools/call", call, { ...auth, origin: "https://evil.example" })
    .catch(() => ({ status: 403 }));
  assert.equal(foreign.status, 403);
  assert.equal((await post2026(server.url, "tools/call", call, auth)).status, 200);
});

Deno.test("HTTP: 2026-07-28 calls count against MCP_MAX_CONCURRENT (429 past it)", async () => {
  await using server = await startHttp({ maxConcurrent: 1 });
  const slow = post2026(server.url, "tools/call", {
    name: "base_readQuery",
    arguments: {
      sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n",
    },
  });
  await new Promise((r) => setTimeout(r, 150));
  const second = await post2026(server.url, "tools/call", { name: "base_readQuery", arguments: { sql: "SELECT 1" } });
  assert.equal(second.status, 429);
  assert.equal((await slow).status, 200);
  assert.equal((await post2026(server.url, "tools/call", { name: "base_tableList", arguments: {} })).status, 200);
});
