/**
 * Starting the real server as a child process in tests: a free port, the task command lines from deno.json, and the
 * wait for `/healthz`.
 * @module
 */
import assert from "node:assert/strict";

/** The repository root. */
export const ROOT: string = new URL("../..", import.meta.url).pathname;

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A deno task's command line from deno.json (its scoped permissions), without the leading `deno`. */
export function taskArgs(task: "start" | "start:http"): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const entry = config.tasks[task];
  const words = ((typeof entry === "string" ? entry : entry.command) as string).split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(!words.some((w) => w === "-A" || w === "--allow-all" || w === "--allow-net"), "no blanket permissions");
  return words.slice(1).map((w) => w === "main.ts" ? `${ROOT}main.ts` : w);
}

/** `start:http`'s command line moved to `port`. */
export function httpTaskArgs(port: number): string[] {
  return taskArgs("start:http").map((w) => w.replace("127.0.0.1:8001", `127.0.0.1:${port}`)).concat([
    "--port",
    String(port),
  ]);
}

/** Waits until the server on `port` answers `GET /healthz` (up to `timeoutMs`, 20 s by default), or fails the test. */
export async function waitHealthy(port: number, detail = "", timeoutMs = 20_000): Promise<void> {
  for (let i = 0; i < timeoutMs / 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the server did not answer /healthz within ${timeoutMs / 1000} s${detail ? `\n${detail}` : ""}`);
}
