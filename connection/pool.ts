/**
 * A small connection pool: one statement per connection at a time, a hard
 * maximum, FIFO waiters, health checks on connections that sat idle, a drain
 * before close so no connection is closed under a running statement, and one
 * logon at a time until a logon has succeeded (a wrong password is tried
 * once, not once per waiting call).
 * @module
 */
import { DatabaseError } from "./errors.ts";

/** What the pool needs to know about a connection. */
export interface Closable {
  close(): Promise<void>;
}

/** How the pool opens, checks and sizes connections. */
export interface PoolOptions<C extends Closable> {
  maxSize: number;
  /**
   * Opens one connection (may throw; the pool does not retry). Until one open has succeeded - at first and again
   * after any failed open - opens run one at a time, and callers that wait for one share its failure.
   */
  open(signal?: AbortSignal): Promise<C>;
  /** Answers whether a connection still works; called on connections idle longer than `healthAfterMs`. */
  check(connection: C): Promise<boolean>;
  /** Connections idle at least this long are checked before reuse. */
  healthAfterMs: number;
  /** Called with an error the pool swallowed (a failed close, a failed check). */
  onWarning?(message: string, error: unknown): void;
}

/** A leased connection; give it back with {@link Pool.release}. */
export interface Lease<C> {
  readonly connection: C;
  /** Set when the connection is fresh from `open`. */
  readonly fresh: boolean;
}

interface Slot<C> {
  connection: C;
  lastUsed: number;
}

interface Waiter<C> {
  resolve(lease: Lease<C>): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Counters of a pool. */
export interface PoolStats {
  size: number;
  inUse: number;
  idle: number;
  waiting: number;
  maxSize: number;
  opened: number;
  discarded: number;
}

/** A pool of connections of type `C`. */
export class Pool<C extends Closable> {
  readonly #options: PoolOptions<C>;
  readonly #idle: Slot<C>[] = [];
  readonly #leased = new Set<C>();
  readonly #waiters: Waiter<C>[] = [];
  #opening = 0;
  /** An open in flight while the last open failed (or none has run yet): others wait for it, not open in parallel. */
  #trial: Promise<C> | null = null;
  /** Whether the last open succeeded. */
  #proven = false;
  #opened = 0;
  #discarded = 0;
  #closed = false;
  #drained: (() => void) | null = null;

  constructor(options: PoolOptions<C>) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError(
        `Pool size must be a positive integer: current value is ${options.maxSize}`,
      );
    }
    this.#options = options;
  }

  /**
   * Leases an idle connection that needs no health check, without waiting;
   * `undefined` when there is none (then {@link acquire} opens, checks or waits).
   * Waiters come first: nothing is taken while one waits.
   */
  tryAcquire(): C | undefined {
    if (this.#closed || this.#waiters.length > 0) return undefined;
    const slot = this.#idle.at(-1);
    if (!slot || this.#needsCheck(slot)) return undefined;
    this.#idle.pop();
    this.#leased.add(slot.connection);
    return slot.connection;
  }

  /** Whether an idle connection sat long enough to be checked before reuse. */
  #needsCheck(slot: Slot<C>): boolean {
    return Date.now() - slot.lastUsed >= this.#options.healthAfterMs;
  }

  /** Leases a connection, waiting for one to be free when the pool is full. */
  async acquire(signal?: AbortSignal): Promise<Lease<C>> {
    while (true) {
      if (this.#closed) {
        throw new DatabaseError("the connection pool is closed", {
          kind: "pool",
        });
      }
      signal?.throwIfAborted();
      const slot = this.#idle.pop();
      if (slot) {
        this.#leased.add(slot.connection);
        if (!this.#needsCheck(slot)) {
          return { connection: slot.connection, fresh: false };
        }
        if (await this.#healthy(slot.connection)) {
          return { connection: slot.connection, fresh: false };
        }
        await this.release(slot.connection, { discard: true });
        continue;
      }
      if (this.#leased.size + this.#opening < this.#options.maxSize) {
        if (this.#trial) {
          // Its failure is ours (one wrong password, one attempt); after its success, open our own.
          await this.#follow(this.#trial, signal);
          continue;
        }
        this.#opening++;
        let opening: Promise<C> | undefined;
        try {
          opening = this.#options.open(signal);
          if (!this.#proven) this.#trial = opening;
          const connection = await opening.catch((error) => {
            this.#proven = false;
            throw error;
          });
          this.#proven = true;
          this.#opened++;
          if (this.#closed) {
            await this.#closeQuietly(connection);
            continue;
          }
          this.#leased.add(connection);
          return { connection, fresh: true };
        } finally {
          this.#opening--;
          if (opening && this.#trial === opening) this.#trial = null;
        }
      }
      return await this.#wait(signal);
    }
  }

  /** Gives a connection back; `discard` closes it instead (after an error that broke it). */
  async release(
    connection: C,
    options: { discard?: boolean } = {},
  ): Promise<void> {
    if (!this.#leased.delete(connection)) return;
    if (options.discard || this.#closed) {
      this.#discarded++;
      await this.#closeQuietly(connection);
      this.#wakeOne();
    } else {
      const waiter = this.#waiters.shift();
      if (waiter) {
        this.#leased.add(connection);
        waiter.signal?.removeEventListener("abort", waiter.onAbort!);
        waiter.resolve({ connection, fresh: false });
      } else {
        this.#idle.push({ connection, lastUsed: Date.now() });
      }
    }
    if (this.#leased.size === 0) this.#drained?.();
  }

  /** Closes every idle connection (after a lost connection, the rest are suspect too). */
  async discardIdle(): Promise<void> {
    const slots = this.#idle.splice(0);
    this.#discarded += slots.length;
    await Promise.all(slots.map((s) => this.#closeQuietly(s.connection)));
  }

  /** Counters for `stats()`. */
  stats(): PoolStats {
    return {
      size: this.#leased.size + this.#idle.length,
      inUse: this.#leased.size,
      idle: this.#idle.length,
      waiting: this.#waiters.length,
      maxSize: this.#options.maxSize,
      opened: this.#opened,
      discarded: this.#discarded,
    };
  }

  /**
   * Stops leasing, fails the waiters, waits up to `drainMs` for leased
   * connections to come back, then closes everything that came back.
   */
  async close(drainMs = 5_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(
        new DatabaseError("the connection pool is closing", { kind: "pool" }),
      );
    }
    if (this.#leased.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#drained = resolve),
        new Promise<void>((resolve) => timer = setTimeout(resolve, drainMs)),
      ]);
      clearTimeout(timer);
    }
    await this.discardIdle();
  }

  /** Waits for another caller's open to settle (or for `signal`); rethrows its failure. */
  async #follow(trial: Promise<C>, signal?: AbortSignal): Promise<void> {
    if (!signal) {
      await trial;
      return;
    }
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([trial, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  #wait(signal?: AbortSignal): Promise<Lease<C>> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<C> = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /** A slot freed by a discard: let the first waiter open a new connection. */
  #wakeOne(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    waiter.signal?.removeEventListener("abort", waiter.onAbort!);
    this.acquire(waiter.signal).then(waiter.resolve, waiter.reject);
  }

  async #healthy(connection: C): Promise<boolean> {
    try {
      return await this.#options.check(connection);
    } catch (error) {
      this.#options.onWarning?.(
        "an idle connection failed its health check",
        error,
      );
      return false;
    }
  }

  async #closeQuietly(connection: C): Promise<void> {
    try {
      await connection.close();
    } catch (error) {
      this.#options.onWarning?.("closing a connection failed", error);
    }
  }
}
