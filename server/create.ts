/**
 * Builds an MCP server around the process's one `Database` and the loaded
 * tools. Cheap to call: the HTTP transport builds one per session.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { McpServer, SetLevelRequestSchema } from "./sdk.ts";
import {
  clientChannel,
  describeFailure,
  type Extra,
  isKnownFailure,
  type LogState,
  scopedDatabase,
} from "./_context.ts";
import { registerPrompts, registerResources, registerResourceTemplates, serveResourceList } from "./_resources.ts";
import type { Database, Dialect } from "../connection/types.ts";
import type { Prompt } from "../tools/_prompt.ts";
import type { Resource, ResourceTemplate } from "../tools/_resource.ts";
import type { Tool, ToolContext, ToolLimits, ToolResult } from "../tools/_tool.ts";

export { describeFailure, scopedDatabase };

/** The server's name and version as clients see them. */
export const SERVER_INFO = { name: "tdmcp", version: "0.1.0" } as const;

/** What a server is built from. */
export interface ServerDeps {
  db: Database;
  tools: readonly Tool[];
  resources?: readonly Resource[];
  resourceTemplates?: readonly ResourceTemplate[];
  prompts?: readonly Prompt[];
  limits: ToolLimits;
  log: Logger;
  /** Counts calls in flight, so a shutdown can wait for them. */
  activity?: { active: number };
}

/** Tools (or resources, templates, prompts) that run on the connected dialect, in load order. */
export function toolsFor<T extends { dialects: readonly Dialect[] }>(db: Database, tools: readonly T[]): T[] {
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
  const logState: LogState = {};
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    logState.level = request.params.level;
    return {};
  });
  const resources = toolsFor(deps.db, deps.resources ?? []);
  const templates = toolsFor(deps.db, deps.resourceTemplates ?? []);
  registerResources(server, resources, deps);
  registerResourceTemplates(server, templates, deps);
  serveResourceList(server, resources, templates, deps);
  registerPrompts(server, toolsFor(deps.db, deps.prompts ?? []), deps);
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
      (args: Record<string, unknown>, extra: Extra) =>
        runTool(tool, args, deps, extra, clientChannel(server, extra, logState, `tdmcp.${tool.name}`)),
    );
  }
  return server;
}

/** The annotations a tool advertises: its write annotations when the server lets writes through. */
export function annotationsFor(tool: Tool, db: Database): Tool["annotations"] {
  return db.allowWrite && tool.writeAnnotations ? tool.writeAnnotations : tool.annotations;
}

/** How often a long call reports progress to a client that asked for it. */
export const PROGRESS_INTERVAL_MS = 1_000;

/** Runs one tool call: builds its context, times it, and turns failures the agent can fix into `isError` results. */
async function runTool(
  tool: Tool,
  args: Record<string, unknown>,
  deps: ServerDeps,
  extra: Extra,
  client: ToolContext["client"],
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
    client,
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
    if (!isKnownFailure(error)) {
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

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
