/**
 * Resources, resource templates and prompts as tools-as-code, and the client
 * channel tools use (log messages at the client's level, sampling,
 * elicitation) — through the SDK client, with the conformance fixtures.
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { createServer } from "../../server/create.ts";
import { loadCatalog, loadTools } from "../../server/loader.ts";
import { demoSqlitePath, testDatabase, textOf } from "../_helpers.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";

const FIXTURES = new URL("../conformance/fixtures", import.meta.url).pathname;
const LIMITS = { defaultRows: 100, maxRows: 1000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };

async function connect(capabilities: Record<string, object> = {}) {
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const catalog = await loadCatalog([FIXTURES]);
  const server = createServer({ db, ...catalog, limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "catalog-test", version: "0" }, { capabilities });
  return {
    client,
    start: () => client.connect(clientSide),
    call: (name: string, args: Record<string, unknown> = {}) =>
      client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
      await db.close();
    },
  };
}

Deno.test("one folder can hold tools, resources, a resource template and prompts; each lands in its kind", async () => {
  const catalog = await loadCatalog([FIXTURES]);
  assert.equal(catalog.tools.length, 14);
  assert.deepEqual(catalog.resources.map((r) => r.uri), [
    "test://static-binary",
    "test://static-text",
    "test://watched-resource",
  ]);
  assert.deepEqual(catalog.resourceTemplates.map((t) => t.uriTemplate), ["test://template/{id}/data"]);
  assert.deepEqual(catalog.prompts.map((p) => p.name), [
    "test_prompt_with_arguments",
    "test_prompt_with_embedded_resource",
    "test_prompt_with_image",
    "test_simple_prompt",
  ]);
  assert.equal((await loadTools([FIXTURES])).length, 14, "loadTools returns the tools only");
});

Deno.test("the loader names the bad resource or prompt file and the shape it expected", async () => {
  const resource = (name: string, fields: string) =>
    `import { defineResource } from "tdmcp/plugin";
export default defineResource({ name: "${name}", title: "T", description: "D", mimeType: "text/plain",
  dialects: ["sqlite"], read: () => Promise.resolve([]), ${fields} });`;
  const cases: [string, string, RegExp][] = [
    [
      "bad_uri",
      resource("bad_uri", 'uri: "not a uri"'),
      /bad_uri\.ts: 'uri' "not a uri" is not a URI; expected export default defineResource\(/,
    ],
    ["other", resource("wrong", 'uri: "x://y"'), /other\.ts: 'name' is "wrong" but must equal the file stem "other"/],
    [
      "bad_watch",
      resource("bad_watch", 'uri: "x://y", watch: 3'),
      /bad_watch\.ts: 'watch' must be a function when given/,
    ],
    [
      "no_var",
      `import { defineResourceTemplate } from "tdmcp/plugin";
export default defineResourceTemplate({ name: "no_var", uriTemplate: "x://fixed", title: "T", description: "D",
  mimeType: "text/plain", dialects: ["sqlite"], read: () => Promise.resolve([]) });`,
      /no_var\.ts: 'uriTemplate' "x:\/\/fixed" has no \{variable\}/,
    ],
    [
      "quiet_arg",
      `import { z } from "zod";
import { definePrompt } from "tdmcp/plugin";
export default definePrompt({ name: "quiet_arg", title: "T", description: "D", arguments: { table: z.string() },
  dialects: ["sqlite"], get: () => [] });`,
      /quiet_arg\.ts: 'arguments\.table' has no \.describe\(\.\.\.\) text for the agent; expected export default definePrompt\(/,
    ],
    ["odd_kind", `export default { kind: "widget", name: "odd_kind" };`, /odd_kind\.ts: 'kind' is "widget"; known: /],
  ];
  for (const [stem, source, expected] of cases) {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/${stem}.ts`, source);
      await assert.rejects(() => loadCatalog([dir]), expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("resources read as text and base64, templates substitute their variables, prompts complete and expand", async () => {
  await using c = await connect();
  await c.start();
  const { resources } = await c.client.listResources();
  assert.deepEqual(resources.map((r) => r.uri).sort(), [
    "test://static-binary",
    "test://static-text",
    "test://watched-resource",
  ]);
  const binary = await c.client.readResource({ uri: "test://static-binary" });
  const blob = (binary.contents[0] as { blob: string }).blob;
  assert.deepEqual([...atob(blob).slice(1, 4)], ["P", "N", "G"]);
  const { resourceTemplates } = await c.client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["test://template/{id}/data"]);
  const data = await c.client.readResource({ uri: "test://template/42/data" });
  assert.deepEqual(JSON.parse((data.contents[0] as { text: string }).text), {
    id: "42",
    templateTest: true,
    data: "Data for ID: 42",
  });
  const completion = await c.client.complete({
    ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
    argument: { name: "arg1", value: "par" },
  });
  assert.deepEqual(completion.completion.values, ["paris", "park", "party"]);
  const prompt = await c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a", arg2: "b" } });
  assert.deepEqual(prompt.messages[0].content, { type: "text", text: "Prompt with arguments: arg1='a', arg2='b'" });
  await assert.rejects(
    () => c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a" } }),
    /arg2/,
  );
});

Deno.test("a subscribed resource sends updates until unsubscribed; others refuse a subscription by name", async () => {
  await using c = await connect();
  const updates: string[] = [];
  c.client.setNotificationHandler("notifications/resources/updated", (n) => {
    updates.push(n.params.uri);
  });
  await c.start();
  assert.equal(c.client.getServerCapabilities()?.resources?.subscribe, true);
  await c.client.subscribeResource({ uri: "test://watched-resource" });
  for (let i = 0; i < 50 && updates.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(updates.slice(0, 2), ["test://watched-resource", "test://watched-resource"]);
  await c.client.unsubscribeResource({ uri: "test://watched-resource" });
  const seen = updates.length;
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(updates.length, seen, "no update after unsubscribing");
  await assert.rejects(
    () => c.client.subscribeResource({ uri: "test://static-text" }),
    /test:\/\/static-text cannot be subscribed to; subscribable: test:\/\/watched-resource/,
  );
});

Deno.test("a tool's log messages reach the client at or above the level it set, in order", async () => {
  await using c = await connect();
  const messages: string[] = [];
  c.client.setNotificationHandler("notifications/message", (n) => {
    messages.push(`${n.params.level} ${n.params.logger} ${n.params.data}`);
  });
  await c.start();
  await c.call("test_tool_with_logging");
  assert.deepEqual(messages, [
    "info tdmcp.test_tool_with_logging Tool execution started",
    "info tdmcp.test_tool_with_logging Tool processing data",
    "info tdmcp.test_tool_with_logging Tool execution completed",
  ]);
  await c.client.setLoggingLevel("warning");
  await c.call("test_tool_with_logging");
  assert.equal(messages.length, 3, "info messages are below the level the client set");
});

Deno.test("a tool can ask the client's model (sampling) and the user (elicitation) when the client offers them", async () => {
  await using c = await connect({ sampling: {}, elicitation: {} });
  const asked: unknown[] = [];
  c.client.setRequestHandler("sampling/createMessage", (request) => {
    asked.push(request.params.messages[0].content);
    return { role: "assistant", content: { type: "text", text: "forty-two" }, model: "test-model" };
  });
  c.client.setRequestHandler("elicitation/create", (request) => {
    asked.push(request.params.message);
    return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
  });
  await c.start();
  const sampled = await c.call("test_sampling", { prompt: "What is six times seven?" });
  assert.equal(textOf(sampled), "LLM response: forty-two");
  const elicited = await c.call("test_elicitation", { message: "Who are you?" });
  assert.equal(
    textOf(elicited),
    'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
  );
  assert.deepEqual(asked, [{ type: "text", text: "What is six times seven?" }, "Who are you?"]);
});

Deno.test("sampling from a client that does not offer it is an error result that says so", async () => {
  await using c = await connect();
  await c.start();
  const result = await c.call("test_sampling", { prompt: "hello" });
  assert.equal(result.isError, true);
  assert.equal(
    textOf(result),
    "Invalid argument: the client does not offer sampling (sampling/createMessage)",
  );
});
