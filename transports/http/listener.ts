/**
 * The TCP side of the HTTP transport. `Deno.serve` (Deno 2.9) has no header,
 * body or idle timeout, no connection cap, and its accept loop ends the
 * process when descriptors run out (measured: `Too many open files`,
 * uncaught); `node:http` under Deno honours its timeouts but its accept loop
 * stops for good after the first EMFILE (measured). So tdmcp owns the accept
 * loop (`Deno.listen`) and hands each accepted connection to Deno's HTTP
 * engine (hyper) with Deno's per-connection entry point, the one `Deno.serve`
 * itself is built on. Here each connection gets a deadline for its first
 * request's headers and an idle deadline between requests; the loop counts
 * connections (at the cap a connection with no request in flight is closed
 * to make room, one that never sent a request first, else the newcomer gets a
 * short 503); an accept error backs off and keeps serving, and the first
 * EMFILE lowers the cap so that descriptors stay free for the database.
 * @module
 */
import type { Logger } from "@logtape/logtape";

/** What the listener needs. */
export interface ListenOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** Most open connections. */
  maxConnections: number;
  /** How long a new connection may take to deliver its first request's headers. */
  headerTimeoutMs: number;
  /** How long a connection may stay open with no request in flight. */
  idleTimeoutMs: number;
  log: Logger;
}

/** The request handler, as `Deno.serve` takes it. */
export type Handler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Promise<Response>;

/** A running listener. */
export interface Listener {
  addr: Deno.NetAddr;
  /** Connections open now. */
  readonly connections: number;
  /** Stops accepting and closes idle connections; busy ones close after their response. Resolves when all closed. */
  shutdown(): Promise<void>;
  /** Cuts every connection still open. */
  closeAll(): void;
}

/** A connection that sent no request yet is closed to make room only once it has been open this long. */
export const EVICT_NEW_AFTER_MS = 100;
/** A kept-alive connection is closed to make room only once it has been idle this long. */
export const EVICT_IDLE_AFTER_MS = 1_000;
/**
 * Descriptors kept free for the rest of the process (database connections, the driver's files) once accepting
 * ran out of them: the first EMFILE caps connections at the number then open, less this.
 */
export const DESCRIPTOR_RESERVE = 64;
/** First and longest pause after a failed accept. */
export const ACCEPT_BACKOFF_MS = [5, 1_000] as const;
/** How long a connection stays open after a final answer (`connection: close`), so the client can read it. */
const LINGER_MS = 250;
/** Most refused connections lingering at once; beyond, a refused connection is closed without an answer. */
const MAX_REFUSING = 16;

/** The answer to a connection beyond the cap, written straight to the socket. */
function refusal(open: number): Uint8Array {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: { code: -32000, message: `Service Unavailable: ${open} connections are open; retry shortly` },
    id: null,
  });
  return new TextEncoder().encode(
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\n" +
      `content-length: ${body.length}\r\n\r\n${body}`,
  );
}

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Handler,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => Deno.HttpServer<Deno.NetAddr>;

/**
 * Deno's per-connection HTTP entry point (`serveHttpOnConnection`, the one `Deno.serve` runs for each
 * accepted connection). It is internal: when a Deno release drops it, null, and the listener falls back
 * to `Deno.serve` without the connection guards (and says so in the log).
 */
export function serveOnConnection(): ServeOnConnection | null {
  const key = Reflect.get(Deno, "internal");
  const internal = typeof key === "symbol" ? Reflect.get(Deno, key) : undefined;
  const serve = typeof internal === "object" && internal !== null
    ? Reflect.get(internal, "serveHttpOnConnection")
    : undefined;
  return typeof serve === "function" ? serve as ServeOnConnection : null;
}

interface Connection {
  /** Requests in flight on this connection. */
  active: number;
  /** Whether a request arrived on it yet. */
  used: boolean;
  /** `performance.now()` when it last became idle (accepted, or its last response ended). */
  idleSince: number;
  /** Close once no request is in flight (an answer said `connection: close`, or the listener is stopping). */
  closeAfter: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  abort: AbortController;
  finished: Promise<void>;
}

/** Whether an error is the peer or the socket going away (nothing to report). */
function isSocketGone(error: unknown): boolean {
  return Object.values(Deno.errors).some((kind) => error instanceof kind);
}

/** Errors of a socket whose peer or resource is already gone. */
const SOCKET_ERRORS = [
  Deno.errors.BadResource,
  Deno.errors.Interrupted,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.BrokenPipe,
  Deno.errors.NotConnected,
];

/**
 * Keeps a dying socket from ending the process: Deno's per-connection HTTP serving reports an error of a connection
 * closed under it (an abort racing the peer's own close) as uncaught, from inside its abort listener, where no caller
 * can catch it. Only socket errors are kept from ending the process, and each is logged. Returns the remover.
 */
function survivingSocketErrors(log: Logger): () => void {
  const keep = (event: ErrorEvent | PromiseRejectionEvent) => {
    const error = event instanceof ErrorEvent ? event.error : event.reason;
    if (!SOCKET_ERRORS.some((kind) => error instanceof kind)) return;
    event.preventDefault();
    log.warning("a connection's socket was already gone: {error}", { error: String(error) });
  };
  globalThis.addEventListener("error", keep);
  globalThis.addEventListener("unhandledrejection", keep);
  return () => {
    globalThis.removeEventListener("error", keep);
    globalThis.removeEventListener("unhandledrejection", keep);
  };
}

/**
 * Listens on `hostname:port` and serves `handler` with the connection guards described in the module doc.
 *
 * @example
 * ```ts
 * const listener = listen(
 *   { hostname: "127.0.0.1", port: 0, maxConnections: 1000, headerTimeoutMs: 10_000, idleTimeoutMs: 60_000, log },
 *   (request) => Promise.resolve(new Response("ok")),
 *   () => new Response("Internal error", { status: 500 }),
 * );
 * await listener.shutdown();
 * ```
 */
export function listen(options: ListenOptions, handler: Handler, onError: (error: unknown) => Response): Listener {
  const serveOn = serveOnConnection();
  if (!serveOn) return fallback(options, handler, onError);
  const { log } = options;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const stopSurviving = survivingSocketErrors(log);
  const open = new Set<Connection>();
  let cap = options.maxConnections; // lowered once accepting runs out of descriptors
  let refusing = 0;
  let refusals = 0; // since the last log line about them
  let refusalLogged = -Infinity;
  let stopping = false;

  const close = (c: Connection, why: string) => {
    if (c.abort.signal.aborted) return;
    log.debug("closing a connection: {why}", { why });
    clearTimeout(c.timer);
    open.delete(c);
    c.abort.abort();
  };

  /**
   * Closes one connection with no request in flight to make room: one that never sent a request first, then the
   * longest idle; when `patient`, only those past EVICT_NEW_AFTER_MS / EVICT_IDLE_AFTER_MS. Whether there was one.
   */
  const evictIdle = (patient = true): boolean => {
    const now = performance.now();
    let pick: Connection | undefined;
    for (const c of open) {
      if (c.active > 0) continue;
      if (patient && now - c.idleSince < (c.used ? EVICT_IDLE_AFTER_MS : EVICT_NEW_AFTER_MS)) continue;
      const better = !pick || (pick.used && !c.used) || (pick.used === c.used && c.idleSince < pick.idleSince);
      if (better) pick = c;
    }
    if (pick) close(pick, pick.used ? "idle, making room" : "no request yet, making room");
    return pick !== undefined;
  };

  /** The first EMFILE shows the ceiling: cap connections below it, closing idle ones until the reserve is free. */
  const outOfDescriptors = () => {
    if (open.size <= DESCRIPTOR_RESERVE || cap <= open.size - DESCRIPTOR_RESERVE) return;
    cap = open.size - DESCRIPTOR_RESERVE;
    log.warning(
      "out of file descriptors with {open} connections open: now at most {cap} (raise `ulimit -n`, or lower " +
        "MCP_MAX_CONNECTIONS below it)",
      { open: open.size, cap },
    );
    while (open.size > cap && evictIdle(false));
  };

  const settle = (c: Connection) => {
    if (--c.active > 0) return;
    c.idleSince = performance.now();
    if (c.closeAfter || stopping) c.timer = setTimeout(() => close(c, "answered with connection: close"), LINGER_MS);
    else c.timer = setTimeout(() => close(c, "idle timeout"), options.idleTimeoutMs);
  };

  const admit = (conn: Deno.TcpConn) => {
    const c: Connection = {
      active: 0,
      used: false,
      idleSince: performance.now(),
      closeAfter: false,
      timer: undefined,
      abort: new AbortController(),
      finished: Promise.resolve(),
    };
    c.timer = setTimeout(() => close(c, "no request headers in time"), options.headerTimeoutMs);
    const serve: Handler = async (request, info) => {
      c.active++;
      c.used = true;
      clearTimeout(c.timer);
      info.completed.then(() => settle(c), () => settle(c));
      const response = await handler(request, info);
      if (response.headers.get("connection")?.toLowerCase() === "close") c.closeAfter = true;
      return response;
    };
    open.add(c);
    const forget = () => {
      clearTimeout(c.timer);
      open.delete(c);
    };
    c.finished = serveOn(conn, c.abort.signal, serve, onError, () => {}).finished.then(forget, (error) => {
      forget();
      log.warning("a connection failed: {error}", { error: error instanceof Error ? error.message : String(error) });
    });
  };

  const refuse = async (conn: Deno.TcpConn) => {
    if (refusing >= MAX_REFUSING) return conn.close();
    refusing++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await conn.write(refusal(open.size));
      await conn.closeWrite();
      // Read what the client already sent before closing, or the close resets the connection and loses the 503.
      const buffer = new Uint8Array(4096);
      const linger = new Promise<null>((r) => timer = setTimeout(() => r(null), LINGER_MS));
      while (await Promise.race([conn.read(buffer), linger]) !== null);
    } catch (error) {
      if (!isSocketGone(error)) throw error;
    } finally {
      refusing--;
      clearTimeout(timer);
      conn.close();
    }
  };

  const accept = async () => {
    let delay = 0;
    let failures = 0;
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return;
        if (!(error instanceof Error)) throw error;
        // EMFILE ("Too many open files (os error 24)", a plain Error), ENFILE, ENOBUFS, ECONNABORTED...: make room
        // by closing idle connections, or wait; keep serving.
        if (failures++ === 0) {
          log.warning("accepting a connection failed ({error}); {open} connections open; backing off", {
            error: error.message,
            open: open.size,
          });
        }
        if (/too many open files/i.test(error.message)) outOfDescriptors();
        delay = evictIdle()
          ? ACCEPT_BACKOFF_MS[0]
          : Math.min(Math.max(delay * 2, ACCEPT_BACKOFF_MS[0]), ACCEPT_BACKOFF_MS[1]);
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      if (failures > 0) log.info("accepting again after {failures} failed attempts", { failures });
      delay = failures = 0;
      if (open.size >= cap && !evictIdle()) {
        refusals++;
        if (performance.now() - refusalLogged > 10_000) {
          log.warning("refused {refusals} connections: {open} connections are open", { refusals, open: open.size });
          refusals = 0;
          refusalLogged = performance.now();
        }
        refuse(conn).catch((error) => log.error("refusing a connection failed: {error}", { error: String(error) }));
        continue;
      }
      admit(conn);
    }
  };
  const accepting = accept().catch((error) => {
    log.error("the accept loop stopped: {error}", { error: error instanceof Error ? error.stack : String(error) });
  });

  return {
    addr: listener.addr,
    get connections() {
      return open.size;
    },
    async shutdown() {
      stopping = true;
      listener.close();
      await accepting;
      const all = [...open];
      for (const c of all) {
        if (c.active === 0) close(c, "shutting down");
        else c.closeAfter = true;
      }
      await Promise.all(all.map((c) => c.finished));
      stopSurviving();
    },
    closeAll() {
      for (const c of [...open]) close(c, "shutdown deadline");
    },
  };
}

/** `Deno.serve` without the connection guards, for a Deno without the per-connection entry point. */
function fallback(options: ListenOptions, handler: Handler, onError: (error: unknown) => Response): Listener {
  options.log.warning(
    "this Deno has no per-connection HTTP serving: the header and idle timeouts, the connection cap and the " +
      "descriptor guard are off (Deno 2.9 has it)",
  );
  const abort = new AbortController();
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: abort.signal,
    onListen: () => {},
    onError,
  }, handler);
  return {
    addr: server.addr,
    connections: 0,
    shutdown: () => server.shutdown(),
    closeAll: () => abort.abort(),
  };
}
