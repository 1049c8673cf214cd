/**
 * A circuit breaker for a database that stopped accepting connections: after
 * a few connection failures in a row, calls fail at once (a dead database is
 * not hammered) while one probe call at a time tests whether it is back.
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
}

/** Default breaker settings: recovery is noticed within about a second. */
export const BREAKER_DEFAULTS: BreakerOptions = { threshold: 3, baseMs: 200, maxMs: 1_000 };

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

  constructor(options: BreakerOptions = BREAKER_DEFAULTS) {
    this.#options = options;
    this.#pauseMs = options.baseMs;
  }

  /** The current state. */
  get state(): BreakerState {
    if (this.#failures < this.#options.threshold) return "closed";
    return Date.now() < this.#openUntil ? "open" : "half-open";
  }

  /**
   * Lets a call through, or throws an `unavailable` error at once while the
   * circuit is open. Returns whether this call is the probe.
   */
  enter(): boolean {
    const state = this.state;
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
    if (this.#failures >= this.#options.threshold) {
      this.#openUntil = Date.now() + this.#pauseMs;
      this.#pauseMs = Math.min(this.#pauseMs * 2, this.#options.maxMs);
    }
  }

  /** Ends a probe that neither succeeded nor failed on the connection (e.g. a SQL error: the database is up). */
  release(probe: boolean): void {
    if (probe) this.success();
  }
}
