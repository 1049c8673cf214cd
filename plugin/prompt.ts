/**
 * The prompt contract: a file under a tools folder may default-export a
 * prompt — a reusable message template the client offers its user. The name
 * equals the file stem; arguments are described zod strings.
 * @module
 */
import type { z } from "zod";
import type { Dialect } from "../connection/types.ts";
import type { Completer, ReadContext } from "./resource.ts";
import type { Content } from "./tool.ts";

/** One message of a prompt. */
export interface PromptMessage {
  role: "user" | "assistant";
  content: Content;
}

/** Prompt arguments: MCP passes them as strings, optional or not. */
export type PromptArgs = Record<string, z.ZodString | z.ZodOptional<z.ZodString>>;

/** A prompt: metadata, described string arguments, completions and the messages it expands to. */
export interface Prompt<Args extends PromptArgs = PromptArgs> {
  kind: "prompt";
  /** Equals the file stem. */
  name: string;
  title: string;
  description: string;
  arguments: Args;
  /** Completions for arguments (`completion/complete`), by argument name. */
  complete?: { [K in keyof Args]?: Completer };
  dialects: readonly Dialect[];
  get(args: z.infer<z.ZodObject<Args>>, ctx: ReadContext): Promise<PromptMessage[]> | PromptMessage[];
}

/** Identity helper that infers a prompt's argument types from its zod shape. */
export function definePrompt<Args extends PromptArgs>(prompt: Omit<Prompt<Args>, "kind">): Prompt<Args> {
  return { kind: "prompt", ...prompt };
}
