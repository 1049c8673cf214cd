/**
 * Progressive disclosure: instead of listing every tool, the server lists
 * `search_tools` (keyword search returning full schemas for exact names) and
 * `execute_tool` (runs any tool after validating its arguments against that
 * tool's own schema). The agent pays for the schemas it reads, not for all.
 * @module
 */
import { z } from "zod";
import type { McpServer } from "./sdk.ts";
import type { Extra } from "./context.ts";
import { checkedOutput, type OutputSchema } from "./output_check.ts";
import { annotationsFor, type RunDeps, runTool } from "./run.ts";
import { READ_ONLY, type Tool, type ToolAnnotations, type ToolContext, type ToolResult } from "../plugin/tool.ts";

/** Most matches one search returns. */
const MAX_MATCHES = 50;

const SEARCH_INPUT = z.strictObject({
  query: z.string().min(1).max(500).describe("Keywords or exact tool names"),
  limit: z.number().int().min(1).max(MAX_MATCHES).optional().describe(
    `Most matches (default 10, max ${MAX_MATCHES})`,
  ),
});

const EXECUTE_INPUT = z.strictObject({
  name: z.string().min(1).max(128).describe("Exact tool name"),
  arguments: z.record(z.string(), z.unknown()).optional().describe("The tool's arguments"),
});

/**
 * A tool's schemas as zod objects, built once per process and shared by every
 * server: wrapping a shape costs ~10 µs a tool, and the HTTP transport builds
 * a server for each session (stateless: for each request).
 */
const objects = new WeakMap<Tool, Schemas>();

/** A tool's schemas: input, output, and the output as registered with the SDK (with its compiled check). */
interface Schemas {
  input: z.ZodObject;
  output?: z.ZodObject;
  checked?: OutputSchema;
}

function objectsOf(tool: Tool): Schemas {
  let found = objects.get(tool);
  if (found === undefined) {
    const schema = tool.inputSchema;
    const output = tool.outputSchema === undefined ? undefined : z.object(tool.outputSchema);
    found = {
      input: schema instanceof z.ZodObject ? schema : strictInput(tool.name, schema),
      output,
      checked: output && checkedOutput(output),
    };
    objects.set(tool, found);
  }
  return found;
}

/**
 * A tool's input shape as a strict object: an argument the tool does not
 * declare is an error naming the accepted ones (a plain `z.object` would drop
 * it silently, and the call would run with defaults the agent did not ask
 * for). The SDK parses `tools/call` arguments with this object and lists it
 * with `additionalProperties: false`; `execute_tool` parses with it too.
 */
function strictInput(name: string, shape: z.ZodRawShape): z.ZodObject {
  const accepted = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `${name} has no argument ${issue.keys.map((k) => `'${k}'`).join(", ")}; it accepts: ${
          accepted.join(", ") || "no arguments"
        }`
        : undefined,
  });
}

/** A tool's input schema as one zod object. */
export function inputObject(tool: Tool): z.ZodObject {
  return objectsOf(tool).input;
}

/** A tool's output schema as one zod object, when it has one. */
export function outputObject(tool: Tool): z.ZodObject | undefined {
  return objectsOf(tool).output;
}

/**
 * A tool's output schema as registered with the SDK, which validates every result's structured content against it:
 * {@link outputObject} with a compiled check in front of zod (server/output_check.ts).
 */
export function registeredOutput(tool: Tool): OutputSchema | undefined {
  return objectsOf(tool).checked;
}

/** How well a tool matches the search terms: name hits weigh most, then title, parameters, description. */
function score(tool: Tool, terms: string[]): number {
  const name = tool.name.toLowerCase();
  const title = tool.title.toLowerCase();
  const description = tool.description.toLowerCase();
  const params = Object.entries(inputObject(tool).shape)
    .map(([key, field]) => `${key} ${(field as z.ZodType).description ?? ""}`).join(" ").toLowerCase();
  let total = 0;
  for (const term of terms) {
    if (name === term) total += 100;
    if (name.includes(term)) total += 5;
    if (title.includes(term)) total += 3;
    if (params.includes(term)) total += 2;
    if (description.includes(term)) total += 1;
  }
  return total;
}

/** One line of what a tool is for: the first sentence of its description. */
function summary(tool: Tool): string {
  const first = tool.description.split("\n")[0];
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

function searchTools(tools: readonly Tool[], query: string, limit: number): ToolResult {
  const terms = query.toLowerCase().split(/[\s,]+/).filter(Boolean);
  const ranked = tools.map((tool) => ({ tool, score: score(tool, terms) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name))
    .slice(0, limit);
  const matches = ranked.map(({ tool }) => {
    const exact = terms.includes(tool.name.toLowerCase());
    const parameters = Object.keys(inputObject(tool).shape);
    return exact
      ? {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        parameters,
        input_schema: z.toJSONSchema(inputObject(tool), { io: "input" }),
      }
      : { name: tool.name, title: tool.title, summary: summary(tool), parameters };
  });
  const lines = matches.map((m) =>
    "input_schema" in m
      ? `${m.name} — ${m.title}\n${m.description}\ninput schema: ${JSON.stringify(m.input_schema)}`
      : `${m.name} — ${m.title}: ${m.summary} (parameters: ${m.parameters.join(", ") || "none"})`
  );
  const text = matches.length > 0
    ? `${
      lines.join("\n")
    }\n\nCall search_tools with a tool's exact name for its full description and input schema, then execute_tool.`
    : `No tool matches "${query}". Tools: ${tools.map((t) => t.name).join(", ")}`;
  return { content: [{ type: "text", text }], structuredContent: { matches, tool_count: tools.length } };
}

/** The annotations execute_tool must advertise: the most permissive of the tools it can run. */
function executeAnnotations(tools: readonly Tool[], deps: RunDeps): ToolAnnotations {
  const writes = tools.some((t) => !annotationsFor(t, deps.db).readOnlyHint);
  return writes
    ? { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false }
    : READ_ONLY;
}

/** Registers `search_tools` and `execute_tool` over `tools` (already filtered to the dialect). */
export function registerDisclosureTools(
  server: McpServer,
  tools: readonly Tool[],
  deps: RunDeps,
  clientFor: (extra: Extra, name: string) => ToolContext["client"],
): void {
  const byName = new Map(tools.map((t) => [t.name, t]));
  server.registerTool("search_tools", {
    title: "Search tools",
    description: `Find a tool among ${tools.length} (catalog, DBA, security, data quality) by keywords, e.g. ` +
      "'table space'. An exact tool name returns its description and JSON input schema; run it with execute_tool.\n" +
      "Result: matches[] {name, title, summary or description + input_schema, parameters}.",
    inputSchema: SEARCH_INPUT,
    annotations: { title: "Search tools", ...READ_ONLY },
  }, ({ query, limit }) => searchTools(tools, query, limit ?? 10));
  server.registerTool("execute_tool", {
    title: "Execute a tool",
    description: "Run a tool found with search_tools. `arguments` is checked against its input schema first. " +
      "Result: that tool's result.",
    inputSchema: EXECUTE_INPUT,
    annotations: { title: "Execute a tool", ...executeAnnotations(tools, deps) },
  }, (args: { name: string; arguments?: Record<string, unknown> }, extra: Extra) => {
    const tool = byName.get(args.name);
    if (tool === undefined) {
      const near = tools.filter((t) => t.name.toLowerCase().includes(args.name.toLowerCase().replace(/^.*_/, "")));
      return {
        content: [{
          type: "text",
          text: `No tool named "${args.name}"${
            near.length ? `; similar: ${near.map((t) => t.name).join(", ")}` : ""
          }. Use search_tools to find one.`,
        }],
        isError: true,
      };
    }
    const parsed = inputObject(tool).safeParse(args.arguments ?? {});
    if (!parsed.success) {
      return {
        content: [{
          type: "text",
          text: `Invalid arguments for ${tool.name}: ${z.prettifyError(parsed.error)}\ninput schema: ${
            JSON.stringify(z.toJSONSchema(inputObject(tool), { io: "input" }))
          }`,
        }],
        isError: true,
      };
    }
    return runTool(tool, parsed.data, deps, extra, clientFor(extra, tool.name));
  });
}
