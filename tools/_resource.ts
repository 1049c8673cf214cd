/**
 * The resource contract: a file under a tools folder may default-export a
 * resource (one URI) or a resource template (a URI pattern) instead of a tool.
 * Same rules as tools: the name equals the file stem, no state, no connections
 * of its own — reads go through `ctx.db`.
 * @module
 */
import type { Dialect } from "../connection/types.ts";
import type { ResourceContents, ToolContext } from "./_tool.ts";

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

/** One concrete resource a template lists. */
export interface ListedResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
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
  /** Concrete resources for `resources/list`; leave out when there are too many to list. */
  list?(ctx: ReadContext): Promise<ListedResource[]>;
  /** Completions for template variables (`completion/complete`), by variable name. */
  complete?: Record<string, (value: string, ctx: ReadContext) => Promise<string[]> | string[]>;
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
