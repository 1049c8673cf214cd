/**
 * Stateful Streamable HTTP sessions: one MCP server and transport per
 * session, a bounded in-memory event store for resumable SSE streams, the
 * calls each session has running, and idle expiry (the SDK never expires a
 * session by itself).
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { CallTracker, isAnswer, type RequestId, RESUME_GRACE_MS } from "./calls.ts";
import {
  type EventId,
  type EventStore,
  type JSONRPCMessage,
  type McpServer,
  type StreamId,
  WebStandardStreamableHTTPServerTransport,
} from "../../server/sdk.ts";

/**
 * Keeps the last `limit` events of one session so a client can resume an SSE
 * stream with `Last-Event-ID`; older events are dropped first.
 */
export class BoundedEventStore implements EventStore {
  #events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  #next = 0;
  #limit: number;

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`the event store size must be a positive integer: current value is ${limit}`);
    }
    this.#limit = limit;
  }

  /** How many events are kept. */
  get size(): number {
    return this.#events.size;
  }

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = String(++this.#next);
    this.#events.set(id, { streamId, message });
    while (this.#events.size > this.#limit) this.#events.delete(this.#events.keys().next().value!);
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.#events.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.#events.get(lastEventId);
    if (!last) throw new RangeError(`event ${lastEventId} is no longer stored`);
    const after = Number(lastEventId);
    const pending = [...this.#events].filter(([id, e]) => Number(id) > after && e.streamId === last.streamId);
    for (const [id, { message }] of pending) {
      if ("jsonrpc" in message) await send(id, message); // priming events carry no message
    }
    return last.streamId;
  }
}

/**
 * The SSE `retry:` hint: how soon a client reconnects after its stream closed. Well inside the resume grace
 * (RESUME_GRACE_MS), after which the calls of a broken stream are cancelled.
 */
export const RECONNECT_AFTER_MS = 500;

/** One stateful session. */
export interface Session {
  id: string;
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  /** Concurrency slots this session holds: one per call still running. */
  inFlight: number;
  /** `performance.now()` of the last request or answer. */
  lastSeen: number;
  /** The protocol version agreed at initialize. */
  protocolVersion: string;
  /** The calls still running, and what happens to them when their stream breaks. */
  calls: CallTracker;
}

/** What the registry needs to build and expire sessions. */
export interface SessionOptions {
  newServer(): McpServer;
  log: Logger;
  eventStoreSize: number;
  sessionIdleMs: number;
}

/** The live sessions of one HTTP listener, with their idle sweep. */
export class SessionRegistry {
  #sessions = new Map<string, Session>();
  #options: SessionOptions;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    const every = Math.min(Math.max(Math.floor(options.sessionIdleMs / 4), 25), 30_000);
    this.#sweep = setInterval(() => this.expireIdle(), every);
  }

  /** Live sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session with this id, or undefined. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /**
   * Builds a server and transport for an initialize request. The session is
   * registered once the transport assigns its id; call `settle`
   * after the initialize request was answered.
   */
  async open(protocolVersion: string): Promise<Session> {
    const eventStore = new BoundedEventStore(this.#options.eventStoreSize);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      eventStore,
      // Sent in the priming event of each stream: how soon a client should reconnect after a close.
      retryInterval: RECONNECT_AFTER_MS,
    });
    const session: Session = {
      id: "",
      server: this.#options.newServer(),
      transport,
      inFlight: 0,
      lastSeen: performance.now(),
      protocolVersion,
      calls: new CallTracker({
        cancel: (ids) => this.#cancel(session, ids),
        streamOf: (eventId) => eventStore.getStreamIdForEventId(eventId),
        graceMs: RESUME_GRACE_MS,
      }),
    };
    // Every answer leaves through send(): a call is over when its answer went out (stored for replay if its
    // stream is gone), which frees its slot.
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      if (isAnswer(message)) session.calls.answered(message.id);
      return send(message, options);
    };
    // Set before connect(): the server chains its own onclose after this one.
    transport.onclose = () => {
      session.calls.clear(); // closing the server aborted the calls: they never answer
      if (session.id && this.#sessions.get(session.id) === session) {
        this.#sessions.delete(session.id);
        this.#options.log.info("session {session} closed", { session: session.id.slice(0, 8) });
      }
    };
    await session.server.connect(transport);
    return session;
  }

  /** Registers a session whose transport now has an id; closes it when initialization failed. */
  async settle(session: Session): Promise<void> {
    const id = session.transport.sessionId;
    if (id === undefined) {
      await session.server.close().catch(() => {});
      return;
    }
    session.id = id;
    this.#sessions.set(id, session);
    this.#options.log.info("session {session} opened ({count} live)", {
      session: id.slice(0, 8),
      count: this.#sessions.size,
    });
  }

  /** Closes sessions with no POST in flight and no request for longer than the idle limit. */
  async expireIdle(now = performance.now()): Promise<void> {
    const idle = [...this.#sessions.values()].filter((s) =>
      s.inFlight === 0 && now - s.lastSeen > this.#options.sessionIdleMs
    );
    for (const session of idle) {
      this.#options.log.info("session {session} expired after {seconds} s idle", {
        session: session.id.slice(0, 8),
        seconds: Math.round((now - session.lastSeen) / 1000),
      });
      await this.#close(session);
    }
  }

  /** Stops the sweep and closes every session (ending their SSE streams). */
  async closeAll(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    await Promise.all([...this.#sessions.values()].map((s) => this.#close(s)));
  }

  /** Cancels calls as a client's `notifications/cancelled` would: their handlers' signals abort. */
  #cancel(session: Session, ids: RequestId[]): void {
    this.#options.log.info("session {session}: cancelling {count} calls whose client went away", {
      session: session.id.slice(0, 8),
      count: ids.length,
    });
    for (const requestId of ids) {
      session.transport.onmessage?.({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId, reason: "the client disconnected" },
      });
    }
  }

  async #close(session: Session): Promise<void> {
    this.#sessions.delete(session.id);
    session.calls.clear();
    try {
      await session.server.close();
    } catch (error) {
      this.#options.log.warning("closing session {session} failed: {error}", {
        session: session.id.slice(0, 8),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
