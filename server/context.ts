/**
 * What every request handler builds before it runs user code: the database as
 * one call sees it, the call's logger and limits, and the client channel.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type McpServer,
  PROTOCOL_VERSION_META_KEY,
  type ServerContext,
} from "./sdk.ts";
import { DatabaseError } from "../connection/errors.ts";
import type { Database, QueryOptions } from "../connection/types.ts";
import { ToolInputError } from "../plugin/errors.ts";
import { type ReadContext, ResourceNotFoundError } from "../plugin/resource.ts";
import type { ClientCapability, ClientChannel, Content, ToolInput, ToolLimits } from "../plugin/tool.ts";
import { ConfirmationRefused } from "./confirm.ts";
import { type InputCall, InputNeeded, InputRefused, type InputSource, noInput } from "./input.ts";

/** The SDK's per-request context, as our handlers receive it. */
export type Extra = ServerContext;

/** The protocol revision a request was sent for: `2026-07-28` (per-request `_meta`) or the connection's 2025 one. */
export function protocolOf(server: McpServer, extra: Extra): string | undefined {
  const stated = extra.mcpReq.envelope?.[PROTOCOL_VERSION_META_KEY as never] as unknown;
  return typeof stated === "string" ? stated : server.server.getNegotiatedProtocolVersion();
}

/** Whether a request belongs to the stateless 2026-07-28 era (no server-to-client requests, no session). */
export function isModernRequest(extra: Extra): boolean {
  return extra.mcpReq.envelope?.[PROTOCOL_VERSION_META_KEY as never] !== undefined;
}

/** The client as the request (2026) or its `initialize` (2025) named itself. */
export function clientInfoOf(server: McpServer, extra: Extra): { name: string; version: string } | undefined {
  const stated = extra.mcpReq.envelope?.[CLIENT_INFO_META_KEY as never] as
    | { name?: unknown; version?: unknown }
    | undefined;
  if (typeof stated?.name === "string") return { name: stated.name, version: String(stated.version ?? "") };
  return server.server.getClientVersion();
}

/** What the client declared it can do: on the request (2026) or at `initialize` (2025). */
function capabilitiesOf(server: McpServer | undefined, extra: Extra): Record<string, unknown> | undefined {
  const stated = extra.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as never] as Record<string, unknown> | undefined;
  return stated ?? server?.server.getClientCapabilities();
}

/** What request contexts are built from. */
export interface ContextDeps {
  db: Database;
  limits: ToolLimits;
  log: Logger;
}

/**
 * The database as one call sees it: every statement carries the call's abort
 * signal and audit identity (the Teradata QueryBand) unless the tool overrides them.
 */
export function scopedDatabase(
  db: Database,
  signal: AbortSignal,
  audit: NonNullable<QueryOptions["audit"]>,
): Database {
  const refuseClose = () => Promise.reject(new Error("a tool may not close the shared database"));
  return {
    dialect: db.dialect,
    target: db.target,
    defaultMaxRows: db.defaultMaxRows,
    allowWrite: db.allowWrite,
    query: (sql, options = {}) => db.query(sql, { signal, audit, ...options }),
    odbcTables: (schema, table) => db.odbcTables(schema, table),
    odbcColumns: (schema, table) => db.odbcColumns(schema, table),
    identify: () => db.identify(),
    health: () => db.health(),
    stats: () => db.stats(),
    close: refuseClose,
    [Symbol.asyncDispose]: refuseClose,
  };
}

/**
 * The context of a resource read, completion or prompt: the call's database, signal, logger and limits, and its
 * `input` (a completion or subscription cannot ask).
 */
export function readContext(
  deps: ContextDeps,
  name: string,
  signal: AbortSignal,
  requestId: string,
  input: ToolInput = noInput("a completion or subscription"),
): ReadContext {
  return {
    input,
    db: scopedDatabase(deps.db, signal, { tool: name, requestId }),
    dialect: deps.db.dialect,
    signal,
    log: deps.log.with({ tool: name, requestId }),
    limits: deps.limits,
    requestId,
    confirm: () =>
      Promise.reject(new ConfirmationRefused("a resource, prompt or completion cannot ask to confirm a write")),
  };
}

/**
 * A push-style request (`ctx.client.createMessage`/`elicit`) on a 2026-07-28 request whose client did not declare the
 * capability: server/run.ts answers with the request as an input request, which the SDK refuses with -32021
 * (MissingRequiredClientCapability, HTTP 400) naming the capability, as the protocol wants.
 */
export class CapabilityMissing extends InputNeeded {
  override readonly name = "CapabilityMissing";
}

/** Whether the client declared it can answer this kind of input request; never on stateless 2025 HTTP. */
function can(server: McpServer | undefined, extra: Extra, capability: ClientCapability): boolean {
  return Boolean(capabilitiesOf(server, extra)?.[capability]);
}

/**
 * The client as a tool call may use it: log messages at the client's level, what it declared, sampling and
 * elicitation. Sampling and elicitation are server-to-client requests, which only 2025-era connections have.
 */
export function clientChannel(server: McpServer, extra: Extra, logger: string): CallChannel {
  const offers = (capability: "sampling" | "elicitation", method: string, request: Record<string, unknown>) => {
    if (isModernRequest(extra)) {
      if (!can(server, extra, capability)) {
        const kind = capability === "sampling" ? "sample" : "elicit";
        throw new CapabilityMissing({ [capability]: { kind, ...request } as never });
      }
      throw new ToolInputError(
        `${method} cannot be sent during a ${protocolOf(server, extra)} request: that protocol revision has no ` +
          "server-to-client requests (the tool must ask with ctx.input.ask, which works on both revisions)",
      );
    }
    if (!can(server, extra, capability)) {
      throw new ToolInputError(`the client does not offer ${capability} (${method})`);
    }
  };
  return {
    async log(level, data) {
      await extra.mcpReq.log(level, data, logger);
    },
    async createMessage(request) {
      offers("sampling", "sampling/createMessage", request as unknown as Record<string, unknown>);
      const r = await extra.mcpReq.send(
        { method: "sampling/createMessage", params: request as unknown as Record<string, unknown> },
        { signal: extra.mcpReq.signal },
      );
      // The SDK's type admits content kinds newer than ours (tool use); they pass through unchanged.
      return { role: r.role, content: r.content as Content, model: r.model, stopReason: r.stopReason };
    },
    async elicit(request) {
      offers("elicitation", "elicitation/create", request as unknown as Record<string, unknown>);
      // Our ElicitField is the spec's field union written flat; the SDK's type splits it into more variants.
      // Sent as is (not through the SDK's elicitInput, which wants `elicitation.form` where 2025-06 clients say `{}`).
      const r = await extra.mcpReq.send(
        { method: "elicitation/create", params: request as unknown as Record<string, unknown> },
        { signal: extra.mcpReq.signal },
      );
      return { action: r.action, content: r.content };
    },
    closeStream() {
      extra.http?.closeSSE?.();
    },
    whyCannotAsk() {
      return whyCannotAsk(server, extra, "elicitation");
    },
  };
}

/** Null when the client can answer an input request of this kind on this request; else why not. */
function whyCannotAsk(server: McpServer | undefined, extra: Extra, capability: ClientCapability): string | null {
  if (!isModernRequest(extra) && capabilitiesOf(server, extra) === undefined) {
    return "this 2025-era request came over stateless HTTP, where the server cannot send the client a request";
  }
  return can(server, extra, capability) ? null : `the client did not declare the ${capability} capability`;
}

/** The client channel with what the server itself asks of it: whether the client can be asked for input. */
export interface CallChannel extends ClientChannel {
  /**
   * Null when the client can answer an input request on this request (a 2026-07-28 `input_required` result, or an
   * elicitation the SDK sends on a 2025-era connection); else why not.
   */
  whyCannotAsk(): string | null;
}

/** The authenticated caller of an HTTP request (bearer auth: client id and subject); undefined on stdio. */
export function principalOf(extra: Extra): string | undefined {
  const auth = extra.http?.authInfo;
  return auth?.clientId ? `${auth.clientId}\0${String(auth.extra?.sub ?? "")}` : undefined;
}

/**
 * What a call brings to `ctx.input`: its verified state, the answers, and the check of what can be asked. On a
 * 2026-07-28 request the SDK refuses an undeclared capability (-32021); a 2025-era one is told here, clearly.
 */
export function inputSource(
  server: McpServer | undefined,
  extra: Extra,
  call: Omit<InputCall, "principal">,
): InputSource {
  return {
    call: { ...call, principal: principalOf(extra) },
    requestState: extra.mcpReq.requestState(),
    responses: extra.mcpReq.inputResponses,
    can: (capability) =>
      (isModernRequest(extra) || whyCannotAsk(server, extra, capability) === null) &&
      can(server, extra, capability),
    check(kinds) {
      if (isModernRequest(extra)) return;
      for (const kind of kinds) {
        const why = whyCannotAsk(server, extra, kind);
        if (why !== null) throw new InputRefused(`this call needs to ask the client for input, and ${why}`);
      }
    },
  };
}

/** Whether a failure is one a handler reports on purpose (bad input, database trouble, cancellation), not a bug. */
export function isKnownFailure(error: unknown): boolean {
  return error instanceof ToolInputError || error instanceof DatabaseError || error instanceof ResourceNotFoundError ||
    isAbort(error);
}

/** A cancellation: the platform's abort or timeout (a `DOMException`, or an error of that name from a library). */
function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/**
 * One line the agent can act on; never a stack trace. A bug (any error not reported on purpose) shows only the request
 * id, to find its stack in the server's log.
 */
export function describeFailure(error: unknown, requestId?: string): string {
  if (error instanceof DatabaseError) {
    switch (error.kind) {
      case "refused":
        return `Refused: ${error.message}`;
      case "unavailable":
        return `Database unavailable, retrying: ${error.message}. Try again in a few seconds.`;
      case "connection":
        return `Database unavailable: lost the connection and could not restore it after retrying (${error.message}). Try again in a few seconds.`;
      case "timeout":
        return `Timed out: ${error.message}`;
      case "cancelled":
        return `Cancelled: ${error.message}`;
      case "auth":
        return `Logon refused: ${error.message}`;
      default:
        return `Database error${error.sqlState ? ` (SQLSTATE ${error.sqlState})` : ""}: ${error.message}`;
    }
  }
  if (error instanceof InputRefused) return `Not run: ${error.message}`;
  if (error instanceof ToolInputError || error instanceof ResourceNotFoundError) {
    return `Invalid argument: ${error.message}`;
  }
  if (isAbort(error)) return "Cancelled.";
  return `Internal error${
    requestId ? ` (request ${requestId})` : ""
  }: a bug in tdmcp or a tool; the server's log has the details.`;
}
