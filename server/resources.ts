/**
 * Registers the catalog's resources, resource templates and prompts on an MCP
 * server, with completions, resource subscriptions and a paginated
 * `resources/list`.
 * @module
 */
import {
  completable,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  SdkResourceNotFoundError,
  SdkResourceTemplate,
} from "./sdk.ts";
import { type ContextDeps, describeFailure, type Extra, inputSource, isKnownFailure, readContext } from "./context.ts";
import { answerInputNeeded, InputNeeded, priorState, toolInput } from "./input.ts";
import { InputSeal } from "./input_seal.ts";
import type { ToolInput } from "../plugin/tool.ts";
import type { Prompt } from "../plugin/prompt.ts";
import { ToolInputError } from "../plugin/errors.ts";
import {
  type Completer,
  type ListedResource,
  type Resource,
  ResourceNotFoundError,
  type ResourceTemplate,
} from "../plugin/resource.ts";

/** Longest a completion may take (it has no request signal of its own). */
const COMPLETION_TIMEOUT_MS = 5_000;
/** Most values one completion returns (the MCP limit). */
const MAX_COMPLETIONS = 100;

/** Runs a read, prompt or completion; failures become one JSON-RPC error line without a stack. */
async function guarded<T>(
  deps: ContextDeps,
  name: string,
  run: () => Promise<T> | T,
  requestId?: string | number,
  uri?: URL,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // The SDK answers it as each protocol revision says (-32602 with the URI in `data`).
    if (error instanceof ResourceNotFoundError) throw new SdkResourceNotFoundError(uri?.href ?? "", error.message);
    const text = describeFailure(error, requestId === undefined ? undefined : String(requestId));
    deps.log.warning("{name} failed: {error}", { name, error: text });
    if (!isKnownFailure(error)) {
      deps.log.error("unexpected failure", { stack: error instanceof Error ? error.stack : String(error) });
    }
    throw new ProtocolError(
      error instanceof ToolInputError ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError,
      text,
    );
  }
}

/** What prompts and resource reads need to ask the client for input: the process's seal (server/create.ts). */
export interface AskingDeps extends ContextDeps {
  seal?: Promise<InputSeal>;
}

/**
 * Runs a prompt or resource read with its `ctx.input`: what `ask()` throws is answered with the SDK's `inputRequired`
 * result (2026-07-28 `input_required`; the legacy shim asks a 2025-era client), the state sealed for this call.
 */
async function asking<T>(
  server: McpServer,
  deps: AskingDeps,
  extra: Extra,
  call: { tool: string; args: Record<string, unknown> },
  run: (input: ToolInput) => Promise<T>,
) {
  const source = inputSource(server, extra, call);
  const prior = await priorState(source);
  try {
    return await run(toolInput(source, prior));
  } catch (error) {
    if (!(error instanceof InputNeeded)) throw error;
    deps.log.info("{name} asks the client for input: {keys}", {
      name: call.tool,
      keys: Object.keys(error.requests).join(", "),
    });
    return await answerInputNeeded(error, await (deps.seal ?? InputSeal.open()), source.call, prior);
  }
}

function contextFor(deps: ContextDeps, name: string, extra: Extra, input?: ToolInput) {
  return readContext(deps, name, extra.mcpReq.signal, String(extra.mcpReq.id), input);
}

function completer(deps: ContextDeps, name: string, complete: Completer) {
  return (value: string | undefined, context?: { arguments?: Record<string, string> }) =>
    guarded(deps, name, async () => {
      const signal = AbortSignal.timeout(COMPLETION_TIMEOUT_MS);
      const ctx = readContext(deps, name, signal, `complete:${name}`);
      const values = await complete(value ?? "", ctx, context?.arguments ?? {});
      return values.slice(0, MAX_COMPLETIONS);
    });
}

/** Registers resources, with `resources/subscribe` when any of them can be watched. */
export function registerResources(server: McpServer, resources: readonly Resource[], deps: AskingDeps): void {
  for (const r of resources) {
    server.registerResource(
      r.name,
      r.uri,
      { title: r.title, description: r.description, mimeType: r.mimeType },
      (uri, extra) =>
        guarded(
          deps,
          r.name,
          () =>
            asking(server, deps, extra, { tool: `resource:${uri.href}`, args: {} }, async (input) => ({
              contents: await r.read(uri, contextFor(deps, r.name, extra, input)),
            })),
          extra.mcpReq.id,
          uri,
        ),
    );
  }
  const watchable = new Map(resources.filter((r) => r.watch).map((r) => [r.uri, r]));
  if (watchable.size === 0) return;
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const watching = new Map<string, AbortController>();
  server.server.setRequestHandler("resources/subscribe", (request) => {
    const uri = request.params.uri;
    const resource = watchable.get(uri);
    if (resource === undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Resource ${uri} cannot be subscribed to; subscribable: ${[...watchable.keys()].join(", ")}`,
      );
    }
    if (!watching.has(uri)) {
      const stop = new AbortController();
      watching.set(uri, stop);
      const changed = () => void server.server.sendResourceUpdated({ uri }).catch(() => {});
      resource.watch!(changed, stop.signal, readContext(deps, resource.name, stop.signal, `subscribe:${uri}`));
    }
    return {};
  });
  server.server.setRequestHandler("resources/unsubscribe", (request) => {
    watching.get(request.params.uri)?.abort();
    watching.delete(request.params.uri);
    return {};
  });
  const onclose = server.server.onclose;
  server.server.onclose = () => {
    for (const stop of watching.values()) stop.abort();
    watching.clear();
    onclose?.();
  };
}

/** Registers resource templates, with their listings and variable completions. */
export function registerResourceTemplates(
  server: McpServer,
  templates: readonly ResourceTemplate[],
  deps: AskingDeps,
): void {
  for (const t of templates) {
    const complete = Object.fromEntries(
      Object.entries(t.complete ?? {}).map(([key, f]) => [key, completer(deps, t.name, f)]),
    );
    // Listings are served page by page by serveResourceList, not by the SDK (which would list everything at once).
    const template = new SdkResourceTemplate(t.uriTemplate, { list: undefined, complete });
    server.registerResource(
      t.name,
      template,
      { title: t.title, description: t.description, mimeType: t.mimeType },
      (uri, variables, extra) =>
        guarded(
          deps,
          t.name,
          () => {
            const values = Object.fromEntries(
              Object.entries(variables).map(([key, v]) => [key, Array.isArray(v) ? v.join(",") : v]),
            );
            return asking(server, deps, extra, { tool: `resource:${uri.href}`, args: {} }, async (input) => ({
              contents: await t.read(uri, values, contextFor(deps, t.name, extra, input)),
            }));
          },
          extra.mcpReq.id,
          uri,
        ),
    );
  }
}

/** Where a `resources/list` page starts: a listing template by name and its own cursor. */
interface ListPosition {
  template: string;
  cursor?: string;
}

function encodeCursor(position: ListPosition): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  return btoa(String.fromCharCode(...bytes));
}

function decodeCursor(cursor: string, names: readonly string[]): ListPosition {
  try {
    const bytes = Uint8Array.from(atob(cursor), (c) => c.charCodeAt(0));
    const position = JSON.parse(new TextDecoder().decode(bytes)) as ListPosition;
    const inner = position.cursor;
    if (names.includes(position.template) && (inner === undefined || typeof inner === "string")) return position;
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof DOMException || error instanceof TypeError)) throw error;
  }
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    "Invalid cursor: pass the nextCursor of the previous resources/list page",
  );
}

/**
 * Serves `resources/list` page by page instead of the SDK's all-at-once
 * listing: the first page holds the static resources and the first page of
 * the first template that lists; each later page is one page of one
 * template, so a request runs at most one listing query that returns rows.
 * The cursor is opaque to clients: base64 JSON of the template's name and
 * the template's own cursor.
 */
export function serveResourceList(
  server: McpServer,
  resources: readonly Resource[],
  templates: readonly ResourceTemplate[],
  deps: AskingDeps,
): void {
  if (resources.length === 0 && templates.length === 0) return; // no resources capability to serve
  const listing = templates.filter((t) => t.list !== undefined);
  const names = listing.map((t) => t.name);
  const statics: ListedResource[] = resources.map((r) => ({
    uri: r.uri,
    name: r.name,
    title: r.title,
    description: r.description,
    mimeType: r.mimeType,
  }));
  server.server.setRequestHandler("resources/list", async (request, extra) => {
    const cursor = request.params?.cursor;
    const start = cursor === undefined ? { template: names[0] } : decodeCursor(cursor, names);
    const page: ListedResource[] = cursor === undefined ? [...statics] : [];
    let inner = start.cursor;
    for (let i = names.indexOf(start.template); i >= 0 && i < listing.length; i++, inner = undefined) {
      const t = listing[i];
      const listed = await guarded(
        deps,
        t.name,
        () => t.list!(contextFor(deps, t.name, extra), inner),
        extra.mcpReq.id,
      );
      // Not the template's description: repeated on every listed resource it would swell each page.
      page.push(...listed.resources.map((r) => ({ mimeType: t.mimeType, ...r })));
      if (listed.nextCursor !== undefined) {
        return { resources: page, nextCursor: encodeCursor({ template: t.name, cursor: listed.nextCursor }) };
      }
      if (listed.resources.length > 0 && i + 1 < listing.length) {
        return { resources: page, nextCursor: encodeCursor({ template: listing[i + 1].name }) };
      }
    }
    return { resources: page };
  });
}

/** Registers prompts; arguments with a completion become completable. */
export function registerPrompts(server: McpServer, prompts: readonly Prompt[], deps: AskingDeps): void {
  for (const p of prompts) {
    const argsSchema = Object.fromEntries(
      Object.entries(p.arguments).map(([key, schema]) => {
        const complete = p.complete?.[key];
        // completable() marks the schema it is given: mark a copy, the prompt is shared by every session.
        return [key, complete ? completable(schema.clone(), completer(deps, p.name, complete)) : schema];
      }),
    );
    server.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema },
      (args, extra) =>
        guarded(
          deps,
          p.name,
          () =>
            asking(server, deps, extra, { tool: `prompt:${p.name}`, args: args ?? {} }, async (input) => ({
              messages: await p.get(args as never, contextFor(deps, p.name, extra, input)),
            })),
          extra.mcpReq.id,
        ),
    );
  }
}
