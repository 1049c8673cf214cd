/**
 * Registers the catalog's resources, resource templates and prompts on an MCP
 * server, with completions and resource subscriptions.
 * @module
 */
import {
  completable,
  ErrorCode,
  McpError,
  type McpServer,
  SdkResourceTemplate,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "./sdk.ts";
import { type ContextDeps, describeFailure, type Extra, isKnownFailure, readContext } from "./_context.ts";
import type { Prompt } from "../tools/_prompt.ts";
import type { ReadContext, Resource, ResourceTemplate } from "../tools/_resource.ts";

/** Longest a completion may take (it has no request signal of its own). */
const COMPLETION_TIMEOUT_MS = 5_000;
/** Most values one completion returns (the MCP limit). */
const MAX_COMPLETIONS = 100;

/** Runs a read, prompt or completion; failures become one JSON-RPC error line without a stack. */
async function guarded<T>(deps: ContextDeps, name: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof McpError) throw error;
    const text = describeFailure(error);
    deps.log.warning("{name} failed: {error}", { name, error: text });
    if (!isKnownFailure(error)) {
      deps.log.error("unexpected failure", { stack: error instanceof Error ? error.stack : String(error) });
    }
    throw new McpError(ErrorCode.InternalError, text);
  }
}

function contextFor(deps: ContextDeps, name: string, extra: Extra): ReadContext {
  return readContext(deps, name, extra.signal, String(extra.requestId));
}

type Complete = (value: string, ctx: ReadContext) => Promise<string[]> | string[];

function completer(deps: ContextDeps, name: string, complete: Complete) {
  return (value: string | undefined) =>
    guarded(deps, name, async () => {
      const signal = AbortSignal.timeout(COMPLETION_TIMEOUT_MS);
      const values = await complete(value ?? "", readContext(deps, name, signal, `complete:${name}`));
      return values.slice(0, MAX_COMPLETIONS);
    });
}

/** Registers resources, with `resources/subscribe` when any of them can be watched. */
export function registerResources(server: McpServer, resources: readonly Resource[], deps: ContextDeps): void {
  for (const r of resources) {
    server.registerResource(
      r.name,
      r.uri,
      { title: r.title, description: r.description, mimeType: r.mimeType },
      (uri, extra) =>
        guarded(deps, r.name, async () => ({ contents: await r.read(uri, contextFor(deps, r.name, extra)) })),
    );
  }
  const watchable = new Map(resources.filter((r) => r.watch).map((r) => [r.uri, r]));
  if (watchable.size === 0) return;
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const watching = new Map<string, AbortController>();
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    const uri = request.params.uri;
    const resource = watchable.get(uri);
    if (resource === undefined) {
      throw new McpError(
        ErrorCode.InvalidParams,
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
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
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
  deps: ContextDeps,
): void {
  for (const t of templates) {
    const list = t.list;
    const complete = Object.fromEntries(
      Object.entries(t.complete ?? {}).map(([key, f]) => [key, completer(deps, t.name, f)]),
    );
    const template = new SdkResourceTemplate(t.uriTemplate, {
      list: list && ((extra) =>
        guarded(deps, t.name, async () => ({
          resources: (await list(contextFor(deps, t.name, extra))).map((r) => ({ mimeType: t.mimeType, ...r })),
        }))),
      complete,
    });
    server.registerResource(
      t.name,
      template,
      { title: t.title, description: t.description, mimeType: t.mimeType },
      (uri, variables, extra) =>
        guarded(deps, t.name, async () => {
          const values = Object.fromEntries(
            Object.entries(variables).map(([key, v]) => [key, Array.isArray(v) ? v.join(",") : v]),
          );
          return { contents: await t.read(uri, values, contextFor(deps, t.name, extra)) };
        }),
    );
  }
}

/** Registers prompts; arguments with a completion become completable. */
export function registerPrompts(server: McpServer, prompts: readonly Prompt[], deps: ContextDeps): void {
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
        guarded(deps, p.name, async () => ({
          messages: await p.get(args as never, contextFor(deps, p.name, extra)),
        })),
    );
  }
}
