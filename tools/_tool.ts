/**
 * The tool contract: what a tool file default-exports and what its handler
 * receives. Tools import this file and connection types, nothing else.
 * @module
 */
import type { z } from "zod";
import type { Database, Dialect } from "../connection/types.ts";

/** The four MCP tool annotations, always written out (their defaults are the unsafe values). */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

/** The annotations of a tool that only reads: safe to call again, touches nothing outside the database. */
export const READ_ONLY: ToolAnnotations = Object.freeze({
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
});

/** Minimal logger handed to tools (messages go to stderr, never stdout). */
export interface ToolLogger {
  debug(message: string, properties?: Record<string, unknown>): void;
  info(message: string, properties?: Record<string, unknown>): void;
  warning(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

/** Row and time limits in force for this server. */
export interface ToolLimits {
  defaultRows: number;
  maxRows: number;
  /** Statement timeout when a call names none. */
  timeoutMs: number;
  /** Longest timeout a call may ask for. */
  maxTimeoutMs: number;
}

/** Everything a tool handler may use: the shared database and the call's own state. */
export interface ToolContext {
  /** The process's one database (pooled; every query leases its own connection). */
  db: Database;
  /** The connected dialect. */
  dialect: Dialect;
  /** Aborted when the client cancels the call or the server shuts down. */
  signal: AbortSignal;
  log: ToolLogger;
  limits: ToolLimits;
  /** Identifies the call in logs and audit trails. */
  requestId: string;
  /** Reports progress when the client asked for it; a no-op otherwise. */
  progress(done: number, total?: number, message?: string): Promise<void>;
}

/** What a handler returns: text for every client, structured content for those that read it. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A tool: metadata, a zod input shape and a handler. */
export interface Tool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Equals the file stem, e.g. `base_readQuery`. */
  name: string;
  title: string;
  /** Documentation for the agent: when to use it, its limits, its result shape. */
  description: string;
  inputSchema: Shape;
  outputSchema?: z.ZodRawShape;
  annotations: ToolAnnotations;
  /** Annotations advertised instead when the server runs with `--allow-write` (only for tools that can write). */
  writeAnnotations?: ToolAnnotations;
  /** Dialects the tool runs on; it is not listed on others. */
  dialects: readonly Dialect[];
  handler(
    args: z.infer<z.ZodObject<Shape>>,
    ctx: ToolContext,
  ): Promise<ToolResult>;
}

/**
 * Identity helper that lets TypeScript infer a handler's argument types from
 * its zod schema.
 *
 * @example
 * ```ts
 * export default defineTool({ name: "base_ping", inputSchema: {}, ... });
 * ```
 */
export function defineTool<Shape extends z.ZodRawShape>(
  tool: Tool<Shape>,
): Tool<Shape> {
  return tool;
}
