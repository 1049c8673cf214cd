/**
 * Patches the installed MCP SDK (1.32.x) after `deno install`: its server
 * module imports ajv (and ajv-formats) at load time, about 70 ms of tdmcp's
 * ~400 ms start (measured, BENCHMARKS.md), only to validate the answers of
 * `Server.elicitInput()`. tdmcp never calls that (tools elicit through
 * `extra.sendRequest` with the SDK's result schema, server/context.ts), so
 * the patch drops the import; a server that did call it would get an error
 * saying so, never an unvalidated answer. Run by `deno task setup`; the
 * pristine file is kept as `index.js.orig` (setup/odbc/patch_files.ts).
 * @module
 */
import { type Patch, patchFile } from "./odbc/patch_files.ts";

const PATCHES: Patch[] = [
  {
    original: `import { AjvJsonSchemaValidator } from '../validation/ajv-provider.js';\n`,
    patched: `// tdmcp patch (setup/patch_sdk.ts): ajv is not loaded at start-up; tdmcp never calls elicitInput().
const AJV_NOT_LOADED = {
    getValidator() {
        throw new Error('elicitInput() needs options.jsonSchemaValidator: tdmcp does not load ajv (setup/patch_sdk.ts)');
    }
};
`,
  },
  {
    original: `options?.jsonSchemaValidator ?? new AjvJsonSchemaValidator();`,
    patched: `options?.jsonSchemaValidator ?? AJV_NOT_LOADED; // tdmcp patch`,
  },
];

/** The SDK's ESM server module in this project's node_modules. */
export function sdkServerModule(): string {
  const link = new URL("../node_modules/@modelcontextprotocol/sdk/dist/esm/server/index.js", import.meta.url);
  return Deno.realPathSync(link);
}

/** Applies the patch (idempotent); returns whether the file changed. */
export function patchSdk(path = sdkServerModule()): boolean {
  return patchFile(path, PATCHES);
}

if (import.meta.main) {
  const changed = patchSdk();
  Deno.stderr.writeSync(new TextEncoder().encode(`[patch_sdk] MCP SDK: ${changed ? "patched" : "already"}\n`));
}
