/**
 * The resource contract: a file under a tools folder may default-export a
 * resource (one URI) or a resource template (a URI pattern) instead of a tool.
 * Same rules as tools: the name equals the file stem, no state, no connections
 * of its own — reads go through `ctx.db`.
 * @module
 */
import type { Dialect } from "../connection/types.ts";
import type { ResourceContents, ToolContext } from "./tool.ts";

/** What a resource read, a completion or a prompt may use: the call's context without tool-only parts. */
export type ReadContext = Omit<ToolContext, "progress" | "client">;

/** A resource at one fixed URI. */
export interface Resource {
  kind: "resource";
  /** Equals the file stem. */
  name: string;
  uri: string;
  title: string;
  /** What the resource holds, for the agent. */
  description: string;
  mimeType: string;
  dialects: readonly Dialect[];
  read(uri: URL, ctx: ReadContext): Promise<ResourceContents[]>;
  /**
   * Makes the resource subscribable: called on `resources/subscribe`; call
   * `changed()` whenever it changes, and stop when `signal` aborts (unsubscribe
   * or end of session).
   */
  watch?(changed: () => void, signal: AbortSignal, ctx: ReadContext): void;
}

/**
 * Completes one template variable or prompt argument: the prefix typed so
 * far, the context, and the other variables or arguments the client has
 * already filled in (`completion/complete` context), e.g. the `database`
 * chosen before the `table`.
 */
export type Completer = (
  value: string,
  ctx: ReadContext,
  args: Readonly<Record<string, string>>,
) => Promise<string[]> | string[];

/**
 * Thrown by a read when the URI names nothing that exists: the server answers
 * with MCP's "resource not found" error (-32002) and this message, which
 * should say what to try instead.
 */
export class ResourceNotFoundError extends Error {
  override name = "ResourceNotFoundError";
}

/** One concrete resource a template lists. */
export interface ListedResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** One page of a template's listing; `nextCursor` is opaque to the client and absent on the last page. */
export interface ListedPage {
  resources: ListedResource[];
  nextCursor?: string;
}

/** A family of resources behind an RFC 6570 URI template such as `schema://{database}/{table}`. */
export interface ResourceTemplate {
  kind: "resourceTemplate";
  /** Equals the file stem. */
  name: string;
  uriTemplate: string;
  title: string;
  description: string;
  mimeType: string;
  dialects: readonly Dialect[];
  /**
   * One page of concrete resources for `resources/list`: called with no
   * cursor for the first page, then with the `nextCursor` it returned, until
   * it returns none. Keep pages bounded (a hundred or so) and fetch one page
   * per call — never the whole catalog. Leave out when nothing should be listed.
   */
  list?(ctx: ReadContext, cursor?: string): Promise<ListedPage>;
  /** Completions for template variables (`completion/complete`), by variable name. */
  complete?: Record<string, Completer>;
  read(uri: URL, variables: Record<string, string>, ctx: ReadContext): Promise<ResourceContents[]>;
}

/** Identity helper for a resource file. */
export function defineResource(resource: Omit<Resource, "kind">): Resource {
  return { kind: "resource", ...resource };
}

/** Identity helper for a resource-template file. */
export function defineResourceTemplate(template: Omit<ResourceTemplate, "kind">): ResourceTemplate {
  return { kind: "resourceTemplate", ...template };
}
