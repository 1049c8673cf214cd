/**
 * The one error class of the connection layer and the rules that sort what a
 * driver reports: a lost connection (retried on a new one), a refused logon
 * (never retried: every attempt with a wrong password counts towards locking
 * the account), a transient statement failure such as a deadlock (the session
 * is fine; a read may be resubmitted) and everything else (a plain SQL error).
 * The codes, SQLSTATEs and driver words are each dialect's (`dialects/`, `errors`); every dialect's rules apply to
 * every error, since an error may come before the engine is known.
 * @module
 */
import { DIALECT_SPEC_LIST } from "./dialects/mod.ts";
import type { EngineCodeClass, ErrorSpec } from "./dialects/spec.ts";
import { redact } from "./redact.ts";

/** Options of a {@link DatabaseError}. */
export interface DatabaseErrorOptions {
  sqlState?: string;
  nativeCode?: number;
  retryable?: boolean;
  cause?: unknown;
  /** Short machine-readable reason; see {@link DatabaseErrorKind}. */
  kind?: DatabaseErrorKind;
}

/**
 * What went wrong, coarsely:
 * - `connection`: the connection broke or could not be opened; read-only work is retried on a new one;
 * - `auth`: the database refused the logon (wrong user, password, account, logon mechanism, no right to connect);
 *   never retried, and further logons pause (see `CircuitBreaker.logonRefused`);
 * - `transient`: the statement failed for a passing reason on a healthy session (a deadlock); the session is
 *   kept and read-only work may be resubmitted;
 * - `timeout`, `cancelled`: the call was stopped; `refused`: tdmcp refused the call or the database;
 * - `sql`: any other error of the statement; `unavailable`: the circuit breaker is open; `pool`: the pool is closed.
 */
export type DatabaseErrorKind =
  | "connection"
  | "auth"
  | "transient"
  | "timeout"
  | "cancelled"
  | "refused"
  | "sql"
  | "unavailable"
  | "pool";

/** A database failure with its SQLSTATE and a message free of secrets. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  readonly sqlState: string;
  readonly nativeCode: number;
  /** The connection is gone: the (read-only) call may be retried on a new connection. */
  readonly retryable: boolean;
  readonly kind: DatabaseErrorKind;

  constructor(message: string, options: DatabaseErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.sqlState = options.sqlState ?? "";
    this.nativeCode = options.nativeCode ?? 0;
    this.retryable = options.retryable ?? false;
    this.kind = options.kind ?? (this.retryable ? "connection" : "sql");
  }
}

export { TERADATA_CODES, type TeradataClass, teradataCode } from "./dialects/teradata.ts";

/** One case-insensitive pattern from every dialect's texts of one kind (each dialect's `errors`); none: never matches. */
function anyText(pick: (errors: ErrorSpec) => readonly string[]): RegExp {
  const sources = DIALECT_SPEC_LIST.flatMap((spec) => pick(spec.errors));
  return new RegExp(sources.length === 0 ? "(?!)" : sources.map((source) => `(?:${source})`).join("|"), "i");
}

/** Driver messages that mean the link to the server broke. */
const LINK_LOST = anyText((errors) => errors.lostText);

/** SQLSTATEs that mean the connection is lost, besides class 08 (PostgreSQL: the backend was shut down). */
const LOST_STATES: ReadonlySet<string> = new Set(DIALECT_SPEC_LIST.flatMap((spec) => spec.errors.lostStates));

/**
 * Logon refusals in the words of drivers that report them with a generic SQLSTATE (psqlODBC: 08001): PostgreSQL's
 * authentication failures, SQL Server's and MySQL's login messages, Oracle's ORA-01017 and Teradata's 8017.
 */
const AUTH_TEXT = anyText((errors) => errors.authText);

/**
 * "No such database" at connect (PostgreSQL's `database "x" does not exist`, 3D000). Not a logon refusal, so it pauses
 * nothing and risks no lockout; but retrying cannot create the database, so it is never retried.
 */
const NO_DATABASE = anyText((errors) => errors.noDatabaseText);

/** Connect failures that mean the database does not accept connections: the only evidence the breaker counts. */
export const NOT_ACCEPTING: RegExp = anyText((errors) => errors.notAcceptingText);

/** SQLSTATEs of a transaction the engine rolled back to break a deadlock or a serialization conflict. */
const TRANSIENT_STATES: ReadonlySet<string> = new Set(
  DIALECT_SPEC_LIST.flatMap((spec) => spec.errors.transientStates),
);

/** The dialects whose driver reports engine codes tdmcp acts on (Teradata). */
const CODED: readonly ErrorSpec[] = DIALECT_SPEC_LIST.map((spec) => spec.errors).filter((errors) => errors.engineCode);

/** What an engine's code in this error record tells tdmcp to do (a Teradata code), or undefined. */
function engineClass(nativeCode: number, message: string): EngineCodeClass | undefined {
  for (const errors of CODED) {
    const found = errors.codes?.get(errors.engineCode!(nativeCode, message))?.class;
    if (found) return found;
  }
  return undefined;
}

/** What the agent can do about an engine's statement error (Teradata's 2646, out of spool), or undefined. */
function engineHint(nativeCode: number, message: string): string | undefined {
  for (const errors of CODED) {
    const hint = errors.hints?.get(errors.engineCode!(nativeCode, message));
    if (hint) return hint;
  }
  return undefined;
}

/** How an error record is handled. */
export interface Verdict {
  kind: "connection" | "auth" | "transient" | "sql";
  retryable: boolean;
}

/** Sorts one ODBC error record (its SQLSTATE, native code and message) into a {@link Verdict}. */
export function classifyError(sqlState: string, nativeCode: number, message: string): Verdict {
  const coded = engineClass(nativeCode, message);
  // A generic SQLSTATE leaves the message to tell; a statement's own SQLSTATE (42704: a GRANT to an unknown role)
  // is never mistaken for a logon.
  const generic = sqlState === "" || /^(08|28|HY|S1)/.test(sqlState);
  if (sqlState.startsWith("28") || coded === "auth" || (generic && AUTH_TEXT.test(message))) {
    return { kind: "auth", retryable: false };
  }
  if (sqlState === "3D000" || (generic && NO_DATABASE.test(message))) return { kind: "sql", retryable: false };
  if (TRANSIENT_STATES.has(sqlState) || coded === "transient") return { kind: "transient", retryable: false };
  if (coded === "refusing" || isConnectionLost(sqlState, message)) return { kind: "connection", retryable: true };
  return { kind: "sql", retryable: false };
}

/** Whether an ODBC error record means the connection is lost (a refused logon never does: see {@link classifyError}). */
export function isConnectionLost(sqlState: string, message: string): boolean {
  return sqlState.startsWith("08") || LOST_STATES.has(sqlState) || LINK_LOST.test(message);
}

interface OdbcErrorRecord {
  state?: string;
  code?: number;
  message?: string;
}

/** Turns whatever the odbc addon threw into a {@link DatabaseError} with secrets removed. */
export function toDatabaseError(
  error: unknown,
  secrets: readonly string[],
): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const records: OdbcErrorRecord[] = typeof error === "object" && error !== null &&
      Array.isArray((error as { odbcErrors?: unknown }).odbcErrors)
    ? (error as { odbcErrors: OdbcErrorRecord[] }).odbcErrors
    : [];
  const first = records.find((r) => r.state && r.state !== "01000") ??
    records[0];
  const driverText = records.map((r) => cleanDriverMessage(r.message ?? ""))
    .filter(Boolean);
  const base = error instanceof Error ? error.message : String(error);
  const message = redact(
    driverText.length > 0 ? [...new Set(driverText)].join("; ") : base,
    secrets,
  );
  const sqlState = first?.state ?? "";
  const nativeCode = first?.code ?? 0;
  // The raw text keeps the driver's `[Teradata]` tag, which the cleaned message drops.
  const raw = records.map((r) => r.message ?? "").join(" ");
  const { kind, retryable } = classifyError(sqlState, nativeCode, `${raw} ${base}`);
  const hint = kind === "sql" ? engineHint(nativeCode, raw) : undefined;
  return new DatabaseError(kind === "auth" ? logonRefusedMessage(message) : hint ? `${message}; ${hint}` : message, {
    sqlState,
    nativeCode,
    retryable,
    kind,
  });
}

/** The message of a refused logon: what the database said and what fixes it (never the password). */
function logonRefusedMessage(driverText: string): string {
  return `the database refused the logon (${driverText.replace(/[.;\s]+$/, "")}); the user name, password, ` +
    "account or logon mechanism tdmcp connects with must be corrected by whoever runs the server - retrying " +
    "cannot help and would count towards locking the account";
}

/** Drops the `[unixODBC][Driver]` prefixes that say nothing to a reader. */
function cleanDriverMessage(message: string): string {
  return message.replace(/^(\[[^\]]*\])+\s*/, "").replace(/\s*\(\d+\)$/, "")
    .trim();
}
