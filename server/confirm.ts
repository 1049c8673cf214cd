/**
 * Writes confirmed in-band: the store that lets each confirmation run once, the question put to the user, and the
 * check of the answer. No SDK and no database here: a confirmation is an input request like any other
 * (server/input.ts, `ctx.input.ask`) whose sealed state (server/input_seal.ts) also binds the statement shown; the
 * SDK's `requestState.verify` hook checks the seal of the retried call, and {@linkcode ConfirmGate.check} the rest.
 * @module
 */
import type { ConfirmRequest } from "../plugin/tool.ts";
import { InputNeeded, InputRefused } from "./input.ts";
import { type ConfirmQuestion, question, seconds } from "./confirm_question.ts";
import {
  confirmsStatement,
  InputSeal,
  type InputSealOptions,
  SEAL_KEY_MIN_BYTES,
  SEAL_TTL_DEFAULT_MS,
  sealedFor,
  StateRefused,
  VerifiedState,
} from "./input_seal.ts";

export { type ConfirmQuestion, question } from "./confirm_question.ts";
export { argsHash, canonicalJson } from "./input_seal.ts";

/** How long a confirmation stays valid when the server names no CONFIRM_TTL. */
export const CONFIRM_TTL_DEFAULT_MS = SEAL_TTL_DEFAULT_MS;
/** The key of the one input request a confirmation makes (`inputRequests.confirm`, `inputResponses.confirm`). */
export const CONFIRM_INPUT_KEY = "confirm";
/** Shortest key a CONFIRM_KEY_FILE may hold. */
export const CONFIRM_KEY_MIN_BYTES = SEAL_KEY_MIN_BYTES;
/** Most confirmations one process remembers as used at once (each until it expires). */
export const CONFIRM_MAX_USED = 10_000;

/** The call a confirmation is for: the tool, its arguments as validated, and who called (when known). */
export interface CallIdentity {
  tool: string;
  args: Record<string, unknown>;
  /** The authenticated caller (HTTP bearer auth: client id and subject); absent on stdio. */
  principal?: string;
  /** The statement the user is shown: a tool cannot run a confirmation for another one in the same arguments. */
  statement?: string;
}

/** What a valid, unused confirmation yields: its nonce, the once-only token of the ledger (CONFIRM_LEDGER_TABLE). */
export interface Confirmed {
  token: string;
}

/**
 * Thrown by `ctx.confirm()` on a call that carries no confirmation: an input request (`confirm`, the question) with
 * its state sealed already (it binds the statement shown). A tool lets it pass (never catches it).
 */
export class ConfirmationNeeded extends InputNeeded {
  override readonly name = "ConfirmationNeeded";
  constructor(readonly question: ConfirmQuestion, readonly requestState: string) {
    super({ [CONFIRM_INPUT_KEY]: { kind: "elicit", ...question } }, undefined, requestState);
  }
}

/**
 * A confirmation that cannot be used (expired, for another call, used already, declined) or a client that cannot be
 * asked: the call runs nothing. Reported as `Not run: <message>`.
 */
export class ConfirmationRefused extends InputRefused {}

/** What a {@linkcode ConfirmGate} is made from. */
export interface ConfirmGateOptions extends InputSealOptions {
  /** The process's seal (server/input_seal.ts), shared with every other input request; else one from `key`. */
  seal?: InputSeal;
  /** Most used confirmations remembered at once; default {@linkcode CONFIRM_MAX_USED}. */
  maxUsed?: number;
}

/** The user's answer to the input request, as the retried call carries it (`inputResponses.confirm`). */
export interface ConfirmAnswer {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown>;
}

/**
 * Seals confirmations and checks them: one per process, shared by every MCP server instance it builds (an HTTP
 * server is built per request). Remembers the confirmations it let through until they expire, so each runs once
 * on this process; across replicas and restarts, the ledger table (CONFIRM_LEDGER_TABLE) does the same in the
 * database.
 */
export class ConfirmGate {
  /** The process's seal: its key and TTL. */
  readonly inputSeal: InputSeal;
  readonly #maxUsed: number;
  /** Used nonces and their expiry, oldest first (one TTL for all, so insertion order is expiry order). */
  readonly #used = new Map<string, number>();

  private constructor(seal: InputSeal, options: ConfirmGateOptions) {
    this.inputSeal = seal;
    this.#maxUsed = options.maxUsed ?? CONFIRM_MAX_USED;
  }

  /** Makes a gate; rejects a key shorter than 32 bytes. */
  static async open(options: ConfirmGateOptions = {}): Promise<ConfirmGate> {
    return new ConfirmGate(options.seal ?? await InputSeal.open(options), options);
  }

  /** How long a confirmation stays valid (CONFIRM_TTL). */
  get ttlMs(): number {
    return this.inputSeal.ttlMs;
  }

  /** Whether the key came from CONFIRM_KEY_FILE (shared by replicas) rather than this process. */
  get sharedKey(): boolean {
    return this.inputSeal.sharedKey;
  }

  /** Seals a new confirmation for `call`: the `requestState` of the input request (`carry`: the tool's round, state). */
  async seal(call: CallIdentity, carry: { round?: number; state?: unknown } = {}): Promise<string> {
    return await this.inputSeal.seal({
      tool: call.tool,
      args: call.args,
      principal: call.principal,
      round: carry.round ?? 1,
      keys: [CONFIRM_INPUT_KEY],
      state: carry.state,
      statement: call.statement ?? "",
    });
  }

  /** Builds the question and the sealed state for a call that needs the user's confirmation. */
  async ask(
    request: ConfirmRequest,
    call: CallIdentity,
    estimatedRows: number | null,
    carry: { round?: number; state?: unknown } = {},
  ): Promise<ConfirmationNeeded> {
    return new ConfirmationNeeded(question(request, estimatedRows, this.ttlMs), await this.seal(call, carry));
  }

  /**
   * Checks a retried call: the state must be this server's (or a replica's with the same key), unexpired, for this
   * tool, these arguments, this statement and this caller, never used before, and the answer an acceptance with
   * `confirm: true`. `state` is the wire string, or what the SDK's verify hook made of it. Marks the confirmation used
   * and returns its once-only token; throws {@linkcode ConfirmationRefused} otherwise.
   */
  async check(state: unknown, answer: ConfirmAnswer | undefined, call: CallIdentity): Promise<Confirmed> {
    const verified = VerifiedState.is(state) ? state : await this.#open(state, call.principal);
    if (
      !await sealedFor(verified, call.tool, call.args) || !await confirmsStatement(verified, call.statement ?? "")
    ) {
      throw new ConfirmationRefused(
        "the confirmation was given for a different call (another tool, statement or arguments); call the tool " +
          "again with the statement you want and let the user confirm that one",
      );
    }
    if (answer?.action !== "accept" || answer.content?.confirm !== true) {
      const what = answer === undefined
        ? "the retried call carries no answer to the confirmation"
        : answer.action === "accept"
        ? "the user did not tick 'confirm'"
        : `the user chose ${answer.action}`;
      throw new ConfirmationRefused(`the user did not confirm the write (${what})`);
    }
    this.#use(verified.payload.n, verified.payload.e);
    return { token: verified.payload.n };
  }

  async #open(state: unknown, principal: string | undefined): Promise<VerifiedState> {
    try {
      return await this.inputSeal.open(state, principal);
    } catch (error) {
      if (!(error instanceof StateRefused)) throw error;
      throw new ConfirmationRefused(refusal(error.reason, this.ttlMs, this.sharedKey));
    }
  }

  /** Used confirmations this process remembers (they are forgotten once expired). */
  get used(): number {
    this.#forgetExpired();
    return this.#used.size;
  }

  #use(nonce: string, expiresAt: number): void {
    this.#forgetExpired();
    if (this.#used.has(nonce)) {
      throw new ConfirmationRefused(
        "this confirmation was used already (each runs its statement once); call the tool again to ask the user " +
          "anew",
      );
    }
    if (this.#used.size >= this.#maxUsed) {
      throw new ConfirmationRefused(
        `too many confirmed writes in the last ${seconds(this.ttlMs)} (${this.#maxUsed}); try again in a minute`,
      );
    }
    this.#used.set(nonce, expiresAt);
  }

  #forgetExpired(): void {
    const now = this.inputSeal.now();
    for (const [nonce, expiresAt] of this.#used) {
      if (expiresAt > now) break;
      this.#used.delete(nonce);
    }
  }
}

/** What the retried call is told when its confirmation's seal does not hold (also the verify hook's log line). */
export function refusal(reason: StateRefused["reason"], ttlMs: number, sharedKey: boolean): string {
  if (reason === "expired") {
    return `the confirmation expired (confirmations are valid for ${seconds(ttlMs)}); call the tool again to ask ` +
      "the user anew";
  }
  if (reason === "caller") {
    return "the confirmation was given to another caller; call the tool again to ask the user anew";
  }
  return "the confirmation is not one this server issued or was altered" +
    (sharedKey ? "" : " (without CONFIRM_KEY_FILE each server process has its own key, so a confirmation " +
      "works only on the process that asked: behind a load balancer, give every replica the same key file)") +
    "; call the tool again without requestState to ask the user anew";
}
