/**
 * The MCP endpoint behind the HTTP checks: reads the body (size and time
 * limits), tells the protocol eras apart, counts the calls a POST carries
 * against the concurrency limits (a JSON-RPC batch takes one slot per call,
 * and is refused for protocol versions that dropped batching), hands the
 * messages to the session's (or a per-request) transport, and keeps the slots
 * taken until every call answered; a client that goes away gets its calls
 * cancelled.
 *
 * A 2026-07-28 request (per-request `_meta`, no session) is served by the
 * SDK's stateless handler with a fresh server, whatever the session settings:
 * any replica can answer it. A 2025-era request goes to the sessions (or,
 * with MCP_STATELESS, a per-request transport) as before.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "../../server/sdk.ts";
import { bodyTimedOut, declaredTooLarge, jsonRpcError, readBody, tooLarge } from "./guard.ts";
import { batchRefusal, DEFAULT_PROTOCOL_VERSION, type Hook, isEventStream, requestIds } from "./calls.ts";
import type { Session, SessionRegistry } from "./sessions.ts";

/** The limits the endpoint enforces. */
export interface EndpointOptions {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  maxSessions: number;
  maxConcurrentPerSession: number;
  maxConcurrent: number;
}

/** Answers one request to the MCP path; `after` collects what runs when its answer ended. */
export type Endpoint = (request: Request, after: Hook[]) => Promise<Response>;

/** The endpoint over a session registry (stateful), or over a fresh server per request (`sessions` null). */
export function mcpEndpoint(
  options: EndpointOptions,
  sessions: SessionRegistry | null,
  newServer: () => McpServer,
  log: Logger,
): Endpoint {
  let inFlight = 0; // calls running, all sessions
  // 2026-07-28 traffic: stateless, one server per request; 2025-era traffic never reaches it (routed below).
  const modern = createMcpHandler(() => newServer(), {
    legacy: "reject",
    maxRequestBodySize: options.maxBodyBytes,
    onerror: (error) => log.debug("2026-07-28 request: {message}", { message: error.message }),
  });
  const busy = () =>
    jsonRpcError(429, -32000, "Too Many Requests: too many calls in flight; retry shortly", { "retry-after": "1" });

  /** Takes `calls` global (and session) slots; returns their release, or null when over a limit. */
  function acquire(session: Session | undefined, calls: number): (() => void) | null {
    if (inFlight + calls > options.maxConcurrent) return null;
    if (session && session.inFlight + calls > options.maxConcurrentPerSession) return null;
    inFlight += calls;
    if (session) session.inFlight += calls;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight -= calls;
      if (session) (session.inFlight -= calls, session.lastSeen = performance.now());
    };
  }

  /** Reads and parses a POST body, or answers 413, 408 or 400. */
  async function parseBody(request: Request): Promise<{ body: unknown } | Response> {
    const read = await readBody(request, options.maxBodyBytes, options.bodyTimeoutMs);
    if (read.status === "tooLarge") return tooLarge(options.maxBodyBytes);
    if (read.status === "timeout") {
      log.warning("a request body did not arrive within {ms} ms", { ms: options.bodyTimeoutMs });
      return bodyTimedOut(options.bodyTimeoutMs);
    }
    if (read.status === "cut") return jsonRpcError(400, -32700, "Parse error: the request body was cut off");
    try {
      return { body: JSON.parse(read.text) };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON");
    }
  }

  /**
   * One 2026-07-28 message: the SDK checks the `_meta` envelope and the `Mcp-Method`/`Mcp-Name` headers against the
   * body (400 on a mismatch), serves it from a fresh server and closes that server when the answer is sent, or when
   * the client goes away (which aborts the call and its statement).
   */
  async function stateless2026(request: Request, body: unknown, after: Hook[]): Promise<Response> {
    const ids = requestIds(body);
    const version = request.headers.get("mcp-protocol-version") ?? "2026-07-28";
    const refusal = batchRefusal(body, version, ids.length, options.maxConcurrent);
    if (refusal) return jsonRpcError(400, -32600, refusal);
    const release = acquire(undefined, Math.max(ids.length, 1));
    if (!release) return busy();
    after.push(release);
    return await modern.fetch(request, { parsedBody: body });
  }

  /** Whether a parsed POST body belongs to the 2026-07-28 era (the SDK's own classification). */
  async function isModern(request: Request, body: unknown): Promise<boolean> {
    return !(await isLegacyRequest(request, body, { maxRequestBodySize: options.maxBodyBytes }));
  }

  async function stateless(request: Request, after: Hook[]): Promise<Response> {
    if (request.method !== "POST") {
      return jsonRpcError(405, -32000, "Method not allowed: this server is stateless, use POST", {
        allow: "POST",
      });
    }
    if (declaredTooLarge(request, options.maxBodyBytes)) return tooLarge(options.maxBodyBytes);
    const parsed = await parseBody(request);
    if (parsed instanceof Response) return parsed;
    if (await isModern(request, parsed.body)) return await stateless2026(request, parsed.body, after);
    const ids = requestIds(parsed.body);
    const version = request.headers.get("mcp-protocol-version") ?? DEFAULT_PROTOCOL_VERSION;
    const refusal = batchRefusal(parsed.body, version, ids.length, options.maxConcurrent);
    if (refusal) return jsonRpcError(400, -32600, refusal);
    const release = acquire(undefined, Math.max(ids.length, 1));
    if (!release) return busy();
    after.push(release);
    const server = newServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      const answer = transport.handleRequest(request, { parsedBody: parsed.body });
      if (ids.length === 0) return await answer;
      // The answer is JSON, sent when every call is done: a client that goes away meanwhile is seen only
      // on its request's signal. Closing the server (finally) then aborts the calls and their statements.
      const { promise: gone, resolve } = Promise.withResolvers<Response>();
      const onAbort = () => resolve(jsonRpcError(499, -32000, "Client Closed Request"));
      request.signal.addEventListener("abort", onAbort, { once: true });
      try {
        return await Promise.race([answer, gone]);
      } finally {
        request.signal.removeEventListener("abort", onAbort);
        if (request.signal.aborted) log.info("cancelled {count} calls whose client went away", { count: ids.length });
      }
    } finally {
      await server.close().catch(() => {});
    }
  }

  async function stateful(registry: SessionRegistry, request: Request, after: Hook[]): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    const session = id === null ? undefined : registry.get(id);
    if (id !== null && !session) return jsonRpcError(404, -32001, "Session not found: initialize a new session");
    if (session) session.lastSeen = performance.now();
    if (request.method !== "POST") {
      if (!session) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
      const lastEventId = request.method === "GET" ? request.headers.get("last-event-id") : null;
      if (lastEventId === null) return await session.transport.handleRequest(request);
      return await resume(session, request, lastEventId, after);
    }
    if (declaredTooLarge(request, options.maxBodyBytes)) return tooLarge(options.maxBodyBytes);
    const parsed = await parseBody(request);
    if (parsed instanceof Response) return parsed;
    if (!session && await isModern(request, parsed.body)) return await stateless2026(request, parsed.body, after);
    if (!session) return await initialize(registry, request, parsed.body, after);
    const ids = requestIds(parsed.body);
    const limit = Math.min(options.maxConcurrentPerSession, options.maxConcurrent);
    const refusal = batchRefusal(parsed.body, session.protocolVersion, ids.length, limit);
    if (refusal) return jsonRpcError(400, -32600, refusal);
    // Two calls under one id could not be told apart when they answer: one would hold its slots for good.
    const taken = ids.find((id, i) => session.calls.has(id) || ids.indexOf(id) !== i);
    if (taken !== undefined) {
      return jsonRpcError(400, -32600, `Invalid Request: request id ${JSON.stringify(taken)} is already in flight`);
    }
    const release = acquire(session, Math.max(ids.length, 1));
    if (!release) return busy();
    if (ids.length === 0) {
      after.push(release); // notifications and responses: answered at once
      return await session.transport.handleRequest(request, { parsedBody: parsed.body });
    }
    // The slots stay taken until every call answered, whatever happens to the stream that carries them.
    const group = session.calls.track(ids, release);
    let response: Response;
    try {
      response = await session.transport.handleRequest(request, { parsedBody: parsed.body });
    } catch (error) {
      session.calls.drop(group);
      throw error;
    }
    if (!isEventStream(response)) session.calls.drop(group); // refused before the calls started
    else after.push((cancelled, eventId) => cancelled && session.calls.orphan(group, eventId));
    return response;
  }

  /** A GET with `Last-Event-ID`: the calls of the stream it resumes are cancelled if this stream breaks too. */
  async function resume(session: Session, request: Request, lastEventId: string, after: Hook[]): Promise<Response> {
    const streamId = await session.calls.resume(lastEventId);
    if (streamId === undefined) return await session.transport.handleRequest(request);
    let response: Response;
    try {
      response = await session.transport.handleRequest(request);
    } catch (error) {
      session.calls.resumeEnded(streamId, true);
      throw error;
    }
    if (!isEventStream(response)) session.calls.resumeEnded(streamId, true);
    else after.push((cancelled) => session.calls.resumeEnded(streamId, cancelled));
    return response;
  }

  async function initialize(
    registry: SessionRegistry,
    request: Request,
    body: unknown,
    after: Hook[],
  ): Promise<Response> {
    if (!isInitializeRequest(body)) {
      return jsonRpcError(400, -32000, "Bad Request: no valid session id; send initialize first");
    }
    if (registry.size >= options.maxSessions) {
      log.warning("refused a new session: {count} sessions are live", { count: registry.size });
      return jsonRpcError(503, -32000, "Service Unavailable: too many sessions; retry later", {
        "retry-after": "5",
      });
    }
    const release = acquire(undefined, 1);
    if (!release) return busy();
    after.push(release);
    const fresh = await registry.open(String(body.params.protocolVersion));
    const response = await fresh.transport.handleRequest(request, { parsedBody: body });
    await registry.settle(fresh);
    return response;
  }

  return (request, after) => sessions ? stateful(sessions, request, after) : stateless(request, after);
}
