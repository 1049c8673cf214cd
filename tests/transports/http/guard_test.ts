/**
 * The checks in front of the HTTP endpoint, one by one: loopback addresses, `Host` parsing and allow-lists, `Origin`
 * rules, the bearer token comparison, the JSON-RPC error answers and the bounded body reader.
 * @module
 */
import assert from "node:assert/strict";
import {
  bearerMatches,
  bodyTimedOut,
  declaredTooLarge,
  defaultAllowedHosts,
  hostAllowed,
  isLoopbackAddress,
  jsonResponse,
  jsonRpcError,
  LOOPBACK_NAMES,
  originAllowed,
  readBody,
  splitHost,
  timingSafeEqual,
  tooLarge,
} from "../../../transports/http/guard.ts";

const URL_ = "http://127.0.0.1:8001/mcp";
const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("isLoopbackAddress accepts localhost, all of 127/8 and ::1 (bracketed or not), nothing else", () => {
  for (const host of ["localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "::1", "[::1]"]) {
    assert.ok(isLoopbackAddress(host), host);
  }
  for (
    const host of ["0.0.0.0", "::", "[::]", "128.0.0.1", "10.0.0.1", "127.0.0.1.example.com", "127.1", "", "localhost."]
  ) {
    assert.ok(!isLoopbackAddress(host), host);
  }
});

Deno.test("splitHost lower-cases the name and splits off the port, IPv6 in brackets included", () => {
  assert.deepEqual(splitHost("Example.COM:8080"), { name: "example.com", port: "8080" });
  assert.deepEqual(splitHost(" example.com "), { name: "example.com", port: null });
  assert.deepEqual(splitHost("[::1]:3000"), { name: "[::1]", port: "3000" });
  assert.deepEqual(splitHost("[FE80::1]"), { name: "[fe80::1]", port: null });
  assert.deepEqual(splitHost("::1"), { name: "::1", port: null }, "a bare IPv6 address has no port to split");
});

Deno.test("defaultAllowedHosts is the loopback names plus a specific listen address, bracketed when IPv6", () => {
  assert.deepEqual(defaultAllowedHosts("127.0.0.1"), [...LOOPBACK_NAMES], "no duplicate of a loopback name");
  assert.deepEqual(defaultAllowedHosts("0.0.0.0"), [...LOOPBACK_NAMES], "a wildcard address is no host name");
  assert.deepEqual(defaultAllowedHosts("::"), [...LOOPBACK_NAMES]);
  assert.deepEqual(defaultAllowedHosts("10.1.2.3"), [...LOOPBACK_NAMES, "10.1.2.3"]);
  assert.deepEqual(defaultAllowedHosts("fe80::1"), [...LOOPBACK_NAMES, "[fe80::1]"]);
  assert.deepEqual(defaultAllowedHosts("MCP.Example.com"), [...LOOPBACK_NAMES, "mcp.example.com"]);
});

Deno.test("hostAllowed: an entry without a port allows any port, with one only that port; case does not matter", () => {
  assert.ok(hostAllowed("LOCALHOST:8001", ["localhost"]));
  assert.ok(hostAllowed("mcp.example.com", ["MCP.example.com:443", "mcp.example.com"]));
  assert.ok(hostAllowed("mcp.example.com:443", ["mcp.example.com:443"]));
  assert.ok(!hostAllowed("mcp.example.com:8443", ["mcp.example.com:443"]));
  assert.ok(!hostAllowed("mcp.example.com", ["mcp.example.com:443"]), "no port given is not port 443");
  assert.ok(!hostAllowed("evil.example.com", defaultAllowedHosts("127.0.0.1")), "the DNS-rebinding case");
  assert.ok(!hostAllowed("localhost.evil.com", ["localhost"]));
  assert.ok(!hostAllowed("", ["localhost"]));
  assert.ok(hostAllowed(null, ["*"]), "'*' allows even a request without Host");
  assert.ok(!hostAllowed(null, ["localhost"]));
  assert.ok(!hostAllowed("localhost", []), "an empty list allows nothing");
});

Deno.test("originAllowed: no Origin passes; by default only http(s) loopback origins; a list replaces the default", () => {
  assert.ok(originAllowed(null, []), "a non-browser client sends no Origin");
  assert.ok(originAllowed(null, ["https://app.example.com"]));
  for (const origin of ["http://localhost:3000", "https://127.0.0.1", "http://[::1]:8080", "HTTP://LOCALHOST/"]) {
    assert.ok(originAllowed(origin, []), origin);
  }
  for (
    const origin of [
      "null",
      "file://localhost",
      "ws://localhost:3000",
      "http://127.0.0.1.nip.io",
      "http://10.0.0.2",
      "",
    ]
  ) {
    assert.ok(!originAllowed(origin, []), origin);
  }
  assert.ok(originAllowed("https://App.Example.com//", [" https://app.example.com/ "]), "case and trailing slashes");
  assert.ok(!originAllowed("http://localhost:3000", ["https://app.example.com"]), "loopback is no longer implied");
  assert.ok(!originAllowed("https://app.example.com:8443", ["https://app.example.com"]), "the port is part of it");
  assert.ok(originAllowed("null", ["*"]), "'*' allows every origin, opaque ones too");
});

Deno.test("timingSafeEqual is true only for the same bytes, whatever the lengths", () => {
  assert.ok(timingSafeEqual(bytes("s3cret"), bytes("s3cret")));
  assert.ok(timingSafeEqual(bytes(""), bytes("")));
  assert.ok(!timingSafeEqual(bytes("s3cre"), bytes("s3cret")), "a prefix");
  assert.ok(!timingSafeEqual(bytes("s3cret!"), bytes("s3cret")), "a longer value");
  assert.ok(!timingSafeEqual(bytes("s3creT"), bytes("s3cret")), "one bit off in the last byte");
  assert.ok(!timingSafeEqual(bytes(""), bytes("s3cret")));
  assert.ok(!timingSafeEqual(new Uint8Array([0, 0]), new Uint8Array([0])), "zero bytes past the end still count");
});

Deno.test("bearerMatches takes exactly 'Bearer <token>' (scheme in any case, blanks around) and nothing else", () => {
  const token = bytes("tdmcp-token-123");
  for (const header of ["Bearer tdmcp-token-123", "bearer tdmcp-token-123", "BEARER\ttdmcp-token-123 \t"]) {
    assert.ok(bearerMatches(header, token), JSON.stringify(header));
  }
  for (
    const header of [
      null,
      "",
      "tdmcp-token-123",
      "Basic tdmcp-token-123",
      "Bearer",
      "Bearer ",
      "Bearer tdmcp-token-12",
      "Bearer tdmcp-token-1234",
      "Bearer tdmcp-token-123 extra",
      "Bearertdmcp-token-123",
      " Bearer tdmcp-token-123",
    ]
  ) {
    assert.ok(!bearerMatches(header, token), JSON.stringify(header));
  }
  assert.ok(!bearerMatches("Bearer ", new Uint8Array()), "an empty token never matches a missing one");
  assert.ok(!bearerMatches(null, new Uint8Array()));
});

Deno.test("jsonRpcError answers a JSON-RPC error with id null, the status and extra headers", async () => {
  const response = jsonRpcError(401, -32001, "Unauthorized: send the token", { "www-authenticate": "Bearer" });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("www-authenticate"), "Bearer");
  assert.deepEqual(await response.json(), {
    jsonrpc: "2.0",
    error: { code: -32001, message: "Unauthorized: send the token" },
    id: null,
  });
});

Deno.test("jsonResponse is JSON that is never cached; a given header wins over the defaults", async () => {
  const response = jsonResponse(503, { status: "not ready" });
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.deepEqual(await response.json(), { status: "not ready" });
  assert.equal(jsonResponse(200, {}, { "cache-control": "max-age=5" }).headers.get("cache-control"), "max-age=5");
});

Deno.test("tooLarge (413) and bodyTimedOut (408) close the connection and say what the limit was", async () => {
  const large = tooLarge(4096);
  assert.equal(large.status, 413);
  assert.equal(large.headers.get("connection"), "close");
  assert.equal(
    (await large.json()).error.message,
    "Payload Too Large: the request body must not exceed 4096 bytes",
  );
  const late = bodyTimedOut(2_500);
  assert.equal(late.status, 408);
  assert.equal(late.headers.get("connection"), "close");
  assert.equal(
    (await late.json()).error.message,
    "Request Timeout: the request body did not arrive within 2.5 s; send it whole and retry",
  );
});

Deno.test("declaredTooLarge compares Content-Length with the limit; no header is not too large", () => {
  const declaring = (length: string) => new Request(URL_, { method: "POST", headers: { "content-length": length } });
  assert.ok(declaredTooLarge(declaring("4097"), 4096));
  assert.ok(!declaredTooLarge(declaring("4096"), 4096), "exactly the limit is allowed");
  assert.ok(!declaredTooLarge(new Request(URL_, { method: "POST" }), 0));
});

/** A request whose body arrives in the given chunks; `cancelled` tells whether the reader gave up on the upload. */
function streamed(chunks: Uint8Array[], end: "close" | "hang" | "error" = "close") {
  const state = { cancelled: false, pulls: 0 };
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (next < chunks.length) return controller.enqueue(chunks[next++]);
      if (end === "close") return controller.close();
      if (end === "error") return controller.error(new Error("connection reset"));
      return new Promise<void>(() => {}); // the client stops sending
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { request: new Request(URL_, { method: "POST", body }), state };
}

Deno.test("readBody decodes UTF-8 split across chunks; an empty body is empty text", async () => {
  const euro = bytes('{"q":"€"}');
  const { request } = streamed([euro.slice(0, 7), euro.slice(7, 8), euro.slice(8)]);
  assert.deepEqual(await readBody(request, 1024, 5_000), { status: "ok", text: '{"q":"€"}' });
  assert.deepEqual(await readBody(new Request(URL_, { method: "POST" }), 1024, 5_000), { status: "ok", text: "" });
  const exact = streamed([bytes("x".repeat(64))]);
  assert.deepEqual(await readBody(exact.request, 64, 5_000), { status: "ok", text: "x".repeat(64) });
});

Deno.test("readBody stops at the first byte over the limit and cancels the rest of the upload", async () => {
  const chunk = bytes("x".repeat(100));
  const { request, state } = streamed(Array.from({ length: 50 }, () => chunk));
  assert.deepEqual(await readBody(request, 250, 5_000), { status: "tooLarge" });
  assert.ok(state.cancelled, "the upload was cancelled");
  assert.ok(state.pulls <= 4, `read ${state.pulls} chunks of 100 bytes for a 250-byte limit`);
});

Deno.test("readBody refuses a declared Content-Length over the limit without reading the body", async () => {
  const body = new ReadableStream<Uint8Array>({
    pull() {
      throw new Error("the body must not be read");
    },
  }, { highWaterMark: 0 });
  const request = new Request(URL_, { method: "POST", body, headers: { "content-length": "1000000" } });
  assert.deepEqual(await readBody(request, 1000, 5_000), { status: "tooLarge" });
  assert.equal(request.bodyUsed, false);
});

Deno.test("readBody gives up on a body that stops arriving ('timeout') and tells a broken upload ('cut')", async () => {
  const slow = streamed([bytes('{"jsonrpc":')], "hang");
  assert.deepEqual(await readBody(slow.request, 1024, 50), { status: "timeout" });
  assert.ok(slow.state.cancelled, "the stalled upload was cancelled");
  const broken = streamed([bytes('{"jsonrpc":')], "error");
  assert.deepEqual(await readBody(broken.request, 1024, 5_000), { status: "cut" });
});
