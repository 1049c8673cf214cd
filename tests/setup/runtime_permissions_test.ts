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

type PermissionSets = DenoConfig["permissions"];

function setRead(sets: PermissionSets, name: string): Grant {
  const set = sets?.[name];
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
function readGrants(line: string, sets: PermissionSets = config.permissions): Grant {
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
      const grant = setRead(sets, value ?? "default");
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

/** A granted path made absolute (relative ones are relative to the repository) and normalized, without a trailing slash. */
function absolute(path: string): string {
  const root = Deno.realPathSync(ROOT);
  return new URL(`file://${path.startsWith("/") ? path : `${root}/${path}`}`).pathname.replace(/\/+$/, "");
}

/** Repository-relative form of a granted path, or null for one outside the repository. */
function inRepo(path: string): string | null {
  const root = Deno.realPathSync(ROOT);
  const normal = absolute(path);
  if (normal === root) return "";
  return normal.startsWith(`${root}/`) ? normal.slice(root.length + 1) : null;
}

/** Whether a granted path is setup/, inside it, or a folder that holds it (the repository, or any parent of it). */
function touchesSetup(path: string): boolean {
  const setup = `${Deno.realPathSync(ROOT)}/${BUILD_TIME}`;
  const normal = absolute(path);
  return normal === setup || normal.startsWith(`${setup}/`) || setup.startsWith(`${normal}/`);
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

/** Why each granted path would let a runtime task read build-time code (empty: none does). */
async function problems(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const relative = inRepo(path);
    if (touchesSetup(path)) found.push(`'${path}' is or holds ${BUILD_TIME}/`);
    else if (relative !== null && relative !== "node_modules" && !relative.startsWith("node_modules/")) {
      for (const file of await buildTimeFiles(relative)) found.push(`'${path}' holds build-time code: ${file}`);
    }
  }
  return found;
}

for (const task of RUNTIME_TASKS) {
  Deno.test(`deno task ${task} grants no read access to build-time code (setup/ or a folder holding it)`, async () => {
    const grants = readGrants(command(task));
    assert.notEqual(grants, true, `'${task}' grants read access to every file, setup/ included`);
    const paths = grants as string[];
    assert.ok(paths.length > 0, `'${task}' grants no read access at all: this test no longer sees its permissions`);
    assert.deepEqual(await problems(paths), [], `'${task}' grants read access to build-time code`);
  });
}

Deno.test("the permission check refuses setup/, its parents, its subfolders and folders holding patches or setup imports", async () => {
  assert.deepEqual(await problems(["tools", "/etc/odbcinst.ini", "node_modules"]), []);
  const root = Deno.realPathSync(ROOT);
  for (const path of [".", "./", "setup", "setup/odbc/", "tools/../setup", root, `${root}/..`, "/"]) {
    assert.deepEqual(await problems([path]), [`'${path}' is or holds setup/`], path);
  }
  assert.ok((await problems(["tests/setup"])).some((p) => p.includes("tests/setup/patch_odbc_test.ts")));
});

Deno.test("the permission check sees grants in every form a task can write them", () => {
  assert.equal(readGrants("deno run -A main.ts"), true);
  assert.equal(readGrants("deno run --allow-read main.ts"), true);
  assert.deepEqual(readGrants("deno run --allow-read=tools,setup main.ts"), ["tools", "setup"]);
  assert.deepEqual(readGrants("deno compile --include setup -R=a main.ts"), ["setup", "a"]);
  const sets = { default: { read: ["tools"] }, build: { read: { allow: ["setup"] } }, all: { read: true } };
  assert.deepEqual(readGrants("deno run -P main.ts", sets), ["tools"]);
  assert.deepEqual(readGrants("deno run --permission-set=build main.ts", sets), ["setup"]);
  assert.equal(readGrants("deno run -P=all main.ts", sets), true);
  assert.equal(inRepo("."), "");
  assert.equal(inRepo("./setup/odbc/"), "setup/odbc");
  assert.equal(inRepo("/etc/odbcinst.ini"), null);
});
