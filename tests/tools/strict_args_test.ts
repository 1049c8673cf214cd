/**
 * Tool arguments are strict: an argument a tool does not declare is an error
 * that names the accepted ones, whether the tool is called directly or
 * through execute_tool (progressive disclosure), and tools/list says so with
 * `additionalProperties: false`. Before, unknown arguments were dropped and
 * the call ran with defaults the agent had not asked for.
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { createServer } from "../../server/create.ts";
import { loadTools } from "../../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../../server/paths.ts";
import { connectClient, demoSqlitePath, testDatabase, textOf } from "../_helpers.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";

Deno.test("a direct call with an unknown argument fails, naming the argument and the accepted ones", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const r = await c.call("base_tableList", { database_name: "main", no_such_thing: 1 });
  assert.equal(r.isError, true);
  assert.match(textOf(r), /base_tableList has no argument 'no_such_thing'; it accepts: database_name, name_filter/);
  const none = await c.call("dba_databaseVersion", { verbose: true });
  assert.match(textOf(none), /dba_databaseVersion has no argument 'verbose'; it accepts: no arguments/);
});

Deno.test("tools/list advertises every tool's input as closed (additionalProperties: false)", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const { tools } = await c.client.listTools();
  assert.ok(tools.length > 20);
  for (const tool of tools) {
    assert.equal((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties, false, tool.name);
  }
});

Deno.test("execute_tool checks the same strict schema and search_tools shows it", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const tools = (await loadTools([BUILTIN_TOOLS_DIR])).map((l) => l.tool);
  const server = createServer({
    db,
    tools,
    limits: { defaultRows: 100, maxRows: 1000, timeoutMs: 30_000, maxTimeoutMs: 60_000 },
    log: getLogger(["tdmcp", "test"]),
    disclosure: "progressive",
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "strict-test", version: "0" });
  await client.connect(clientSide);
  try {
    const bad = await client.callTool({
      name: "execute_tool",
      arguments: { name: "base_tableList", arguments: { database_name: "main", dbname: "x" } },
    });
    assert.equal(bad.isError, true);
    const text = (bad.content as { text: string }[])[0].text;
    assert.match(text, /Invalid arguments for base_tableList: .*base_tableList has no argument 'dbname'/s);
    assert.match(text, /"additionalProperties":false/);
    const good = await client.callTool({
      name: "execute_tool",
      arguments: { name: "base_tableList", arguments: { database_name: "main" } },
    });
    assert.equal(good.isError, undefined, JSON.stringify(good.content));
    const stray = await client.callTool({ name: "execute_tool", arguments: { name: "base_tableList", args: {} } });
    assert.equal(stray.isError, true, "execute_tool's own arguments are strict too");
  } finally {
    await client.close();
    await server.close();
  }
});
