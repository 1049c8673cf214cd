/**
 * The `Database`: the one connection manager of a tdmcp process. It leases a
 * pooled ODBC connection per statement, reads results through a cursor up to
 * row, byte and cell budgets, stops statements at their timeout or on
 * cancellation, retries read-only work when a connection drops, and fails
 * fast while the database is down.
 * @module
 */
import pRetry from "p-retry";
import { BREAKER_DEFAULTS, type BreakerOptions, CircuitBreaker } from "./breaker.ts";
import { DatabaseError, toDatabaseError } from "./errors.ts";
import { readCursor } from "./fetch.ts";
import { checkReadOnly, splitStatements } from "./guard.ts";
import { lazyOdbc, type OdbcBatch, type OdbcConnection, type OdbcDriver } from "./odbc.ts";
import { Pool } from "./pool.ts";
import { redact } from "./redact.ts";
import { queryBandStatement, readOnlySessionStatements } from "./session.ts";
import { toCell, toColumns } from "./cells.ts";
import { type OdbcTarget, parseDatabaseUri } from "./uri.ts";
import type { Database, DatabaseStats, QueryOptions, QueryResult } from "./types.ts";

/** Settings of a {@link Database}. */
export interface DatabaseConfig {
  /** `sqlite:`, `postgres://`, `teradata://`, `odbc:` URI or a raw ODBC string. */
  uri: string;
  /** Overrides the dialect's default ODBC driver name. */
  odbcDriver?: string;
  /** Most connections open at once. */
  poolSize: number;
  /** Row cap when a call names none. */
  defaultMaxRows: number;
  /** Row cap no call may exceed. */
  maxRows: number;
  /** Byte cap of one result. */
  maxBytes: number;
  /** Longest text cell returned whole; longer cells are cut. */
  maxCellChars: number;
  /** Statement timeout when a call names none. */
  queryTimeoutMs: number;
  /** Longest timeout a call may ask for. */
  maxQueryTimeoutMs: number;
  /** Seconds to wait for a login. */
  loginTimeoutSeconds: number;
  /** Permit statements that the read-only guard refuses (only with `readOnly: false`). */
  allowWrite: boolean;
  /** Rows per cursor fetch (the driver sizes its buffers from it). */
  fetchSize: number;
  /**
   * Bytes of bound buffers per fetch: results with wide rows (long text columns) fetch fewer rows
   * at a time. 4 MB keeps psqlODBC's `text` (8,190 characters) at 100 rows: each extra fetch cost
   * it about 0.7 ms (measured); drivers may ask for less (OdbcTarget.fetchBytes).
   */
  fetchBytes: number;
  /** Connections idle this long are checked before reuse. */
  healthAfterMs: number;
  /** Most transparent retries of read-only work after a lost connection (also bounded by the call's timeout). */
  retries: number;
  /** After a cancel, how long to wait for the driver before giving up on the statement. */
  cancelGraceMs: number;
  breaker: BreakerOptions;
  /** Receives warnings and retry notes (messages are already redacted). */
  log?: (level: "debug" | "info" | "warning" | "error", message: string) => void;
}

/** Defaults for everything but the URI. */
export const DATABASE_DEFAULTS: Omit<DatabaseConfig, "uri"> = {
  poolSize: 8,
  defaultMaxRows: 1000,
  maxRows: 50_000,
  maxBytes: 16 * 1024 * 1024,
  maxCellChars: 16_384,
  queryTimeoutMs: 30_000,
  maxQueryTimeoutMs: 600_000,
  loginTimeoutSeconds: 10,
  allowWrite: false,
  fetchSize: 100,
  fetchBytes: 4 * 1024 * 1024,
  healthAfterMs: 30_000,
  retries: 20,
  cancelGraceMs: 5_000,
  breaker: BREAKER_DEFAULTS,
};

/**
 * Opens the process's database: parses the URI, loads the driver and
 * prepares the pool. No connection is opened until the first call, so the
 * server starts even while the database is down.
 *
 * @example
 * ```ts
 * await using db = openDatabase({ ...DATABASE_DEFAULTS, uri: "sqlite:///tmp/demo.db" });
 * const { rows } = await db.query("SELECT count(*) FROM orders");
 * ```
 */
export function openDatabase(config: DatabaseConfig, driver: OdbcDriver = lazyOdbc()): Database {
  return new OdbcDatabase(
    config,
    parseDatabaseUri(config.uri, {
      odbcDriver: config.odbcDriver,
      readOnly: !config.allowWrite,
      streaming: true,
    }),
    driver,
  );
}

/** Connect failures that mean the database does not accept connections: the only evidence the breaker counts. */
const NOT_ACCEPTING =
  /connection refused|timeout expired|timed out|starting up|shutting down|in recovery|no route to host|network is unreachable|could not translate host name|too many clients|not accepting connections|could not connect/i;

class OdbcDatabase implements Database {
  readonly dialect;
  readonly target;
  readonly defaultMaxRows;
  readonly allowWrite;
  readonly #config: DatabaseConfig;
  readonly #odbc: OdbcTarget;
  readonly #pool: Pool<OdbcConnection>;
  readonly #breaker: CircuitBreaker;
  /** Errors of `driver.connect` that say the database is not accepting connections. */
  readonly #refused = new WeakSet<DatabaseError>();
  #retries = 0;
  #reconnects = 0;
  #timeouts = 0;
  #cancellations = 0;

  constructor(config: DatabaseConfig, odbc: OdbcTarget, driver: OdbcDriver) {
    this.#config = config;
    this.#odbc = odbc;
    this.dialect = odbc.dialect;
    this.target = odbc.display;
    this.defaultMaxRows = config.defaultMaxRows;
    this.allowWrite = config.allowWrite;
    this.#breaker = new CircuitBreaker(config.breaker);
    this.#pool = new Pool<OdbcConnection>({
      maxSize: config.poolSize,
      healthAfterMs: config.healthAfterMs,
      open: async () => {
        const connection = await driver.connect(odbc.connectionString, config.loginTimeoutSeconds)
          .catch((error) => {
            const failure = this.#error(error);
            // A backend killed during the driver's login queries proves the server is up.
            if (NOT_ACCEPTING.test(failure.message)) this.#refused.add(failure);
            throw failure;
          });
        if (this.#pool.stats().opened > 0) this.#reconnects++;
        await this.#prepareSession(connection);
        return connection;
      },
      check: async (connection) => {
        if (!connection.connected) return false;
        if (this.dialect !== "generic") await connection.query("SELECT 1");
        return true;
      },
      onWarning: (message, error) => this.#log("debug", `${message}: ${this.#error(error).message}`),
    });
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const text = terminateLineComment(sql);
    const verdict = checkReadOnly(text, this.dialect);
    if (!verdict.ok && (options.readOnly !== false || !this.#config.allowWrite)) {
      throw new DatabaseError(verdict.reason, { kind: "refused" });
    }
    if (!verdict.ok) {
      if (COPY_STREAM.test(text)) {
        throw new DatabaseError(
          "COPY ... FROM STDIN / TO STDOUT cannot run through ODBC (it would block the connection)",
          {
            kind: "refused",
          },
        );
      }
      const count = splitStatements(text, this.dialect).length;
      if (count !== 1) {
        throw new DatabaseError(`only one statement per call is allowed (found ${count})`, { kind: "refused" });
      }
    }
    const maxRows = Math.min(options.maxRows ?? this.defaultMaxRows, this.#config.maxRows);
    if (!Number.isInteger(maxRows) || maxRows < 0) {
      throw new RangeError(
        `maxRows must be a whole number from 0 to ${this.#config.maxRows}: current value is ${maxRows}`,
      );
    }
    const timeoutMs = Math.min(options.timeoutMs ?? this.#config.queryTimeoutMs, this.#config.maxQueryTimeoutMs);
    const deadline = performance.now() + timeoutMs;
    const run = () =>
      this.#execute(text, options, maxRows, Math.max(1, Math.round(deadline - performance.now())), timeoutMs);
    if (!verdict.ok) return await run(); // a write is never retried
    // Read-only work is retried after a lost connection until the call's own
    // deadline (and at most `retries` times); a down database fails fast
    // through the breaker instead.
    return await pRetry(run, {
      retries: this.#config.retries,
      minTimeout: 25,
      maxTimeout: 500,
      factor: 2,
      randomize: true,
      // No `signal` here: p-retry would reject at once with the bare abort reason while the
      // statement still runs; the attempt itself stops the statement and says what happened.
      shouldRetry: ({ error }) =>
        !options.signal?.aborted && error instanceof DatabaseError && error.retryable &&
        performance.now() + 50 < deadline,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof DatabaseError && error.retryable && retriesLeft > 0) {
          this.#retries++;
          this.#log("info", `connection lost (attempt ${attemptNumber}); reconnecting and retrying: ${error.message}`);
        }
      },
    });
  }

  async #execute(
    sql: string,
    options: QueryOptions,
    maxRows: number,
    timeoutMs: number,
    statedTimeoutMs = timeoutMs,
  ): Promise<QueryResult> {
    const started = performance.now();
    const probe = this.#breaker.enter();
    const connection = await this.#lease(options.signal, timeoutMs, probe);
    let stoppedBy: "timeout" | "cancelled" | null = null;
    const stop = (why: "timeout" | "cancelled") => {
      if (stoppedBy !== null) return;
      stoppedBy = why;
      connection.cancel().catch((error) => this.#log("warning", `cancel failed: ${this.#error(error).message}`));
    };
    // One timer per call: it stops the statement at its timeout, then gives the
    // driver `cancelGraceMs` to obey before the call fails without it; a cancel
    // by the caller starts the same grace at once.
    const grace = this.#config.cancelGraceMs;
    let giveUp!: (error: DatabaseError) => void;
    const gaveUp = new Promise<never>((_, reject) => giveUp = reject);
    const graceOver = () => giveUp(new DatabaseError("the driver did not stop the statement", { kind: "timeout" }));
    let timer = setTimeout(() => {
      stop("timeout");
      timer = setTimeout(graceOver, grace);
    }, timeoutMs);
    const onAbort = () => {
      stop("cancelled");
      clearTimeout(timer);
      timer = setTimeout(graceOver, grace);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // `broken` and `driverDone` are decided inside `work`, before it settles,
    // so the release below always sees their final values.
    let broken = false;
    let driverDone = false;
    const work = (async () => {
      try {
        if (this.dialect === "teradata" && options.audit) await connection.query(queryBandStatement(options.audit));
        const cursor = await connection.query(sql, options.params ? [...options.params] : null, {
          cursor: true,
          fetchSize: Math.max(1, Math.min(this.#config.fetchSize, maxRows + 1)),
          // The driver's own timeout is a backstop one second behind the cancel below.
          timeout: Math.ceil(timeoutMs / 1000) + 1,
          firstFetch: true,
          // Longer cells are cut to maxCellChars anyway; one more character shows that they were.
          maxBoundChars: this.#config.maxCellChars + 1,
          maxBoundBytes: Math.min(this.#config.fetchBytes, this.#odbc.fetchBytes ?? Infinity),
        });
        try {
          return await readCursor(cursor, {
            maxRows,
            maxBytes: Math.min(options.maxBytes ?? this.#config.maxBytes, this.#config.maxBytes),
            maxCellChars: this.#config.maxCellChars,
          }, started);
        } finally {
          await cursor.close().catch(() => broken = true);
        }
      } catch (error) {
        if (this.#error(error).retryable) broken = true;
        throw error;
      } finally {
        driverDone = true;
      }
    })();
    // The connection goes back to the pool only once the driver is done with it.
    const released = work.then(() => {}, () => {}).then(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      return this.#pool.release(connection, { discard: broken || stoppedBy !== null && !driverDone });
    });
    try {
      const result = await Promise.race([work, gaveUp]);
      this.#breaker.success();
      return result;
    } catch (error) {
      if (!driverDone) broken = true; // the driver ignored the cancel: never reuse this connection
      const raw = this.#error(error);
      const ranOut = performance.now() - started >= timeoutMs - 100;
      const why = stoppedBy ?? (DRIVER_TIMEOUT.has(raw.sqlState) && ranOut ? "timeout" : null);
      const failure = why === null ? raw : this.#stopped(why, statedTimeoutMs, driverDone);
      if (failure.retryable) {
        // Losing an established connection says nothing about whether the
        // database accepts new ones: only failures to open one (in #lease)
        // may open the circuit.
        this.#breaker.release(probe);
        await this.#pool.discardIdle();
      } else {
        this.#breaker.release(probe);
      }
      throw failure;
    } finally {
      if (driverDone) await released;
    }
  }

  /** Leases a connection, waiting at most `timeoutMs` for one to be free. */
  async #lease(signal: AbortSignal | undefined, timeoutMs: number, probe: boolean): Promise<OdbcConnection> {
    // Most calls find an idle, recently used connection: no timer, no signal to combine.
    if (!signal?.aborted) {
      const idle = this.#pool.tryAcquire();
      if (idle) return idle;
    }
    const waitLimit = AbortSignal.timeout(timeoutMs);
    try {
      const lease = await this.#pool.acquire(signal ? AbortSignal.any([signal, waitLimit]) : waitLimit);
      return lease.connection;
    } catch (error) {
      if (signal?.aborted) {
        this.#breaker.release(probe);
        this.#cancellations++;
        throw new DatabaseError("the call was cancelled while waiting for a connection", { kind: "cancelled" });
      }
      if (waitLimit.aborted) {
        this.#breaker.release(probe);
        const { maxSize } = this.#pool.stats();
        throw new DatabaseError(
          `no database connection became free within ${
            timeoutMs / 1000
          } s (all ${maxSize} are busy); try again shortly`,
          { kind: "timeout" },
        );
      }
      const failure = this.#error(error);
      if (failure.retryable && this.#refused.has(failure)) this.#breaker.failure(failure.message, probe);
      else this.#breaker.release(probe);
      throw failure;
    }
  }

  /** The error of a statement stopped by its timeout or a cancel; `confirmed` when the driver returned within the grace. */
  #stopped(why: "timeout" | "cancelled", timeoutMs: number, confirmed: boolean): DatabaseError {
    const unconfirmed = `a cancel was sent, but the database had not stopped the statement ${
      this.#config.cancelGraceMs / 1000
    } s later, so its connection is set aside`;
    if (why === "timeout") {
      this.#timeouts++;
      return new DatabaseError(
        `the statement ran longer than its ${timeoutMs / 1000} s timeout and ` +
          (confirmed ? "was cancelled at the database" : unconfirmed) +
          "; narrow it (filters, aggregates, LIMIT/TOP) or ask for a longer timeout",
        { kind: "timeout" },
      );
    }
    this.#cancellations++;
    return new DatabaseError(
      confirmed
        ? "the call was cancelled and its statement stopped at the database"
        : `the call was cancelled; ${unconfirmed}`,
      { kind: "cancelled" },
    );
  }

  async odbcTables(schema: string | null, table: string | null): Promise<QueryResult> {
    return await this.#catalog((c) => c.tables(null, schema, table, null));
  }

  async odbcColumns(schema: string | null, table: string): Promise<QueryResult> {
    return await this.#catalog((c) => c.columns(null, schema, table, null));
  }

  async #catalog(call: (c: OdbcConnection) => Promise<OdbcBatch>): Promise<QueryResult> {
    const started = performance.now();
    const probe = this.#breaker.enter();
    const connection = await this.#lease(undefined, this.#config.queryTimeoutMs, probe);
    this.#breaker.release(probe);
    let broken = false;
    try {
      const result = await call(connection);
      const rows = result.slice(0, this.defaultMaxRows).map((r) => r.map(toCell));
      return {
        columns: toColumns(result.columns),
        rows,
        rowCount: rows.length,
        truncated: result.length > rows.length,
        truncatedBy: result.length > rows.length ? "rows" : null,
        elapsedMs: performance.now() - started,
      };
    } catch (error) {
      const failure = this.#error(error);
      broken = failure.retryable;
      throw failure;
    } finally {
      await this.#pool.release(connection, { discard: broken });
    }
  }

  async health(): Promise<{ ok: boolean; message: string; elapsedMs: number }> {
    const started = performance.now();
    try {
      await this.query("SELECT 1", { maxRows: 1, timeoutMs: 5_000 });
      return { ok: true, message: "ok", elapsedMs: performance.now() - started };
    } catch (error) {
      return { ok: false, message: this.#error(error).message, elapsedMs: performance.now() - started };
    }
  }

  stats(): DatabaseStats {
    return {
      ...this.#pool.stats(),
      reconnects: this.#reconnects,
      retries: this.#retries,
      breaker: this.#breaker.state,
      timeouts: this.#timeouts,
      cancellations: this.#cancellations,
    };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Makes a new connection read-only in the engine (unless writes are allowed) before its first use. */
  async #prepareSession(connection: OdbcConnection): Promise<void> {
    if (this.#config.allowWrite) return;
    try {
      for (const statement of readOnlySessionStatements(this.dialect)) await connection.query(statement);
    } catch (error) {
      await connection.close().catch(() => {});
      throw this.#error(error);
    }
  }

  #error(error: unknown): DatabaseError {
    return toDatabaseError(error, this.#odbc.secrets);
  }

  #log(level: "debug" | "info" | "warning" | "error", message: string): void {
    this.#config.log?.(level, redact(message, this.#odbc.secrets));
  }
}

/** SQLSTATEs of a statement stopped by a timeout or a cancel (driver-side timeouts land here). */
const DRIVER_TIMEOUT = new Set(["57014", "HYT00", "HY008"]);

/** A COPY that streams through the client protocol: psqlODBC never returns from it. */
const COPY_STREAM = /^[\s\uFEFF]*COPY\b[\s\S]*\b(STDIN|STDOUT)\b/i;

/**
 * Ends the text with a newline when its last line holds `--`: psqlODBC with
 * `UseDeclareFetch=1` fails any statement that ends inside a line comment.
 */
export function terminateLineComment(sql: string): string {
  const lastLine = sql.slice(sql.lastIndexOf("\n") + 1);
  return lastLine.includes("--") ? `${sql}\n` : sql;
}
