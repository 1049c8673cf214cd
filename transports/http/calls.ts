/**
 * The calls a POST carries, from parsing to their last answer: how many
 * JSON-RPC requests a body holds (a batch counts call by call against the
 * concurrency limits, and is refused for protocol versions that dropped
 * batching), and which calls of a session still run, so that the slots they
 * hold are released only when they answer, and a client that went away gets
 * its calls cancelled at the database.
 * @module
 */

/** A JSON-RPC request id. */
export type RequestId = string | number;

/** The protocol versions that still had JSON-RPC batching (removed in 2025-06-18). */
export const BATCHING_VERSIONS: readonly string[] = ["2024-10-07", "2024-11-05", "2025-03-26"];

/** The version a client speaks when it sends no `MCP-Protocol-Version` header (as the SDK assumes). */
export const DEFAULT_PROTOCOL_VERSION = "2025-03-26";

/** How long a call whose response stream broke keeps running, waiting for the client to resume the stream. */
export const RESUME_GRACE_MS = 1_000;

/** The ids of the JSON-RPC requests (not notifications or responses) in a parsed body: one message or a batch. */
export function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const m of messages) {
    if (typeof m !== "object" || m === null || typeof (m as { method?: unknown }).method !== "string") continue;
    const id = (m as { id?: unknown }).id;
    if (typeof id === "string" || typeof id === "number") ids.push(id);
  }
  return ids;
}

/** Why a batch must be refused (a message for the client), or null when it may run. */
export function batchRefusal(body: unknown, version: string, calls: number, limit: number): string | null {
  if (!Array.isArray(body)) return null;
  if (!BATCHING_VERSIONS.includes(version)) {
    return `Invalid Request: JSON-RPC batches were removed in protocol version 2025-06-18 and this client speaks ${version}; send one message per POST`;
  }
  if (calls > limit) {
    return `Invalid Request: a batch of ${calls} requests exceeds the limit of ${limit} calls in flight; send at most ${limit} per batch`;
  }
  return null;
}

/** The calls of one POST, holding `ids.size` concurrency slots until each answered or was cancelled. */
export interface CallGroup {
  readonly ids: Set<RequestId>;
  release: () => void;
  /** The SSE stream the calls answer on, once it broke and the client may resume it. */
  streamId?: string;
  timer?: ReturnType<typeof setTimeout>;
}

/** What a tracker needs from its session. */
export interface TrackerOptions {
  /** Cancels calls at the server (their handlers' signals abort, which cancels their statements). */
  cancel(ids: RequestId[]): void;
  /** The stream an event id belongs to (from the session's event store). */
  streamOf(eventId: string): Promise<string | undefined>;
  graceMs: number;
}

/**
 * The calls of one session still running. A response stream that breaks
 * before all its answers went out orphans its calls: they are cancelled at
 * once when the client cannot resume the stream (it saw no event id), or
 * after `graceMs` unless a GET with `Last-Event-ID` resumes it (and again if
 * that stream breaks too).
 */
export class CallTracker {
  #groups = new Set<CallGroup>();
  #byId = new Map<RequestId, CallGroup>();
  /** Streams a client reconnected to, while that connection lasts. */
  #resumed = new Set<string>();
  #options: TrackerOptions;

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  /** Calls still running. */
  get size(): number {
    return this.#byId.size;
  }

  /** Whether a call with this id is still running. */
  has(id: RequestId): boolean {
    return this.#byId.has(id);
  }

  /** Registers the calls of one POST; `release` runs once, when every one answered or was cancelled. */
  track(ids: readonly RequestId[], release: () => void): CallGroup {
    const group: CallGroup = { ids: new Set(ids), release };
    this.#groups.add(group);
    for (const id of group.ids) this.#byId.set(id, group);
    if (group.ids.size === 0) this.#done(group);
    return group;
  }

  /** An answer (result or error) to `id` went out. */
  answered(id: RequestId): void {
    const group = this.#byId.get(id);
    if (!group) return;
    this.#byId.delete(id);
    group.ids.delete(id);
    if (group.ids.size === 0) this.#done(group);
  }

  /** The calls never started (the POST was refused before dispatch): release their slots. */
  drop(group: CallGroup): void {
    for (const id of group.ids) this.#byId.delete(id);
    group.ids.clear();
    this.#done(group);
  }

  /** The stream carrying `group` broke; `eventId` is an event id the client saw on it, or null if none. */
  async orphan(group: CallGroup, eventId: string | null): Promise<void> {
    if (!this.#groups.has(group)) return;
    const streamId = eventId === null ? undefined : await this.#options.streamOf(eventId);
    if (!this.#groups.has(group)) return;
    if (streamId === undefined || this.#options.graceMs <= 0) return this.#cancel(group);
    group.streamId = streamId;
    if (!this.#resumed.has(streamId)) this.#arm(group); // else the client already came back
  }

  /** A GET with `Last-Event-ID` resumes a stream: its calls stop waiting to be cancelled. Returns the stream id. */
  async resume(lastEventId: string): Promise<string | undefined> {
    const streamId = await this.#options.streamOf(lastEventId);
    if (streamId === undefined) return undefined;
    this.#resumed.add(streamId);
    for (const group of this.#groups) {
      if (group.streamId !== streamId) continue;
      clearTimeout(group.timer);
      group.timer = undefined;
    }
    return streamId;
  }

  /** A resumed stream ended; when it broke (`cancelled`) its calls wait for the client once more. */
  resumeEnded(streamId: string, cancelled: boolean): void {
    this.#resumed.delete(streamId);
    if (!cancelled) return;
    for (const group of this.#groups) if (group.streamId === streamId) this.#arm(group);
  }

  /** Releases every group: the session is closing, and closing its server aborts the calls. */
  clear(): void {
    for (const group of [...this.#groups]) this.drop(group);
  }

  #arm(group: CallGroup): void {
    clearTimeout(group.timer);
    group.timer = setTimeout(() => this.#cancel(group), this.#options.graceMs);
  }

  #cancel(group: CallGroup): void {
    const ids = [...group.ids];
    this.drop(group);
    if (ids.length > 0) this.#options.cancel(ids);
  }

  #done(group: CallGroup): void {
    clearTimeout(group.timer);
    if (this.#groups.delete(group)) group.release();
  }
}

/** Runs when a request's answer ended: `cancelled` when its stream broke, with an event id the client saw on it. */
export type Hook = (cancelled: boolean, eventId: string | null) => unknown;

/** Whether an answer is an SSE stream (a call's answers, or a session's GET stream). */
export function isEventStream(response: Response): boolean {
  // The header first: reading `body` turns a string body into a stream, which Deno then sends chunked.
  return response.headers.get("content-type")?.startsWith("text/event-stream") === true && response.body !== null;
}

/** Whether a JSON-RPC message is an answer (result or error) to a request. */
export function isAnswer(message: unknown): message is { id: RequestId } {
  if (typeof message !== "object" || message === null) return false;
  return "id" in message && !("method" in message) && ("result" in message || "error" in message);
}

/**
 * Passes an SSE body through unchanged, noting the first event id the client
 * was sent, and calls `done` once when it ends (`cancelled`: the client went
 * away or the stream failed, rather than the server closing it).
 */
export function watchStream(
  body: ReadableStream<Uint8Array>,
  done: (cancelled: boolean, eventId: string | null) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let eventId: string | null = null;
  let finished = false;
  const finish = (cancelled: boolean) => {
    if (!finished) (finished = true, done(cancelled, eventId));
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) return (finish(false), controller.close());
        // Each SSE event starts a chunk; its id line comes within the first bytes.
        if (eventId === null) {
          eventId = /(?:^|\n)id: ([^\n]+)\n/.exec(decoder.decode(chunk.value.subarray(0, 256)))?.[1] ?? null;
        }
        controller.enqueue(chunk.value);
      } catch (error) {
        finish(true);
        controller.error(error);
      }
    },
    cancel(reason) {
      finish(true);
      return reader.cancel(reason);
    },
  });
}
