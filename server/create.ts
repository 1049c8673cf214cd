/**
 * Builds an MCP server around the process's one `Database` and the loaded
 * tools. Cheap to call: the HTTP transport builds one per session.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { McpServer } from "./sdk.ts";
import type { Database } from "../connection/types.ts";
import type { Tool, ToolContext, ToolLimits, ToolResult } from "../tools/_tool.ts";

/** The server's name and version as clients see them. */
export const SERVER_INFO = { name: "tdmcp", version: "0.1.0" } as const;

/** What a server is built from. */
export interface ServerDeps {
  db: Database;
  tools: readonly Tool[];
  limits: ToolLimits;
  log: Logger;
  /** Counts calls in flight, so a shutdown can wait for them. */
  activity?: { active: number };
}

/** Tools that run on the connected dialect, in load order. */
export function toolsFor(db: Database, tools: readonly Tool[]): Tool[] {
  return tools.filter((t) => t.dialects.includes(db.dialect));
}

/** Creates an MCP server exposing every tool that supports the database's dialect. */
export function createServer(deps: ServerDeps): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { logging: {} },
    instructions: `tdmcp gives read access to a ${deps.db.dialect} database (${deps.db.target}). ` +
      "Start with base_databaseList and base_tableList, describe tables with base_columnDescription, " +
      "then answer questions with base_readQuery. Results are capped; prefer aggregates over raw rows.",
  });
  for (const tool of toolsFor(deps.db, deps.tools)) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...annotationsFor(tool, deps.db) },
      },
      (args: Record<string, unknown>, extra) => runTool(tool, args, deps, extra),
    );
  }
  return server;
}

/** The annotations a tool advertises: its write annotations when the server lets writes through. */
export function annotationsFor(tool: Tool, db: Database): Tool["annotations"] {
  return db.allowWrite && tool.writeAnnotations ? tool.writeAnnotations : tool.annotations;
}

/**
 * The database as one call sees it: every statement carries the call's abort
 * signal and audit identity (the Teradata QueryBand) unless the tool overrides them.
 */
export function scopedDatabase(
  db: Database,
  signal: AbortSignal,
  audit: { tool: string; requestId: string },
): Database {
  const refuseClose = () => Promise.reject(new TypeError("a tool may not close the shared database"));
  return {
    dialect: db.dialect,
    target: db.target,
    defaultMaxRows: db.defaultMaxRows,
    allowWrite: db.allowWrite,
    query: (sql, options = {}) => db.query(sql, { signal, audit, ...options }),
    odbcTables: (schema, table) => db.odbcTables(schema, table),
    odbcColumns: (schema, table) => db.odbcColumns(schema, table),
    health: () => db.health(),
    stats: () => db.stats(),
    close: refuseClose,
    [Symbol.asyncDispose]: refuseClose,
  };
}

/** How often a long call reports progress to a client that asked for it. */
export const PROGRESS_INTERVAL_MS = 1_000;

interface CallExtra {
  signal: AbortSignal;
  requestId: string | number;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: {
    method: "notifications/progress";
    params: {
      progressToken: string | number;
      progress: number;
      total?: number;
      message?: string;
    };
  }): Promise<void>;
}

/** Runs one tool call: builds its context, times it, and turns failures the agent can fix into `isError` results. */
async function runTool(
  tool: Tool,
  args: Record<string, unknown>,
  deps: ServerDeps,
  extra: CallExtra,
): Promise<ToolResult> {
  const requestId = String(extra.requestId);
  const log = deps.log.with({ tool: tool.name, requestId });
  const token = extra._meta?.progressToken;
  const sendProgress = (progress: number, total?: number, message?: string) =>
    extra.sendNotification({
      method: "notifications/progress",
      params: { progressToken: token!, progress, total, message },
    });
  const ctx: ToolContext = {
    db: scopedDatabase(deps.db, extra.signal, { tool: tool.name, requestId }),
    dialect: deps.db.dialect,
    signal: extra.signal,
    log,
    limits: deps.limits,
    requestId,
    progress: async (progress, total, message) => {
      if (token === undefined) return;
      // The tool reports its own progress: the heartbeat (defined below, before the
      // handler runs) must not send smaller values after it.
      clearInterval(heartbeat);
      await sendProgress(progress, total, message);
    },
  };
  const started = performance.now();
  if (deps.activity) deps.activity.active++;
  // A heartbeat for calls running longer than a second, when the client sent a progress token.
  const heartbeat = token === undefined ? undefined : setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    sendProgress(seconds, undefined, `${tool.name} running for ${seconds} s`).catch(() => {});
  }, PROGRESS_INTERVAL_MS);
  try {
    const result = await tool.handler(args as never, ctx);
    const rows = (result.structuredContent as { row_count?: number } | undefined)
      ?.row_count;
    log.info("tool call ok in {ms} ms", {
      ms: elapsed(started),
      rows,
      isError: result.isError === true,
    });
    return result;
  } catch (error) {
    const text = describeFailure(error);
    log.warning("tool call failed in {ms} ms: {error}", {
      ms: elapsed(started),
      error: text,
    });
    if (!(error instanceof Error) || !KNOWN_ERRORS.has(error.name)) {
      log.error("unexpected failure", {
        stack: error instanceof Error ? error.stack : String(error),
      });
    }
    return { content: [{ type: "text", text }], isError: true };
  } finally {
    clearInterval(heartbeat);
    if (deps.activity) deps.activity.active--;
  }
}

const KNOWN_ERRORS = new Set([
  "DatabaseError",
  "TypeError",
  "RangeError",
  "AbortError",
]);

/** One line the agent can act on; never a stack trace. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return `failed: ${String(error)}`;
  if (error.name === "DatabaseError") {
    const { kind, sqlState } = error as Error & { kind?: string; sqlState?: string };
    switch (kind) {
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
      default:
        return `Database error${sqlState ? ` (SQLSTATE ${sqlState})` : ""}: ${error.message}`;
    }
  }
  if (error.name === "AbortError") return "Cancelled.";
  if (error.name === "TypeError" || error.name === "RangeError") {
    return `Invalid argument: ${error.message}`;
  }
  return `Internal error: ${error.message}`;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
