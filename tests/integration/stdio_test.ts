import assert from "node:assert/strict";
import { type CallToolResult, Client, StdioClientTransport } from "../_sdk.ts";
import { demoPostgresUri, demoSqlitePath, note, PG_DEMO_SCHEMA } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import { CLIENT_LINE_LIMIT_BYTES } from "../../transports/stdio.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** The same scoped permissions as `deno task start`. */
const ROOT = new URL("../..", import.meta.url).pathname;

/** The exact command line of `deno task start` (its scoped permissions), read from deno.json. */
function startTaskArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks.start.command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(!words.some((w) => w === "-A" || w === "--allow-all"), "no blanket permissions");
  return words.slice(1).map((w) => w === "main.ts" ? MAIN : w);
}
const RUN_ARGS = startTaskArgs();

/** Spawns the real server over stdio and connects the SDK client; collects its stderr. */
async function spawnServer(env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: RUN_ARGS,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/tmp", ...env },
    cwd: ROOT,
    stderr: "pipe",
  });
  const chunks: string[] = [];
  transport.stderr?.on("data", (chunk: Uint8Array) => chunks.push(new TextDecoder().decode(chunk)));
  const client = new Client({ name: "tdmcp-stdio-test", version: "0" });
  await client.connect(transport);
  return {
    client,
    stderr: () => chunks.join(""),
    /** The server process's id. */
    pid: transport.pid!,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      await client.callTool({ name, arguments: args }) as CallToolResult & {
        structuredContent?: { rows: unknown[][] };
      },
    close: () => client.close(),
  };
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => c.type === "text" ? c.text : "").join("\n");
}

Deno.test("over stdio a client lists the six tools and queries the demo database", async () => {
  const path = await demoSqlitePath();
  const server = await spawnServer({ DATABASE_URI: `sqlite://${path}`, LOGGING_LEVEL: "info" });
  try {
    const { tools } = await server.client.listTools();
    assert.ok(tools.length >= 6, `${tools.length} tools`); // the six base tools plus the tool families
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, "object");
      assert.deepEqual(Object.keys(tool.annotations ?? {}).filter((k) => k.endsWith("Hint")).sort(), [
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
      ]);
    }
    const r = await server.call("base_readQuery", { sql: "SELECT count(*) FROM regions" });
    assert.equal(r.isError, undefined, textOf(r));
    assert.ok(Number(r.structuredContent!.rows[0][0]) > 0);
  } finally {
    await server.close();
  }
  assert.match(server.stderr(), /serving \d+ tools, 1 resource, 2 prompts over stdio on sqlite/); // the schema template and the two prompts
});

Deno.test({
  name: "no password from DATABASE_URI appears in logs, errors or results over stdio",
  ignore: !pgUri(),
  async fn() {
    const uri = (await demoPostgresUri())!;
    const password = decodeURIComponent(new URL(uri).password);
    assert.ok(password.length >= 8, "the test cluster must use a password");
    const good = await spawnServer({ DATABASE_URI: uri, LOGGING_LEVEL: "debug", ALLOW_SUPERUSER: "true" });
    const seen: string[] = [];
    try {
      for (
        const [tool, args] of [
          ["base_readQuery", { sql: `SELECT count(*) FROM ${PG_DEMO_SCHEMA}.orders` }],
          ["base_readQuery", { sql: "SELECT nonsense FROM" }],
          ["base_readQuery", { sql: `SELECT '${password}' AS echoed` }],
          ["base_tableList", { database_name: PG_DEMO_SCHEMA }],
        ] as const
      ) {
        const r = await good.call(tool, args);
        seen.push(JSON.stringify(r));
      }
    } finally {
      await good.close();
    }
    // The one result allowed to hold the password is the one that selected it as data.
    assert.equal(seen.filter((s) => s.includes(password)).length, 1);
    const wrong = `wrong-${crypto.randomUUID()}`;
    const badUri = uri.replace(`:${encodeURIComponent(password)}@`, `:${wrong}@`);
    const bad = await spawnServer({ DATABASE_URI: badUri, LOGGING_LEVEL: "debug" });
    let failure = "";
    try {
      const r = await bad.call("base_readQuery", { sql: "SELECT 1" });
      assert.equal(r.isError, true);
      failure = textOf(r);
    } finally {
      await bad.close();
    }
    assert.match(failure, /password authentication failed/);
    for (const text of [failure, good.stderr(), bad.stderr()]) {
      assert.equal(text.includes(password), false);
      assert.equal(text.includes(wrong), false);
    }
  },
});

/** Spawns the server with plain pipes to watch how it exits. */
function spawnRaw(env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: RUN_ARGS,
    cwd: ROOT,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads a stream to its end in the background; `until` resolves when the text so far matches. */
function collect(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters.filter((w) => w.pattern.test(text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
    return text;
  })();
  return {
    until: (pattern: RegExp) =>
      pattern.test(text) ? Promise.resolve(text) : new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
    done,
  };
}

Deno.test("the server exits cleanly with the pool closed on stdin EOF", async () => {
  const child = spawnRaw({ DATABASE_URI: `sqlite://${await demoSqlitePath()}` });
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  };
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(initialize) + "\n"));
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const stdoutText = await stdout.until(/"id":1/);
  assert.match(stdoutText, /"serverInfo":\{"name":"tdmcp"/);
  for (const line of stdoutText.trim().split("\n")) JSON.parse(line); // stdout carries JSON-RPC only
  await writer.close();
  const [status, log] = await Promise.all([child.status, stderr.done, stdout.done]);
  assert.equal(status.code, 0);
  assert.match(log, /shutting down: stdin closed/);
  assert.match(log, /pool closed/);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`the server exits cleanly with the pool closed on ${signal}`, async () => {
    const child = spawnRaw({ DATABASE_URI: `sqlite://${await demoSqlitePath()}` });
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    await stderr.until(/serving \d+ tools/);
    child.kill(signal);
    const [status, log] = await Promise.all([child.status, stderr.done, stdout.done]);
    await child.stdin.close();
    assert.equal(status.code, 0);
    assert.match(log, new RegExp(`shutting down: ${signal}`));
    assert.match(log, /pool closed/);
  });
}

Deno.test("PROFILE and TOOL_DISCLOSURE reach the server through its scoped environment; a bad profile stops it", async () => {
  const path = await demoSqlitePath();
  const server = await spawnServer({
    DATABASE_URI: `sqlite://${path}`,
    PROFILE: "minimal",
    TOOL_DISCLOSURE: "progressive",
  });
  try {
    const { tools } = await server.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["base_readQuery", "execute_tool", "search_tools"]);
    const found = await server.call("search_tools", { query: "table" });
    assert.match(textOf(found), /base_tableList/);
    assert.doesNotMatch(textOf(found), /base_tablePreview/, "the minimal profile leaves base_tablePreview out");
  } finally {
    await server.close();
  }
  const bad = await new Deno.Command(Deno.execPath(), {
    args: RUN_ARGS,
    cwd: ROOT,
    env: { DATABASE_URI: `sqlite://${path}`, PROFILE: "nurse" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(bad.code, 0);
  assert.match(
    new TextDecoder().decode(bad.stderr),
    /'PROFILE' must name a profile \(all, dba, eda, minimal\): current value is "nurse"/,
  );
  assert.equal(bad.stdout.length, 0, "nothing on stdout but JSON-RPC");
});

Deno.test("a database that refuses connections is reported in the log soon after start, and the tools still list", async () => {
  // Port 1 on loopback: nothing listens, the connect is refused at once.
  const server = await spawnServer({ DATABASE_URI: "postgres://nobody:secret-pw@127.0.0.1:1/none" });
  try {
    const { tools } = await server.client.listTools();
    assert.ok(tools.some((t) => t.name === "base_readQuery"));
    const started = performance.now();
    while (!/the database is not reachable yet/.test(server.stderr()) && performance.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(server.stderr(), /the database is not reachable yet: .*(refused|could not connect)/i);
    assert.ok(!server.stderr().includes("secret-pw"));
  } finally {
    await server.close();
  }
});

Deno.test("with a stderr nobody reads, the server keeps answering and still exits on stdin EOF", async () => {
  const child = spawnRaw({ DATABASE_URI: `sqlite://${await demoSqlitePath()}`, LOGGING_LEVEL: "debug" });
  const writer = child.stdin.getWriter();
  const send = (message: unknown) => writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  const stdout = collect(child.stdout);
  const calls = 2_000; // well over a 64 KB pipe of log lines
  await send({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  });
  await send({ jsonrpc: "2.0", method: "notifications/initialized" });
  for (let id = 1; id <= calls; id++) {
    await send({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "base_readQuery", arguments: { sql: `SELECT ${id} AS n` } },
    });
  }
  // Every answer (they may come in any order): calls + 1 complete lines.
  const answered = await stdout.until(new RegExp(`^(?:[^\\n]*\\n){${calls + 1}}`));
  const ids = new Set(answered.trim().split("\n").map((line) => JSON.parse(line).id));
  assert.equal(ids.size, calls + 1);
  await writer.close();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const status = await child.status;
  clearTimeout(timer);
  await child.stderr.cancel(); // only now: it was never read
  await stdout.done;
  assert.equal(status.code, 0, "the server did not exit by itself");
});

Deno.test("over stdio the official client receives 1,000 rows of 16,000 control characters: the reply fits its read buffer", async () => {
  const server = await spawnServer({ DATABASE_URI: `sqlite://${await demoSqlitePath()}` }); // MAX_RESULT_BYTES: 16 MiB
  try {
    const r = await server.call("base_readQuery", {
      sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) " +
        "SELECT i, replace(printf('%.*c', 16000, 'x'), 'x', char(1)) AS c FROM n",
    });
    const reply = { result: r, jsonrpc: "2.0", id: 2 };
    const bytes = new TextEncoder().encode(JSON.stringify(reply) + "\n").length;
    assert.ok(bytes <= CLIENT_LINE_LIMIT_BYTES, `${bytes} bytes`);
    const structured = r.structuredContent as { rows: unknown[][]; row_count: number; truncated_by: string };
    note(`stdio reply line ${bytes} bytes (client limit ${CLIENT_LINE_LIMIT_BYTES}) for ${structured.row_count} rows`);
    assert.equal(structured.truncated_by, "bytes");
    assert.ok(structured.row_count > 100, `${structured.row_count} rows`); // 96 KB each in about 10 MiB
    assert.ok(structured.rows.every((row) => row[1] === "\x01".repeat(16_000)));
    // The connection survived: the next call is answered.
    const after = await server.call("base_readQuery", { sql: "SELECT 41 + 1 AS n" });
    assert.equal(Number(after.structuredContent!.rows[0][0]), 42);
  } finally {
    await server.close();
  }
});

Deno.test({
  name: "postgres: values of 50 to 200 MB are cut by the database: the server's peak RSS grows by less than 64 MB",
  ignore: !pgUri(),
  async fn() {
    const server = await spawnServer({ DATABASE_URI: (await demoPostgresUri())!, ALLOW_SUPERUSER: "true" });
    /** VmHWM / VmRSS of the server process, MB. */
    const memory = async () => {
      // Deno reads /proc only with --allow-all; cat may.
      const out = await new Deno.Command("cat", { args: [`/proc/${server.pid}/status`] }).output();
      const status = new TextDecoder().decode(out.stdout);
      const mb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)![1]) / 1024;
      return { peak: mb("VmHWM"), rss: mb("VmRSS") };
    };
    try {
      await server.call("base_readQuery", { sql: "SELECT 1" }); // a pooled connection, warm code
      const before = await memory();
      for (
        const sql of [
          "SELECT repeat('x', 200000000) AS big",
          "SELECT 1 AS n, decode(repeat('ab', 60000000), 'hex') AS bytes",
          "SELECT to_jsonb(repeat('y', 100000000)) AS doc",
          "WITH t AS (SELECT array_fill('z'::text, ARRAY[25000000]) AS a) SELECT a FROM t",
        ]
      ) {
        const r = await server.call("base_readQuery", { sql });
        const structured = r.structuredContent as { rows: unknown[][]; truncated_by: string };
        assert.equal(structured.truncated_by, "cells", sql);
        const cell = String(structured.rows[0].at(-1));
        assert.ok(cell.length > 1000 && cell.endsWith("…"), `${sql}: ${cell.length} characters`);
      }
      const after = await memory();
      note(
        `server RSS ${before.rss.toFixed(0)} MB before, peak ${
          after.peak.toFixed(0)
        } MB after four values of 50-200 MB`,
      );
      assert.ok(after.peak - before.rss < 64, `peak RSS grew by ${(after.peak - before.rss).toFixed(0)} MB`);
    } finally {
      await server.close();
    }
  },
});

Deno.test("an input line over 10 MiB is answered with a JSON-RPC error for its id, and the server keeps serving", async () => {
  const child = spawnRaw({ DATABASE_URI: `sqlite://${await demoSqlitePath()}` });
  const writer = child.stdin.getWriter();
  const send = (text: string) => writer.write(new TextEncoder().encode(text + "\n"));
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  await send(JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  }));
  await send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  const call = (id: number, sql: string) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "base_readQuery", arguments: { sql } },
    });
  await send(call(2, `SELECT '${"x".repeat(11 * 1024 * 1024)}'`));
  await send(call(3, "SELECT 42 AS n"));
  const text = await stdout.until(/"id":3/);
  const replies = text.trim().split("\n").map((line) => JSON.parse(line));
  const refused = replies.find((r) => r.id === 2);
  assert.equal(refused.error.code, -32600);
  assert.match(refused.error.message, /at most 10485760 bytes/);
  assert.equal(Number(replies.find((r) => r.id === 3).result.structuredContent.rows[0][0]), 42);
  await writer.close();
  const [status, log] = await Promise.all([child.status, stderr.done, stdout.done]);
  assert.equal(status.code, 0);
  assert.match(log, /stdio: skipped a 115\d{5}-byte input line/);
  assert.match(log, /shutting down: stdin closed/);
});
