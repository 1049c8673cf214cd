import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { createServer } from "../../server/create.ts";
import { loadTools } from "../../server/loader.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";
import { demoSqlitePath, testDatabase } from "../_helpers.ts";

const SLOW_TOOL = `import { z } from "zod";
export default {
  name: "slow_reporter",
  title: "Slow tool that reports progress",
  description: "Waits, reports progress 5 of 10 itself, waits again.",
  inputSchema: { wait_ms: z.number().describe("how long to wait each time") },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  dialects: ["sqlite"],
  async handler({ wait_ms }, ctx) {
    await new Promise((r) => setTimeout(r, wait_ms));
    await ctx.progress(5, 10, "half way");
    await new Promise((r) => setTimeout(r, wait_ms));
    return { content: [{ type: "text", text: "done" }] };
  },
};
`;

Deno.test("progress never goes backwards: the heartbeat stops once a tool reports its own progress", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/slow_reporter.ts`, SLOW_TOOL);
    await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
    const tools = (await loadTools([dir])).map((l) => l.tool);
    const limits = { defaultRows: 10, maxRows: 10, timeoutMs: 30_000, maxTimeoutMs: 60_000 };
    const server = createServer({ db, tools, limits, log: getLogger(["tdmcp", "test"]) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "progress-test", version: "0" });
    await client.connect(clientSide);
    const seen: { progress: number; total?: number; message?: string }[] = [];
    await client.callTool({ name: "slow_reporter", arguments: { wait_ms: 1_300 } }, {
      onprogress: (p) => seen.push(p),
      timeout: 20_000,
    });
    await client.close();
    await server.close();
    assert.ok(seen.length >= 2, `expected a heartbeat and the tool's own report, got ${JSON.stringify(seen)}`);
    assert.match(seen[0].message ?? "", /slow_reporter running for 1 s/);
    assert.deepEqual(seen.at(-1), { progress: 5, total: 10, message: "half way" });
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress >= seen[i - 1].progress, JSON.stringify(seen));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
