/**
 * The checks in front of the HTTP endpoint: bearer token, `Host` and
 * `Origin` allow-lists (DNS-rebinding protection), the body size and time limits, and the
 * JSON-RPC error bodies the endpoint answers with.
 * @module
 */

/** Host names a loopback listener answers to by default. */
export const LOOPBACK_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Splits a `Host` value (`name`, `name:port`, `[v6]:port`) into its lower-cased name and port. */
export function splitHost(value: string): { name: string; port: string | null } {
  const v = value.trim().toLowerCase();
  const bracket = /^(\[[^\]]*\])(?::(\d+))?$/.exec(v);
  if (bracket) return { name: bracket[1], port: bracket[2] ?? null };
  const colon = v.lastIndexOf(":");
  if (colon > 0 && v.indexOf(":") === colon) return { name: v.slice(0, colon), port: v.slice(colon + 1) };
  return { name: v, port: null };
}

/**
 * The `Host` names allowed when none are configured: the loopback names, plus
 * the listen address itself when it is a specific (not wildcard) address.
 */
export function defaultAllowedHosts(listenHost: string): string[] {
  const own = listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost;
  const wildcard = own === "0.0.0.0" || own === "[::]";
  return [...new Set([...LOOPBACK_NAMES, ...(wildcard ? [] : [own.toLowerCase()])])];
}

/**
 * Whether a `Host` header is on the allow-list. An entry without a port
 * allows that name on any port; `*` allows everything.
 */
export function hostAllowed(header: string | null, allowed: readonly string[]): boolean {
  if (allowed.includes("*")) return true;
  if (!header) return false;
  const got = splitHost(header);
  return allowed.some((entry) => {
    const want = splitHost(entry);
    return want.name === got.name && (want.port === null || want.port === got.port);
  });
}

/**
 * Whether an `Origin` header may call the endpoint. No header (a non-browser
 * client) passes; with an empty allow-list only loopback origins pass; `*`
 * allows every origin.
 */
export function originAllowed(header: string | null, allowed: readonly string[]): boolean {
  if (header === null) return true;
  if (allowed.includes("*")) return true;
  const origin = header.trim().toLowerCase().replace(/\/+$/, "");
  if (allowed.length > 0) return allowed.some((a) => a.trim().toLowerCase().replace(/\/+$/, "") === origin);
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackAddress(url.hostname);
  } catch (error) {
    if (error instanceof TypeError) return false; // "null" and other opaque origins
    throw error;
  }
}

/** Compares two byte strings in time that depends only on the expected one's length. */
export function timingSafeEqual(given: Uint8Array, expected: Uint8Array): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given[i] ?? 0) ^ expected[i];
  return diff === 0;
}

/** Checks an `Authorization: Bearer <token>` header against the expected token, in constant time. */
export function bearerMatches(header: string | null, expected: Uint8Array): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  const given = new TextEncoder().encode(match?.[1] ?? "");
  return timingSafeEqual(given, expected) && match !== null;
}

/** A JSON-RPC error response (`id: null`), as the MCP endpoint answers failures before dispatch. */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A small JSON response for the endpoints outside the MCP path. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** The 413 answer for a body over the limit; the rest of the upload is not read, so the connection closes. */
export function tooLarge(maxBytes: number): Response {
  return jsonRpcError(413, -32000, `Payload Too Large: the request body must not exceed ${maxBytes} bytes`, {
    connection: "close",
  });
}

/** The 408 answer for a body that did not arrive in time; the connection closes. */
export function bodyTimedOut(timeoutMs: number): Response {
  return jsonRpcError(
    408,
    -32000,
    `Request Timeout: the request body did not arrive within ${timeoutMs / 1000} s; send it whole and retry`,
    { connection: "close" },
  );
}

/** Whether the declared `Content-Length` already exceeds the limit. */
export function declaredTooLarge(request: Request, maxBytes: number): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) > maxBytes;
}

/** A request body read whole, or why not. */
export type BodyRead =
  | { status: "ok"; text: string }
  | { status: "tooLarge" }
  | { status: "timeout" }
  | { status: "cut" };

/**
 * Reads a request body as text, stopping (and cancelling the upload) as soon
 * as more than `maxBytes` arrived or `timeoutMs` passed; `cut` when the
 * upload broke off.
 */
export async function readBody(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  if (declaredTooLarge(request, maxBytes)) return { status: "tooLarge" };
  if (request.body === null) return { status: "ok", text: "" };
  const reader = request.body.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {}); // a pending read() then ends
  }, timeoutMs);
  const decoder = new TextDecoder();
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) return { status: "timeout" };
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        return { status: "tooLarge" };
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Only reader.read() throws here: the upload broke off (the client went away).
    return { status: timedOut ? "timeout" : "cut" };
  } finally {
    clearTimeout(timer);
  }
  return { status: "ok", text: text + decoder.decode() };
}
