/**
 * Shape checks for what a tools-folder file default-exports: a tool, a
 * resource, a resource template or a prompt. Each check names the file, the
 * problem and the expected shape (the dynamic-import boundary).
 * @module
 */
import { DIALECTS } from "../connection/types.ts";
import type { Prompt } from "../plugin/prompt.ts";
import type { Resource, ResourceTemplate } from "../plugin/resource.ts";
import type { Tool } from "../plugin/tool.ts";

/** Anything a tools-folder file may define. */
export type Definition = Tool | Resource | ResourceTemplate | Prompt;

/** The shapes a file must default-export, for error messages. */
export const EXPECTED_SHAPE =
  "export default defineTool({ name, title, description, inputSchema, annotations: { readOnlyHint, destructiveHint, idempotentHint, openWorldHint: false }, dialects, handler })";
const EXPECTED = {
  tool: EXPECTED_SHAPE,
  resource: "export default defineResource({ name, uri, title, description, mimeType, dialects, read })",
  resourceTemplate:
    "export default defineResourceTemplate({ name, uriTemplate, title, description, mimeType, dialects, read })",
  prompt: "export default definePrompt({ name, title, description, arguments, dialects, get })",
} as const;

type Fail = (problem: string) => never;
type Fields = Record<string, unknown>;

/** Checks a module's default export and returns it typed; throws a TypeError naming the file otherwise. */
export function validateDefinition(value: unknown, file: string): Definition {
  if (typeof value !== "object" || value === null) {
    return failer(file, EXPECTED.tool)("it has no default export object");
  }
  const kind = (value as Fields).kind ?? "tool";
  if (typeof kind !== "string" || !Object.hasOwn(EXPECTED, kind)) {
    return failer(file, EXPECTED.tool)(
      `'kind' is ${JSON.stringify(kind)}; known: resource, resourceTemplate, prompt (or none for a tool)`,
    );
  }
  const fail = failer(file, EXPECTED[kind as keyof typeof EXPECTED]);
  const t = value as Fields;
  checkCommon(t, file, fail);
  switch (kind) {
    case "tool":
      checkTool(t, fail);
      break;
    case "resource":
      checkStrings(t, ["uri", "mimeType"], fail);
      if (!URL.canParse(t.uri as string)) fail(`'uri' ${JSON.stringify(t.uri)} is not a URI`);
      checkFunctions(t, ["read"], ["watch"], fail);
      break;
    case "resourceTemplate":
      checkStrings(t, ["uriTemplate", "mimeType"], fail);
      if (!/\{[A-Za-z0-9_]+\}/.test(t.uriTemplate as string)) {
        fail(`'uriTemplate' ${JSON.stringify(t.uriTemplate)} has no {variable}`);
      }
      checkFunctions(t, ["read"], ["list"], fail);
      checkCompletions(t.complete, fail);
      break;
    case "prompt":
      checkShape(t.arguments, "arguments", fail);
      checkFunctions(t, ["get"], [], fail);
      checkCompletions(t.complete, fail);
      break;
  }
  // deno-lint-ignore no-explicit-any -- the dynamic-import boundary: the shape was checked field by field above
  return value as any;
}

function failer(file: string, expected: string): Fail {
  return (problem) => {
    throw new TypeError(`Cannot load tool file ${file}: ${problem}; expected ${expected}`);
  };
}

function checkCommon(t: Fields, file: string, fail: Fail): void {
  const stem = file.replace(/^.*\//, "").replace(/\.ts$/, "");
  if (typeof t.name !== "string" || t.name !== stem) {
    fail(`'name' is ${JSON.stringify(t.name)} but must equal the file stem "${stem}"`);
  }
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(stem)) {
    fail(`the name "${stem}" has characters MCP names may not use`);
  }
  checkStrings(t, ["title", "description"], fail);
  if (!Array.isArray(t.dialects) || t.dialects.length === 0) {
    fail("'dialects' must list at least one dialect");
  }
  for (const d of t.dialects as unknown[]) {
    if (!(DIALECTS as readonly unknown[]).includes(d)) {
      fail(`'dialects' has ${JSON.stringify(d)}; known: ${DIALECTS.join(", ")}`);
    }
  }
}

function checkTool(t: Fields, fail: Fail): void {
  checkFunctions(t, ["handler"], [], fail);
  checkShape(t.inputSchema, "inputSchema", fail);
  if (t.outputSchema !== undefined) checkShape(t.outputSchema, "outputSchema", fail);
  const a = t.annotations as Fields | undefined;
  for (const key of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
    if (typeof a?.[key] !== "boolean") {
      fail(`'annotations.${key}' must be written out as true or false`);
    }
  }
}

function checkStrings(t: Fields, keys: string[], fail: Fail): void {
  for (const key of keys) {
    if (typeof t[key] !== "string" || (t[key] as string).trim() === "") {
      fail(`'${key}' must be a non-empty string`);
    }
  }
}

function checkFunctions(t: Fields, required: string[], optional: string[], fail: Fail): void {
  for (const key of required) {
    if (typeof t[key] !== "function") fail(`'${key}' must be a function`);
  }
  for (const key of optional) {
    if (t[key] !== undefined && typeof t[key] !== "function") {
      fail(`'${key}' must be a function when given`);
    }
  }
}

function checkCompletions(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null) fail("'complete' must map names to functions");
  for (const [key, f] of Object.entries(value as object)) {
    if (typeof f !== "function") fail(`'complete.${key}' must be a function`);
  }
}

/** A zod field map, or a zod object (whose fields are then checked). */
function checkShape(value: unknown, what: string, fail: Fail): void {
  const object = value as { safeParse?: unknown; shape?: unknown } | null;
  if (typeof object?.safeParse === "function" && typeof object.shape === "object") {
    return checkShape(object.shape, what, fail);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`'${what}' must be an object of zod schemas`);
  }
  for (const [key, schema] of Object.entries(value as object)) {
    if (typeof (schema as { safeParse?: unknown })?.safeParse !== "function") {
      fail(`'${what}.${key}' is not a zod schema`);
    }
    if (what !== "outputSchema" && !(schema as { description?: string }).description) {
      fail(`'${what}.${key}' has no .describe(...) text for the agent`);
    }
  }
}
