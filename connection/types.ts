/**
 * Types shared by the connection layer and its callers. Tools import these
 * types only, never the implementation.
 * @module
 */
import type { PoolStats } from "./pool.ts";

/** The names of the dialects; each has its file in `dialects/` and its line in `dialects/mod.ts` (docs/dialects.md). */
const DIALECT_NAMES = ["teradata", "postgres", "sqlite", "generic"] as const;

/** The SQL dialects tdmcp knows how to speak. */
export type Dialect = (typeof DIALECT_NAMES)[number];

/** Every dialect, in a stable order. */
export const DIALECTS: readonly Dialect[] = DIALECT_NAMES;

/** One column of a result set. */
export interface ResultColumn {
  name: string;
  /**
   * The database's own name of the type with its length, precision and scale, e.g. `INTEGER`, `NUMERIC(38,0)`,
   * `CHARACTER VARYING(100)`, `TIMESTAMP(6) WITH TIME ZONE` (the ODBC name when the driver cannot name it).
   */
  type: string;
  /** Whether the driver says the column may hold NULL (true when it does not know). */
  nullable: boolean;
  /**
   * How the column's values are written: `number` (exact: integers within ±(2^53−1), decimals a double holds),
   * `boolean`, `base64` (binary), or `string` (text, dates and times in ISO 8601, and any column with a value that
   * `number` or `boolean` cannot hold exactly). NULL is `null` in every form. Absent in columns a tool built itself:
   * the result then says what its values are.
   */
  json?: JsonKind;
}

/** How a column's values are written in JSON. */
export type JsonKind = "number" | "string" | "boolean" | "base64";

/** A JSON-safe cell value. */
export type Cell = string | number | boolean | null;

/** Why a result is incomplete: rows or bytes cut at the budget, or long cells shortened. */
export type TruncatedBy = "rows" | "bytes" | "cells" | null;

/** What a query returns. */
export interface QueryResult {
  columns: ResultColumn[];
  rows: Cell[][];
  rowCount: number;
  truncated: boolean;
  truncatedBy: TruncatedBy;
  elapsedMs: number;
  /** A write's count of rows it inserted, updated or deleted, as the driver reports it; absent when unknown. */
  changedRows?: number;
}

/** Options of one query. */
export interface QueryOptions {
  /** Values bound to `?` markers, in order. Never pasted into the SQL. */
  params?: readonly (string | number | null)[];
  /** Return at most this many rows (the default comes from the database config). */
  maxRows?: number;
  /** Stop reading once the rows read take about this many bytes as JSON. */
  maxBytes?: number;
  /** Cancel the statement after this many milliseconds. */
  timeoutMs?: number;
  /** Abort the statement (an MCP cancellation, a shutdown). */
  signal?: AbortSignal;
  /**
   * Refuse anything but a single read-only statement (the default). Only a
   * server started with `allowWrite` honours `false`. Read-only work is
   * retried transparently when a connection is lost; a write never is.
   */
  readOnly?: boolean;
  /**
   * Run a write at most once per token: in the write's own transaction, before the statement, `token` is inserted
   * into the ledger `table` (whose primary key is the token), so a token used before fails the call and runs
   * nothing, on any process that shares the database. A read ignores it. The token is pasted into the SQL: 16 to 64
   * lowercase hex digits only.
   */
  once?: { table: string; token: string };
  /**
   * Only judge the statement (the read-only guard, or with `readOnly: false` the write guard) and return an empty
   * result without running it or touching a connection: refused statements throw as they would.
   */
  checkOnly?: boolean;
  /** Who asked: the client, profile and trace go into the Teradata QueryBand (DBQL, workload rules). */
  audit?: {
    tool: string;
    requestId: string;
    client?: { name: string; version: string };
    profile?: string;
    traceId?: string;
  };
}

/** Pool and retry counters. */
export interface DatabaseStats extends PoolStats {
  reconnects: number;
  retries: number;
  /** `closed` (normal), `open` (failing fast), `half-open` (probing). */
  breaker: "closed" | "open" | "half-open";
  timeouts: number;
  cancellations: number;
}

/** What the connected role may do beyond reading, as far as the engine tells. */
export interface RolePower {
  /** The role name the engine reports. */
  role: string;
  superuser: boolean;
  /** Powers worth a warning: `pg_signal_backend`, `CREATEROLE`, ownership of N objects, ... */
  notes: string[];
}

/** The engine behind the connections, as its ODBC driver reports it. */
export interface Engine {
  /** The dialect whose guard and session protections apply. */
  dialect: Dialect;
  /** `SQLGetInfo(SQL_DBMS_NAME)`, e.g. `PostgreSQL`; empty when the driver does not say. */
  dbmsName: string;
  /** `SQLGetInfo(SQL_DBMS_VER)`. */
  dbmsVersion: string;
  /** The connected role's power, where tdmcp knows how to ask the dialect. */
  role: RolePower | null;
}

/** The one connection manager of the process, as callers see it. */
export interface Database {
  /** The URI's dialect until a connection has said which engine it reaches (see {@link Database.identify}). */
  readonly dialect: Dialect;
  /** Where the database is, with no secret: `host:port/db` or a file path. */
  readonly target: string;
  /** The database's default row cap. */
  readonly defaultMaxRows: number;
  /** Whether the server lets writes through (`--allow-write`). */
  readonly allowWrite: boolean;
  /** Runs one statement and reads at most `maxRows` rows through a cursor. */
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /** ODBC `SQLTables` for dialects without a catalog SQL of their own. */
  odbcTables(schema: string | null, table: string | null): Promise<QueryResult>;
  /** ODBC `SQLColumns` for dialects without a catalog SQL of their own. */
  odbcColumns(schema: string | null, table: string): Promise<QueryResult>;
  /**
   * Connects (unless a connection already did) and says which engine answers and what the role may do. Rejects with a
   * `refused` DatabaseError for an engine or a role tdmcp will not serve (a superuser, an engine it cannot make
   * read-only) unless the configuration allows it.
   */
  identify(): Promise<Engine>;
  /** Whether a connection can be had and answers. */
  health(): Promise<{ ok: boolean; message: string; elapsedMs: number }>;
  stats(): DatabaseStats;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
