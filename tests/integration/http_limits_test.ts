/**
 * `deno task start:http` under a descriptor limit: 600 connections that never
 * finish their request headers, against a server allowed 512 open files.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "../_sdk.ts";
import { demoSqlitePath, note } from "../_helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const FLOOD = 600;
const NOFILE = 512;
const HEADER_TIMEOUT_S = 2;

/** The exact command line of `deno task start:http`, moved to a free port. */
function httpTaskArgs(port: number): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks["start:http"].command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1).map((w) => w.replace("127.0.0.1:8001", `127.0.0.1:${port}`)).concat(["--port", String(port)]);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function hasPrlimit(): boolean {
  try {
    return new Deno.Command("prlimit", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** One client connection that sent half a request; `closed` settles when the server ends it. */
interface Partial {
  openedAt: number;
  closed: Promise<{ after: number; answer: string }>;
  conn: Deno.TcpConn;
}

async function openPartial(port: number): Promise<Partial | null> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port, signal: AbortSignal.timeout(20_000) });
    await conn.write(new TextEncoder().encode(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `));
  } catch (error) {
    if (error instanceof DOMException || error instanceof Deno.errors.ConnectionReset) return null;
    throw error;
  }
  const openedAt = performance.now();
  const closed = (async () => {
    const buffer = new Uint8Array(1024);
    let answer = "";
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        answer += new TextDecoder().decode(buffer.subarray(0, n));
      }
    } catch (error) {
      const gone = error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BadResource ||
        error instanceof Deno.errors.Interrupted;
      if (!gone) throw error;
    }
    return { after: performance.now() - openedAt, answer };
  })();
  return { openedAt, closed, conn };
}

/** An MCP client's whole round: initialize, one query, close. */
async function mcpRound(port: number): Promise<number> {
  const client = new Client({ name: "http-limits-test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  try {
    const r = await client.callTool(
      { name: "base_readQuery", arguments: { sql: "SELECT count(*) FROM regions" } },
      {
        timeout: 30_000,
      },
    ) as CallToolResult & { structuredContent?: { rows: unknown[][] } };
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    return Number(r.structuredContent!.rows[0][0]);
  } finally {
    await client.close();
  }
}

/** Runs `round` up to three times, half a second apart, while it fails. */
async function retried<T>(round: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await round();
    } catch (error) {
      if (attempt === 3) throw error;
      note(
        `attempt ${attempt} of an MCP round during the flood failed: ${error instanceof Error ? error.message : error}`,
      );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function healthy(port: number): Promise<boolean> {
  return await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(20_000) }).then(async (r) => {
    await r.body?.cancel();
    return r.ok;
  }, () => false);
}

Deno.test({
  name: `${FLOOD} connections with partial headers under ulimit -n ${NOFILE}: the server stays up, closes them, ` +
    "and serves a normal client during and after",
  ignore: !hasPrlimit(),
  async fn() {
    const port = freePort();
    const child = new Deno.Command("prlimit", {
      args: [`--nofile=${NOFILE}`, Deno.execPath(), ...httpTaskArgs(port)],
      cwd: ROOT,
      env: { DATABASE_URI: `sqlite://${await demoSqlitePath()}`, MCP_HEADER_TIMEOUT: String(HEADER_TIMEOUT_S) },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let exited = false;
    const status = child.status.then((s) => (exited = true, s));
    const flood: Partial[] = [];
    try {
      let up = false;
      for (let i = 0; i < 200 && !up; i++) {
        up = await healthy(port);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, "the server answered /healthz");
      const started = performance.now();
      for (let i = 0; i < FLOOD; i += 50) {
        const batch = await Promise.all(Array.from({ length: Math.min(50, FLOOD - i) }, () => openPartial(port)));
        flood.push(...batch.filter((p) => p !== null));
      }
      note(`opened ${flood.length} of ${FLOOD} partial connections in ${Math.round(performance.now() - started)} ms`);
      assert.ok(flood.length >= NOFILE, `${flood.length} connections opened: more than the server's descriptors`);
      // During the flood: a normal client gets its answers.
      assert.ok(await healthy(port), "/healthz answers during the flood");
      // At the cap a newcomer may be answered 503 (Retry-After: 1) or have its connection closed before eviction
      // made room: like any HTTP client, it tries again (at most three times, half a second apart).
      assert.ok((await retried(() => mcpRound(port))) > 0, "an MCP client is served during the flood");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ends = await Promise.race([
        Promise.all(flood.map((p) => p.closed)),
        new Promise<never>((_, reject) =>
          timer = setTimeout(() => reject(new Error("partial connections still open after 30 s")), 30_000)
        ),
      ]).finally(() => clearTimeout(timer));
      // Each one was closed by the header deadline or to make room, or refused beyond the cap with a 503.
      const refused = ends.filter((e) => /^HTTP\/1\.1 503 [^]*"code":-32000/.test(e.answer));
      const other = ends.filter((e) => e.answer !== "" && !refused.includes(e));
      assert.deepEqual(other, [], "no partial connection got any other answer");
      const slowest = Math.max(...ends.map((e) => e.after));
      note(
        `all ${ends.length} closed (${refused.length} with a 503); the longest lived ${Math.round(slowest)} ms ` +
          `(header timeout ${HEADER_TIMEOUT_S} s)`,
      );
      assert.equal(exited, false, "the server is still running");
      // After: served as before.
      assert.ok(await healthy(port), "/healthz answers after the flood");
      assert.ok((await mcpRound(port)) > 0, "an MCP client is served after the flood");
    } finally {
      for (const p of flood) p.conn.close();
      if (!exited) child.kill("SIGTERM");
    }
    const [end, log] = await Promise.all([status, stderr]);
    assert.equal(end.code, 0, log.slice(-2000));
    assert.match(log, /accepting a connection failed \(Too many open files/, "the flood exhausted the descriptors");
    assert.doesNotMatch(log, /level=error|Uncaught/i);
  },
});
