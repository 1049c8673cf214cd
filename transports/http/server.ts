/**
 * Serves MCP over Streamable HTTP: stateful sessions (SSE, resumability,
 * idle expiry) or a stateless mode for replicas, behind bearer auth,
 * `Host`/`Origin` checks, body size and time limits and concurrency limits
 * counted call by call (a JSON-RPC batch takes one slot per call); a client
 * that goes away gets its calls cancelled. Connections come through tdmcp's
 * own listener (transports/http/listener.ts: header and idle timeouts, a
 * connection cap, an accept loop that survives descriptor exhaustion). Plus
 * `/healthz`, `/readyz`, an access log and a graceful shutdown.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { McpServer } from "../../server/sdk.ts";
import {
  bearerMatches,
  defaultAllowedHosts,
  hostAllowed,
  isLoopbackAddress,
  jsonResponse,
  jsonRpcError,
  originAllowed,
} from "./guard.ts";
import { type Hook, isEventStream, watchStream } from "./calls.ts";
import { mcpEndpoint } from "./endpoint.ts";
import { listen } from "./listener.ts";
import { SessionRegistry } from "./sessions.ts";

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
  /** Most calls running at once for one session (429 beyond; each call of a batch counts). */
  maxConcurrentPerSession: number;
  /** Most calls running at once in total (429 beyond). */
  maxConcurrent: number;
  /** A session with no request for this long is closed. */
  sessionIdleMs: number;
  /** Events kept per session for SSE resumption. */
  eventStoreSize: number;
  /** Listen on a non-loopback address without a token anyway. */
  force?: boolean;
  /** Most open connections (at the cap an idle one closes to make room, or the newcomer gets 503). */
  maxConnections?: number;
  /** How long a new connection may take to send its first request's headers. */
  headerTimeoutMs?: number;
  /** How long a request body may take to arrive (408 beyond). */
  bodyTimeoutMs?: number;
  /** How long a connection may stay open with no request in flight. */
  idleTimeoutMs?: number;
  /**
   * How long a stopping server keeps serving before it stops accepting (MCP_SHUTDOWN_DELAY): `/readyz` answers 503
   * and every answer closes its connection, so a load balancer moves traffic away before any connection is cut.
   */
  shutdownDelayMs?: number;
}

/** The connection limits when the options name none (the defaults of the matching settings in config/options.ts). */
export const HTTP_CONNECTION_DEFAULTS = {
  maxConnections: 1000,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
} as const;

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
export function validateHttpOptions(given: HttpOptions): void {
  const options = { ...HTTP_CONNECTION_DEFAULTS, ...given };
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
    const key of [
      "maxBodyBytes",
      "maxSessions",
      "maxConcurrentPerSession",
      "maxConcurrent",
      "eventStoreSize",
      "maxConnections",
      "headerTimeoutMs",
      "bodyTimeoutMs",
      "idleTimeoutMs",
    ] as const
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
export function serveHttp(given: HttpOptions, deps: HttpDeps): HttpListener {
  const options = { ...HTTP_CONNECTION_DEFAULTS, ...given };
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
  const endpoint = mcpEndpoint(options, sessions, deps.newServer, log);
  let open = 0; // requests without a long-lived stream, for the shutdown drain
  let closing: Promise<void> | null = null;
  let refusing = false; // set when the listener stops serving (after the drain)
  let draining = false; // MCP_SHUTDOWN_DELAY: still serving, but not ready and closing connections

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

  async function route(request: Request, url: URL, after: Hook[]): Promise<Response> {
    if (url.pathname === "/healthz" && request.method === "GET") return jsonResponse(200, { status: "ok" });
    if (refusing) {
      return jsonRpcError(503, -32000, "Service Unavailable: the server is shutting down", { "retry-after": "5" });
    }
    if (url.pathname === "/readyz" && request.method === "GET") {
      return draining ? jsonResponse(503, { status: "draining" }) : await ready();
    }
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
    return await endpoint(request, after);
  }

  async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const url = new URL(request.url);
    const after: Hook[] = [];
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
    let logged = false;
    const finish = () => {
      if (logged) return;
      logged = true;
      open--;
      log.info("{method} {path} {status} {ms} ms", {
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        session: session || undefined,
      });
    };
    const ended = (cancelled: boolean, eventId: string | null) => {
      for (const hook of after) hook(cancelled, eventId);
      finish();
    };
    // Draining: the client (or balancer) opens a new connection for its next request, to another replica.
    if (draining) response = closingConnection(response);
    if (!isEventStream(response)) {
      ended(false, null);
      return response;
    }
    if (request.method === "GET") {
      finish(); // a GET stream lives as long as its session: not a request in flight
      if (after.length === 0) return response;
    }
    return new Response(watchStream(response.body!, ended), response);
  }

  const listener = listen(
    {
      hostname: options.host,
      port: options.port,
      maxConnections: options.maxConnections,
      headerTimeoutMs: options.headerTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      log,
    },
    handle,
    (error) => {
      log.error("HTTP error: {error}", { error: error instanceof Error ? error.message : String(error) });
      return jsonRpcError(500, -32603, "Internal error");
    },
  );
  const addr = listener.addr;
  log.info("serving MCP over Streamable HTTP at http://{host}:{port}{path} ({mode}{auth})", {
    host: addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname,
    port: addr.port,
    path: options.path,
    mode: options.stateless ? "stateless" : "stateful",
    auth: token ? ", bearer token required" : "",
  });

  async function shutdown(deadlineMs = HTTP_SHUTDOWN_DEADLINE_MS): Promise<void> {
    const delayMs = options.shutdownDelayMs ?? 0;
    if (delayMs > 0) {
      draining = true;
      log.info("draining for {ms} ms: /readyz answers 503, requests are still served", { ms: delayMs });
      await new Promise((r) => setTimeout(r, delayMs));
    }
    refusing = true;
    const stopped = listener.shutdown(); // stops accepting at once; resolves when every connection closed
    const until = performance.now() + deadlineMs;
    while (open > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (open > 0) log.warning("{count} requests still open at shutdown", { count: open });
    await sessions?.closeAll();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((r) => timer = setTimeout(r, Math.max(until - performance.now(), 1_000)));
    await Promise.race([stopped, grace]);
    clearTimeout(timer);
    listener.closeAll();
    log.info("HTTP listener stopped");
  }

  return {
    addr,
    shutdown: (deadlineMs?: number) => closing ??= shutdown(deadlineMs),
  };
}

/** The same answer, telling the client to close the connection after it (`Connection: close`). */
function closingConnection(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
