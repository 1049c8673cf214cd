/**
 * The options table against every file that repeats it: deno.json's
 * `--allow-env` lists, `--help`, README's short table and
 * docs/configuration.md. Each check also runs on the table plus one new
 * option, to show it fails when an option is added to the table only.
 */
import assert from "node:assert/strict";
import { ENV_NAMES, OPTIONS } from "../../config/options.ts";
import { docsBlock, helpText, markedBlock, readmeBlock } from "../../config/render.ts";
import { denoJsonProblems, RUNTIME_TASKS, syncAll, SYNCED_FILES } from "../../config/sync.ts";
import type { OptionSpec } from "../../config/types.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (file: string) => Deno.readTextFileSync(new URL(file, ROOT));

/** The table plus an option nobody wrote anywhere else. */
const GROWN: readonly OptionSpec[] = [
  ...OPTIONS,
  {
    env: "NEW_OPTION",
    flag: "new-option",
    type: "integer",
    default: 5,
    min: 1,
    max: 9,
    to: "limits.newOption",
    help: "an option added to the table only",
    readme: true,
  },
];

/** The words of a task's command in deno.json. */
function taskWords(name: string): string[] {
  const task = JSON.parse(read("deno.json")).tasks[name];
  return (typeof task === "string" ? task : task.command).split(/\s+/);
}

Deno.test("every runtime task in deno.json grants exactly the table's variables, as config/sync.ts writes them", () => {
  const text = read("deno.json");
  assert.deepEqual(denoJsonProblems(text), []);
  for (const name of RUNTIME_TASKS) {
    const list = taskWords(name).find((word) => word.startsWith("--allow-env="));
    assert.deepEqual(list?.slice("--allow-env=".length).split(","), [...ENV_NAMES], name);
  }
  const problems = denoJsonProblems(text, GROWN);
  assert.equal(problems.length, RUNTIME_TASKS.length * 2, problems.join("\n"));
  assert.match(problems[0], /task 'start' does not grant NEW_OPTION/);
});

Deno.test("a runtime task without its --allow-env list, or a new task running main.ts, is reported", () => {
  const config = JSON.parse(read("deno.json"));
  config.tasks.dev = "deno run --allow-read main.ts";
  config.tasks["start:other"] = "deno run --allow-env main.ts";
  const problems = denoJsonProblems(JSON.stringify(config));
  assert.ok(problems.includes("task 'dev' has 0 --allow-env= lists, not one"), problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("task 'start:other' runs main.ts but is not in RUNTIME_TASKS")));
});

Deno.test("config/sync.ts would change none of the files it keeps in step, and would change each for a new option", () => {
  const current = Object.fromEntries(SYNCED_FILES.map((file) => [file, read(file)])) as Parameters<typeof syncAll>[0];
  const synced = syncAll(current);
  for (const file of SYNCED_FILES) {
    assert.equal(synced[file], current[file], `${file} differs from the table: run config/sync.ts (see its header)`);
  }
  const grown = syncAll(current, GROWN);
  for (const file of SYNCED_FILES) assert.match(grown[file], /NEW_OPTION/, file);
});

Deno.test("README's short table and docs/configuration.md's table are the table's", () => {
  assert.equal(markedBlock(read("README.md")), readmeBlock());
  assert.equal(markedBlock(read("docs/configuration.md")), docsBlock());
  assert.notEqual(markedBlock(read("README.md")), readmeBlock(GROWN));
  assert.notEqual(markedBlock(read("docs/configuration.md")), docsBlock(GROWN));
  const docs = markedBlock(read("docs/configuration.md")) ?? "";
  for (const option of OPTIONS) {
    if (option.env) assert.match(docs, new RegExp(`\\| \`${option.env}\` `), option.env);
    if (option.flag) assert.ok(docs.includes(`\`--${option.flag}\``), option.flag);
  }
});

Deno.test("the server's --help, run as deno task start runs it, names every flag and variable of the table", async () => {
  const words = taskWords("start");
  assert.equal(words[0], "deno");
  const args = words.slice(1).map((word) => word === "main.ts" ? new URL("main.ts", ROOT).pathname : word);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...args, "--help"],
    cwd: ROOT,
    env: { MCP_PORT: "abc" },
    clearEnv: true,
  }).output();
  const error = new TextDecoder().decode(stderr);
  // Parsing comes first, so a bad value is reported even with --help: the variable was granted and read.
  assert.equal(code, 1, error);
  assert.match(error, /'MCP_PORT' must be an integer from 1 to 65535/);
  const help = await new Deno.Command(Deno.execPath(), { args: [...args, "--help"], cwd: ROOT, clearEnv: true })
    .output();
  assert.equal(help.code, 0, new TextDecoder().decode(help.stderr));
  assert.equal(new TextDecoder().decode(help.stdout), helpText());
  for (const option of OPTIONS) {
    if (option.flag) assert.match(helpText(), new RegExp(`^  --${option.flag} `, "m"), option.flag);
    if (option.env) assert.ok(helpText().includes(option.env), option.env);
  }
  assert.ok(!helpText().includes("NEW_OPTION") && helpText(GROWN).includes("--new-option"));
});
