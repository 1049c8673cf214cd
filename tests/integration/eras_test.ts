/**
 * Both protocol eras on every endpoint, with the client real users run (`@modelcontextprotocol/client` v2): in its
 * `legacy` mode (2025-11-25, `initialize`), `auto` mode (probes `server/discover`) and pinned to 2026-07-28, over
 * stdio and over Streamable HTTP, the real server lists and calls every tool, reads every resource and prompt, and
 * completes a prompt argument, on the demo database.
 * @module
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, StdioClientTransport, StreamableHTTPClientTransport } from "../_sdk.ts";
import { demoSqlitePath } from "../_helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MODES = [
  { label: "legacy", mode: "legacy", protocol: "2025-11-25" },
  { label: "auto", mode: "auto", protocol: "2026-07-28" },
  { label: "pinned 2026-07-28", mode: { pin: "2026-07-28" }, protocol: "2026-07-28" },
] as const;

/** A deno task's command line from deno.json, with the real entry point. */
function taskArgs(task: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks[task].command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Arguments for a tool's required parameters, on the demo data. */
const DEMO_ARGS: Record<string, unknown> = {
  sql: "SELECT 6*7 AS answer",
  table_name: "stores",
  column_name: "store_id",
};

function clientFor(mode: typeof MODES[number]["mode"]): Client {
  return new Client(
    { name: "tdmcp-eras-test", version: "0" },
    { versionNegotiation: { mode } },
  );
}

/** Everything a client can reach, checked call by call. */
async function exercise(client: Client, protocol: string): Promise<void> {
  assert.equal(client.getNegotiatedProtocolVersion(), protocol);
  const { tools } = await client.listTools();
  assert.ok(tools.length >= 15, `${tools.length} tools`);
  for (const tool of tools) {
    const required = (tool.inputSchema.required ?? []) as string[];
    const args = Object.fromEntries(required.map((name) => [name, DEMO_ARGS[name]]));
    assert.ok(required.every((name) => name in DEMO_ARGS), `${tool.name} needs ${required}`);
    const result = await client.callTool({ name: tool.name, arguments: args }) as CallToolResult;
    const text = result.content.map((c) => c.type === "text" ? c.text : "").join("\n");
    assert.notEqual(result.isError, true, `${tool.name}: ${text}`);
    if (tool.outputSchema) assert.equal(typeof result.structuredContent, "object", `${tool.name} structured output`);
  }
  const answer = await client.callTool({ name: "base_readQuery", arguments: { sql: "SELECT 6*7 AS answer" } });
  assert.deepEqual((answer.structuredContent as { rows: unknown[][] }).rows.length, 1);
  // A statement the database rejects is a tool result with isError, not a protocol error.
  const failed = await client.callTool({ name: "base_readQuery", arguments: { sql: "SELECT * FROM no_such_table" } });
  assert.equal(failed.isError, true);
  // Arguments the schema refuses are a tool error the agent can read, too.
  const invalid = await client.callTool({ name: "base_readQuery", arguments: { sql: 42 } });
  assert.equal(invalid.isError, true);
  const { resources } = await client.listResources();
  assert.ok(resources.length > 0);
  for (const resource of resources) {
    const read = await client.readResource({ uri: resource.uri });
    assert.ok(read.contents.length > 0, resource.uri);
  }
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.ok(resourceTemplates.length > 0);
  await assert.rejects(client.readResource({ uri: "schema://main/no_such_table" }));
  const { prompts } = await client.listPrompts();
  for (const prompt of prompts) {
    const args = Object.fromEntries(
      (prompt.arguments ?? []).filter((a) => a.required).map((a) => [a.name, "stores"]),
    );
    const got = await client.getPrompt({ name: prompt.name, arguments: args });
    assert.ok(got.messages.length > 0, prompt.name);
  }
  const completion = await client.complete({
    ref: { type: "ref/prompt", name: "profile_table_quality" },
    argument: { name: "table", value: "sto" },
  });
  assert.ok(completion.completion.values.includes("stores"), JSON.stringify(completion.completion.values));
  // Progress reaches a client that asked for it: the server's heartbeat, every second of a call (this one takes
  // several seconds on SQLite).
  const progress: number[] = [];
  await client.callTool(
    {
      name: "base_readQuery",
      arguments: {
        sql:
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000000) SELECT count(*) FROM n",
      },
    },
    { onprogress: (p) => void progress.push(p.progress), timeout: 60_000 },
  );
  assert.ok(progress.length > 0, "progress notifications");
}

for (const { label, mode, protocol } of MODES) {
  Deno.test(`stdio, v2 client ${label}: every tool, resource, template and prompt; completion and progress`, async () => {
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: taskArgs("start").map((w) => w === "main.ts" ? `${ROOT}main.ts` : w),
      cwd: ROOT,
      env: { PATH: Deno.env.get("PATH") ?? "", DATABASE_URI: `sqlite://${await demoSqlitePath()}` },
      stderr: "ignore",
    });
    const client = clientFor(mode);
    await client.connect(transport);
    try {
      await exercise(client, protocol);
    } finally {
      await client.close();
    }
  });

  Deno.test(`HTTP, v2 client ${label}: every tool, resource, template and prompt; completion and progress`, async () => {
    const port = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: taskArgs("start:http").map((w) => w.replace("127.0.0.1:8001", `127.0.0.1:${port}`)).concat([
        "--port",
        String(port),
      ]),
      cwd: ROOT,
      env: { DATABASE_URI: `sqlite://${await demoSqlitePath()}` },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let ready = false;
      for (let i = 0; i < 200 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => {
          await r.body?.cancel();
          return r.ok;
        }, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(ready, "the server answered /healthz");
      const client = clientFor(mode);
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      try {
        await exercise(client, protocol);
      } finally {
        await client.close();
      }
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  });
}
