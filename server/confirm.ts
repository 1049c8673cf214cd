/**
 * Writes confirmed in-band: the sealed confirmation a tool call carries between its two rounds, the store that lets
 * each confirmation run once, the question put to the user, and the check of the answer. No SDK and no database
 * here: server/run.ts turns {@linkcode ConfirmationNeeded} into the SDK's `inputRequired` result and hands the
 * retried call's `requestState` and `inputResponses` back to {@linkcode ConfirmGate.check}.
 *
 * The sealed state is `tdc1.<payload>.<mac>` (base64url): the payload is JSON `{n, t, a, q, p, e}` — a random nonce,
 * the tool, a SHA-256 of the call's canonical arguments, one of the statement shown to the user, one of the caller
 * (when the transport authenticated one) and the expiry in Unix milliseconds — and the MAC is HMAC-SHA256 over `tdc1.<payload>` with the server's key.
 * It is signed, not encrypted: the client can read it, and it holds nothing secret.
 * @module
 */
import type { ConfirmRequest } from "../plugin/tool.ts";
import { ToolInputError } from "../plugin/errors.ts";
import { type ConfirmQuestion, question, seconds } from "./confirm_question.ts";

export { type ConfirmQuestion, question } from "./confirm_question.ts";

/** How long a confirmation stays valid when the server names no CONFIRM_TTL. */
export const CONFIRM_TTL_DEFAULT_MS = 300_000;
/** The key of the one input request a confirmation makes (`inputRequests.confirm`, `inputResponses.confirm`). */
export const CONFIRM_INPUT_KEY = "confirm";
/** Shortest key a CONFIRM_KEY_FILE may hold. */
export const CONFIRM_KEY_MIN_BYTES = 32;
/** Most confirmations one process remembers as used at once (each until it expires). */
export const CONFIRM_MAX_USED = 10_000;

const PREFIX = "tdc1.";
const NONCE = /^[0-9a-f]{32}$/;

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
 * Thrown by `ctx.confirm()` on a call that carries no confirmation: server/run.ts answers the call with an input
 * request (`input_required`) built from `question` and `requestState`. A tool lets it pass (never catches it).
 */
export class ConfirmationNeeded extends Error {
  override readonly name = "ConfirmationNeeded";
  constructor(readonly question: ConfirmQuestion, readonly requestState: string) {
    super("the user must confirm this call before it runs");
  }
}

/**
 * A confirmation that cannot be used (expired, for another call, used already, declined) or a client that cannot be
 * asked: the call runs nothing. Reported as `Not run: <message>`.
 */
export class ConfirmationRefused extends ToolInputError {}

/** What a {@linkcode ConfirmGate} is made from. */
export interface ConfirmGateOptions {
  /** The HMAC key (CONFIRM_KEY_FILE, at least 32 bytes); a random one for this process when absent. */
  key?: Uint8Array;
  /** How long a confirmation stays valid (CONFIRM_TTL); default 5 minutes. */
  ttlMs?: number;
  /** Most used confirmations remembered at once; default {@linkcode CONFIRM_MAX_USED}. */
  maxUsed?: number;
  /** The clock, in Unix milliseconds (tests pass their own). */
  now?: () => number;
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
  readonly ttlMs: number;
  /** Whether the key came from CONFIRM_KEY_FILE (shared by replicas) rather than this process. */
  readonly sharedKey: boolean;
  readonly #key: CryptoKey;
  readonly #now: () => number;
  readonly #maxUsed: number;
  /** Used nonces and their expiry, oldest first (one TTL for all, so insertion order is expiry order). */
  readonly #used = new Map<string, number>();

  private constructor(key: CryptoKey, shared: boolean, options: ConfirmGateOptions) {
    this.#key = key;
    this.sharedKey = shared;
    this.ttlMs = options.ttlMs ?? CONFIRM_TTL_DEFAULT_MS;
    this.#now = options.now ?? Date.now;
    this.#maxUsed = options.maxUsed ?? CONFIRM_MAX_USED;
  }

  /** Makes a gate; rejects a key shorter than 32 bytes. */
  static async open(options: ConfirmGateOptions = {}): Promise<ConfirmGate> {
    const raw = options.key ?? crypto.getRandomValues(new Uint8Array(32));
    if (raw.byteLength < CONFIRM_KEY_MIN_BYTES) {
      throw new RangeError(
        `Cannot start server as 'CONFIRM_KEY_FILE' must hold at least ${CONFIRM_KEY_MIN_BYTES} random bytes: it holds ` +
          `${raw.byteLength} (make one with: head -c 32 /dev/urandom > confirm.key)`,
      );
    }
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) throw new RangeError("ttlMs must be positive");
    const key = await crypto.subtle.importKey("raw", Uint8Array.from(raw), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    return new ConfirmGate(key, options.key !== undefined, options);
  }

  /** Seals a new confirmation for `call`: the `requestState` of the input request. */
  async seal(call: CallIdentity): Promise<string> {
    const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
    const payload = {
      n: nonce,
      t: call.tool,
      a: await argsHash(call.args),
      q: await sha256(`statement:${call.statement ?? ""}`),
      p: await principalHash(call.principal),
      e: this.#now() + this.ttlMs,
    };
    const body = PREFIX + b64url(new TextEncoder().encode(JSON.stringify(payload)));
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", this.#key, new TextEncoder().encode(body)));
    return `${body}.${b64url(mac)}`;
  }

  /** Builds the question and the sealed state for a call that needs the user's confirmation. */
  async ask(request: ConfirmRequest, call: CallIdentity, estimatedRows: number | null): Promise<ConfirmationNeeded> {
    return new ConfirmationNeeded(question(request, estimatedRows, this.ttlMs), await this.seal(call));
  }

  /**
   * Checks a retried call: the state must be this server's (or a replica's with the same key), unexpired, for this
   * tool, these arguments and this caller, never used before, and the answer an acceptance with `confirm: true`.
   * Marks the confirmation used and returns its once-only token; throws {@linkcode ConfirmationRefused} otherwise.
   */
  async check(state: unknown, answer: ConfirmAnswer | undefined, call: CallIdentity): Promise<Confirmed> {
    const payload = await this.#open(state);
    if (payload.e <= this.#now()) {
      throw new ConfirmationRefused(
        `the confirmation expired (confirmations are valid for ${seconds(this.ttlMs)}); call the tool again to ask ` +
          "the user anew",
      );
    }
    const statement = await sha256(`statement:${call.statement ?? ""}`);
    if (payload.t !== call.tool || payload.a !== await argsHash(call.args) || payload.q !== statement) {
      throw new ConfirmationRefused(
        "the confirmation was given for a different call (another tool, statement or arguments); call the tool " +
          "again with the statement you want and let the user confirm that one",
      );
    }
    if (payload.p !== await principalHash(call.principal)) {
      throw new ConfirmationRefused(
        "the confirmation was given to another caller; call the tool again to ask the user anew",
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
    this.#use(payload.n, payload.e);
    return { token: payload.n };
  }

  /** Used confirmations this process remembers (they are forgotten once expired). */
  get used(): number {
    this.#forgetExpired();
    return this.#used.size;
  }

  async #open(state: unknown): Promise<Sealed> {
    const refused = () =>
      new ConfirmationRefused(
        "the confirmation is not one this server issued or was altered" +
          (this.sharedKey ? "" : " (without CONFIRM_KEY_FILE each server process has its own key, so a confirmation " +
            "works only on the process that asked: behind a load balancer, give every replica the same key file)") +
          "; call the tool again without requestState to ask the user anew",
      );
    if (typeof state !== "string" || !state.startsWith(PREFIX) || state.length > 2_048) throw refused();
    const dot = state.lastIndexOf(".");
    const body = state.slice(0, dot);
    let mac: Uint8Array<ArrayBuffer>;
    let payload: unknown;
    try {
      mac = fromB64url(state.slice(dot + 1));
      if (!await crypto.subtle.verify("HMAC", this.#key, mac, new TextEncoder().encode(body))) throw refused();
      payload = JSON.parse(new TextDecoder().decode(fromB64url(body.slice(PREFIX.length))));
    } catch (error) {
      if (error instanceof ConfirmationRefused) throw error;
      throw refused();
    }
    if (!isSealed(payload)) throw refused();
    return payload;
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
    const now = this.#now();
    for (const [nonce, expiresAt] of this.#used) {
      if (expiresAt > now) break;
      this.#used.delete(nonce);
    }
  }
}

/** The payload inside a sealed confirmation. */
interface Sealed {
  n: string;
  t: string;
  a: string;
  q: string;
  p: string;
  e: number;
}

function isSealed(value: unknown): value is Sealed {
  const v = value as Partial<Sealed> | null;
  return typeof v === "object" && v !== null && typeof v.n === "string" && NONCE.test(v.n) &&
    typeof v.t === "string" && typeof v.a === "string" && typeof v.q === "string" && typeof v.p === "string" &&
    typeof v.e === "number";
}

/** The SHA-256 (base64url) of arguments in canonical JSON: keys sorted at every level, so the order sent never matters. */
export async function argsHash(args: Record<string, unknown>): Promise<string> {
  return await sha256(canonicalJson(args));
}

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
        : v,
  );
}

async function principalHash(principal: string | undefined): Promise<string> {
  return principal === undefined ? "" : await sha256(`principal:${principal}`);
}

async function sha256(text: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function b64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url");
  const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
