/**
 * Both protocol eras on every endpoint, with the client real users run (`@modelcontextprotocol/client` v2): in its
 * `legacy` mode (2025-11-25, `initialize`), `auto` mode (probes `server/discover`) and pinned to 2026-07-28, over
 * stdio and over Streamable HTTP, the real server lists and calls every tool, reads every resource and prompt, and
 * completes a prompt argument, on the demo database.
 * @module
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, StdioClientTransport, StreamableHTTPClientTransport } from "../_sdk.ts";
import { demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import { freePort, httpTaskArgs, ROOT, taskArgs, waitHealthy } from "./_spawn.ts";

const MODES = [
  { label: "legacy", mode: "legacy", protocol: "2025-11-25" },
  { label: "auto", mode: "auto", protocol: "2026-07-28" },
  { label: "pinned 2026-07-28", mode: { pin: "2026-07-28" }, protocol: "2026-07-28" },
] as const;

/** One database the clients meet: its URI, arguments for the tools' required parameters, a statement of seconds. */
interface Target {
  label: string;
  uri: () => Promise<string | undefined>;
  args: Record<string, unknown>;
  /** A prompt argument prefix and the completion it must offer (undefined: not checked on this target). */
  complete?: { value: string; expect: string };
  slowSql: string;
}

const SQLITE: Target = {
  label: "SQLite",
  uri: async () => `sqlite://${await demoSqlitePath()}`,
  args: { sql: "SELECT 6*7 AS answer", table_name: "stores", column_name: "store_id" },
  complete: { value: "sto", expect: "stores" },
  // Several seconds on SQLite: the server's progress heartbeat beats every second of a call.
  slowSql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000000) SELECT count(*) FROM n",
};

const POSTGRES: Target = {
  label: "PostgreSQL",
  uri: demoPostgresUri,
  args: {
    sql: "SELECT 6*7 AS answer",
    table_name: `${PG_DEMO_SCHEMA}.stores`,
    column_name: "store_id",
    user_name: "postgres",
    role_name: "pg_read_all_data",
  },
  slowSql: "SELECT pg_sleep(2.5) IS NULL AS slept",
};

function clientFor(mode: typeof MODES[number]["mode"]): Client {
  return new Client(
    { name: "tdmcp-eras-test", version: "0" },
    { versionNegotiation: { mode } },
  );
}

/** Everything a client can reach, checked call by call. */
async function exercise(client: Client, protocol: string, target: Target): Promise<void> {
  const DEMO_ARGS = target.args;
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
      (prompt.arguments ?? []).filter((a) => a.required).map((a) => [a.name, String(target.args.table_name)]),
    );
    const got = await client.getPrompt({ name: prompt.name, arguments: args });
    assert.ok(got.messages.length > 0, prompt.name);
  }
  if (target.complete) {
    const completion = await client.complete({
      ref: { type: "ref/prompt", name: "profile_table_quality" },
      argument: { name: "table", value: target.complete.value },
    });
    const values = completion.completion.values;
    assert.ok(values.includes(target.complete.expect), JSON.stringify(values));
  }
  // Progress reaches a client that asked for it: the server's heartbeat, every second of a call.
  const progress: number[] = [];
  await client.callTool(
    { name: "base_readQuery", arguments: { sql: target.slowSql } },
    { onprogress: (p) => void progress.push(p.progress), timeout: 60_000 },
  );
  assert.ok(progress.length > 0, "progress notifications");
}

const CASES = [
  ...MODES.map((mode) => ({ ...mode, target: SQLITE })),
  // The PostgreSQL tools too (more of them), with the client as a 2026-era host runs it.
  { ...MODES[2], target: POSTGRES },
];

for (const { label: modeLabel, mode, protocol, target } of CASES) {
  const label = `${modeLabel}, ${target.label}`;
  const ignore = target === POSTGRES && !pgUri();
  const what = "every tool, resource, template and prompt; completion and progress";

  Deno.test({
    name: `stdio, v2 client ${label}: ${what}`,
    ignore,
    async fn() {
      const transport = new StdioClientTransport({
        command: Deno.execPath(),
        args: taskArgs("start"),
        cwd: ROOT,
        env: { PATH: Deno.env.get("PATH") ?? "", DATABASE_URI: (await target.uri())!, ALLOW_SUPERUSER: "true" },
        stderr: "ignore",
      });
      const client = clientFor(mode);
      await client.connect(transport);
      try {
        await exercise(client, protocol, target);
      } finally {
        await client.close();
      }
    },
  });

  Deno.test({
    name: `HTTP, v2 client ${label}: ${what}`,
    ignore,
    async fn() {
      const port = freePort();
      const child = new Deno.Command(Deno.execPath(), {
        args: httpTaskArgs(port),
        cwd: ROOT,
        env: { DATABASE_URI: (await target.uri())!, ALLOW_SUPERUSER: "true" },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        await waitHealthy(port);
        const client = clientFor(mode);
        await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
        try {
          await exercise(client, protocol, target);
        } finally {
          await client.close();
        }
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
    },
  });
}
