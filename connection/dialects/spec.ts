/**
 * The shape of a dialect: everything tdmcp does differently for one kind of database, in one object per dialect
 * (`teradata.ts`, `postgres.ts`, `sqlite.ts`, `generic.ts` beside this file, collected in `mod.ts`). The code of
 * `connection/` reads these objects instead of branching on a dialect's name.
 *
 * A dialect file imports only leaf modules (this one, `../odbc_string.ts`, `../query_band.ts`, `../uri_teradata.ts`
 * and types): the tokenizer, the guard, the URI parser and the error rules import the registry, so a dialect file
 * that imported them would close a cycle.
 * @module
 */
import type { LexOptions } from "../sql_lexings.ts";
import type { OdbcTarget, UriOptions } from "../odbc_string.ts";
import type { Audit } from "../query_band.ts";
import type { Dialect, RolePower } from "../types.ts";

/** Everything that differs by dialect. */
export interface DialectSpec {
  /** The dialect's name, its key in `DIALECT_SPECS`. */
  readonly name: Dialect;
  /** How a `DATABASE_URI` or a raw ODBC string becomes a target, and what the driver needs. */
  readonly uri: UriSpec;
  /** How the driver's report (`SQLGetInfo`) names the engine, and how far tdmcp trusts it. */
  readonly engine: EngineSpec;
  /** What a session runs to stay read-only and pristine between calls. */
  readonly session: SessionSpec;
  /** The lexical rules of the engine's SQL (see `sql_lexings.ts`). */
  readonly lex: LexSpec;
  /** What the read-only guard needs beyond the lexical rules. */
  readonly guard: GuardSpec;
  /** How the driver reports a lost connection, a refused logon or a passing failure. */
  readonly errors: ErrorSpec;
}

/** URI schemes, driver defaults and connection-string completion. */
export interface UriSpec {
  /** URI schemes (lowercase, without `:`) that name this dialect, e.g. `postgres`, `postgresql`. */
  readonly schemes: readonly string[];
  /** Turns a URI with one of {@link schemes} into a target. */
  readonly target?: (uri: string, options: UriOptions) => OdbcTarget;
  /** The ODBC driver name used unless `ODBC_DRIVER` names another; null: none (a raw string names its own). */
  readonly defaultDriver: string | null;
  /** A lowercase text whose presence in a raw string's `DRIVER=` value names this dialect before connecting. */
  readonly driverMarker: string | null;
  /** Keys a raw ODBC string is completed with once the engine is known (keys the string sets win). */
  readonly rawCompletion: readonly (readonly [key: string, value: string])[];
  /** A smaller byte budget for one fetch's bound buffers than the default, where the driver needs one. */
  readonly fetchBytes?: number;
  /** The engine is a file: a raw string's `Database=` is the file path. */
  readonly fileDatabase: boolean;
}

/** How tdmcp recognises the engine and whether it serves it by default. */
export interface EngineSpec {
  /** A lowercase prefix of `SQLGetInfo(SQL_DBMS_NAME)` that names this dialect; null: never reported. */
  readonly dbmsPrefix: string | null;
  /**
   * Served without `--allow-unknown-engine`: tdmcp can make the engine read-only itself, or its guard knows the
   * engine's writes. False for engines only the statement guard protects with rules written for other engines.
   */
  readonly servedByDefault: boolean;
  /**
   * The engine cuts long text values itself before sending them (`cut_postgres.ts`: `WITH ... AS NOT MATERIALIZED`
   * and `left()`, PostgreSQL's SQL); otherwise the client cuts them after fetching.
   */
  readonly serverCut: boolean;
  /**
   * SQLite types values, not columns: a read whose columns have no declared type runs rewritten so that each value
   * says its storage class (`sqlite_storage.ts`), which decides its JSON form.
   */
  readonly storageClasses?: boolean;
}

/** What a session runs to stay read-only and pristine between calls. */
export interface SessionSpec {
  /** Statements that make a new connection read-only in the engine itself; empty where the guard alone protects. */
  readonly readOnly: readonly string[];
  /** What every call runs around its statement, for the engine version `SQL_DBMS_VER` reports ("" when unknown). */
  isolation(dbmsVersion: string): CallIsolation;
  /** The health check of an idle connection when the isolation has no `endRead`; null: none (only `connected`). */
  readonly healthProbe: string | null;
  /** A query reporting the connected role's power and how to read its one row; null where tdmcp cannot ask. */
  readonly rolePower: { readonly sql: string; parse(row: readonly unknown[]): RolePower } | null;
  /** A query listing (lowercased) names of user-defined functions; a read that calls one recycles its connection. */
  readonly userFunctionsSql: string | null;
  /** The statement that tags a session with who calls (Teradata's QueryBand); null: no audit statement. */
  readonly auditStatement: ((audit: Audit) => string) | null;
}

/**
 * What a dialect runs around every call so that nothing one call does is seen
 * by the next one on the same pooled connection.
 */
export interface CallIsolation {
  /**
   * The connection runs in manual-commit mode: every call is one transaction
   * that tdmcp ends itself (PostgreSQL: the driver sends BEGIN before the
   * call's first statement).
   */
  manualCommit: boolean;
  /**
   * Ends a read call: rolls its transaction back (settings made with
   * `set_config`, large objects, notifications, cursors, LISTEN vanish) and
   * drops what survives a rollback (prepared statements a function made with
   * dynamic SQL, session-level advisory locks). Also the health check of an
   * idle connection. `null`: nothing to end.
   */
  endRead: string | null;
  /** Opens a write call (`--allow-write`): lifts the session's read-only default for this transaction only. */
  beginWrite: string | null;
  /** Ends a write call. The connection is then closed, never reused: a write may leave session state behind. */
  endWrite: string | null;
}

/** Another reading of a text and what it changes. */
export type LexAlternative = readonly [Partial<LexOptions>, string];
/** When the text matches the pattern, each alternative doubles the readings the guard checks. */
export type LexAxis = readonly [RegExp, readonly LexAlternative[]];

/** The lexical rules of the engine's SQL. */
export interface LexSpec {
  /** The usual reading (build it with {@link lexOptions}). */
  readonly options: Readonly<LexOptions>;
  /** Other readings a server of this dialect may use, depending on its version and settings. */
  readonly axes: readonly LexAxis[];
}

/** What the read-only guard needs beyond the lexical rules. */
export interface GuardSpec {
  /** The reads the dialect accepts, as named in refusals ("SELECT, WITH, ..."). */
  readonly reads: string;
  /** Leading keywords that are reads besides SELECT and VALUES (uppercase), and the kind each reports. */
  readonly readWords: ReadonlyMap<string, string>;
  /**
   * The server's grammar is unknown: every dialect's function rules apply, and the guard also refuses package
   * calls, sequence advances and second statements without a semicolon (SQL Server batches).
   */
  readonly anyServer: boolean;
  /**
   * Teradata SQL's statements (`guard_teradata.ts`): `LOCKING` modifiers, temporal qualifiers, `COMMENT ON`, session
   * statements, `INS`/`UPD`/`DEL` anywhere, `BEGIN QUERY LOGGING`, `EXPLAIN` of a write (which does not run it) and
   * `EXPLAIN STATIC`/`DYNAMIC`.
   */
  readonly teradataSql: boolean;
  /** SQLite's `PRAGMA` statements: those in `READ_PRAGMAS` read, any other writes. */
  readonly pragmas: boolean;
  /**
   * `EXPLAIN` without `ANALYZE` of INSERT/UPDATE/DELETE/MERGE plans the write and runs nothing (PostgreSQL), so it is
   * a read (`guard_explain.ts`: plan-only options only).
   */
  readonly explainPlansWrites: boolean;
  /** Backslashes in a plain string (`standard_conforming_strings` off) decode as in PostgreSQL's `E'...'`. */
  readonly postgresEscapes: boolean;
}

/** How a dialect's driver reports what went wrong (all dialects' rules apply to every error: see `errors.ts`). */
export interface ErrorSpec {
  /** SQLSTATEs meaning the connection is lost, besides class 08. */
  readonly lostStates: readonly string[];
  /** SQLSTATEs of a transaction the engine rolled back to break a deadlock or a serialization conflict. */
  readonly transientStates: readonly string[];
  /** Regular-expression sources (case-insensitive) of driver messages meaning the link broke. */
  readonly lostText: readonly string[];
  /** Regular-expression sources of logon refusals reported with a generic SQLSTATE. */
  readonly authText: readonly string[];
  /** Regular-expression sources of connect failures meaning the database accepts no connections for now. */
  readonly notAcceptingText: readonly string[];
  /** Regular-expression sources of "no such database" at connect: never retried, never a logon refusal. */
  readonly noDatabaseText: readonly string[];
  /** The engine's own error code in a driver's error record, 0 when the record is not this engine's. */
  readonly engineCode?: (nativeCode: number, message: string) => number;
  /** What tdmcp does after an engine code (codes not listed are plain statement errors). */
  readonly codes?: ReadonlyMap<number, { readonly class: EngineCodeClass; readonly wording: string }>;
  /** What the agent can do about a statement error it cannot fix by rewording, by engine code. */
  readonly hints?: ReadonlyMap<number, string>;
}

/** What tdmcp does after an engine's error code: a refused logon, a database taking no logons, a passing failure. */
export type EngineCodeClass = "auth" | "refusing" | "transient";

/** Lexical options with every rule off but those given. */
export function lexOptions(overrides: Partial<LexOptions>): LexOptions {
  return {
    backslash: "none",
    nestedComments: false,
    dollarQuotes: false,
    brackets: "none",
    backticks: false,
    hashComments: false,
    dashCommentNeedsSpace: false,
    qQuotes: false,
    tclVariables: false,
    nonAsciiIsIdent: false,
    signNames: false,
    ...overrides,
  };
}

/** The major version in a `SQL_DBMS_VER` string ("15.0004" → 15, "9.6.24" → 9); 0 when it does not start with one. */
export function majorVersion(version: string): number {
  return Number(/^\s*(\d+)/.exec(version)?.[1] ?? 0);
}
