/**
 * The tool contract: what a tool file default-exports and what its handler
 * receives. Tools import this file and connection types, nothing else.
 * @module
 */
import type { z } from "zod";
import type { Database, Dialect } from "../connection/types.ts";

/** The four MCP tool annotations, always written out (their defaults are the unsafe values). */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

/** The annotations of a tool that only reads: safe to call again, touches nothing outside the database. */
export const READ_ONLY: ToolAnnotations = Object.freeze({
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
});

/** Minimal logger handed to tools (messages go to stderr, never stdout). */
export interface ToolLogger {
  debug(message: string, properties?: Record<string, unknown>): void;
  info(message: string, properties?: Record<string, unknown>): void;
  warning(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

/** Row and time limits in force for this server. */
export interface ToolLimits {
  defaultRows: number;
  maxRows: number;
  /** Statement timeout when a call names none. */
  timeoutMs: number;
  /** Longest timeout a call may ask for. */
  maxTimeoutMs: number;
  /** base_readQuery explains a query first: `auto` (Teradata only; the default), `on` or `off` (EXPLAIN_FIRST). */
  explainFirst?: "auto" | "on" | "off";
  /** A query whose plan estimates more rows is refused (MAX_ESTIMATED_ROWS; default 500,000). */
  maxEstimatedRows?: number;
  /** A query whose plan estimates more seconds is refused (MAX_ESTIMATED_SECONDS; default 60; Teradata only). */
  maxEstimatedSeconds?: number;
}

/** Everything a tool handler may use: the shared database and the call's own state. */
export interface ToolContext {
  /** The process's one database (pooled; every query leases its own connection). */
  db: Database;
  /** The connected dialect. */
  dialect: Dialect;
  /** Aborted when the client cancels the call or the server shuts down. */
  signal: AbortSignal;
  log: ToolLogger;
  limits: ToolLimits;
  /** Identifies the call in logs and audit trails. */
  requestId: string;
  /** Reports progress when the client asked for it; a no-op otherwise. */
  progress(done: number, total?: number, message?: string): Promise<void>;
  /** Talks back to the client during the call: log messages, sampling and elicitation (2025-era connections only). */
  client: ClientChannel;
  /**
   * Asks the client for input and reads its answers (both protocol eras): `ctx.input.ask({...})` ends this round
   * (it throws; let it pass), the client answers, and the handler runs again from the start with `ctx.input.answers`
   * and the `state` it passed. See docs/tools.md "Asking the user or the client".
   */
  input: ToolInput;
  /**
   * Asks the user to confirm a write before the tool runs it (write confirmation, docs/safety.md): resolves when this
   * call carries the user's valid confirmation, or when the server runs writes unconfirmed; otherwise throws, and
   * the server asks the user and runs the handler again with the answer. Let what it throws pass.
   */
  confirm: ConfirmWrite;
}

/**
 * A write a tool asks the user to confirm with `ctx.confirm()` before it runs the statement (write confirmation,
 * docs/safety.md).
 */
export interface ConfirmRequest {
  /** What the call does, in a few words: "Run a statement that changes data". */
  title: string;
  /** The statement exactly as it will run. */
  statement: string;
  /** The kind of change: INSERT, UPDATE, DELETE, MERGE, DDL (CREATE), ... */
  kind: string;
  /**
   * The rows the engine estimates the statement changes (its EXPLAIN, which runs nothing), or null when it cannot
   * say. Called only when the user is about to be asked, never on the confirmed call.
   */
  estimatedRows?: () => Promise<number | null>;
  /** One more line for the user, e.g. what the estimate is based on. */
  details?: string;
}

/**
 * Asks the user to confirm a write: resolves when this call carries the user's valid confirmation (or the server runs
 * writes unconfirmed); otherwise throws, and the server answers the call with the question (MCP `input_required`,
 * or an elicitation on a 2025-era connection) and runs the handler again with the answer. Call it right before the
 * write, and let what it throws pass: never catch it.
 */
export type ConfirmWrite = (request: ConfirmRequest) => Promise<void>;

/** What a client may declare it can answer: `elicitation` (the user), `sampling` (its model), `roots`. */
export type ClientCapability = "elicitation" | "sampling" | "roots";

/**
 * One question for the client, as `ctx.input.ask()` takes it: a form for the user (`elicit`), a completion from the
 * client's model (`sample`), or the client's roots (`roots`).
 */
export type InputRequest =
  | ({ kind: "elicit" } & ElicitRequest)
  | ({ kind: "sample" } & SamplingRequest)
  | { kind: "roots" };

/** The client's answer to one {@linkcode InputRequest}, as the retried call carries it (shape-checked). */
export type InputAnswer =
  | ({ kind: "elicit" } & ElicitResult)
  | { kind: "sample"; result: SamplingResult }
  | { kind: "roots"; roots: { uri: string; name?: string }[] };

/**
 * Input from the client, read on the call that carries it (MCP multi-round-trip requests: a 2026-07-28
 * `input_required` result the client answers and retries; on a 2025-era connection the server sends the requests
 * itself and runs the handler again). Answers are what the client says: check them like arguments.
 */
export interface ToolInput {
  /**
   * The answers this call carries, by the keys the previous round asked; an answer that is malformed, or for a key
   * not asked, is left out (read it as missing, and ask again).
   */
  readonly answers: Readonly<Record<string, InputAnswer>>;
  /** The `state` the previous round passed to `ask()`, verified (sealed by the server); undefined on a first call. */
  readonly state: unknown;
  /** How many rounds this call asked before (0 on a first call). */
  readonly round: number;
  /**
   * Whether the client declared it can answer this kind of input request (on this 2026-07-28 request, or at a
   * 2025-era `initialize`; never over stateless 2025 HTTP, where the server cannot ask).
   */
  can(capability: ClientCapability): boolean;
  /**
   * Asks: ends this round (throws, never returns; let it pass) with the requests, by keys of your choice, and `state`
   * (JSON, small, not secret: the client can read it, not alter it) for the next round. The handler runs again with
   * the answers. On 2026-07-28 a request the client did not declare the capability for fails the call with -32021;
   * check `can()` first to ask something else.
   */
  ask(requests: Record<string, InputRequest>, state?: unknown): never;
}

/** MCP log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
/** One MCP log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** The contents of a resource: text or base64 bytes. */
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string }
  | { uri: string; mimeType?: string; blob: string };

/** One block of a tool result or prompt message. Images and audio are base64. */
export type Content =
  | { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string }
  | { type: "audio"; data: string; mimeType: string }
  | { type: "resource"; resource: ResourceContents };

/** What sampling messages may hold: text, images and audio. */
export type SamplingContent = Exclude<Content, { type: "resource" }>;

/** A sampling request: messages for the client's model (MCP `sampling/createMessage`). */
export interface SamplingRequest {
  messages: { role: "user" | "assistant"; content: SamplingContent }[];
  maxTokens: number;
  systemPrompt?: string;
  temperature?: number;
}

/** What the client's model answered. */
export interface SamplingResult {
  role: "user" | "assistant";
  content: Content;
  model: string;
  stopReason?: string;
}

/** An elicitation request: a message and a flat JSON Schema of what to ask the user (MCP `elicitation/create`). */
export interface ElicitRequest {
  message: string;
  requestedSchema: {
    type: "object";
    properties: Record<string, ElicitField>;
    required?: string[];
  };
}

/** One field of an elicitation form (MCP allows flat primitives and enum lists only). */
export type ElicitField =
  | {
    type: "string";
    title?: string;
    description?: string;
    default?: string;
    minLength?: number;
    maxLength?: number;
    format?: "email" | "uri" | "date" | "date-time";
    enum?: string[];
    /** Legacy display names for `enum`. */
    enumNames?: string[];
    oneOf?: { const: string; title: string }[];
  }
  | {
    type: "number" | "integer";
    title?: string;
    description?: string;
    default?: number;
    minimum?: number;
    maximum?: number;
  }
  | { type: "boolean"; title?: string; description?: string; default?: boolean }
  | {
    type: "array";
    title?: string;
    description?: string;
    minItems?: number;
    maxItems?: number;
    items: { type: "string"; enum: string[] } | { anyOf: { const: string; title: string }[] };
    default?: string[];
  };

/** The user's answer: accepted with content, declined or cancelled. */
export interface ElicitResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown>;
}

/** The client side of the session, as a tool may use it during a call. */
export interface ClientChannel {
  /** Sends `notifications/message` to the client, unless below the level it set with `logging/setLevel`. */
  log(level: LogLevel, data: unknown): Promise<void>;
  /**
   * Asks the client's model for a completion, mid-call: 2025-era connections only (a 2026-07-28 request fails; use
   * `ctx.input.ask` for both eras). Throws when the client does not offer sampling.
   */
  createMessage(request: SamplingRequest): Promise<SamplingResult>;
  /**
   * Asks the user for structured input, mid-call: 2025-era connections only (a 2026-07-28 request fails; use
   * `ctx.input.ask` for both eras). Throws when the client does not offer elicitation.
   */
  elicit(request: ElicitRequest): Promise<ElicitResult>;
  /**
   * Over Streamable HTTP with resumability: closes this call's event stream so
   * the client reconnects and resumes (polling long calls). A no-op elsewhere.
   */
  closeStream(): void;
}

/** What a handler returns: content for every client, structured content for those that read it. */
export interface ToolResult {
  [key: string]: unknown;
  content: Content[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * A tool's input: a shape of described zod fields (the usual form) or a whole
 * zod object, for schemas that need object-level settings such as
 * `.meta({ $defs })`. The server makes a shape strict: an argument the tool
 * does not declare is an error naming the accepted ones, never silently
 * dropped. A whole object is used as written (make it with `z.strictObject`).
 */
export type InputSchema<Shape extends z.ZodRawShape> = Shape | z.ZodObject<Shape, z.core.$ZodObjectConfig>;

/** A tool: metadata, a zod input shape and a handler. */
export interface Tool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Equals the file stem, e.g. `base_readQuery`. */
  name: string;
  title: string;
  /** Documentation for the agent: when to use it, its limits, its result shape. */
  description: string;
  inputSchema: InputSchema<Shape>;
  outputSchema?: z.ZodRawShape;
  annotations: ToolAnnotations;
  /** Annotations advertised instead when the server runs with `--allow-write` (only for tools that can write). */
  writeAnnotations?: ToolAnnotations;
  /** Dialects the tool runs on; it is not listed on others. */
  dialects: readonly Dialect[];
  handler(
    args: z.infer<z.ZodObject<Shape>>,
    ctx: ToolContext,
  ): Promise<ToolResult>;
}

/**
 * Identity helper that lets TypeScript infer a handler's argument types from
 * its zod schema.
 *
 * @example
 * ```ts
 * export default defineTool({ name: "base_ping", inputSchema: {}, ... });
 * ```
 */
export function defineTool<Shape extends z.ZodRawShape>(
  tool: Tool<Shape>,
): Tool<Shape> {
  return tool;
}
