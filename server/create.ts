/**
 * Builds an MCP server around the process's one `Database` and the loaded
 * tools. Cheap to call: the HTTP transport builds one per session.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { McpServer } from "./sdk.ts";
import type { Database } from "../connection/types.ts";
import type { Tool, ToolContext, ToolResult } from "../tools/_tool.ts";

/** The server's name and version as clients see them. */
export const SERVER_INFO = { name: "tdmcp", version: "0.1.0" } as const;

/** What a server is built from. */
export interface ServerDeps {
  db: Database;
  tools: readonly Tool[];
  limits: { defaultRows: number; maxRows: number };
  log: Logger;
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
        annotations: { title: tool.title, ...tool.annotations },
      },
      (args: Record<string, unknown>, extra) => runTool(tool, args, deps, extra),
    );
  }
  return server;
}

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
  const ctx: ToolContext = {
    db: deps.db,
    dialect: deps.db.dialect,
    signal: extra.signal,
    log,
    limits: deps.limits,
    requestId,
    progress: async (progress, total, message) => {
      if (token === undefined) return;
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress, total, message },
      });
    },
  };
  const started = performance.now();
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
    const { kind, sqlState } = error as Error & {
      kind?: string;
      sqlState?: string;
    };
    if (kind === "refused") return `Refused: ${error.message}`;
    if (kind === "connection" || kind === "unavailable") {
      return `Database unavailable, retrying did not help: ${error.message}. Try again shortly.`;
    }
    return `Database error${sqlState ? ` (SQLSTATE ${sqlState})` : ""}: ${error.message}`;
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
