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
import { DIALECT_SPECS, type DialectSpec, UNKNOWN_ENGINE } from "./dialects/mod.ts";
import { Deadlines } from "./deadlines.ts";
import { DatabaseError, NOT_ACCEPTING, toDatabaseError } from "./errors.ts";
import { type CutPlan, PostgresCut } from "./cut_postgres.ts";
import { PSQLODBC_FETCH_ROWS } from "./dialects/postgres.ts";
import { SqliteStorage } from "./dialects/sqlite_storage.ts";
import { readCursor, ReaderCache } from "./fetch.ts";
import { checkReadOnly, checkWrite } from "./guard.ts";
import {
  ColumnTexts,
  lazyOdbc,
  type OdbcBatch,
  type OdbcConnection,
  type OdbcCursor,
  type OdbcDriver,
} from "./odbc.ts";
import { checkOnce, ledgerFailure, ledgerInsert } from "./once.ts";
import { Pool } from "./pool.ts";
import { redact } from "./redact.ts";
import { type CallIsolation, dialectOfDbms, majorVersion } from "./session.ts";
import { toCell, toColumns } from "./cells.ts";
import type { Token } from "./sql_tokens.ts";
import { completeForEngine, type OdbcTarget, parseDatabaseUri } from "./uri.ts";
import type { Database, DatabaseStats, Dialect, Engine, QueryOptions, QueryResult, RolePower } from "./types.ts";

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
  /** Serve a role the engine reports as a superuser (refused otherwise: it could undo every protection). */
  allowSuperuser: boolean;
  /**
   * Serve an engine tdmcp cannot make read-only itself (anything but PostgreSQL and SQLite: the statement guard is then
   * the only protection). Teradata is allowed: its guard knows its writes.
   */
  allowUnknownEngine: boolean;
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
  allowSuperuser: false,
  allowUnknownEngine: false,
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

class OdbcDatabase implements Database {
  readonly target;
  readonly defaultMaxRows;
  readonly allowWrite;
  readonly #config: DatabaseConfig;
  #odbc: OdbcTarget;
  /** What differs by dialect, for the dialect of `#odbc`. */
  #spec: DialectSpec;
  readonly #driver: OdbcDriver;
  readonly #pool: Pool<OdbcConnection>;
  readonly #breaker: CircuitBreaker;
  /** Errors of `driver.connect` that say the database is not accepting connections. */
  readonly #refused = new WeakSet<DatabaseError>();
  /** Errors of a connection opened for its attempt and lost while the statement ran (see `query`: retried twice). */
  readonly #lostMidStatement = new WeakSet<DatabaseError>();
  /** Connections opened and not yet used by a statement. */
  readonly #unused = new WeakSet<OdbcConnection>();
  /** The engine, once a connection has told; until then the URI's dialect stands. */
  #engine: Engine | null = null;
  /** The audit statement (Teradata's QueryBand) each session last accepted. */
  readonly #queryBands = new WeakMap<OdbcConnection, string>();
  /** Names of functions defined outside the engine's catalog, as of the newest connection (PostgreSQL). */
  #userFunctions: ReadonlySet<string> = new Set();
  /** Set when the engine or the role is one tdmcp will not serve (see `#prepareSession`). */
  #unservable: DatabaseError | null = null;
  #isolation: CallIsolation;
  /** How reads on PostgreSQL have their long values cut by the server (set once the engine is known). */
  #cut: PostgresCut | SqliteStorage | null = null;
  /** The calls' statement timeouts, on one timer. */
  readonly #deadlines = new Deadlines();
  /** Result descriptions read from the addon's `columnsText`, each distinct one once. */
  readonly #columnTexts = new ColumnTexts();
  /** The column readers of each description (its type names and converters), built once. */
  readonly #readers = new ReaderCache();
  #retries = 0;
  #reconnects = 0;
  #timeouts = 0;
  #cancellations = 0;

  constructor(config: DatabaseConfig, odbc: OdbcTarget, driver: OdbcDriver) {
    this.#config = config;
    this.#odbc = odbc;
    this.#driver = driver;
    this.#spec = DIALECT_SPECS[odbc.dialect];
    this.#isolation = this.#spec.session.isolation("");
    this.target = odbc.display;
    this.defaultMaxRows = config.defaultMaxRows;
    this.allowWrite = config.allowWrite;
    this.#breaker = new CircuitBreaker(config.breaker);
    this.#pool = new Pool<OdbcConnection>({
      maxSize: config.poolSize,
      healthAfterMs: config.healthAfterMs,
      open: async () => {
        // After a refused logon (wrong password...) no logon is tried until the breaker's pause is over: each one
        // would count towards locking the account.
        this.#breaker.checkLogon();
        try {
          const connection = await this.#connect();
          if (this.#pool.stats().opened > 0) this.#reconnects++;
          const ready = await this.#prepareSession(connection);
          this.#unused.add(ready);
          this.#breaker.logonAccepted();
          return ready;
        } catch (error) {
          const failure = this.#error(error);
          if (failure.kind === "auth") this.#breaker.logonRefused(failure);
          throw failure;
        }
      },
      check: async (connection) => {
        if (!connection.connected) return false;
        // PostgreSQL's end-of-call statement doubles as the check (and cleans up once more).
        const probe = this.#isolation.endRead ?? this.#spec.session.healthProbe;
        if (probe) await connection.query(probe, null, { timeout: this.#driverTimeout() });
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
      // --allow-write: one statement under every reading of the text, nothing that outlives the call's transaction.
      const writeVerdict = checkWrite(text, this.dialect);
      if (!writeVerdict.ok) throw new DatabaseError(writeVerdict.reason, { kind: "refused" });
      if (options.once) checkOnce(options.once);
    }
    if (options.checkOnly) {
      return { columns: [], rows: [], rowCount: 0, truncated: false, truncatedBy: null, elapsedMs: 0 };
    }
    const maxRows = Math.min(options.maxRows ?? this.defaultMaxRows, this.#config.maxRows);
    if (!Number.isInteger(maxRows) || maxRows < 0) {
      throw new RangeError(
        `maxRows must be a whole number from 0 to ${this.#config.maxRows}: current value is ${maxRows}`,
      );
    }
    const timeoutMs = Math.min(options.timeoutMs ?? this.#config.queryTimeoutMs, this.#config.maxQueryTimeoutMs);
    const deadline = performance.now() + timeoutMs;
    const write = !verdict.ok;
    const calls = verdict.ok ? verdict.calls ?? NO_CALLS : NO_CALLS;
    // The guard's tokens of the text, which the read's plan reads instead of tokenizing it again.
    const tokens = verdict.ok ? verdict.tokens : undefined;
    const run = () =>
      this.#execute(
        text,
        options,
        calls,
        tokens,
        write,
        maxRows,
        Math.max(1, Math.round(deadline - performance.now())),
        timeoutMs,
      );
    if (write) return await run(); // a write is never retried
    // A connection opened for an attempt and lost while its statement ran may have been ended by the statement (a
    // function that terminates backends, which the guard refuses by name but a user-defined function may hide): such
    // losses are retried twice at most, so one call ends at most four sessions (21 before this limit). A pooled
    // connection found dead (killed while idle, a restart) says nothing about the statement and is retried as before.
    let lostMidStatement = 0;
    // Most calls succeed at once, so the first attempt runs before p-retry is set up (its option checks and frames cost
    // a few µs per call); a failure is handed to p-retry as the failure of its own first attempt, so everything after
    // it (whether to retry, the delays, the attempt numbers) is p-retry's exactly as if p-retry had run that attempt.
    let firstFailure: { error: unknown } | null;
    try {
      return await run();
    } catch (error) {
      firstFailure = { error };
    }
    // Read-only work is retried after a lost connection until the call's own
    // deadline (and at most `retries` times); a down database fails fast
    // through the breaker instead.
    return await pRetry(() => {
      if (firstFailure === null) return run();
      const { error } = firstFailure;
      firstFailure = null;
      throw error;
    }, {
      retries: this.#config.retries,
      minTimeout: 25,
      maxTimeout: 500,
      factor: 2,
      randomize: true,
      // No `signal` here: p-retry would reject at once with the bare abort reason while the
      // statement still runs; the attempt itself stops the statement and says what happened.
      // A lost connection or a transient failure (a deadlock: the session is kept) is retried; a refused logon
      // never is (kind "auth", not retryable).
      shouldRetry: ({ error, attemptNumber }) => {
        const transient = error instanceof DatabaseError && error.kind === "transient";
        const again = !options.signal?.aborted && error instanceof DatabaseError && (error.retryable || transient) &&
          !(this.#lostMidStatement.has(error) && ++lostMidStatement > MID_STATEMENT_RETRIES) &&
          performance.now() + 50 < deadline;
        if (again) {
          this.#retries++;
          const what = transient ? "transient failure" : "connection lost";
          const how = transient ? "retrying" : "reconnecting and retrying";
          this.#log("info", `${what} (attempt ${attemptNumber}); ${how}: ${error.message}`);
        }
        return again;
      },
    });
  }

  async #execute(
    sql: string,
    options: QueryOptions,
    calls: ReadonlySet<string>,
    tokens: readonly Token[] | undefined,
    write: boolean,
    maxRows: number,
    timeoutMs: number,
    statedTimeoutMs = timeoutMs,
  ): Promise<QueryResult> {
    const started = performance.now();
    const probe = this.#breaker.enter();
    const connection = await this.#lease(options.signal, timeoutMs, probe);
    // After a write, or a read that called a user-defined function (which may leave behind what no rollback undoes),
    // the connection is closed, not pooled again. The names are known once a connection has opened (the lease above).
    const recycle = write || callsUserFunction(calls, this.#userFunctions);
    const opened = this.#unused.delete(connection); // opened for this attempt (or still unused)
    let stoppedBy: "timeout" | "cancelled" | null = null;
    const stop = (why: "timeout" | "cancelled") => {
      if (stoppedBy !== null) return;
      stoppedBy = why;
      connection.cancel().catch((error) => this.#log("warning", `cancel failed: ${this.#error(error).message}`));
    };
    // A deadline per call (one timer for all, deadlines.ts): it stops the statement at its timeout, then a timer gives
    // the driver `cancelGraceMs` to obey before the call fails without it; a cancel by the caller starts the same
    // grace at once.
    const grace = this.#config.cancelGraceMs;
    let giveUp!: (error: DatabaseError) => void;
    const gaveUp = new Promise<never>((_, reject) => giveUp = reject);
    const graceOver = () => giveUp(new DatabaseError("the driver did not stop the statement", { kind: "timeout" }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = this.#deadlines.add(timeoutMs, () => {
      stop("timeout");
      timer = setTimeout(graceOver, grace);
    });
    const onAbort = () => {
      stop("cancelled");
      this.#deadlines.remove(deadline);
      clearTimeout(timer);
      timer = setTimeout(graceOver, grace);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // `broken` and `driverDone` are decided inside `work`, before it settles,
    // so the release below always sees their final values.
    let broken = false;
    let driverDone = false;
    let sent = false;
    /** Whether the addon already ran the end-of-call statement (`ok`), or tried (`failed`). */
    let ended: "ok" | "failed" | undefined;
    const isolation = this.#isolation;
    // The same driver timeout for every statement of the call: psqlODBC sends `SET statement_timeout` (a round trip)
    // whenever it changes from one statement to the next.
    const driverTimeout = this.#driverTimeout(timeoutMs);
    const work = (async () => {
      try {
        const audit = this.#spec.session.auditStatement;
        if (audit && options.audit) await this.#setAudit(connection, audit(options.audit));
        if (write && isolation.beginWrite) {
          await connection.query(isolation.beginWrite, null, { timeout: driverTimeout });
        }
        const once = write ? options.once : undefined;
        if (once) {
          // The token goes in first, in the write's own transaction (DDL, where allowed, must come last on Teradata).
          if (!isolation.manualCommit) await connection.beginTransaction();
          await connection.query(ledgerInsert(once), null, { timeout: driverTimeout }).catch((error) => {
            throw ledgerFailure(this.#error(error), once);
          });
        }
        sent = true;
        const params = options.params ? [...options.params] : null;
        // psqlODBC reads through a server-side cursor, 1,000 rows per round trip (`Fetch`), and closes the cursor when
        // a fetch reaches the end: two round trips for a point query. A read whose cap is at most one such batch
        // (limited to the cap and one more row, cut_postgres.ts) runs without the cursor (addon patch 11): one round
        // trip, and psqlODBC holds at most one row more than a batch; every other PostgreSQL read keeps the cursor.
        const cursorless = (plan: CutPlan | null) => plan !== null && maxRows <= PSQLODBC_FETCH_ROWS;
        // Such a read also carries the end-of-call statement in its own trip (addon patch 12): psqlODBC sends
        // `BEGIN;<read>\n;ROLLBACK; DEALLOCATE ALL; …` as one message and holds every result when it returns, so the
        // read and the end of the call are one round trip. The planned statement ends in tdmcp's own `LIMIT n`, on a
        // line after the caller's text (cut_postgres.ts), so nothing of the caller's can reach into the suffix. The
        // addon reads the suffix's results once the read's own have been read to their end and reports `endSql` (`ok`:
        // one result per closing statement, each a success; text that swallowed part of the suffix would fail, and
        // the connection is then closed). A read stopped before its end gets the end-of-call statement on its own in
        // the `finally` below, as every other read does (a second ROLLBACK there is harmless).
        const endInline = (plan: CutPlan | null) =>
          !write && isolation.endRead !== null && params === null && this.#cut instanceof PostgresCut &&
          cursorless(plan);
        const open = (statement: string, plan: CutPlan | null) =>
          connection.query(endInline(plan) ? `${statement}\n;${isolation.endRead}` : statement, params, {
            ...(this.#cut instanceof PostgresCut ? { declareFetch: !cursorless(plan) } : {}),
            cursor: true,
            // A read that carries its end-of-call statement binds one row more than its LIMIT, so that a fetch holding
            // the last rows is seen to end (fewer rows than it could take) and the suffix is read there.
            fetchSize: Math.max(1, Math.min(this.#config.fetchSize, maxRows + (endInline(plan) ? 2 : 1))),
            // The driver's own timeout is a backstop one second behind the cancel below.
            timeout: driverTimeout,
            firstFetch: true,
            // One string describes the columns (cheaper than an object per column), read once per description.
            columnsText: true,
            // Longer cells are cut to maxCellChars anyway; one more character shows that they were.
            maxBoundChars: this.#config.maxCellChars + 1,
            maxBoundBytes: Math.min(this.#config.fetchBytes, this.#odbc.fetchBytes ?? Infinity),
            // Otherwise a point query's end-of-call statement rides in the same trip to the driver's thread.
            ...(endInline(plan)
              ? { endResults: statementCount(isolation.endRead!) }
              : !write && isolation.endRead
              ? { endSql: isolation.endRead }
              : {}),
          });
        // PostgreSQL cuts long values itself (cut_postgres.ts): psqlODBC would receive them whole.
        const cutter = write ? null : this.#cut;
        const describe = async (text: string) =>
          (await connection.query(text, params, { timeout: driverTimeout })).columns ?? [];
        // A remembered shape is planned at once; only a description is awaited.
        // PostgreSQL computes no more rows than the call reads: its row cap and one more (cut_postgres.ts, limitSql).
        const planned = cutter ? cutter.plan(sql, describe, tokens, maxRows + 1) : null;
        let plan = planned instanceof Promise ? await planned : planned;
        let cursor: OdbcCursor;
        try {
          cursor = await open(plan?.statement ?? sql, plan);
        } catch (error) {
          if (!plan) throw error;
          cutter!.forget(plan);
          // A remembered shape may be out of date (a column dropped or retyped since): describe it again, once.
          if (!plan.cached || stoppedBy !== null || !SHAPE_CHANGED.test(this.#error(error).sqlState)) throw error;
          plan = await cutter!.plan(sql, describe, tokens, maxRows + 1);
          cursor = await open(plan?.statement ?? sql, plan);
        }
        if (plan) cutter!.check(plan, this.#columnTexts.of(cursor.odbcCursor?.firstBatch));
        // SQLRowCount of a write, which the addon hands over with the first fetch.
        const changed = write ? cursor.odbcCursor?.firstBatch?.count : undefined;
        ended = cursor.odbcCursor?.endSql;
        if (ended === "failed") broken = true;
        let result: QueryResult;
        try {
          result = await readCursor(cursor, {
            maxRows,
            maxBytes: Math.min(options.maxBytes ?? this.#config.maxBytes, this.#config.maxBytes),
            maxCellChars: this.#config.maxCellChars,
            // The driver received the whole value (psqlODBC gets whole rows): its buffers grew to that size and would
            // stay so while the connection is pooled, so a connection that read a huge value is closed afterwards.
            onCutValues: (largestBytes) => {
              if (largestBytes > LARGE_VALUE_BYTES) broken = true;
            },
            columns: plan?.columns,
            storage: plan?.storage,
            columnTexts: this.#columnTexts,
            readers: this.#readers,
          }, started);
          if (typeof changed === "number" && changed >= 0) result.changedRows = changed;
          // A read that ended in a later fetch: its end-of-call statement's results were read there (addon patch 12).
          if (ended === undefined) {
            ended = cursor.odbcCursor?.endSql;
            if (ended === "failed") broken = true;
          }
        } finally {
          await cursor.close().catch(() => broken = true);
        }
        // A write counts only once committed: a failed COMMIT fails the call.
        if (write && isolation.endWrite) await connection.query(isolation.endWrite, null, { timeout: driverTimeout });
        else if (once && !isolation.manualCommit) await commit(connection);
        return result;
      } catch (error) {
        const failure = this.#error(error);
        // psqlODBC keeps about 4,096 characters of a message: one that long may have been far longer (an error can
        // quote a huge value), and libpq keeps the buffer it grew to receive it for as long as the connection lives.
        if (failure.message.length >= LONG_MESSAGE_CHARS) broken = true;
        if (failure.retryable) {
          broken = true;
          if (sent && opened && !NOT_SENT.test(failure.message)) this.#lostMidStatement.add(failure);
        }
        throw failure;
      } finally {
        // Whatever the read did in its transaction is rolled back before anyone else gets the connection.
        if (!write && !broken && ended === undefined && isolation.endRead) {
          await connection.query(isolation.endRead, null, { timeout: driverTimeout }).catch((error) => {
            broken = true;
            this.#log(
              "warning",
              `could not end a call's transaction, so its connection is closed: ${this.#error(error).message}`,
            );
          });
        }
        driverDone = true;
      }
    })();
    // The connection goes back to the pool only once the driver is done with it; after a write, or a read that called
    // a user-defined function, it is closed, since either may have left session state behind.
    const released = work.then(() => {}, () => {}).then(() => {
      this.#deadlines.remove(deadline);
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      return this.#pool.release(connection, { discard: broken || recycle || stoppedBy !== null && !driverDone });
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
    if (this.#unservable) {
      this.#breaker.release(probe);
      throw this.#unservable;
    }
    // Most calls find an idle, recently used connection: no timer, no signal to combine.
    if (!signal?.aborted) {
      const idle = this.#pool.tryAcquire();
      if (idle) return idle;
    }
    // One controller ends the wait: at the call's timeout (a deadline on the shared timer) or at the caller's cancel
    // (forwarded), cheaper than AbortSignal.timeout combined with AbortSignal.any.
    const wait = new AbortController();
    let timedOut = false;
    const deadline = this.#deadlines.add(timeoutMs, () => {
      timedOut = true;
      wait.abort(new DOMException("no connection became free in time", "TimeoutError"));
    });
    const forward = () => wait.abort(signal!.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener("abort", forward, { once: true });
    try {
      const lease = await this.#pool.acquire(wait.signal);
      return lease.connection;
    } catch (error) {
      if (signal?.aborted) {
        this.#breaker.release(probe);
        this.#cancellations++;
        throw new DatabaseError("the call was cancelled while waiting for a connection", { kind: "cancelled" });
      }
      if (timedOut) {
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
      // An engine or role tdmcp will not serve stays so until a restart: no more logons for it.
      if (failure.kind === "refused") this.#unservable = failure;
      // delete: callers that waited for the same failed open (the pool shares it) count it once.
      if (failure.retryable && this.#refused.delete(failure)) this.#breaker.failure(failure.message, probe);
      else this.#breaker.release(probe);
      throw failure;
    } finally {
      this.#deadlines.remove(deadline);
      signal?.removeEventListener("abort", forward);
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
      const endRead = this.#isolation.endRead;
      // The catalog call's own queries began a transaction.
      if (endRead) await connection.query(endRead, null, { timeout: this.#driverTimeout() });
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
      broken = true; // a catalog call that failed may have left its transaction open
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
    this.#deadlines.close();
    await this.#pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Sets the call's audit statement (Teradata's QueryBand) on a session unless that session already carries it (or
   * refused it). A failed SET is logged and the call goes on (the band is audit, not a condition of the read); a lost
   * connection still fails the call.
   */
  async #setAudit(connection: OdbcConnection, statement: string): Promise<void> {
    if (this.#queryBands.get(connection) === statement) return;
    try {
      await connection.query(statement);
      this.#queryBands.set(connection, statement);
    } catch (error) {
      const failure = this.#error(error);
      if (failure.retryable) throw failure;
      // Not sent again on this session: a band Teradata refuses once it refuses every time.
      this.#queryBands.set(connection, statement);
      this.#log("warning", `could not set the QueryBand (calls go on without it): ${failure.message}`);
    }
  }

  /**
   * The driver's own timeout (seconds) for statements of a call with this timeout: a backstop one second behind the
   * cancel. Statements outside a call (checks, catalog calls) take the default call's, so psqlODBC keeps its setting.
   */
  #driverTimeout(timeoutMs = this.#config.queryTimeoutMs): number {
    return Math.ceil(timeoutMs / 1000) + 1;
  }

  get dialect(): Dialect {
    return this.#odbc.dialect;
  }

  async identify(): Promise<Engine> {
    if (this.#engine === null) {
      const probe = this.#breaker.enter();
      const connection = await this.#lease(undefined, this.#config.queryTimeoutMs, probe);
      this.#breaker.release(probe);
      await this.#pool.release(connection);
    }
    return this.#engine!;
  }

  /** Opens one connection with the current connection string. */
  async #connect(): Promise<OdbcConnection> {
    return await this.#driver.connect(this.#odbc.connectionString, this.#config.loginTimeoutSeconds)
      .catch((error) => {
        const failure = this.#error(error);
        // A backend killed during the driver's login queries proves the server is up.
        if (NOT_ACCEPTING.test(failure.message)) this.#refused.add(failure);
        throw failure;
      });
  }

  /**
   * Readies a new connection before its first use: learns the engine from the driver (the first time), refuses an
   * engine or role tdmcp will not serve, makes the session read-only in the engine and, where calls are isolated by
   * transactions, turns autocommit off. May return a different connection: a raw ODBC string is completed with what
   * the engine needs (e.g. psqlODBC's cursor fetch) and connected again.
   */
  async #prepareSession(first: OdbcConnection): Promise<OdbcConnection> {
    let connection = first;
    try {
      if (this.#settleEngine(connection)) {
        await connection.close().catch(() => {});
        connection = await this.#connect();
      }
      const role = await this.#checkRole(connection);
      const functions = this.#spec.session.userFunctionsSql;
      if (functions) this.#userFunctions = new Set((await connection.query(functions)).map(([name]) => String(name)));
      this.#engine ??= {
        dialect: this.dialect,
        dbmsName: connection.dbmsName ?? "",
        dbmsVersion: connection.dbmsVersion ?? "",
        role,
      };
      // Always, even with --allow-write: a write call lifts it for its own transaction only.
      for (const statement of this.#spec.session.readOnly) await connection.query(statement);
      if (this.#isolation.manualCommit) await connection.beginTransaction();
      return connection;
    } catch (error) {
      await connection.close().catch(() => {});
      throw this.#error(error);
    }
  }

  /**
   * Takes the engine the driver reports (`SQLGetInfo`) as the dialect, whatever the URI looked like; refuses an engine
   * tdmcp cannot make read-only unless allowed. Returns true when the connection string changed and the connection
   * must be made again.
   */
  #settleEngine(connection: OdbcConnection): boolean {
    const dbmsName = connection.dbmsName ?? "";
    const reported = dbmsName === "" ? UNKNOWN_ENGINE : dialectOfDbms(dbmsName);
    if (this.#engine !== null) {
      if (reported !== UNKNOWN_ENGINE && reported !== this.dialect) {
        throw new DatabaseError(
          `the database now reports itself as ${dbmsName}, no longer ${this.#engine.dbmsName}; restart tdmcp`,
          { kind: "refused" },
        );
      }
      return false;
    }
    const dialect = reported === UNKNOWN_ENGINE ? this.#odbc.dialect : reported;
    const spec = DIALECT_SPECS[dialect];
    if (!spec.engine.servedByDefault && !this.#config.allowUnknownEngine) {
      throw new DatabaseError(
        `tdmcp cannot make ${dbmsName || "this ODBC data source"} read-only in the engine, so only its statement ` +
          "guard would protect it; start with --allow-unknown-engine (ALLOW_UNKNOWN_ENGINE=true) to accept that",
        { kind: "refused" },
      );
    }
    const before = this.#odbc.connectionString;
    if (this.#odbc.raw || dialect !== this.#odbc.dialect) this.#odbc = completeForEngine(this.#odbc, dialect);
    this.#spec = spec;
    this.#isolation = spec.session.isolation(connection.dbmsVersion ?? "");
    this.#cut = spec.engine.serverCut
      ? new PostgresCut({
        maxChars: this.#config.maxCellChars,
        inline: majorVersion(connection.dbmsVersion ?? "") >= 12, // WITH ... AS NOT MATERIALIZED
      })
      : spec.engine.storageClasses
      ? new SqliteStorage()
      : null;
    return this.#odbc.connectionString !== before;
  }

  /** Reads the role's power where the dialect can tell, and refuses a superuser unless allowed. */
  async #checkRole(connection: OdbcConnection): Promise<RolePower | null> {
    const rolePower = this.#spec.session.rolePower;
    if (rolePower === null) return null;
    const [row] = await connection.query(rolePower.sql);
    const power = rolePower.parse(row ?? []);
    if (power.superuser && !this.#config.allowSuperuser) {
      throw new DatabaseError(
        `the role ${power.role} is a superuser, which can undo every protection tdmcp applies (read-only sessions, ` +
          "rolled-back calls); connect as a role that may only read (README: Safety), or start with " +
          "--allow-superuser (ALLOW_SUPERUSER=true) to accept that",
        { kind: "refused" },
      );
    }
    return power;
  }

  #error(error: unknown): DatabaseError {
    return toDatabaseError(error, this.#odbc.secrets);
  }

  #log(level: "debug" | "info" | "warning" | "error", message: string): void {
    this.#config.log?.(level, redact(message, this.#odbc.secrets));
  }
}

/** A statement that calls no function. */
const NO_CALLS: ReadonlySet<string> = new Set();

/**
 * The statements of an end-of-call statement (tdmcp's own text, no `;` inside a literal): the addon checks that the
 * read's message yielded exactly that many results after the read's (addon patch 12).
 */
function statementCount(sql: string): number {
  return sql.split(";").filter((part) => part.trim() !== "").length;
}

/** Commits what `beginTransaction` began (a write with a once-only token on an autocommit dialect). */
async function commit(connection: OdbcConnection): Promise<void> {
  if (!connection.commit) throw new TypeError("the ODBC connection cannot commit a transaction");
  await connection.commit();
}

/** A cut value larger than this closes its connection after the call (the driver's buffers grew to its size). */
const LARGE_VALUE_BYTES = 8 * 1024 * 1024;
/** SQLSTATEs of a statement whose columns are not those described (count: 42601, 42P10; type: 42804). */
const SHAPE_CHANGED = /^42/;
/** An error message at least this long may have been cut by the driver from a far longer one. */
const LONG_MESSAGE_CHARS = 4_000;

/** A lost connection the statement never reached (psqlODBC found it dead when sending), so not one it ended. */
const NOT_SENT = /failed to send|could not send data|connection is down/i;

/** How often a read is retried after a connection opened for it was lost while its statement ran. */
const MID_STATEMENT_RETRIES = 2;

/** SQLSTATEs of a statement stopped by a timeout or a cancel (driver-side timeouts land here). */
const DRIVER_TIMEOUT = new Set(["57014", "HYT00", "HY008"]);

/**
 * Ends the text with a newline when its last line holds `--`: psqlODBC with
 * `UseDeclareFetch=1` fails any statement that ends inside a line comment.
 */
export function terminateLineComment(sql: string): string {
  return sql.includes("--", sql.lastIndexOf("\n") + 1) ? `${sql}\n` : sql;
}

/** Whether a statement calls any of the user-defined functions (names lowercased, as the guard gives them). */
function callsUserFunction(calls: ReadonlySet<string>, userFunctions: ReadonlySet<string>): boolean {
  for (const name of calls) if (userFunctions.has(name)) return true;
  return false;
}
