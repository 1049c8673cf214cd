/**
 * What every request handler builds before it runs user code: the database as
 * one call sees it, the call's logger and limits, and the client channel.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import {
  CreateMessageResultSchema,
  type ElicitRequestParams,
  ElicitResultSchema,
  type McpServer,
  type RequestHandlerExtra,
  type ServerNotification,
  type ServerRequest,
} from "./sdk.ts";
import { DatabaseError } from "../connection/errors.ts";
import type { Database, QueryOptions } from "../connection/types.ts";
import { ToolInputError } from "../plugin/errors.ts";
import { type ReadContext, ResourceNotFoundError } from "../plugin/resource.ts";
import { type ClientChannel, type Content, LOG_LEVELS, type LogLevel, type ToolLimits } from "../plugin/tool.ts";

/** The SDK's per-request extra, as our handlers receive it. */
export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What request contexts are built from. */
export interface ContextDeps {
  db: Database;
  limits: ToolLimits;
  log: Logger;
}

/** The least severe level the client wants to receive (`logging/setLevel`); everything until it says. */
export interface LogState {
  level?: LogLevel;
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

/** The context of a resource read, completion or prompt: the call's database, signal, logger and limits. */
export function readContext(deps: ContextDeps, name: string, signal: AbortSignal, requestId: string): ReadContext {
  return {
    db: scopedDatabase(deps.db, signal, { tool: name, requestId }),
    dialect: deps.db.dialect,
    signal,
    log: deps.log.with({ tool: name, requestId }),
    limits: deps.limits,
    requestId,
  };
}

/** The client as a tool call may use it: log messages at the client's level, sampling, elicitation. */
export function clientChannel(server: McpServer, extra: Extra, logState: LogState, logger: string): ClientChannel {
  const offers = (capability: "sampling" | "elicitation", method: string) => {
    if (!server.server.getClientCapabilities()?.[capability]) {
      throw new ToolInputError(`the client does not offer ${capability} (${method})`);
    }
  };
  return {
    async log(level, data) {
      const floor = logState.level === undefined ? 0 : LOG_LEVELS.indexOf(logState.level);
      if (LOG_LEVELS.indexOf(level) < floor) return;
      await extra.sendNotification({ method: "notifications/message", params: { level, logger, data } });
    },
    async createMessage(request) {
      offers("sampling", "sampling/createMessage");
      const r = await extra.sendRequest(
        { method: "sampling/createMessage", params: request },
        CreateMessageResultSchema,
        {
          signal: extra.signal,
        },
      );
      // The SDK's type admits content kinds newer than ours (tool use); they pass through unchanged.
      return { role: r.role, content: r.content as Content, model: r.model, stopReason: r.stopReason };
    },
    async elicit(request) {
      offers("elicitation", "elicitation/create");
      // Our ElicitField is the spec's field union written flat; the SDK's type splits it into more variants.
      const params = request as unknown as ElicitRequestParams;
      const r = await extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema, {
        signal: extra.signal,
      });
      return { action: r.action, content: r.content };
    },
    closeStream() {
      extra.closeSSEStream?.();
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
  if (error instanceof ToolInputError || error instanceof ResourceNotFoundError) {
    return `Invalid argument: ${error.message}`;
  }
  if (isAbort(error)) return "Cancelled.";
  return `Internal error${
    requestId ? ` (request ${requestId})` : ""
  }: a bug in tdmcp or a tool; the server's log has the details.`;
}
