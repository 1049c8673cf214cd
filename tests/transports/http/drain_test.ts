/**
 * MCP_SHUTDOWN_DELAY: a stopping replica keeps serving while its load balancer takes it out (readyz 503, every answer
 * closes its connection), and only then stops accepting.
 */
import assert from "node:assert/strict";
import { startHttp } from "./_http.ts";

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "drain-test", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

function listTools(url: URL): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/list",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: ENVELOPE } }),
  });
}

Deno.test("HTTP with MCP_SHUTDOWN_DELAY: while draining /readyz is 503 and calls are served with Connection: close, then the listener stops", async () => {
  await using server = await startHttp({ shutdownDelayMs: 1_500 });
  const before = await listTools(server.url);
  assert.equal(before.status, 200);
  assert.equal(before.headers.get("connection"), null, "kept alive while serving normally");
  await before.body?.cancel();
  const stopping = server.http.shutdown(2_000);
  await new Promise((r) => setTimeout(r, 200));
  const ready = await fetch(`${server.base}/readyz`);
  assert.equal(ready.status, 503);
  assert.deepEqual(await ready.json(), { status: "draining" });
  const during = await listTools(server.url);
  assert.equal(during.status, 200, "still served while draining");
  assert.equal(during.headers.get("connection"), "close");
  assert.ok(Array.isArray(((await during.json()).result as { tools: unknown[] }).tools));
  await stopping;
  await assert.rejects(listTools(server.url), "the listener is closed after the drain");
});

Deno.test("HTTP without MCP_SHUTDOWN_DELAY: a shutdown stops accepting at once (the default)", async () => {
  await using server = await startHttp();
  const stopping = server.http.shutdown(2_000);
  const refused = await listTools(server.url).then((r) => r.status, () => "closed");
  assert.ok(refused === 503 || refused === "closed", String(refused));
  await stopping;
});
