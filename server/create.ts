/**
 * Builds an MCP server around the process's one `Database` and the loaded
 * tools. Cheap to call: the HTTP transport builds one per session.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { type CacheHint, McpServer, type ServerOptions } from "./sdk.ts";
import { clientChannel, clientInfoOf, describeFailure, type Extra, principalOf, scopedDatabase } from "./context.ts";
import { InputSeal } from "./input_seal.ts";
import { inputObject, registerDisclosureTools, registeredOutput } from "./disclosure.ts";
import { registerPrompts, registerResources, registerResourceTemplates, serveResourceList } from "./resources.ts";
import { annotationsFor, runTool } from "./run.ts";
import type { WriteConfirmation } from "./confirm_call.ts";
import type { Database, Dialect } from "../connection/types.ts";
import type { Prompt } from "../plugin/prompt.ts";
import type { Resource, ResourceTemplate } from "../plugin/resource.ts";
import type { Tool, ToolLimits } from "../plugin/tool.ts";

export { annotationsFor, describeFailure, scopedDatabase };

/**
 * How tools are offered: `full` lists every tool; `progressive` lists only
 * `search_tools`, `execute_tool` and `base_readQuery`, and the agent discovers
 * the rest on demand (small `tools/list`, same reach).
 */
export type Disclosure = "full" | "progressive";

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
  /** Default `full`. */
  disclosure?: Disclosure;
  /** The profile the server runs with (written to the Teradata QueryBand). */
  profile?: string;
  /** The process's write confirmation (ALLOW_WRITE): without it, writes follow `limits.writes`. */
  confirmation?: WriteConfirmation;
}

/** Tools listed in progressive disclosure next to `search_tools` and `execute_tool`. */
const ALWAYS_LISTED = new Set(["base_readQuery"]);

/** Tools (or resources, templates, prompts) that run on the connected dialect, in load order. */
export function toolsFor<T extends { dialects: readonly Dialect[] }>(db: Database, tools: readonly T[]): T[] {
  return tools.filter((t) => t.dialects.includes(db.dialect));
}

/**
 * What a 2026-07-28 client may cache, and for how long: the tools, prompts and templates are fixed when the process
 * starts and are the same for every caller, so their lists may be kept an hour by anyone. `resources/list` lists
 * database objects (tables change) and `resources/read` reads data: never cached (the SDK's default, ttl 0, private).
 */
export const CACHE_HINTS: NonNullable<ServerOptions["cacheHints"]> = Object.freeze({
  "server/discover": { ttlMs: 3_600_000, cacheScope: "public" } satisfies CacheHint,
  "tools/list": { ttlMs: 3_600_000, cacheScope: "public" } satisfies CacheHint,
  "prompts/list": { ttlMs: 3_600_000, cacheScope: "public" } satisfies CacheHint,
  "resources/templates/list": { ttlMs: 3_600_000, cacheScope: "public" } satisfies CacheHint,
});

/** Creates an MCP server exposing every tool that supports the database's dialect. */
export function createServer(deps: ServerDeps): McpServer {
  // The process's seal; a server built without it (an embedding, a test) seals with a key of its own, which is enough
  // for one connection (stdio) but not for HTTP, where every request builds a server.
  const sealed = deps.confirmation?.seal;
  const seal = sealed ? Promise.resolve(sealed) : InputSeal.open();
  const server = new McpServer(SERVER_INFO, {
    capabilities: { logging: {} },
    cacheHints: CACHE_HINTS,
    // Every retried call's requestState is checked before a handler runs: this process's key (or a replica's with the
    // same CONFIRM_KEY_FILE), unexpired, the same caller. A state that fails is answered with JSON-RPC -32602
    // "Invalid or expired requestState"; the handler gets the verified state (VerifiedState) and checks that it was
    // sealed for this very tool and these arguments.
    requestState: { verify: async (state, extra) => (await seal).open(state, principalOf(extra)) },
    instructions: `tdmcp gives read access to a ${deps.db.dialect} database (${deps.db.target}). ` +
      (deps.disclosure === "progressive"
        ? "Find tools with search_tools (catalog, DBA, security, data quality) and run them with execute_tool; " +
          "answer questions with base_readQuery. "
        : "Start with base_databaseList and base_tableList, describe tables with base_columnDescription, " +
          "then answer questions with base_readQuery. ") +
      "Results are capped; prefer aggregates over raw rows.",
  });
  const resources = toolsFor(deps.db, deps.resources ?? []);
  const templates = toolsFor(deps.db, deps.resourceTemplates ?? []);
  registerResources(server, resources, { ...deps, seal });
  registerResourceTemplates(server, templates, { ...deps, seal });
  serveResourceList(server, resources, templates, deps);
  registerPrompts(server, toolsFor(deps.db, deps.prompts ?? []), { ...deps, seal });
  const clientFor = (extra: Extra, name: string) => clientChannel(server, extra, `tdmcp.${name}`);
  const run = { ...deps, seal, server, clientInfo: (extra: Extra) => clientInfoOf(server, extra) };
  const tools = toolsFor(deps.db, deps.tools);
  const listed = deps.disclosure === "progressive" ? tools.filter((t) => ALWAYS_LISTED.has(t.name)) : tools;
  if (deps.disclosure === "progressive") registerDisclosureTools(server, tools, run, clientFor);
  for (const tool of listed) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: inputObject(tool),
        outputSchema: registeredOutput(tool),
        annotations: { title: tool.title, ...annotationsFor(tool, deps.db) },
      },
      (args: Record<string, unknown>, extra: Extra) => runTool(tool, args, run, extra, clientFor(extra, tool.name)),
    );
  }
  // The catalog never changes while the process runs: no list_changed notifications will come (the SDK assumes they
  // may once anything is registered).
  for (const kind of ["tools", "prompts", "resources"] as const) {
    if (server.server.getCapabilities()[kind]) server.server.registerCapabilities({ [kind]: { listChanged: false } });
  }
  return server;
}
