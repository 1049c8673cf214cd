// How long the v2 MCP client (@modelcontextprotocol/client) takes over stdio from `connect()` to the first
// `tools/list` answer (server spawn included), by version negotiation mode, on the demo database:
//
//   legacy              2025-11-25 `initialize` (the client's default)
//   auto, base          the SDK's StdioClientTransport: it probes `server/discover` in a throw-away sibling process
//                       first, then spawns the real one (by design, for servers that die on a pre-initialize request;
//                       no option turns it off) — every stdio server pays one extra start
//   auto, in place      a StdioClientTransport subclass: the SDK probes on the real process (tdmcp answers a probe)
//   pin, in place       pinned to 2026-07-28, in place
//
// Rounds interleave the modes; the verdict is the median of per-round ratios to legacy.
//
//   deno run --allow-all bench/eras.ts [--rounds=15]
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { demoSqlitePath } from "../tests/_helpers.ts";
import { ROOT, taskArgv } from "./_servers.ts";
import { median, say } from "./_stats.ts";

/** Probes in place: the SDK only uses a sibling process for its exact base class. */
class InPlaceStdioClientTransport extends StdioClientTransport {}

type Mode = "legacy" | "auto, base" | "auto, in place" | "pin, in place";
const MODES: readonly Mode[] = ["legacy", "auto, base", "auto, in place", "pin, in place"];

async function connectOnce(mode: Mode, env: Record<string, string>): Promise<number> {
  const argv = taskArgv("start");
  const params = { command: argv[0], args: argv.slice(1), cwd: ROOT, env, stderr: "ignore" as const };
  const transport = mode.endsWith("in place")
    ? new InPlaceStdioClientTransport(params)
    : new StdioClientTransport(params);
  const negotiation = mode === "legacy"
    ? "legacy" as const
    : mode.startsWith("pin")
    ? { pin: "2026-07-28" as const }
    : "auto" as const;
  const client = new Client({ name: "tdmcp-bench-eras", version: "0" }, { versionNegotiation: { mode: negotiation } });
  const started = performance.now();
  await client.connect(transport);
  const { tools } = await client.listTools();
  const elapsed = performance.now() - started;
  if (tools.length === 0) throw new Error(`${mode}: no tools`);
  await client.close();
  return elapsed;
}

async function main(args: string[]): Promise<void> {
  const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 15);
  const env = { PATH: Deno.env.get("PATH") ?? "", DATABASE_URI: `sqlite://${await demoSqlitePath()}` };
  for (const mode of MODES) await connectOnce(mode, env); // warm the code cache
  const times = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  const ratios = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? MODES : [...MODES].reverse();
    const got = new Map<Mode, number>();
    for (const mode of order) got.set(mode, await connectOnce(mode, env));
    for (const mode of MODES) {
      times.get(mode)!.push(got.get(mode)!);
      ratios.get(mode)!.push(got.get(mode)! / got.get("legacy")!);
    }
  }
  say(`stdio connect + first tools/list, v2 client, ${rounds} interleaved rounds (median ms, median ratio to legacy):`);
  const lines = ["| mode | median ms | min ms | ratio to legacy |", "| --- | ---: | ---: | ---: |"];
  for (const mode of MODES) {
    const t = times.get(mode)!;
    lines.push(
      `| ${mode} | ${median(t).toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${median(ratios.get(mode)!).toFixed(2)}× |`,
    );
  }
  // deno-lint-ignore no-console
  console.log(lines.join("\n"));
}

if (import.meta.main) await main(Deno.args);
