/**
 * Tools-as-code discovery: read the tool folders, skip helpers and tests,
 * sort, import, validate each module and reject duplicate names.
 * @module
 */
import { toFileUrl } from "./paths.ts";
import type { Tool } from "../tools/_tool.ts";

/** The shape a tool file must default-export, for error messages. */
export const EXPECTED_SHAPE =
  "export default defineTool({ name, title, description, inputSchema, annotations: { readOnlyHint, destructiveHint, idempotentHint, openWorldHint: false }, dialects, handler })";

/** A loaded tool and the file it came from. */
export interface LoadedTool {
  tool: Tool;
  file: string;
}

/** Lists the tool files under `dir` (recursively), sorted: `*.ts` not starting with `_` and not `*_test.ts`. */
export async function listToolFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        files.push(path);
      }
    }
  };
  try {
    await walk(dir.replace(/\/+$/, ""));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new TypeError(`Cannot load tools from "${dir}": no such folder`);
    }
    throw error;
  }
  return files.sort();
}

/** Imports and validates every tool file of the folders, in order. */
export async function loadTools(
  dirs: readonly string[],
): Promise<LoadedTool[]> {
  const loaded: LoadedTool[] = [];
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    for (const file of await listToolFiles(dir)) {
      const module = await import(toFileUrl(file).href);
      const tool = validateTool(module.default, file);
      const other = byName.get(tool.name);
      if (other !== undefined) {
        throw new TypeError(
          `Cannot load tool file ${file}: the name "${tool.name}" is already used by ${other}`,
        );
      }
      byName.set(tool.name, file);
      loaded.push({ tool, file });
    }
  }
  return loaded;
}

/** Checks that a module's default export is a tool named after its file; throws naming the file and the problem. */
export function validateTool(value: unknown, file: string): Tool {
  const fail = (problem: string): never => {
    throw new TypeError(
      `Cannot load tool file ${file}: ${problem}; expected ${EXPECTED_SHAPE}`,
    );
  };
  if (typeof value !== "object" || value === null) {
    return fail("it has no default export object");
  }
  const t = value as Record<string, unknown>;
  const stem = file.replace(/^.*\//, "").replace(/\.ts$/, "");
  if (typeof t.name !== "string" || t.name !== stem) {
    fail(
      `'name' is ${JSON.stringify(t.name)} but must equal the file stem "${stem}"`,
    );
  }
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(stem)) {
    fail(`the name "${stem}" has characters MCP tool names may not use`);
  }
  for (const key of ["title", "description"]) {
    if (typeof t[key] !== "string" || (t[key] as string).trim() === "") {
      fail(`'${key}' must be a non-empty string`);
    }
  }
  if (typeof t.handler !== "function") fail("'handler' must be a function");
  checkShape(t.inputSchema, "inputSchema", fail);
  if (t.outputSchema !== undefined) {
    checkShape(t.outputSchema, "outputSchema", fail);
  }
  const a = t.annotations as Record<string, unknown> | undefined;
  for (
    const key of [
      "readOnlyHint",
      "destructiveHint",
      "idempotentHint",
      "openWorldHint",
    ]
  ) {
    if (typeof a?.[key] !== "boolean") {
      fail(`'annotations.${key}' must be written out as true or false`);
    }
  }
  if (!Array.isArray(t.dialects) || t.dialects.length === 0) {
    fail("'dialects' must list at least one dialect");
  }
  for (const d of t.dialects as unknown[]) {
    if (!["teradata", "postgres", "sqlite", "generic"].includes(d as string)) {
      fail(
        `'dialects' has ${JSON.stringify(d)}; known: teradata, postgres, sqlite, generic`,
      );
    }
  }
  // deno-lint-ignore no-explicit-any -- the dynamic-import boundary: the shape was checked field by field above
  return value as any;
}

function checkShape(
  value: unknown,
  what: string,
  fail: (problem: string) => never,
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`'${what}' must be an object of zod schemas`);
  }
  for (const [key, schema] of Object.entries(value as object)) {
    if (typeof (schema as { safeParse?: unknown })?.safeParse !== "function") {
      fail(`'${what}.${key}' is not a zod schema`);
    }
    if (
      what === "inputSchema" &&
      !(schema as { description?: string }).description
    ) {
      fail(`'${what}.${key}' has no .describe(...) text for the agent`);
    }
  }
}
