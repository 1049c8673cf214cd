/**
 * Patches and rebuilds the npm:odbc addon (2.6.0) after `deno install`: the
 * unified diffs in `patches/` (`01-…` to `12-…`, applied in order; what each
 * does and why: docs/setup.md and each file's header) are applied to the
 * package's pristine sources, then node-gyp rebuilds the addon once.
 *
 * Idempotent: a marker file named after the patch series records the
 * patched build, so a later run is instant and any change to a patch file
 * rebuilds once; processes that find the series changed at the same time
 * build one after the other (build_lock.ts). Run by `deno task setup`.
 * @module
 */
import { createRequire } from "node:module";
import { withLock } from "../build_lock.ts";
import { type PatchFile, patchPackage, readPatches, seriesId } from "../patch_files.ts";

/** The package version the patches were written for. */
export const ODBC_VERSION = "2.6.0";

/** The folder holding the addon's patch series. */
export const PATCHES_DIR: URL = new URL("./patches/", import.meta.url);

const MARKER_PREFIX = ".tdmcp-odbc-patches-";

/** The marker file (in the package folder) that records a build with this series. */
export async function markerName(patches: readonly PatchFile[]): Promise<string> {
  return `${MARKER_PREFIX}${await seriesId(patches)}`;
}

/** The installed odbc package's real folder (ending in `/`); Deno links node_modules/odbc into node_modules/.deno. */
export function odbcRoot(): string {
  const require = createRequire(import.meta.url);
  return Deno.realPathSync(require.resolve("odbc/package.json")).slice(0, -"package.json".length);
}

/** Applies the series to the package's sources under `root`, from their pristine text; returns the files changed. */
export function patchSources(root: string, patches: readonly PatchFile[] = readPatches(PATCHES_DIR)): string[] {
  const { version } = JSON.parse(Deno.readTextFileSync(`${root}package.json`));
  if (version !== ODBC_VERSION) {
    throw new Error(
      `${root} holds odbc ${version}, but setup/odbc/patches/ were written for odbc ${ODBC_VERSION}: ` +
        `pin "odbc": "npm:odbc@${ODBC_VERSION}" in deno.json, or update the patches`,
    );
  }
  return patchPackage(root, patches);
}

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[patch_odbc] ${text}\n`));
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Patches the installed package and rebuilds the addon unless this series was built already; returns what it did. */
export async function patchOdbc(root: string = odbcRoot()): Promise<"already" | "patched"> {
  const patches = readPatches(PATCHES_DIR);
  const marker = `${root}${await markerName(patches)}`;
  const built = () => exists(marker) && exists(`${root}lib/bindings/napi-v8/odbc.node`);
  if (built()) return "already";
  return await withLock(`${root}.tdmcp-odbc-build.lock`, async () => {
    if (built()) return "already"; // another process built this series while we waited
    await rebuild(root, patches, marker);
    return "patched";
  }, { onWait: () => say("another process is rebuilding the addon: waiting for it") });
}

async function rebuild(root: string, patches: readonly PatchFile[], marker: string): Promise<void> {
  // Markers of other series no longer describe the build once the sources change.
  for (const entry of Deno.readDirSync(root)) {
    if (entry.name.startsWith(MARKER_PREFIX)) Deno.removeSync(`${root}${entry.name}`);
  }
  patchSources(root, patches);
  say(`rebuilding ${root} with ${patches.length} patches (about 15 s)`);
  const build = await new Deno.Command("node-gyp", {
    args: ["rebuild", "--", "-Dnapi_build_version=8", "-Dmodule_name=odbc", "-Dmodule_path=lib/bindings/napi-v8"],
    cwd: root,
    env: { npm_config_nodedir: Deno.env.get("npm_config_nodedir") ?? "/usr" },
    // stdout may be a JSON-RPC channel (`deno task start` runs setup first): build output goes to stderr.
    stdout: "piped",
    stderr: "inherit",
  }).output();
  Deno.stderr.writeSync(build.stdout);
  if (!build.success) {
    throw new Error(`node-gyp rebuild failed (exit ${build.code}); node-gyp, g++ and unixodbc-dev are needed`);
  }
  Deno.writeTextFileSync(marker, "patched\n");
}

if (import.meta.main) {
  say(`odbc addon: ${await patchOdbc()}`);
}
