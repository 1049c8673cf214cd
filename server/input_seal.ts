/**
 * The sealed `requestState` of a call that asks the client for input (MCP 2026-07-28 `input_required`, or the SDK's
 * elicitation on a 2025-era connection): what the server needs to trust the retried call, signed with the process's
 * key. No SDK here: server/create.ts hands {@linkcode InputSeal.open} to the SDK's `requestState.verify` hook, so a
 * state that is forged, altered, expired or another caller's is refused (JSON-RPC -32602) before any handler runs.
 *
 * The state is `tdc1.<payload>.<mac>` (base64url): the payload is JSON `{n, t, a, p, e, r, k, s?, q?}` — a random
 * nonce, the tool (or `prompt:<name>`, `resource:<uri>`), a SHA-256 of the call's canonical arguments, one of the
 * caller (when the transport authenticated one), the expiry in Unix milliseconds, the round, the keys asked, the
 * tool's own state and, for a write confirmation, a SHA-256 of the statement shown — and the MAC is HMAC-SHA256 over
 * `tdc1.<payload>` with the process's key (CONFIRM_KEY_FILE, or random per process). It is signed, not encrypted: the
 * client can read it, so a tool's state must hold nothing secret.
 * @module
 */

/** Shortest key a CONFIRM_KEY_FILE may hold. */
export const SEAL_KEY_MIN_BYTES = 32;
/** How long an input request stays answerable when the server names no CONFIRM_TTL. */
export const SEAL_TTL_DEFAULT_MS = 300_000;
/** Longest sealed state accepted (a tool's own state must fit, with the rest, in this many characters). */
export const SEAL_MAX_CHARS = 8_192;

const PREFIX = "tdc1.";
const NONCE = /^[0-9a-f]{32}$/;

/** What a state is sealed for: the call, the round, what was asked, and the tool's own data. */
export interface SealFields {
  /** The tool's name, or `prompt:<name>` / `resource:<uri>`. */
  tool: string;
  args: Record<string, unknown>;
  /** The authenticated caller (HTTP bearer auth: client id and subject); absent on stdio. */
  principal?: string;
  /** The round this state leads to (1 for the first question). */
  round: number;
  /** The keys of the input requests asked in this round. */
  keys: string[];
  /** The tool's own data for the next round (JSON). */
  state?: unknown;
  /** A write confirmation: the statement the user is shown. */
  statement?: string;
}

/** The payload inside a sealed state. */
export interface SealedPayload {
  n: string;
  t: string;
  a: string;
  p: string;
  e: number;
  r: number;
  k: string[];
  s?: unknown;
  q?: string;
}

/**
 * A state this process's key verified (MAC, expiry, caller): what the SDK's `requestState.verify` hook hands the
 * handler. Only {@linkcode InputSeal.open} makes one, so a handler that holds one knows it was checked.
 */
export class VerifiedState {
  readonly #brand = true;
  constructor(readonly payload: SealedPayload) {}
  /** Whether `value` is a state this module verified. */
  static is(value: unknown): value is VerifiedState {
    return value instanceof VerifiedState && value.#brand;
  }
}

/** Why a sealed state is refused: not this key's (or altered), expired, or sealed for another caller. */
export class StateRefused extends Error {
  override readonly name = "StateRefused";
  constructor(readonly reason: "forged" | "expired" | "caller", message: string) {
    super(message);
  }
}

/** What an {@linkcode InputSeal} is made from. */
export interface InputSealOptions {
  /** The HMAC key (CONFIRM_KEY_FILE, at least 32 bytes); a random one for this process when absent. */
  key?: Uint8Array;
  /** How long a sealed state stays valid (CONFIRM_TTL); default 5 minutes. */
  ttlMs?: number;
  /** The clock, in Unix milliseconds (tests pass their own). */
  now?: () => number;
}

/**
 * Seals the state of a call that asks for input, and opens it on the retried call: one per process, shared by every
 * MCP server instance it builds (an HTTP server is built per request), and by replicas that share CONFIRM_KEY_FILE.
 */
export class InputSeal {
  readonly ttlMs: number;
  /** Whether the key came from CONFIRM_KEY_FILE (shared by replicas) rather than this process. */
  readonly sharedKey: boolean;
  readonly now: () => number;
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey, shared: boolean, options: InputSealOptions) {
    this.#key = key;
    this.sharedKey = shared;
    this.ttlMs = options.ttlMs ?? SEAL_TTL_DEFAULT_MS;
    this.now = options.now ?? Date.now;
  }

  /** Makes a seal; rejects a key shorter than 32 bytes and a TTL that is not positive. */
  static async open(options: InputSealOptions = {}): Promise<InputSeal> {
    const raw = options.key ?? crypto.getRandomValues(new Uint8Array(32));
    if (raw.byteLength < SEAL_KEY_MIN_BYTES) {
      throw new RangeError(
        `Cannot start server as 'CONFIRM_KEY_FILE' must hold at least ${SEAL_KEY_MIN_BYTES} random bytes: it holds ` +
          `${raw.byteLength} (make one with: head -c 32 /dev/urandom > confirm.key)`,
      );
    }
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) throw new RangeError("ttlMs must be positive");
    const key = await crypto.subtle.importKey("raw", Uint8Array.from(raw), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    return new InputSeal(key, options.key !== undefined, options);
  }

  /** Seals a state: the `requestState` of the input request. Throws TypeError when it is too large. */
  async seal(fields: SealFields): Promise<string> {
    const payload: SealedPayload = {
      n: hex(crypto.getRandomValues(new Uint8Array(16))),
      t: fields.tool,
      a: await argsHash(fields.args),
      p: await principalHash(fields.principal),
      e: this.now() + this.ttlMs,
      r: fields.round,
      k: fields.keys,
      ...(fields.state === undefined ? {} : { s: fields.state }),
      ...(fields.statement === undefined ? {} : { q: await statementHash(fields.statement) }),
    };
    const body = PREFIX + b64url(new TextEncoder().encode(JSON.stringify(payload)));
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", this.#key, new TextEncoder().encode(body)));
    const sealed = `${body}.${b64url(mac)}`;
    if (sealed.length > SEAL_MAX_CHARS) {
      throw new TypeError(
        `the state a tool keeps between rounds must be small: sealed it takes ${sealed.length} characters (the ` +
          `limit is ${SEAL_MAX_CHARS})`,
      );
    }
    return sealed;
  }

  /**
   * Opens a retried call's state: it must carry this key's MAC (or a replica's with the same key), be unexpired and
   * sealed for this caller. Throws {@linkcode StateRefused} otherwise.
   */
  async open(state: unknown, principal?: string): Promise<VerifiedState> {
    const forged = () => new StateRefused("forged", "the requestState is not one this server issued or was altered");
    if (typeof state !== "string" || !state.startsWith(PREFIX) || state.length > SEAL_MAX_CHARS) throw forged();
    const dot = state.lastIndexOf(".");
    const body = state.slice(0, dot);
    let payload: unknown;
    try {
      const mac = fromB64url(state.slice(dot + 1));
      if (!await crypto.subtle.verify("HMAC", this.#key, mac, new TextEncoder().encode(body))) throw forged();
      payload = JSON.parse(new TextDecoder().decode(fromB64url(body.slice(PREFIX.length))));
    } catch {
      throw forged();
    }
    if (!isSealed(payload)) throw forged();
    if (payload.e <= this.now()) throw new StateRefused("expired", "the requestState expired");
    if (payload.p !== await principalHash(principal)) {
      throw new StateRefused("caller", "the requestState was issued to another caller");
    }
    return new VerifiedState(payload);
  }
}

/** Whether a verified state was sealed for this tool and these arguments. */
export async function sealedFor(state: VerifiedState, tool: string, args: Record<string, unknown>): Promise<boolean> {
  return state.payload.t === tool && state.payload.a === await argsHash(args);
}

/** Whether a verified state is a write confirmation of this statement. */
export async function confirmsStatement(state: VerifiedState, statement: string): Promise<boolean> {
  return state.payload.q !== undefined && state.payload.q === await statementHash(statement);
}

function isSealed(value: unknown): value is SealedPayload {
  const v = value as Partial<SealedPayload> | null;
  return typeof v === "object" && v !== null && typeof v.n === "string" && NONCE.test(v.n) &&
    typeof v.t === "string" && typeof v.a === "string" && typeof v.p === "string" && typeof v.e === "number" &&
    Number.isInteger(v.r) && Array.isArray(v.k) && v.k.every((k) => typeof k === "string") &&
    (v.q === undefined || typeof v.q === "string");
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

async function statementHash(statement: string): Promise<string> {
  return await sha256(`statement:${statement}`);
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
