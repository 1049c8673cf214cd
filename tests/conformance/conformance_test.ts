/**
 * The official MCP conformance suite (npm @modelcontextprotocol/conformance,
 * locked in deno.lock) against `deno task start:http`'s exact command line,
 * with the suite's fixture tools, resources and prompts loaded from
 * tests/conformance/fixtures through `--tools-dir` — tools-as-code proving itself.
 */
import assert from "node:assert/strict";
import { demoSqlitePath, note } from "../_helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const FIXTURES = "tests/conformance/fixtures";
const RUNNER = "npm:@modelcontextprotocol/conformance@0.1.16";

/** `deno task start:http` moved to a free port, with the fixtures folder readable and loaded. */
function serverArgs(port: number): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks["start:http"].command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(!words.some((w) => w === "-A" || w === "--allow-all"), "no blanket permissions");
  return words.slice(1).map((w) =>
    w.replace("127.0.0.1:8001", `127.0.0.1:${port}`)
      .replace(/^--allow-read=(.*)$/, `--allow-read=$1,${FIXTURES}`)
  ).concat(["--port", String(port), "--tools-dir", FIXTURES]);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitHealthy(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not answer /healthz within 30 s");
}

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  description: string;
  errorMessage?: string;
}

async function readChecks(dir: string): Promise<Map<string, Check[]>> {
  const scenarios = new Map<string, Check[]>();
  for await (const entry of Deno.readDir(dir)) {
    const scenario = entry.name.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, "");
    scenarios.set(scenario, JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}/checks.json`)));
  }
  return scenarios;
}

Deno.test("every server scenario of the MCP conformance suite passes against start:http with the fixture tools", async () => {
  const port = freePort();
  const out = await Deno.makeTempDir({ prefix: "tdmcp-conformance-" });
  const server = new Deno.Command(Deno.execPath(), {
    args: serverArgs(port),
    cwd: ROOT,
    env: { DATABASE_URI: `sqlite://${await demoSqlitePath()}` },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const serverLog = new Response(server.stderr).text();
  try {
    await waitHealthy(port);
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--frozen",
        `--allow-net=127.0.0.1:${port}`,
        "--allow-read=node_modules",
        `--allow-write=${out}`,
        "--allow-env", // the runner's `debug` dependency reads the whole environment
        RUNNER,
        "server",
        "--url",
        `http://127.0.0.1:${port}/mcp`,
        "--suite",
        "all",
        "-o",
        out,
      ],
      cwd: ROOT,
      stdin: "null",
      signal: AbortSignal.timeout(180_000),
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    const planned = [...stdout.matchAll(/=== Running scenario: (\S+) ===/g)].map((m) => m[1]);
    const scenarios = await readChecks(out);
    assert.ok(planned.length >= 30, `the suite planned ${planned.length} scenarios:\n${stdout}`);
    assert.deepEqual([...scenarios.keys()].sort(), [...planned].sort(), "every planned scenario left results");
    const failures = [...scenarios].flatMap(([scenario, checks]) =>
      checks.filter((c) => c.status === "FAILURE").map((c) => `${scenario}/${c.id}: ${c.errorMessage ?? c.description}`)
    );
    assert.deepEqual(failures, [], `conformance failures:\n${failures.join("\n")}`);
    const all = [...scenarios.values()].flat();
    const passed = all.filter((c) => c.status === "SUCCESS").length;
    assert.ok(passed >= planned.length, `${passed} checks passed`);
    assert.match(stdout, new RegExp(`Total: ${passed} passed, 0 failed`));
    const warnings = all.filter((c) => c.status === "WARNING").map((c) => `${c.id}: ${c.description}`);
    note(
      `conformance: ${planned.length} scenarios, ${passed} checks passed, 0 failed` +
        (warnings.length ? `; warnings: ${warnings.join("; ")}` : ""),
    );
    assert.equal(run.code, 0, `the runner exited with ${run.code}`);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    const log = await serverLog;
    assert.doesNotMatch(log, /level=error/, "the server logged no errors");
    await Deno.remove(out, { recursive: true });
  }
});
