import assert from "node:assert/strict";
import { sdkServerModule } from "../../setup/patch_sdk.ts";

Deno.test("the installed MCP SDK server module no longer imports ajv at load time (deno task setup ran setup/patch_sdk.ts)", async () => {
  const text = await Deno.readTextFile(sdkServerModule());
  assert.ok(!text.includes("from '../validation/ajv-provider.js'"));
  assert.ok(text.includes("options?.jsonSchemaValidator ?? AJV_NOT_LOADED"));
});
