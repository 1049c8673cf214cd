/**
 * Tools-as-code discovery: read the tool folders, skip helpers and tests,
 * sort, import, validate each module (tool, resource, resource template or
 * prompt) and reject duplicate names. A `*.sql` file is a SQL-file tool
 * (server/sql_tools.ts).
 * @module
 */
import { toFileUrl } from "./paths.ts";
import { loadSqlTool } from "./sql_tools.ts";
import { validateDefinition } from "./validate.ts";
import type { Prompt } from "../plugin/prompt.ts";
import type { Resource, ResourceTemplate } from "../plugin/resource.ts";
import type { Tool } from "../plugin/tool.ts";

export { EXPECTED_SHAPE } from "./validate.ts";

/** Folders of this name hold helpers shared by tool files, not tools. */
export const LIB = "lib";

/** A loaded tool and the file it came from. */
export interface LoadedTool {
  tool: Tool;
  file: string;
}

/**
 * Lists the tool files under `dir` (recursively), sorted: `*.ts` except `*_test.ts`, and `*.sql`. Folders named `lib`
 * (shared helpers) and hidden entries are skipped.
 */
export async function listToolFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.name.startsWith(".") || entry.isDirectory && entry.name === LIB) continue;
      if (entry.isDirectory) await walk(path);
      else if (
        (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) || entry.name.endsWith(".sql")
      ) {
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

/** Everything the tool folders define, by kind, in load order. */
export interface Catalog {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
  /** The file each name came from. */
  files: Map<string, string>;
}

/**
 * Imports and validates every file of the folders, in order: tools,
 * resources, resource templates and prompts. Names are unique across kinds
 * (each is a file stem).
 */
export async function loadCatalog(dirs: readonly string[]): Promise<Catalog> {
  const catalog: Catalog = { tools: [], resources: [], resourceTemplates: [], prompts: [], files: new Map() };
  for (const dir of dirs) {
    for (const file of await listToolFiles(dir)) {
      const definition = file.endsWith(".sql")
        ? await loadSqlTool(file)
        : validateDefinition((await import(toFileUrl(file).href)).default, file);
      const other = catalog.files.get(definition.name);
      if (other !== undefined) {
        throw new TypeError(
          `Cannot load tool file ${file}: the name "${definition.name}" is already used by ${other}`,
        );
      }
      catalog.files.set(definition.name, file);
      if (!("kind" in definition)) catalog.tools.push(definition);
      else if (definition.kind === "resource") catalog.resources.push(definition);
      else if (definition.kind === "resourceTemplate") catalog.resourceTemplates.push(definition);
      else catalog.prompts.push(definition);
    }
  }
  return catalog;
}

/** Imports the folders and returns their tools with the file each came from. */
export async function loadTools(dirs: readonly string[]): Promise<LoadedTool[]> {
  const catalog = await loadCatalog(dirs);
  return catalog.tools.map((tool) => ({ tool, file: catalog.files.get(tool.name)! }));
}

/** Checks that a module's default export is a tool named after its file; throws naming the file and the problem. */
export function validateTool(value: unknown, file: string): Tool {
  const definition = validateDefinition(value, file);
  if ("kind" in definition) {
    throw new TypeError(`Cannot load tool file ${file}: it defines a ${definition.kind}, not a tool`);
  }
  return definition;
}
