/**
 * Build-time code stays outside every runtime permission: no task that runs
 * (or compiles) the server grants read access to setup/, to a folder that
 * holds it, or to a folder that holds build-time code (a module importing
 * setup/, or a .patch file).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const RUNTIME_TASKS = ["start", "dev", "start:http", "compile"];
const BUILD_TIME = "setup";

type Grant = true | string[];

interface DenoConfig {
  tasks: Record<string, string | { command: string }>;
  permissions?: Record<string, Record<string, unknown>>;
}

const config: DenoConfig = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));

function command(task: string): string {
  const entry = config.tasks[task];
  assert.ok(entry, `deno.json has no '${task}' task`);
  return typeof entry === "string" ? entry : entry.command;
}

function setRead(name: string): Grant {
  const set = config.permissions?.[name];
  assert.ok(set, `deno.json names the permission set '${name}' but does not define it`);
  const read = set.read;
  if (read === undefined || read === false) return [];
  if (read === true) return true;
  if (Array.isArray(read)) return read.map(String);
  if (typeof read === "string") return [read];
  const allow = (read as { allow?: unknown }).allow;
  if (allow === true) return true;
  return Array.isArray(allow) ? allow.map(String) : [];
}

/** The read access a task's command grants (`true`: everything), plus what `deno compile --include` embeds. */
function readGrants(line: string): Grant {
  const paths: string[] = [];
  const words = line.split(/\s+/);
  for (let k = 0; k < words.length; k++) {
    const [flag, value] = splitFlag(words[k]);
    if (flag === "-A" || flag === "--allow-all") return true;
    if (flag === "-R" || flag === "--allow-read") {
      if (value === undefined) return true;
      paths.push(...value.split(","));
    }
    if (flag === "--include") paths.push(value ?? words[++k]);
    if (flag === "-P" || flag === "--permission-set") {
      const grant = setRead(value ?? "default");
      if (grant === true) return true;
      paths.push(...grant);
    }
  }
  return paths;
}

function splitFlag(word: string): [string, string | undefined] {
  const at = word.indexOf("=");
  return at < 0 ? [word, undefined] : [word.slice(0, at), word.slice(at + 1)];
}

/** Repository-relative form of a granted path, or null for one outside the repository. */
function inRepo(path: string): string | null {
  const root = Deno.realPathSync(ROOT);
  const absolute = path.startsWith("/") ? path : `${root}/${path}`;
  const normal = new URL(`file://${absolute}`).pathname.replace(/\/+$/, "");
  if (normal === root) return "";
  return normal.startsWith(`${root}/`) ? normal.slice(root.length + 1) : null;
}

/** Files in a granted repository folder that are build-time code. */
async function buildTimeFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(`${dir}/`, ROOT))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await visit(path);
      else if (entry.name.endsWith(".patch")) found.push(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        const text = await Deno.readTextFile(new URL(path, ROOT));
        if (/from\s+["'][./]*setup\//.test(text) || /import\(["'][./]*setup\//.test(text)) found.push(path);
      }
    }
  };
  const stat = await Deno.stat(new URL(folder, ROOT)).catch(() => null);
  if (stat?.isDirectory) await visit(folder);
  return found;
}

for (const task of RUNTIME_TASKS) {
  Deno.test(`deno task ${task} grants no read access to build-time code (setup/ or a folder holding it)`, async () => {
    const grants = readGrants(command(task));
    assert.notEqual(grants, true, `'${task}' grants read access to every file, setup/ included`);
    const paths = grants as string[];
    assert.ok(paths.length > 0, `'${task}' grants no read access at all: this test no longer sees its permissions`);
    for (const path of paths) {
      const relative = inRepo(path);
      if (relative === null) continue;
      const holdsSetup = relative === "" || BUILD_TIME.startsWith(`${relative}/`);
      const insideSetup = relative === BUILD_TIME || relative.startsWith(`${BUILD_TIME}/`);
      assert.ok(!holdsSetup && !insideSetup, `'${task}' grants '${path}', which is or holds ${BUILD_TIME}/`);
      if (relative === "node_modules" || relative.startsWith("node_modules/")) continue;
      assert.deepEqual(await buildTimeFiles(relative), [], `'${task}' grants '${path}', which holds build-time code`);
    }
  });
}

Deno.test("the permission check sees grants in every form a task can write them", () => {
  assert.equal(readGrants("deno run -A main.ts"), true);
  assert.equal(readGrants("deno run --allow-read main.ts"), true);
  assert.deepEqual(readGrants("deno run --allow-read=tools,setup main.ts"), ["tools", "setup"]);
  assert.deepEqual(readGrants("deno compile --include setup -R=a main.ts"), ["setup", "a"]);
  assert.equal(inRepo("."), "");
  assert.equal(inRepo("./setup/odbc/"), "setup/odbc");
  assert.equal(inRepo("/etc/odbcinst.ini"), null);
});
