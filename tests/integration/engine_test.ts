/**
 * The real server (the `start` task's command line) learns the engine and the role at start: a PostgreSQL superuser
 * stops it with exit code 2 unless allowed; a PostgreSQL reached through a driver-path ODBC string is served as
 * PostgreSQL, and the role's power is logged.
 */
import assert from "node:assert/strict";
import { Client, StdioClientTransport } from "../_sdk.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const uri = pgUri();

/** The exact command line of `deno task start`, read from deno.json. */
function startArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks.start.command as string).split(/\s+/);
  return words.slice(1).map((w) => w === "main.ts" ? MAIN : w);
}

function env(extra: Record<string, string>): Record<string, string> {
  return { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/tmp", ...extra };
}

Deno.test({
  name: "a superuser role stops the server at start with exit code 2 and says how to allow it",
  ignore: !uri,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: startArgs(),
      cwd: ROOT,
      env: env({ DATABASE_URI: uri! }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill(), 20_000);
    const { code, stderr } = await child.output().finally(() => clearTimeout(timer));
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 2, log);
    assert.match(log, /refusing to serve: the role postgres is a superuser.*--allow-superuser/);
    assert.ok(!log.includes(new URL(uri!).password), "no password in the log");
  },
});

Deno.test({
  name: "postgres through a driver-path ODBC string is served as PostgreSQL and the role's power is logged",
  ignore: !uri,
  async fn() {
    const role = `engine_${Date.now().toString(36)}`;
    await pgAdmin(`CREATE ROLE ${role} LOGIN PASSWORD 'engine-pw' IN ROLE pg_signal_backend`);
    const url = new URL(uri!);
    const odbc = `odbc:DRIVER=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Server=${url.hostname};Port=${url.port};` +
      `Database=${url.pathname.slice(1)};UID=${role};PWD=engine-pw;`;
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: startArgs(),
      env: env({ DATABASE_URI: odbc }),
      cwd: ROOT,
      stderr: "pipe",
    });
    const chunks: string[] = [];
    transport.stderr?.on("data", (chunk: Uint8Array) => chunks.push(new TextDecoder().decode(chunk)));
    const client = new Client({ name: "tdmcp-engine-test", version: "0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === "base_tableDDL"), "PostgreSQL's tools are listed, not the generic set");
      const result = await client.callTool({
        name: "base_readQuery",
        arguments: { sql: "SELECT current_setting('transaction_read_only')" },
      }) as { structuredContent?: { rows: unknown[][] } };
      assert.deepEqual(result.structuredContent?.rows, [["on"]]);
      const log = chunks.join("");
      assert.match(
        log,
        new RegExp(`connected to PostgreSQL [0-9.]+ as ${role}, which may do more than read: .*pg_signal_backend`),
      );
      assert.ok(!log.includes("engine-pw"), "no password in the log");
    } finally {
      await client.close();
    }
  },
});
