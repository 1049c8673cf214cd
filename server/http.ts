/**
 * Serves MCP over Streamable HTTP with `Deno.serve`: stateful sessions (SSE,
 * resumability, idle expiry) or a stateless mode for replicas, behind bearer
 * auth, `Host`/`Origin` checks, a body limit and concurrency limits; plus
 * `/healthz`, `/readyz`, an access log and a graceful shutdown.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { isInitializeRequest, type McpServer, WebStandardStreamableHTTPServerTransport } from "./sdk.ts";
import {
  bearerMatches,
  declaredTooLarge,
  defaultAllowedHosts,
  hostAllowed,
  isLoopbackAddress,
  jsonResponse,
  jsonRpcError,
  onBodyEnd,
  originAllowed,
  readBody,
  tooLarge,
} from "./_http_guard.ts";
import { type Session, SessionRegistry } from "./_http_sessions.ts";

/** How the HTTP listener behaves. */
export interface HttpOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The MCP endpoint, e.g. `/mcp`. */
  path: string;
  /** A new server and transport per request, no sessions (for replicas behind a load balancer). */
  stateless: boolean;
  /** Required `Authorization: Bearer` token; null turns auth off (loopback only, unless `force`). */
  authToken: string | null;
  /** Allowed `Host` values (`name` or `name:port`, `*` for any); empty means the loopback names. */
  allowedHosts: string[];
  /** Allowed `Origin` values (`*` for any); empty means loopback origins. Requests without `Origin` pass. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** Most live sessions; an initialize beyond it gets 503. */
  maxSessions: number;
  /** Most POSTs being answered at once for one session (429 beyond). */
  maxConcurrentPerSession: number;
  /** Most POSTs being answered at once in total (429 beyond). */
  maxConcurrent: number;
  /** A session with no request for this long is closed. */
  sessionIdleMs: number;
  /** Events kept per session for SSE resumption. */
  eventStoreSize: number;
  /** Listen on a non-loopback address without a token anyway. */
  force?: boolean;
}

/** What the listener needs from the rest of the process. */
export interface HttpDeps {
  /** Builds an MCP server (one per session, or per request when stateless). */
  newServer(): McpServer;
  /** Whether the database is reachable, for `/readyz`. */
  ready(): Promise<{ ok: boolean; message: string }>;
  log: Logger;
}

/** A running listener. */
export interface HttpListener {
  addr: Deno.NetAddr;
  /** Stops accepting, waits for calls in flight up to the deadline, then closes every session. */
  shutdown(deadlineMs?: number): Promise<void>;
}

/** How long `shutdown()` waits for calls in flight by default. */
export const HTTP_SHUTDOWN_DEADLINE_MS = 10_000;
/** How long `/readyz` waits for the database. */
export const READY_TIMEOUT_MS = 5_000;

/** Throws a TypeError naming the setting to fix when the options are unsafe or invalid. */
export function validateHttpOptions(options: HttpOptions): void {
  if (!options.authToken && !isLoopbackAddress(options.host) && !options.force) {
    throw new TypeError(
      `Cannot start server as 'MCP_HOST' "${options.host}" is reachable from other machines and no token is set: ` +
        "set MCP_AUTH_TOKEN (or MCP_AUTH_TOKEN_FILE), listen on 127.0.0.1, or pass --force to serve without auth",
    );
  }
  if (!options.path.startsWith("/")) {
    throw new TypeError(`Cannot start server as 'MCP_PATH' must start with "/": current value is "${options.path}"`);
  }
  for (
    const key of ["maxBodyBytes", "maxSessions", "maxConcurrentPerSession", "maxConcurrent", "eventStoreSize"] as const
  ) {
    if (!Number.isSafeInteger(options[key]) || options[key] < 1) {
      throw new TypeError(
        `Cannot start server as '${key}' must be a positive integer: current value is ${options[key]}`,
      );
    }
  }
}

/**
 * Starts the HTTP listener.
 *
 * @example
 * ```ts
 * const http = serveHttp(options, { newServer: () => createServer(deps), ready: () => db.health(), log });
 * Deno.addSignalListener("SIGTERM", () => http.shutdown());
 * ```
 */
export function serveHttp(options: HttpOptions, deps: HttpDeps): HttpListener {
  validateHttpOptions(options);
  const log = deps.log;
  const token = options.authToken ? new TextEncoder().encode(options.authToken) : null;
  const allowedHosts = options.allowedHosts.length > 0 ? options.allowedHosts : defaultAllowedHosts(options.host);
  const sessions = options.stateless ? null : new SessionRegistry({
    newServer: deps.newServer,
    log,
    eventStoreSize: options.eventStoreSize,
    sessionIdleMs: options.sessionIdleMs,
  });
  let inFlight = 0; // POSTs being answered, all sessions
  let open = 0; // requests without a long-lived stream, for the shutdown drain
  let closing: Promise<void> | null = null;
  const busy = (retryAfter = "1") =>
    jsonRpcError(429, -32000, "Too Many Requests: too many calls in flight; retry shortly", {
      "retry-after": retryAfter,
    });

  /** Takes a global (and session) slot for a POST; returns the release, or null when over a limit. */
  function acquire(session?: Session): (() => void) | null {
    if (inFlight >= options.maxConcurrent) return null;
    if (session && session.inFlight >= options.maxConcurrentPerSession) return null;
    inFlight++;
    if (session) session.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      if (session) (session.inFlight--, session.lastSeen = performance.now());
    };
  }

  /** Reads and parses a POST body, or answers 413/400. */
  async function parseBody(request: Request): Promise<{ body: unknown } | Response> {
    const read = await readBody(request, options.maxBodyBytes);
    if (read.tooLarge) return tooLarge(options.maxBodyBytes);
    try {
      return { body: JSON.parse(read.text) };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON");
    }
  }

  async function stateless(request: Request, after: (() => void)[]): Promise<Response> {
    if (request.method !== "POST") {
      return jsonRpcError(405, -32000, "Method not allowed: this server is stateless, use POST", {
        allow: "POST",
      });
    }
    if (declaredTooLarge(request, options.maxBodyBytes)) return tooLarge(options.maxBodyBytes);
    const release = acquire();
    if (!release) return busy();
    after.push(release);
    const parsed = await parseBody(request);
    if (parsed instanceof Response) return parsed;
    const server = deps.newServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody: parsed.body });
    } finally {
      await server.close().catch(() => {});
    }
  }

  async function stateful(registry: SessionRegistry, request: Request, after: (() => void)[]): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    const session = id === null ? undefined : registry.get(id);
    if (id !== null && !session) return jsonRpcError(404, -32001, "Session not found: initialize a new session");
    if (session) session.lastSeen = performance.now();
    if (request.method !== "POST") {
      if (!session) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return await session.transport.handleRequest(request);
    }
    if (declaredTooLarge(request, options.maxBodyBytes)) return tooLarge(options.maxBodyBytes);
    const release = acquire(session);
    if (!release) return busy();
    after.push(release);
    const parsed = await parseBody(request);
    if (parsed instanceof Response) return parsed;
    if (session) return await session.transport.handleRequest(request, { parsedBody: parsed.body });
    if (!isInitializeRequest(parsed.body)) {
      return jsonRpcError(400, -32000, "Bad Request: no valid session id; send initialize first");
    }
    if (registry.size >= options.maxSessions) {
      log.warning("refused a new session: {count} sessions are live", { count: registry.size });
      return jsonRpcError(503, -32000, "Service Unavailable: too many sessions; retry later", {
        "retry-after": "5",
      });
    }
    const fresh = await registry.open();
    const response = await fresh.transport.handleRequest(request, { parsedBody: parsed.body });
    await registry.settle(fresh);
    return response;
  }

  async function ready(): Promise<Response> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<{ ok: boolean; message: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, message: "timed out" }), READY_TIMEOUT_MS);
    });
    try {
      const health = await Promise.race([deps.ready(), timeout]);
      if (health.ok) return jsonResponse(200, { status: "ready" });
      log.warning("not ready: {message}", { message: health.message });
      return jsonResponse(503, { status: "not ready" });
    } finally {
      clearTimeout(timer);
    }
  }

  async function route(request: Request, url: URL, after: (() => void)[]): Promise<Response> {
    if (url.pathname === "/healthz" && request.method === "GET") return jsonResponse(200, { status: "ok" });
    if (closing) {
      return jsonRpcError(503, -32000, "Service Unavailable: the server is shutting down", { "retry-after": "5" });
    }
    if (url.pathname === "/readyz" && request.method === "GET") return await ready();
    if (url.pathname !== options.path) return jsonResponse(404, { error: "not found" });
    const host = request.headers.get("host");
    if (!hostAllowed(host, allowedHosts)) {
      return jsonRpcError(403, -32000, `Forbidden: Host "${host ?? ""}" is not allowed (see MCP_ALLOWED_HOSTS)`);
    }
    const origin = request.headers.get("origin");
    if (!originAllowed(origin, options.allowedOrigins)) {
      return jsonRpcError(403, -32000, `Forbidden: Origin "${origin}" is not allowed (see MCP_ALLOWED_ORIGINS)`);
    }
    if (token && !bearerMatches(request.headers.get("authorization"), token)) {
      const given = request.headers.has("authorization");
      return jsonRpcError(401, -32000, "Unauthorized: send Authorization: Bearer <token>", {
        "www-authenticate": given ? 'Bearer realm="tdmcp", error="invalid_token"' : 'Bearer realm="tdmcp"',
      });
    }
    if (!["GET", "POST", "DELETE"].includes(request.method)) {
      return jsonRpcError(405, -32000, "Method not allowed", { allow: "GET, POST, DELETE" });
    }
    return sessions ? await stateful(sessions, request, after) : await stateless(request, after);
  }

  async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const url = new URL(request.url);
    const after: (() => void)[] = [];
    open++;
    let response: Response;
    try {
      response = await route(request, url, after);
    } catch (error) {
      log.error("request failed: {error}", {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      response = jsonRpcError(500, -32603, "Internal error");
    }
    const session = (request.headers.get("mcp-session-id") ?? response.headers.get("mcp-session-id") ?? "")
      .slice(0, 8);
    const finish = () => {
      for (const f of after) f();
      open--;
      log.info("{method} {path} {status} {ms} ms", {
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        session: session || undefined,
      });
    };
    const streaming = response.headers.get("content-type")?.startsWith("text/event-stream") && response.body;
    if (!streaming || request.method === "GET") {
      finish(); // a GET stream lives as long as its session: not a call in flight
      return response;
    }
    return new Response(onBodyEnd(response.body!, finish), response);
  }

  const server = Deno.serve({
    hostname: options.host,
    port: options.port,
    onListen: () => {},
    onError: (error) => {
      log.error("HTTP error: {error}", { error: error instanceof Error ? error.message : String(error) });
      return jsonRpcError(500, -32603, "Internal error");
    },
  }, handle);
  const addr = server.addr as Deno.NetAddr;
  log.info("serving MCP over Streamable HTTP at http://{host}:{port}{path} ({mode}{auth})", {
    host: addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname,
    port: addr.port,
    path: options.path,
    mode: options.stateless ? "stateless" : "stateful",
    auth: token ? ", bearer token required" : "",
  });

  async function shutdown(deadlineMs = HTTP_SHUTDOWN_DEADLINE_MS): Promise<void> {
    const stopped = server.shutdown(); // stops accepting at once; resolves when every response ended
    const until = performance.now() + deadlineMs;
    while (open > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (open > 0) log.warning("{count} requests still open at shutdown", { count: open });
    await sessions?.closeAll();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((r) => timer = setTimeout(r, Math.max(until - performance.now(), 1_000)));
    await Promise.race([stopped, grace]);
    clearTimeout(timer);
    log.info("HTTP listener stopped");
  }

  return {
    addr,
    shutdown: (deadlineMs?: number) => closing ??= shutdown(deadlineMs),
  };
}
