import assert from "node:assert/strict";
import { applySeries, readPatches } from "../../setup/patch_files.ts";
import { SDK_PATCHES_DIR, sdkRoot, sdkServerModule } from "../../setup/patch_sdk.ts";

Deno.test("the installed MCP SDK server module no longer imports ajv at load time (deno task setup ran setup/patch_sdk.ts)", async () => {
  const text = await Deno.readTextFile(sdkServerModule());
  assert.ok(!text.includes("from '../validation/ajv-provider.js'"));
  assert.ok(text.includes("options?.jsonSchemaValidator ?? AJV_NOT_LOADED"));
});

Deno.test("the SDK patch applies cleanly to the pristine server module and reproduces the installed one", async () => {
  const root = sdkRoot();
  const texts = applySeries(readPatches(SDK_PATCHES_DIR), (path) => Deno.readTextFileSync(`${root}${path}.orig`));
  assert.deepEqual([...texts.keys()], ["dist/esm/server/index.js"]);
  assert.equal(texts.get("dist/esm/server/index.js"), await Deno.readTextFile(sdkServerModule()));
});
