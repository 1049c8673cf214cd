/**
 * Patches the installed MCP SDK (1.32.x) after `deno install` with
 * `sdk/patches/01-no-ajv-at-load.patch`: its server module imports ajv (and
 * ajv-formats) at load time, about 70 ms of tdmcp's ~400 ms start (measured,
 * BENCHMARKS.md), only to validate the answers of `Server.elicitInput()`.
 * tdmcp never calls that (tools elicit through `extra.sendRequest` with the
 * SDK's result schema, server/context.ts), so the patch drops the import; a
 * server that did call it would get an error saying so, never an unvalidated
 * answer. Run by `deno task setup`; the pristine file is kept as
 * `index.js.orig` (patch_files.ts). No build step, so no marker: every run
 * re-applies the series and writes only when the result differs.
 * @module
 */
import { patchPackage, readPatches } from "./patch_files.ts";

/** The folder holding the SDK's patch series. */
export const SDK_PATCHES_DIR: URL = new URL("./sdk/patches/", import.meta.url);

/** The SDK package's real folder in this project's node_modules (ending in `/`). */
export function sdkRoot(): string {
  return `${Deno.realPathSync(new URL("../node_modules/@modelcontextprotocol/sdk/", import.meta.url))}/`;
}

/** The SDK's ESM server module, the one file the series changes. */
export function sdkServerModule(): string {
  return `${sdkRoot()}dist/esm/server/index.js`;
}

/** Applies the series (idempotent); returns whether a file changed. */
export function patchSdk(root: string = sdkRoot()): boolean {
  return patchPackage(root, readPatches(SDK_PATCHES_DIR)).length > 0;
}

if (import.meta.main) {
  const changed = patchSdk();
  Deno.stderr.writeSync(new TextEncoder().encode(`[patch_sdk] MCP SDK: ${changed ? "patched" : "already"}\n`));
}
