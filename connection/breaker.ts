/**
 * A circuit breaker for a database that stopped accepting connections: after
 * a few connection failures in a row, calls fail at once (a dead database is
 * not hammered) while one probe call at a time tests whether it is back.
 *
 * It also pauses logons after the database refused one (a wrong password, a
 * locked or unknown user): every further attempt with the same credentials
 * would count towards locking the account (Teradata's MaxLogonAttempts, an
 * LDAP directory's lockout), so none is made until a long pause has passed;
 * then one logon is tried, and each refusal doubles the pause.
 * @module
 */
import { DatabaseError } from "./errors.ts";

/** Settings of a {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** Consecutive connection failures that open the circuit. */
  threshold: number;
  /** First pause before a probe; doubles per failed probe. */
  baseMs: number;
  /** Longest pause before a probe: bounds how late recovery is noticed. */
  maxMs: number;
  /** Pause after a refused logon before one logon is tried again; doubles per refusal (default 60 s). */
  logonPauseMs?: number;
  /** Longest pause between logon attempts after refusals (default 15 minutes). */
  maxLogonPauseMs?: number;
}

/**
 * Default breaker settings: recovery is noticed within about a second; after a refused logon the next attempts come
 * 1, 3, 7 and 15 minutes later, then every 15 minutes (4 failed logons in the first quarter hour, 1 per quarter hour
 * after that).
 */
export const BREAKER_DEFAULTS: BreakerOptions = {
  threshold: 3,
  baseMs: 200,
  maxMs: 1_000,
  logonPauseMs: 60_000,
  maxLogonPauseMs: 900_000,
};

/** The breaker's state, for stats. */
export type BreakerState = "closed" | "open" | "half-open";

/** Tracks connection failures and decides whether a call may try the database. */
export class CircuitBreaker {
  readonly #options: BreakerOptions;
  #failures = 0;
  #openUntil = 0;
  #pauseMs: number;
  #probing = false;
  #lastError = "";
  /** The last refused logon, while logons are paused or until one succeeds. */
  #refusal: DatabaseError | null = null;
  #logonAfter = 0;
  #logonPauseMs: number;

  constructor(options: BreakerOptions = BREAKER_DEFAULTS) {
    this.#options = options;
    this.#pauseMs = options.baseMs;
    this.#logonPauseMs = this.#firstLogonPause();
  }

  /** The current state; logons paused after a refusal count as open. */
  get state(): BreakerState {
    if (this.#refusal && Date.now() < this.#logonAfter) return "open";
    return this.#circuit();
  }

  #circuit(): BreakerState {
    if (this.#failures < this.#options.threshold) return "closed";
    return Date.now() < this.#openUntil ? "open" : "half-open";
  }

  /**
   * Lets a call through, or throws an `unavailable` error at once while the
   * circuit is open. Returns whether this call is the probe.
   */
  enter(): boolean {
    const state = this.#circuit();
    if (state === "closed") return false;
    if (state === "half-open" && !this.#probing) {
      this.#probing = true;
      return true;
    }
    const wait = Math.max(0, this.#openUntil - Date.now());
    throw new DatabaseError(
      `the database is not accepting connections (next attempt in ${wait} ms; last error: ${this.#lastError})`,
      { kind: "unavailable", retryable: false },
    );
  }

  /** Records that the database answered. */
  success(): void {
    this.#failures = 0;
    this.#pauseMs = this.#options.baseMs;
    this.#probing = false;
  }

  /** Records a connection failure (only connection-class failures count). */
  failure(message: string, probe: boolean): void {
    this.#lastError = message;
    this.#failures++;
    if (probe) this.#probing = false;
    if (this.#failures < this.#options.threshold) return;
    // Calls that were in flight when the circuit opened fail too: they are the same outage, and neither extend the
    // pause nor double it. The pause doubles each time the circuit opens: at the threshold, and per failed probe.
    if (this.#failures > this.#options.threshold && !probe) return;
    this.#openUntil = Date.now() + this.#pauseMs;
    this.#pauseMs = Math.min(this.#pauseMs * 2, this.#options.maxMs);
  }

  /** Ends a probe that neither succeeded nor failed on the connection (e.g. a SQL error: the database is up). */
  release(probe: boolean): void {
    if (probe) this.success();
  }

  /**
   * Called before every logon: throws an `auth` error at once, without an attempt, while logons are paused after a
   * refusal. Once the pause is over the logon is tried (the pool runs one logon at a time until one succeeds).
   */
  checkLogon(): void {
    const refusal = this.#refusal;
    if (!refusal) return;
    const waitMs = this.#logonAfter - Date.now();
    if (waitMs <= 0) return;
    throw new DatabaseError(
      `${refusal.message}. No new logon is tried for ${Math.ceil(waitMs / 1000)} s`,
      { kind: "auth", sqlState: refusal.sqlState, nativeCode: refusal.nativeCode, retryable: false },
    );
  }

  /** Records a refused logon: pauses logons (the pause doubles with each refusal). */
  logonRefused(error: DatabaseError): void {
    this.#refusal = error;
    this.#logonAfter = Date.now() + this.#logonPauseMs;
    this.#logonPauseMs = Math.min(this.#logonPauseMs * 2, this.#options.maxLogonPauseMs ?? MAX_LOGON_PAUSE_MS);
  }

  /** Records a logon that succeeded: lifts the pause and starts the next one short again. */
  logonAccepted(): void {
    this.#refusal = null;
    this.#logonAfter = 0;
    this.#logonPauseMs = this.#firstLogonPause();
  }

  #firstLogonPause(): number {
    return this.#options.logonPauseMs ?? LOGON_PAUSE_MS;
  }
}

/** Defaults of the optional logon settings. */
const LOGON_PAUSE_MS = 60_000;
const MAX_LOGON_PAUSE_MS = 900_000;
