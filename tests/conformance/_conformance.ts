/**
 * What both legs of the official MCP conformance suite share: `deno task start:http`'s exact command line moved to a
 * free port with fixture folders loaded, the runner started under Deno with scoped permissions, and the checks it
 * leaves behind (one `checks.json` per scenario).
 * @module
 */
import assert from "node:assert/strict";
import { freePort, waitHealthy } from "../integration/_spawn.ts";

/** The repository root (the cwd of the server and the runner). */
export const ROOT = new URL("../..", import.meta.url).pathname;

/** One check of a scenario, as the runner writes it to `checks.json`. */
export interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  description: string;
  errorMessage?: string;
}

/** `deno task start:http` moved to `port`, with the fixture folders readable and loaded (`--tools-dir`). */
export function serverArgs(port: number, fixtureDirs: readonly string[]): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (config.tasks["start:http"].command as string).split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(!words.some((w) => w === "-A" || w === "--allow-all"), "no blanket permissions");
  return words.slice(1).map((w) =>
    w.replace("127.0.0.1:8001", `127.0.0.1:${port}`)
      .replace(/^--allow-read=(.*)$/, `--allow-read=$1,${fixtureDirs.join(",")}`)
  ).concat(["--port", String(port)], fixtureDirs.flatMap((dir) => ["--tools-dir", dir]));
}

/** A running start:http process: its port, and `stop()`, which ends it and returns what it logged. */
export interface Served {
  port: number;
  stop(): Promise<string>;
}

/** Starts start:http's command on a free port with the fixture folders and `env`; resolves once /healthz answers. */
export async function startServer(fixtureDirs: readonly string[], env: Record<string, string>): Promise<Served> {
  const port = freePort();
  const server = new Deno.Command(Deno.execPath(), {
    args: serverArgs(port, fixtureDirs),
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = new Response(server.stderr).text();
  const stop = async () => {
    server.kill("SIGTERM");
    await server.status;
    return await log;
  };
  try {
    await waitHealthy(port, "", 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

/**
 * Runs a conformance runner (`npm:@modelcontextprotocol/conformance@<version>`, locked in deno.lock) against the
 * server's /mcp with the `server` command's extra arguments, writing results to `out`; returns its exit code and
 * output.
 */
export async function runSuite(
  runner: string,
  port: number,
  args: readonly string[],
  out: string,
): Promise<{ code: number; stdout: string }> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      `--allow-net=127.0.0.1:${port}`,
      "--allow-read=node_modules",
      `--allow-write=${out}`,
      "--allow-env", // the runner's `debug` dependency reads the whole environment
      runner,
      "server",
      "--url",
      `http://127.0.0.1:${port}/mcp`,
      ...args,
      "-o",
      out,
    ],
    cwd: ROOT,
    stdin: "null",
    signal: AbortSignal.timeout(180_000),
  }).output();
  return { code: run.code, stdout: new TextDecoder().decode(run.stdout) };
}

/** The scenarios the runner announced, in order. */
export function plannedScenarios(stdout: string): string[] {
  return [...stdout.matchAll(/=== Running scenario: (\S+) ===/g)].map((m) => m[1]);
}

/** Reads every scenario's checks from the runner's output folder, by scenario name. */
export async function readChecks(dir: string): Promise<Map<string, Check[]>> {
  const scenarios = new Map<string, Check[]>();
  for await (const entry of Deno.readDir(dir)) {
    const scenario = entry.name.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, "");
    scenarios.set(scenario, JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}/checks.json`)));
  }
  return scenarios;
}
