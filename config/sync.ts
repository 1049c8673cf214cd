/**
 * Writes what the options table decides into the files that repeat it: the
 * `--allow-env=` list of every runtime task in deno.json, README's short
 * options table and docs/configuration.md's full one (each between
 * `<!-- options:begin -->` and `<!-- options:end -->`). Run it after
 * changing config/options.ts:
 *
 * ```sh
 * deno run --allow-read=. --allow-write=deno.json,README.md,docs/configuration.md config/sync.ts
 * ```
 *
 * tests/config/drift_test.ts fails while any of these files differs from what this script would write.
 * @module
 */
import { OPTIONS } from "./options.ts";
import { docsBlock, envList, readmeBlock, replaceBlock } from "./render.ts";
import type { OptionSpec } from "./types.ts";

/** The deno.json tasks that run the server: each grants exactly the table's variables. */
export const RUNTIME_TASKS = ["start", "dev", "start:http", "compile"] as const;

/** The files the script keeps in step with the table, relative to the project root. */
export const SYNCED_FILES = ["deno.json", "README.md", "docs/configuration.md"] as const;

/** A scoped `--allow-env=` flag in a task's command. */
const ALLOW_ENV = /--allow-env=[^\s"]*/g;

type Tasks = Record<string, string | { command?: string }>;

/** A task's command line. */
function commandOf(task: Tasks[string] | undefined): string | undefined {
  return typeof task === "string" ? task : task?.command;
}

/** Whether a command line runs or compiles the server (`deno run ... main.ts`, `deno compile ... main.ts`). */
function runsServer(command: string): boolean {
  return command.split("&&").some((part) => /^\s*deno\s+(run|compile)\s.*\s(\.\/)?main\.ts(\s|$)/.test(part));
}

/** deno.json's text with every runtime task's `--allow-env=` list made the table's (formatting kept). */
export function syncDenoJson(text: string, table: readonly OptionSpec[] = OPTIONS): string {
  const tasks: Tasks = JSON.parse(text).tasks ?? {};
  let synced = text;
  for (const name of RUNTIME_TASKS) {
    const command = commandOf(tasks[name]);
    if (command === undefined) throw new Error(`deno.json has no '${name}' task`);
    if (!command.match(ALLOW_ENV)) throw new Error(`deno.json's '${name}' task has no --allow-env= list to rewrite`);
    const rewritten = command.replace(ALLOW_ENV, `--allow-env=${envList(table)}`);
    synced = synced.replace(JSON.stringify(command), JSON.stringify(rewritten));
  }
  return synced;
}

/** What is wrong with deno.json's permission lists against the table (empty when nothing is). */
export function denoJsonProblems(text: string, table: readonly OptionSpec[] = OPTIONS): string[] {
  const tasks: Tasks = JSON.parse(text).tasks ?? {};
  const problems: string[] = [];
  const expected = envList(table);
  for (const [name, task] of Object.entries(tasks)) {
    if (runsServer(commandOf(task) ?? "") && !(RUNTIME_TASKS as readonly string[]).includes(name)) {
      problems.push(`task '${name}' runs main.ts but is not in RUNTIME_TASKS (config/sync.ts)`);
    }
  }
  for (const name of RUNTIME_TASKS) {
    const command = commandOf(tasks[name]);
    const lists = command?.match(ALLOW_ENV) ?? [];
    if (command === undefined) problems.push(`task '${name}' is missing`);
    else if (lists.length !== 1) problems.push(`task '${name}' has ${lists.length} --allow-env= lists, not one`);
    else {
      const granted = new Set(lists[0].slice("--allow-env=".length).split(","));
      const missing = expected.split(",").filter((env) => !granted.has(env));
      if (missing.length > 0) problems.push(`task '${name}' does not grant ${missing.join(", ")}`);
      if (lists[0] !== `--allow-env=${expected}`) {
        problems.push(`task '${name}' has a --allow-env= list the table did not write`);
      }
    }
  }
  return problems;
}

/** Each synced file's new text, given the current text of each. */
export function syncAll(
  files: Record<(typeof SYNCED_FILES)[number], string>,
  table: readonly OptionSpec[] = OPTIONS,
): Record<(typeof SYNCED_FILES)[number], string> {
  return {
    "deno.json": syncDenoJson(files["deno.json"], table),
    "README.md": replaceBlock(files["README.md"], readmeBlock(table), "README.md"),
    "docs/configuration.md": replaceBlock(files["docs/configuration.md"], docsBlock(table), "docs/configuration.md"),
  };
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  const read = (file: string) => Deno.readTextFileSync(new URL(file, root));
  const current = Object.fromEntries(SYNCED_FILES.map((file) => [file, read(file)])) as Record<
    (typeof SYNCED_FILES)[number],
    string
  >;
  const synced = syncAll(current);
  for (const file of SYNCED_FILES) {
    if (synced[file] === current[file]) continue;
    Deno.writeTextFileSync(new URL(file, root), synced[file]);
    Deno.stderr.writeSync(new TextEncoder().encode(`config/sync.ts: rewrote ${file}\n`));
  }
}
