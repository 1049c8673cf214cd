/**
 * Writes confirmed in-band (issue 15 item 2), end to end: the real v2 client over stdio and Streamable HTTP against
 * main.ts on PostgreSQL with ALLOW_WRITE=true (all permissions: the key file lives in a temporary directory). A write
 * is not run on the first call: the user is asked (a 2026-07-28 `input_required` result the client fulfils, or an
 * elicitation on a 2025-era connection) with the statement, its kind and EXPLAIN's estimate, and the write runs once
 * confirmed. Replayed, altered and expired confirmations, a declined one, a
 * client that cannot be asked, and a replay to another replica (shared key and ledger table) run nothing; a forged or
 * expired requestState is refused before the tool runs, by the SDK's verify hook (JSON-RPC -32602).
 * @module
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, StdioClientTransport, StreamableHTTPClientTransport } from "../_sdk.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

import { freePort, ROOT, waitHealthy } from "./_spawn.ts";
const PIN = { pin: "2026-07-28" } as const;
type Mode = "legacy" | typeof PIN;

/** Probes `server/discover` in place instead of in a sibling process (the SDK's base stdio transport spawns two). */
class InPlaceStdio extends StdioClientTransport {}

interface Fixture {
  schema: string;
  env: Record<string, string>;
  count(): Promise<number>;
}

/** A scratch schema with `items` and the ledger, and the server's environment for it. */
async function withSchema(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const schema = `confirm_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  await pgAdmin(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.items (id serial PRIMARY KEY, v text NOT NULL);
    INSERT INTO ${schema}.items (v) VALUES ('seed');
    CREATE TABLE ${schema}.ledger (token char(32) PRIMARY KEY, used_at timestamptz NOT NULL DEFAULT now());
    ANALYZE ${schema}.items`);
  const env = { DATABASE_URI: pgUri()!, ALLOW_WRITE: "true", ALLOW_SUPERUSER: "true", LOGGING_LEVEL: "warning" };
  try {
    await fn({
      schema,
      env,
      count: async () => Number((await pgAdmin(`SELECT count(*) FROM ${schema}.items`)).trim()),
    });
  } finally {
    await pgAdmin(`DROP SCHEMA ${schema} CASCADE`);
  }
}

/** Answers every elicitation as `answer` says, and keeps what was asked. */
interface Asker {
  asked: { message: string; requestedSchema: unknown }[];
  answer: { action: "accept" | "decline" | "cancel"; content?: Record<string, string | number | boolean> };
}

/** The v2 client: with `asker` it answers elicitations, `manual` ones (declared, not answered) it leaves to the test. */
function newClient(mode: Mode, options: { asker?: Asker; manual?: boolean } = {}): Client {
  const client = new Client({ name: "tdmcp-confirm-test", version: "0" }, {
    versionNegotiation: { mode },
    capabilities: options.asker || options.manual ? { elicitation: { form: {} } } : {},
    ...(options.manual ? { inputRequired: { autoFulfill: false } } : {}),
  });
  const asker = options.asker;
  if (asker) {
    client.setRequestHandler("elicitation/create", (request) => {
      const params = request.params as { message: string; requestedSchema: unknown };
      asker.asked.push({ message: params.message, requestedSchema: params.requestedSchema });
      return asker.answer;
    });
  }
  return client;
}

/** The client connected over stdio to a server started for it. */
async function connect(
  env: Record<string, string>,
  mode: Mode,
  options: { asker?: Asker; manual?: boolean } = {},
): Promise<Client & AsyncDisposable> {
  const client = newClient(mode, options);
  const transport = new InPlaceStdio({
    command: Deno.execPath(),
    args: ["run", "-A", `${ROOT}main.ts`],
    env: { PATH: Deno.env.get("PATH") ?? "", ...env },
    cwd: ROOT,
    stderr: "inherit",
  });
  await client.connect(transport);
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => c.type === "text" ? c.text : "").join("\n");
}

const insert = (schema: string, v = "new") => `INSERT INTO ${schema}.items (v) VALUES ('${v}')`;
const YES = { action: "accept" as const, content: { confirm: true } };

for (const [label, mode] of [["2026-07-28 (input_required)", PIN], ["2025-11-25 (elicitation)", "legacy"]] as const) {
  Deno.test({
    name: `${label}: a write is asked first with its statement, kind and estimate, and runs once confirmed`,
    ignore: !pgUri(),
    fn: () =>
      withSchema(async ({ schema, env, count }) => {
        const asker: Asker = { asked: [], answer: YES };
        await using client = await connect(env, mode, { asker });
        assert.equal(client.getNegotiatedProtocolVersion(), mode === "legacy" ? "2025-11-25" : "2026-07-28");
        const sql = `UPDATE ${schema}.items SET v = 'changed' WHERE v = 'seed'`;
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql } }) as CallToolResult;
        assert.notEqual(result.isError, true, textOf(result));
        assert.match(textOf(result), /the statement changed 1 row\(s\)/);
        assert.equal(asker.asked.length, 1);
        const { message, requestedSchema } = asker.asked[0];
        assert.match(message, /^Run a statement that changes data \(UPDATE\):\n\n/);
        assert.ok(message.includes(sql), message);
        assert.match(message, /Rows affected: about 1 \(the database's EXPLAIN estimate, not a count\)/);
        assert.match(message, /expires in 5 minutes/);
        assert.deepEqual((requestedSchema as { required: string[] }).required, ["confirm"]);
        assert.equal(
          (await pgAdmin(`SELECT string_agg(v, ',') FROM ${schema}.items`)).trim(),
          "changed",
          "the update ran, once",
        );
        // A read is never asked about.
        await client.callTool({ name: "base_readQuery", arguments: { sql: `SELECT count(*) FROM ${schema}.items` } });
        assert.equal(asker.asked.length, 1);
        assert.equal(await count(), 1);
      }),
  });

  Deno.test({
    name: `${label}: a declined confirmation runs nothing and says so`,
    ignore: !pgUri(),
    fn: () =>
      withSchema(async ({ schema, env, count }) => {
        const asker: Asker = { asked: [], answer: { action: "decline" } };
        await using client = await connect(env, mode, { asker });
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
        assert.equal(result.isError, true);
        assert.match(
          textOf(result as CallToolResult),
          /^Not run: the user did not confirm the write \(the user chose decline\)/,
        );
        assert.equal(await count(), 1);
      }),
  });
}

Deno.test({
  name: "a 2025-era client without elicitation is told how to proceed, and nothing runs",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      await using client = await connect(env, "legacy");
      const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
      assert.equal(result.isError, true);
      const text = textOf(result as CallToolResult);
      assert.match(
        text,
        /^Not run: this INSERT statement needs the user's confirmation, and the client did not declare/,
      );
      assert.match(text, /ALLOW_WRITE=unconfirmed/);
      assert.equal(await count(), 1);
    }),
});

/** A manual 2026 client's first round: the input_required result with its requestState. */
async function firstRound(client: Client, sql: string): Promise<{ requestState: string; inputRequests: unknown }> {
  const first = await client.request(
    { method: "tools/call", params: { name: "base_readQuery", arguments: { sql } } },
    { allowInputRequired: true },
  ) as unknown as { resultType?: string; requestState: string; inputRequests: unknown };
  assert.equal(first.resultType, "input_required");
  return first;
}

/** The retried call with an answer and a requestState, sent as any client could send it. */
async function retry(client: Client, sql: string, requestState: string, answer: unknown = YES) {
  return await client.request(
    {
      method: "tools/call",
      params: { name: "base_readQuery", arguments: { sql }, requestState, inputResponses: { confirm: answer } },
    },
    { allowInputRequired: true },
  ) as unknown as CallToolResult & { resultType?: string };
}

/** A retried call whose requestState the server's verify hook refused: JSON-RPC -32602, before any tool ran. */
async function refusedState(call: Promise<unknown>): Promise<void> {
  const error = await call.then(() => null, (e) => e) as { code?: number; message?: string } | null;
  assert.equal(error?.code, -32602, `expected -32602, got ${JSON.stringify(error)}`);
  assert.match(error?.message ?? "", /Invalid or expired requestState/);
}

Deno.test({
  name: "2026-07-28: a confirmation replayed, reused for another statement or forged runs nothing",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      await using client = await connect(env, PIN, { manual: true });
      const sql = insert(schema);
      const { requestState, inputRequests } = await firstRound(client, sql);
      assert.equal((inputRequests as { confirm: { method: string } }).confirm.method, "elicitation/create");
      assert.equal(await count(), 1, "asking ran nothing");
      const ran = await retry(client, sql, requestState);
      assert.notEqual(ran.isError, true, textOf(ran));
      assert.equal(await count(), 2);
      const replayed = await retry(client, sql, requestState);
      assert.equal(replayed.isError, true);
      assert.match(textOf(replayed), /^Not run: this confirmation was used already/);
      const fresh = await firstRound(client, sql);
      const altered = await retry(client, `DELETE FROM ${schema}.items`, fresh.requestState);
      assert.equal(altered.isError, true);
      assert.match(textOf(altered), /^Not run: the confirmation was given for a different call/);
      await refusedState(retry(client, sql, fresh.requestState.slice(0, -4) + "AAAA"));
      const unticked = await retry(client, sql, fresh.requestState, { action: "accept", content: { confirm: false } });
      assert.match(
        textOf(unticked),
        /^Not run: the user did not confirm the write \(the user did not tick 'confirm'\)/,
      );
      assert.equal(await count(), 2, "none of them ran");
    }),
});

Deno.test({
  name: "2026-07-28: an expired confirmation is refused with -32602 and runs nothing (CONFIRM_TTL=1)",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      await using client = await connect({ ...env, CONFIRM_TTL: "1" }, PIN, { manual: true });
      const sql = insert(schema);
      const { requestState } = await firstRound(client, sql);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await refusedState(retry(client, sql, requestState));
      assert.equal(await count(), 1);
    }),
});

Deno.test({
  name: "replicas with one key file and ledger: a confirmation replayed to the other replica runs nothing",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      const keyFile = await Deno.makeTempFile();
      await Deno.writeFile(keyFile, crypto.getRandomValues(new Uint8Array(32)));
      try {
        const shared = { ...env, CONFIRM_KEY_FILE: keyFile, CONFIRM_LEDGER_TABLE: `${schema}.ledger` };
        await using a = await connect(shared, PIN, { manual: true });
        await using b = await connect(shared, PIN, { manual: true });
        const sql = insert(schema);
        const { requestState } = await firstRound(a, sql);
        const onB = await retry(b, sql, requestState);
        assert.notEqual(onB.isError, true, `B accepts A's confirmation (shared key): ${textOf(onB)}`);
        assert.equal(await count(), 2);
        const backOnA = await retry(a, sql, requestState);
        assert.equal(backOnA.isError, true);
        assert.match(textOf(backOnA), /^Refused: this write was run already \(its once-only token is recorded in/);
        assert.equal(await count(), 2, "the replay ran nothing");
        assert.equal(Number((await pgAdmin(`SELECT count(*) FROM ${schema}.ledger`)).trim()), 1);
      } finally {
        await Deno.remove(keyFile);
      }
    }),
});

Deno.test({
  name: "ALLOW_WRITE=unconfirmed runs a write at once, for a client that cannot be asked",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      await using client = await connect({ ...env, ALLOW_WRITE: "unconfirmed" }, "legacy");
      const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
      assert.notEqual(result.isError, true, textOf(result as CallToolResult));
      assert.equal(await count(), 2);
    }),
});

/** The server over Streamable HTTP (a server instance per request on the 2026 leg, and with MCP_STATELESS). */
async function withHttp(env: Record<string, string>, fn: (url: URL) => Promise<void>): Promise<void> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`],
    cwd: ROOT,
    env: { ...env, MCP_TRANSPORT: "streamable-http", MCP_PORT: String(port) },
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await waitHealthy(port);
    await fn(new URL(`http://127.0.0.1:${port}/mcp`));
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

async function httpClient(url: URL, mode: Mode, asker?: Asker): Promise<Client & AsyncDisposable> {
  const client = newClient(mode, { asker });
  await client.connect(new StreamableHTTPClientTransport(url));
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

Deno.test({
  name: "HTTP: a 2026-07-28 confirmation made on one request's server instance runs on the retry's",
  ignore: !pgUri(),
  fn: () =>
    withSchema(({ schema, env, count }) =>
      withHttp(env, async (url) => {
        const asker: Asker = { asked: [], answer: YES };
        await using client = await httpClient(url, PIN, asker);
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
        assert.notEqual(result.isError, true, textOf(result as CallToolResult));
        assert.equal(asker.asked.length, 1);
        assert.equal(await count(), 2);
      })
    ),
});

Deno.test({
  name: "HTTP: a 2025-era client with elicitation is asked over its session; over stateless HTTP it is told why not",
  ignore: !pgUri(),
  fn: () =>
    withSchema(async ({ schema, env, count }) => {
      await withHttp(env, async (url) => {
        const asker: Asker = { asked: [], answer: YES };
        await using client = await httpClient(url, "legacy", asker);
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
        assert.notEqual(result.isError, true, textOf(result as CallToolResult));
        assert.equal(asker.asked.length, 1);
      });
      assert.equal(await count(), 2);
      await withHttp({ ...env, MCP_STATELESS: "true" }, async (url) => {
        const asker: Asker = { asked: [], answer: YES };
        await using client = await httpClient(url, "legacy", asker);
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql: insert(schema) } });
        assert.equal(result.isError, true);
        assert.match(
          textOf(result as CallToolResult),
          /^Not run: this INSERT statement needs the user's confirmation, and this 2025-era request came over stateless HTTP/,
        );
        assert.equal(asker.asked.length, 0);
      });
      assert.equal(await count(), 2);
    }),
});
