import assert from "node:assert/strict";
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "../_sdk.ts";
import { demoSqlitePath } from "../_helpers.ts";

import { freePort, httpTaskArgs, ROOT, waitHealthy } from "./_spawn.ts";

Deno.test("deno task start:http serves MCP over Streamable HTTP with its scoped permissions and stops on SIGTERM", async () => {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: httpTaskArgs(port),
    cwd: ROOT,
    env: { DATABASE_URI: `sqlite://${await demoSqlitePath()}`, MCP_AUTH_TOKEN: "s3cret-token-for-test" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = new Response(child.stdout).text();
  try {
    const url = new URL(`http://127.0.0.1:${port}/mcp`);
    await waitHealthy(port);
    const refused = await fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
    const client = new Client({ name: "http-main-test", version: "0" });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { Authorization: "Bearer s3cret-token-for-test" } },
      }),
    );
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 6, `${tools.length} tools`); // the six base tools plus the tool families
    const r = await client.callTool({ name: "base_readQuery", arguments: { sql: "SELECT count(*) FROM regions" } }) as
      & CallToolResult
      & { structuredContent?: { rows: unknown[][] } };
    assert.equal(r.isError, undefined);
    assert.ok(Number(r.structuredContent!.rows[0][0]) > 0);
    await client.close();
  } finally {
    child.kill("SIGTERM");
  }
  const [status, log] = await Promise.all([child.status, stderr, stdout]);
  assert.equal(status.code, 0);
  assert.match(log, /serving \d+ tools, 1 resource, 2 prompts over Streamable HTTP/); // the schema template and the two prompts
  assert.match(log, /stopped; pool closed/);
  assert.equal(log.includes("s3cret-token-for-test"), false, "the token never reaches the log");
});
