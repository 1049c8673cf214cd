// A stdio MCP server for bench/layers.ts only, never shipped: tdmcp's own
// parts (Database, tools, createServer, the stdio line transport, the batched
// stderr log sink) composed as main.ts composes them, with layers cut out of
// the `base_readQuery` call path to measure what each one costs. It reads and
// writes its lines with the shipped transport (transports/stdio.ts):
//
//   --mode=sdk     nothing cut (as main.ts serves stdio)
//   --mode=lean    tools/call answered before the SDK: no zod, no McpServer; the same runTool
//   --mode=direct  … and no runTool (no tool context, no per-call log line): Database.query + tableResult
//   --mode=echo    no database: the first call's answer, replayed (JSON-RPC over the pipes only)
//
// Every other message goes through the SDK as usual. DATABASE_URI names the database.
import { configure, getLogfmtFormatter, getLogger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, openDatabase } from "../connection/database.ts";
import { redact } from "../connection/redact.ts";
import type { Extra } from "../server/context.ts";
import { runTool } from "../server/run.ts";
import { createServer } from "../server/create.ts";
import { BATCH_DEFAULTS, batchedSink } from "../server/log_sink.ts";
import { loadCatalog } from "../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../server/paths.ts";
import type { JSONRPCMessage } from "../server/sdk.ts";
import { DenoStdinInput, LineStdioTransport } from "../transports/stdio.ts";
import { tableResult } from "../plugin/result.ts";

export type LayerMode = "sdk" | "lean" | "direct" | "echo";
const MODES: readonly LayerMode[] = ["sdk", "lean", "direct", "echo"];

async function serve(mode: LayerMode): Promise<void> {
  const stderr = batchedSink(
    (bytes) => Deno.stderr.write(bytes),
    (record) => redact(getLogfmtFormatter()(record), []),
    BATCH_DEFAULTS,
  );
  await configure({
    sinks: { stderr },
    loggers: [
      { category: ["tdmcp"], lowestLevel: "info", sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
  const log = getLogger("tdmcp");
  const db = openDatabase({ ...DATABASE_DEFAULTS, uri: Deno.env.get("DATABASE_URI")!, allowSuperuser: true });
  const catalog = await loadCatalog([BUILTIN_TOOLS_DIR]);
  const limits = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };
  const server = createServer({ db, ...catalog, limits, log });
  const input = new DenoStdinInput();
  const transport = new LineStdioTransport({}, input);
  const { promise: closed, resolve: close } = Promise.withResolvers<void>();
  transport.onclose = close;
  input.onEnd(close);
  await server.connect(transport);
  const tool = catalog.tools.find((t) => t.name === "base_readQuery")!;
  const sdk = transport.onmessage!;
  const signal = new AbortController().signal;
  let canned: unknown;
  const answer = (id: unknown, result: unknown) =>
    transport.send({ jsonrpc: "2.0", id, result } as unknown as JSONRPCMessage);
  if (mode !== "sdk") {
    transport.onmessage = (message: JSONRPCMessage) => {
      const m = message as { id?: unknown; method?: string; params?: { name?: string; arguments?: { sql: string } } };
      if (m.method !== "tools/call" || m.params?.name !== tool.name) return sdk(message);
      if (mode === "echo" && canned !== undefined) return void answer(m.id, canned);
      if (mode === "lean") {
        // The request context as the SDK v2 hands it to a tool handler, as far as runTool reads it.
        const fake = {
          mcpReq: { id: m.id, signal, notify: () => Promise.resolve(), requestState: () => undefined },
        } as unknown as Extra;
        runTool(tool, m.params.arguments!, { db, limits, log, server }, fake, {} as never)
          .then((result) => answer(m.id, result));
        return;
      }
      db.query(m.params.arguments!.sql, { maxRows: limits.defaultRows, readOnly: true })
        .then((result) => answer(m.id, canned = tableResult(result)));
    };
  }
  await closed;
  await db.close();
  await stderr[Symbol.asyncDispose]();
}

if (import.meta.main) {
  const mode = Deno.args.find((a) => a.startsWith("--mode="))?.slice(7) as LayerMode | undefined;
  if (!mode || !MODES.includes(mode)) throw new Error(`--mode= one of ${MODES.join(", ")}`);
  await serve(mode);
}
