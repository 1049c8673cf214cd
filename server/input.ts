/**
 * Asking the client for input during a call (`ctx.input`): the answers a retried call carries, the tool's state from
 * the previous round, and {@linkcode InputNeeded}, which `ctx.input.ask()` throws and the server answers with the
 * SDK's `inputRequired` result — an MCP 2026-07-28 `input_required` result the client fulfils and retries, or, through
 * the SDK's legacy shim, real `elicitation/create`, `sampling/createMessage` or `roots/list` requests on a 2025-era
 * connection. The state between rounds is sealed with the process's key (server/input_seal.ts).
 * @module
 */
import { inputRequired } from "./sdk.ts";
import { type InputSeal, sealedFor, VerifiedState } from "./input_seal.ts";
import { ToolInputError } from "../plugin/errors.ts";
import type { ClientCapability, Content, InputAnswer, InputRequest, ToolInput } from "../plugin/tool.ts";

/** Most rounds one call may ask (the SDK's legacy shim stops at 8 too). */
export const MAX_INPUT_ROUNDS = 8;
/** Most input requests one round may make. */
export const MAX_INPUT_REQUESTS = 16;

const KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Thrown by `ctx.input.ask()`: server/run.ts (tools) and server/resources.ts (prompts, resource reads) answer the
 * call with the input requests and a sealed state. A tool lets it pass (never catches it).
 */
export class InputNeeded extends Error {
  override readonly name: string = "InputNeeded";
  constructor(
    readonly requests: Readonly<Record<string, InputRequest>>,
    /** The tool's own data for the next round. */
    readonly state?: unknown,
    /** A state sealed already (a write confirmation binds its statement); else the server seals one. */
    readonly sealed?: string,
  ) {
    super("the client must answer input requests before this call can complete");
  }
}

/** A call that runs nothing because its input cannot be used (another call's state, a refused answer): `Not run: …`. */
export class InputRefused extends ToolInputError {}

/** What the call is, for the seal: its name (`tool`, `prompt:<name>`, `resource:<uri>`), arguments and caller. */
export interface InputCall {
  tool: string;
  args: Record<string, unknown>;
  principal?: string;
}

/** What a call brings to `ctx.input`: its verified state (when it is bound to this call) and raw answers. */
export interface InputSource {
  call: InputCall;
  /** The SDK's `ctx.mcpReq.requestState()`: a {@linkcode VerifiedState} once the verify hook accepted it. */
  requestState: unknown;
  /** The SDK's `ctx.mcpReq.inputResponses`. */
  responses: Record<string, unknown> | undefined;
  /** Whether the client declared it can answer this kind of input request. */
  can?(capability: ClientCapability): boolean;
  /**
   * Refuses requests the client cannot answer with a clear error (a 2025-era client that did not declare the
   * capability, or stateless HTTP); on 2026-07-28 the SDK answers -32021 instead, so this may do nothing.
   */
  check?(kinds: ClientCapability[]): void;
}

/** The state of the previous round, when it was sealed for this very call (tool and arguments); else undefined. */
export async function priorState(source: InputSource): Promise<VerifiedState | undefined> {
  const state = source.requestState;
  if (!VerifiedState.is(state)) return undefined;
  if (!await sealedFor(state, source.call.tool, source.call.args)) {
    throw new InputRefused(
      state.payload.q !== undefined
        ? "the confirmation was given for a different call (another tool, statement or arguments); call the tool " +
          "again with the statement you want and let the user confirm that one"
        : "the requestState was given for a different call (another tool or other arguments); call again without " +
          "requestState to be asked anew",
    );
  }
  return state;
}

/** The call's `ctx.input`: the answers (shape-checked; only the keys asked when the call carries a state). */
export function toolInput(source: InputSource, prior: VerifiedState | undefined): ToolInput {
  const asked = prior?.payload.k;
  const answers: Record<string, InputAnswer> = {};
  for (const [key, raw] of Object.entries(source.responses ?? {})) {
    if (asked && !asked.includes(key)) continue;
    const answer = parseAnswer(raw);
    if (answer) answers[key] = answer;
  }
  return {
    answers: Object.freeze(answers),
    state: prior?.payload.s,
    round: prior?.payload.r ?? 0,
    can: (capability) => source.can?.(capability) ?? false,
    ask(requests, state) {
      const entries = Object.entries(requests);
      if (entries.length === 0 || entries.length > MAX_INPUT_REQUESTS) {
        throw new TypeError(`ctx.input.ask needs 1 to ${MAX_INPUT_REQUESTS} input requests, got ${entries.length}`);
      }
      const bad = entries.find(([key]) => !KEY.test(key));
      if (bad) throw new TypeError(`an input request key must be 1-64 letters, digits, _ . or -: "${bad[0]}"`);
      if ((prior?.payload.r ?? 0) >= MAX_INPUT_ROUNDS) {
        throw new ToolInputError(`the call asked ${MAX_INPUT_ROUNDS} times without completing; call it again`);
      }
      if (state !== undefined && JSON.stringify(state) === undefined) {
        throw new TypeError("the state a tool keeps between rounds must be JSON");
      }
      source.check?.([...new Set(entries.map(([, r]) => capabilityOf(r)))]);
      throw new InputNeeded(requests, state);
    },
  };
}

/** The client capability an input request needs. */
export function capabilityOf(request: InputRequest): ClientCapability {
  return request.kind === "elicit" ? "elicitation" : request.kind === "sample" ? "sampling" : "roots";
}

/** The SDK's `inputRequired` result for what `ask()` threw, with its state sealed for the call's next round. */
export async function answerInputNeeded(
  needed: InputNeeded,
  seal: InputSeal,
  call: InputCall,
  prior: VerifiedState | undefined,
): Promise<ReturnType<typeof inputRequired>> {
  const requestState = needed.sealed ?? await seal.seal({
    ...call,
    round: (prior?.payload.r ?? 0) + 1,
    keys: Object.keys(needed.requests),
    state: needed.state,
  });
  return inputRequired({ inputRequests: sdkRequests(needed.requests), requestState });
}

/** The requests as the SDK builds them (`inputRequired.elicit`, `.createMessage`, `.listRoots`). */
export function sdkRequests(requests: Readonly<Record<string, InputRequest>>) {
  return Object.fromEntries(
    Object.entries(requests).map(([key, request]) => {
      if (request.kind === "elicit") {
        const { kind: _, ...params } = request;
        return [key, inputRequired.elicit(params as Parameters<typeof inputRequired.elicit>[0])];
      }
      if (request.kind === "sample") {
        const { kind: _, ...params } = request;
        return [key, inputRequired.createMessage(params as Parameters<typeof inputRequired.createMessage>[0])];
      }
      return [key, inputRequired.listRoots()];
    }),
  );
}

/** One answer, if it has the shape of an elicitation, sampling or roots result; anything else reads as missing. */
export function parseAnswer(raw: unknown): InputAnswer | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if ("action" in r) {
    if (r.action !== "accept" && r.action !== "decline" && r.action !== "cancel") return undefined;
    if (r.content !== undefined && !isRecord(r.content)) return undefined;
    return { kind: "elicit", action: r.action, ...(isRecord(r.content) ? { content: r.content } : {}) };
  }
  if ("roots" in r) {
    if (!Array.isArray(r.roots)) return undefined;
    const roots = r.roots.filter((root): root is { uri: string; name?: string } =>
      isRecord(root) && typeof root.uri === "string" && (root.name === undefined || typeof root.name === "string")
    );
    if (roots.length !== r.roots.length) return undefined;
    return { kind: "roots", roots: roots.map(({ uri, name }) => (name === undefined ? { uri } : { uri, name })) };
  }
  if ((r.role === "user" || r.role === "assistant") && isRecord(r.content) && typeof r.content.type === "string") {
    if (typeof r.model !== "string") return undefined;
    return {
      kind: "sample",
      result: {
        role: r.role,
        content: r.content as Content,
        model: r.model,
        ...(typeof r.stopReason === "string" ? { stopReason: r.stopReason } : {}),
      },
    };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `ctx.input` where nothing can be asked (a completion, a subscription): `ask()` says so. */
export function noInput(what: string): ToolInput {
  return {
    answers: Object.freeze({}),
    state: undefined,
    round: 0,
    can: () => false,
    ask() {
      throw new ToolInputError(`${what} cannot ask the client for input`);
    },
  };
}
