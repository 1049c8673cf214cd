/**
 * The `Database`: the one connection manager of a tdmcp process. It leases a
 * pooled ODBC connection per statement, reads results through a cursor up to
 * a row and byte budget, and retries read-only work when a connection drops.
 * @module
 */
import pRetry from "p-retry";
import { checkReadOnly } from "./guard.ts";
import { rowBytes, toCell, toColumns } from "./cells.ts";
import { DatabaseError, toDatabaseError } from "./errors.ts";
import { loadOdbc, type OdbcBatch, type OdbcConnection, type OdbcCursor, type OdbcDriver } from "./odbc.ts";
import { Pool } from "./pool.ts";
import { redact } from "./redact.ts";
import { type OdbcTarget, parseDatabaseUri } from "./uri.ts";
import type { Cell, Database, DatabaseStats, QueryOptions, QueryResult, ResultColumn } from "./types.ts";

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
  /** Statement timeout when a call names none. */
  queryTimeoutMs: number;
  /** Seconds to wait for a login. */
  loginTimeoutSeconds: number;
  /** Permit statements that the read-only guard refuses. */
  allowWrite: boolean;
  /** Rows per cursor fetch (the driver sizes its buffers from it). */
  fetchSize: number;
  /** Connections idle this long are checked before reuse. */
  healthAfterMs: number;
  /** Transparent retries of read-only work after a lost connection. */
  retries: number;
  /** Receives warnings and retry notes (messages are already redacted). */
  log?: (
    level: "debug" | "info" | "warning" | "error",
    message: string,
  ) => void;
}

/** Defaults for everything but the URI. */
export const DATABASE_DEFAULTS: Omit<DatabaseConfig, "uri"> = {
  poolSize: 8,
  defaultMaxRows: 1000,
  maxRows: 50_000,
  maxBytes: 16 * 1024 * 1024,
  queryTimeoutMs: 30_000,
  loginTimeoutSeconds: 10,
  allowWrite: false,
  fetchSize: 100,
  healthAfterMs: 30_000,
  retries: 3,
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
export function openDatabase(
  config: DatabaseConfig,
  driver: OdbcDriver = loadOdbc(),
): Database {
  return new OdbcDatabase(
    config,
    parseDatabaseUri(config.uri, { odbcDriver: config.odbcDriver }),
    driver,
  );
}

class OdbcDatabase implements Database {
  readonly dialect;
  readonly target;
  readonly defaultMaxRows;
  readonly #config: DatabaseConfig;
  readonly #odbc: OdbcTarget;
  readonly #pool: Pool<OdbcConnection>;
  #retries = 0;
  #reconnects = 0;

  constructor(config: DatabaseConfig, odbc: OdbcTarget, driver: OdbcDriver) {
    this.#config = config;
    this.#odbc = odbc;
    this.dialect = odbc.dialect;
    this.target = odbc.display;
    this.defaultMaxRows = config.defaultMaxRows;
    this.#pool = new Pool<OdbcConnection>({
      maxSize: config.poolSize,
      healthAfterMs: config.healthAfterMs,
      open: async () => {
        const connection = await driver.connect(
          odbc.connectionString,
          config.loginTimeoutSeconds,
        )
          .catch((error) => {
            throw this.#error(error);
          });
        await this.#prepareSession(connection);
        return connection;
      },
      check: async (connection) => {
        if (!connection.connected) return false;
        if (this.dialect === "generic") return true;
        await connection.query("SELECT 1");
        return true;
      },
      onWarning: (message, error) => this.#log("warning", `${message}: ${this.#error(error).message}`),
    });
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const text = terminateLineComment(sql);
    const verdict = checkReadOnly(text, this.dialect);
    if (!verdict.ok && !this.#config.allowWrite) {
      throw new DatabaseError(verdict.reason, { kind: "refused" });
    }
    const maxRows = Math.min(
      options.maxRows ?? this.defaultMaxRows,
      this.#config.maxRows,
    );
    if (!Number.isInteger(maxRows) || maxRows < 0) {
      throw new RangeError(
        `maxRows must be a whole number from 0 to ${this.#config.maxRows}: current value is ${maxRows}`,
      );
    }
    const run = () => this.#execute(text, options, maxRows);
    if (!verdict.ok) return await run(); // a write is never retried
    return await pRetry(run, {
      retries: this.#config.retries,
      minTimeout: 25,
      maxTimeout: 1_000,
      factor: 2,
      randomize: true,
      signal: options.signal,
      shouldRetry: ({ error }) => error instanceof DatabaseError && error.retryable,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (
          error instanceof DatabaseError && error.retryable && retriesLeft > 0
        ) {
          this.#retries++;
          this.#log(
            "info",
            `connection lost (attempt ${attemptNumber}); reconnecting and retrying: ${error.message}`,
          );
        }
      },
    });
  }

  async #execute(
    sql: string,
    options: QueryOptions,
    maxRows: number,
  ): Promise<QueryResult> {
    const started = performance.now();
    const lease = await this.#pool.acquire(options.signal);
    let broken = false;
    try {
      const timeoutMs = options.timeoutMs ?? this.#config.queryTimeoutMs;
      const cursor = await lease.connection.query(
        sql,
        options.params ? [...options.params] : null,
        {
          cursor: true,
          fetchSize: Math.max(1, Math.min(this.#config.fetchSize, maxRows + 1)),
          timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
        },
      );
      try {
        return await this.#read(cursor, options, maxRows, started);
      } finally {
        await cursor.close();
      }
    } catch (error) {
      const failure = this.#error(error);
      broken = failure.retryable;
      if (broken) await this.#pool.discardIdle();
      throw failure;
    } finally {
      await this.#pool.release(lease.connection, { discard: broken });
    }
  }

  async #read(
    cursor: OdbcCursor,
    options: QueryOptions,
    maxRows: number,
    started: number,
  ): Promise<QueryResult> {
    const maxBytes = Math.min(
      options.maxBytes ?? this.#config.maxBytes,
      this.#config.maxBytes,
    );
    const rows: Cell[][] = [];
    let columns: ResultColumn[] = [];
    let bytes = 0;
    let truncatedBy: QueryResult["truncatedBy"] = null;
    read: while (true) {
      options.signal?.throwIfAborted();
      const batch = await cursor.fetch();
      if (batch.columns && columns.length === 0) {
        columns = toColumns(batch.columns);
      }
      for (const raw of batch) {
        if (rows.length >= maxRows) {
          truncatedBy = "rows";
          break read;
        }
        const row = raw.map(toCell);
        bytes += rowBytes(row);
        if (bytes > maxBytes) {
          truncatedBy = "bytes";
          break read;
        }
        rows.push(row);
      }
      if (cursor.noData || batch.length === 0) break;
    }
    return {
      columns,
      rows,
      rowCount: rows.length,
      truncated: truncatedBy !== null,
      truncatedBy,
      elapsedMs: Math.round((performance.now() - started) * 100) / 100,
    };
  }

  async odbcTables(
    schema: string | null,
    table: string | null,
  ): Promise<QueryResult> {
    return await this.#catalog((c) => c.tables(null, schema, table, null));
  }

  async odbcColumns(
    schema: string | null,
    table: string,
  ): Promise<QueryResult> {
    return await this.#catalog((c) => c.columns(null, schema, table, null));
  }

  async #catalog(
    call: (c: OdbcConnection) => Promise<OdbcBatch>,
  ): Promise<QueryResult> {
    const started = performance.now();
    const lease = await this.#pool.acquire();
    let broken = false;
    try {
      const result = await call(lease.connection);
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
      await this.#pool.release(lease.connection, { discard: broken });
    }
  }

  async health(): Promise<{ ok: boolean; message: string; elapsedMs: number }> {
    const started = performance.now();
    try {
      await this.query("SELECT 1", {
        maxRows: 1,
        timeoutMs: 5_000,
      });
      return {
        ok: true,
        message: "ok",
        elapsedMs: performance.now() - started,
      };
    } catch (error) {
      return {
        ok: false,
        message: this.#error(error).message,
        elapsedMs: performance.now() - started,
      };
    }
  }

  stats(): DatabaseStats {
    return {
      ...this.#pool.stats(),
      reconnects: this.#reconnects,
      retries: this.#retries,
    };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Makes a new connection as safe as the engine allows before its first use. */
  async #prepareSession(connection: OdbcConnection): Promise<void> {
    if (this.#pool.stats().opened > 0) this.#reconnects++;
    if (this.#config.allowWrite) return;
    try {
      if (this.dialect === "postgres") {
        await connection.query(
          "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        );
      } else if (this.dialect === "sqlite") {
        await connection.query("PRAGMA query_only = 1");
      }
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

/**
 * Ends the text with a newline when its last line holds `--`: psqlODBC with
 * `UseDeclareFetch=1` fails any statement that ends inside a line comment.
 */
export function terminateLineComment(sql: string): string {
  const lastLine = sql.slice(sql.lastIndexOf("\n") + 1);
  return lastLine.includes("--") ? `${sql}\n` : sql;
}
