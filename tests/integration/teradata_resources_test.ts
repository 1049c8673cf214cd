/**
 * The live Teradata suite for the schema resources and the prompts: runs only
 * when TERADATA_TEST_URI is set, e.g.
 * `TERADATA_TEST_URI=teradata://user:pass@host/db deno task test tests/integration/teradata_resources_test.ts`
 * (with the Teradata ODBC driver installed; name it with ODBC_DRIVER). It reads only the DBC dictionary.
 */
import assert from "node:assert/strict";
import { connectCatalog } from "../tools/_resources_client.ts";
import { liveTeradata } from "./_teradata_live.ts";

const live = liveTeradata(connectCatalog);

live("resources/list returns bounded pages and a cursor that continues after the last table", async (c) => {
  const first = await c.client.listResources();
  assert.ok(first.resources.length > 0 && first.resources.length <= 100);
  if (first.nextCursor) {
    const second = await c.client.listResources({ cursor: first.nextCursor });
    assert.ok(second.resources.length > 0 && second.resources.length <= 100);
    assert.ok(!second.resources.some((r) => first.resources.some((f) => f.uri === r.uri)), "pages do not overlap");
  }
});

live("the schema of a listed table and of a DBC view, with types for both", async (c) => {
  const { resources } = await c.client.listResources();
  const listed = resources.find((r) => r.title?.endsWith("(table)"));
  if (listed) {
    const table = JSON.parse(await c.readText(listed.uri));
    assert.equal(table.kind, "table");
    assert.ok(table.columns.length > 0 && table.columns.every((col: { type: string | null }) => col.type !== null));
  }
  const view = JSON.parse(await c.readText("schema://DBC/DBCInfoV"));
  assert.equal(view.kind, "view");
  assert.ok(view.columns.every((col: { type: string | null }) => col.type !== null), JSON.stringify(view.columns));
  await assert.rejects(() => c.client.readResource({ uri: "schema://DBC/DBCInfoVV" }), /similar: DBCInfoV/);
});

live("completions and prompts on the DBC database", async (c) => {
  assert.ok((await c.completeSchema("database", "DB")).includes("DBC"));
  assert.ok((await c.completeSchema("table", "DBCInfo", { database: "DBC" })).includes("DBCInfoV"));
  const explore = await c.client.getPrompt({ name: "explore_database", arguments: { database: "DBC" } });
  assert.match((explore.messages[1].content as { text: string }).text, /DBCInfoV/);
  const profile = await c.client.getPrompt({ name: "profile_table_quality", arguments: { table: "DBC.DBCInfoV" } });
  assert.equal(profile.messages[0].content.type, "resource");
});
