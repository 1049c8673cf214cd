/**
 * Runs one tool call: builds the tool's context, reports progress, times the
 * call and turns failures the agent can act on into `isError` results.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import {
  type CallChannel,
  CapabilityMissing,
  describeFailure,
  type Extra,
  inputSource,
  isKnownFailure,
  scopedDatabase,
} from "./context.ts";
import { CONFIRM_INPUT_KEY, type ConfirmAnswer } from "./confirm.ts";
import { confirmForCall, type WriteConfirmation, type WriteMode } from "./confirm_call.ts";
import { answerInputNeeded, InputNeeded, priorState, sdkRequests, toolInput } from "./input.ts";
import { InputSeal } from "./input_seal.ts";
import { inputRequired, type McpServer } from "./sdk.ts";
import type { Database } from "../connection/types.ts";
import type { Tool, ToolContext, ToolLimits, ToolResult } from "../plugin/tool.ts";
import { fitResult } from "../plugin/result.ts";
import { resultBudget } from "../transports/stdio.ts";

/** What a call needs from the server. */
export interface RunDeps {
  db: Database;
  /** `maxResultBytes` (MAX_RESULT_BYTES) bounds each reply; without it, what the official client reads does. */
  limits: ToolLimits & { maxResultBytes?: number };
  log: Logger;
  /** Counts calls in flight, so a shutdown can wait for them. */
  activity?: { active: number };
  /** The profile the server runs with, for the Teradata QueryBand. */
  profile?: string;
  /** The MCP client as the request (2026) or its `initialize` (2025) named itself, for the Teradata QueryBand. */
  clientInfo?: (extra: Extra) => { name: string; version: string } | undefined;
  /**
   * The process's write confirmation (server/confirm_call.ts `openWriteConfirmation`, one per process: every MCP
   * server instance shares its key and used confirmations). Without it, `limits.writes` says what happens:
   * `confirm` refuses writes (nothing can ask), `unconfirmed` or unset runs them at once.
   */
  confirmation?: WriteConfirmation;
  /** The seal of input requests (`ctx.input.ask`): the process's (`confirmation.seal`), else this server's own. */
  seal?: Promise<InputSeal>;
  /** The server the call came to (what the client declared at `initialize`, on a 2025-era connection). */
  server?: McpServer;
}

/** A tool call's answer: its result, or the question the user must answer before it runs (`input_required`). */
export type RunResult = ToolResult | ReturnType<typeof inputRequired>;

/** The trace id of a W3C `traceparent` (from the request's `_meta`, or its HTTP header), if well formed. */
export function traceIdOf(extra: Extra): string | undefined {
  const meta = (extra.mcpReq._meta as Record<string, unknown> | undefined)?.traceparent;
  const header = extra.http?.req?.headers.get("traceparent") ?? undefined;
  const value = typeof meta === "string" ? meta : typeof header === "string" ? header : undefined;
  const id = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(value?.trim() ?? "")?.[1];
  return id && !/^0+$/.test(id) ? id : undefined;
}

/** The annotations a tool advertises: its write annotations when the server lets writes through. */
export function annotationsFor(tool: Tool, db: Database): Tool["annotations"] {
  return db.allowWrite && tool.writeAnnotations ? tool.writeAnnotations : tool.annotations;
}

/** How often a long call reports progress to a client that asked for it. */
export const PROGRESS_INTERVAL_MS = 1_000;

/** Runs one tool call: builds its context, times it, and turns failures the agent can fix into `isError` results. */
export async function runTool(
  tool: Tool,
  args: Record<string, unknown>,
  deps: RunDeps,
  extra: Extra,
  client: ToolContext["client"] & Partial<Pick<CallChannel, "whyCannotAsk">>,
): Promise<RunResult> {
  const requestId = String(extra.mcpReq.id);
  const log = deps.log.with({ tool: tool.name, requestId });
  const token = extra.mcpReq._meta?.progressToken;
  const sendProgress = (progress: number, total?: number, message?: string) =>
    extra.mcpReq.notify({
      method: "notifications/progress",
      params: { progressToken: token!, progress, total, message },
    });
  const scoped = scopedDatabase(deps.db, extra.mcpReq.signal, {
    tool: tool.name,
    requestId,
    client: deps.clientInfo?.(extra),
    profile: deps.profile,
    traceId: traceIdOf(extra),
  });
  const source = inputSource(deps.server, extra, { tool: tool.name, args });
  let prior;
  try {
    prior = await priorState(source);
  } catch (error) {
    return { content: [{ type: "text", text: describeFailure(error, requestId) }], isError: true };
  }
  const input = toolInput(source, prior);
  const confirmAnswer = input.answers[CONFIRM_INPUT_KEY];
  // A server built without the process's confirmation (an embedding, a test) follows `limits.writes`; unset, the
  // embedding opted into writes with the database's allowWrite alone, and they run unconfirmed.
  const writes = deps.confirmation ?? { mode: (deps.limits as { writes?: WriteMode }).writes ?? "unconfirmed" };
  const { confirm, db } = confirmForCall(writes, {
    call: source.call,
    requestState: prior,
    answer: confirmAnswer?.kind === "elicit" ? confirmAnswer as ConfirmAnswer : undefined,
    // Asked only when a confirmation is needed: it reads the client's capabilities.
    // (Without the check, the SDK itself refuses a 2025-era client that cannot be asked.)
    get cannotAsk() {
      return client.whyCannotAsk?.() ?? null;
    },
  }, scoped);
  const ctx: ToolContext = {
    db,
    confirm,
    input,
    dialect: deps.db.dialect,
    signal: extra.mcpReq.signal,
    log,
    limits: deps.limits,
    requestId,
    client,
    progress: async (progress, total, message) => {
      if (token === undefined) return;
      // The tool reports its own progress: the heartbeat (defined below, before the
      // handler runs) must not send smaller values after it.
      clearInterval(heartbeat);
      await sendProgress(progress, total, message);
    },
  };
  const started = performance.now();
  if (deps.activity) deps.activity.active++;
  // A heartbeat for calls running longer than a second, when the client sent a progress token.
  const heartbeat = token === undefined ? undefined : setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    sendProgress(seconds, undefined, `${tool.name} running for ${seconds} s`).catch(() => {});
  }, PROGRESS_INTERVAL_MS);
  try {
    // The reply, serialized, fits MAX_RESULT_BYTES and what a client reads: the text rendering gives way first.
    const result = fitResult(await tool.handler(args as never, ctx), resultBudget(deps.limits.maxResultBytes));
    const rows = (result.structuredContent as { row_count?: number } | undefined)
      ?.row_count;
    log.info("tool call ok in {ms} ms", {
      ms: elapsed(started),
      rows,
      isError: result.isError === true,
    });
    return result;
  } catch (error) {
    if (error instanceof CapabilityMissing) {
      // The SDK refuses it with -32021 naming the capability the request's client did not declare.
      log.info("tool call needs a capability the client did not declare ({ms} ms)", { ms: elapsed(started) });
      return inputRequired({ inputRequests: sdkRequests(error.requests) });
    }
    if (error instanceof InputNeeded) {
      log.info("tool call asks the client for input: {keys} ({ms} ms)", {
        keys: Object.keys(error.requests).join(", "),
        ms: elapsed(started),
      });
      try {
        return await answerInputNeeded(error, await (deps.seal ?? InputSeal.open()), source.call, prior);
      } catch (sealing) {
        return { content: [{ type: "text", text: describeFailure(sealing, requestId) }], isError: true };
      }
    }
    const text = describeFailure(error, requestId);
    log.warning("tool call failed in {ms} ms: {error}", {
      ms: elapsed(started),
      error: text,
    });
    if (!isKnownFailure(error)) {
      log.error("unexpected failure", {
        stack: error instanceof Error ? error.stack : String(error),
      });
    }
    return { content: [{ type: "text", text }], isError: true };
  } finally {
    clearInterval(heartbeat);
    if (deps.activity) deps.activity.active--;
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
