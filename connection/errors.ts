/**
 * The one error class of the connection layer and the rules that sort what a
 * driver reports: a lost connection (retried on a new one), a refused logon
 * (never retried: every attempt with a wrong password counts towards locking
 * the account), a transient statement failure such as a deadlock (the session
 * is fine; a read may be resubmitted) and everything else (a plain SQL error).
 * @module
 */
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

/** What tdmcp does after a Teradata Database code (any code not listed is a plain statement error). */
export type TeradataClass = "auth" | "refusing" | "transient";

/**
 * The Teradata Database codes tdmcp acts on, with the wording Teradata documents for each. Where this table cites
 * "Messages", the page is Teradata Vantage - Analytics Database Messages (B035-1096); "CLIv2" is the Call-Level
 * Interface Version 2 reference, table "Responding to Error and Failure Parcels" (action: re-submit).
 *
 * | code | class     | wording                                                   | source                                   |
 * | ---- | --------- | --------------------------------------------------------- | ---------------------------------------- |
 * | 8017 | auth      | The UserId, Password or Account is invalid.                | CLIv2 (CliUsrLgnExt); SQLSTATE 28000 (1)  |
 * | 3002 | auth      | Invalid logon account.                                     | Messages: "constitutes a security violation" |
 * | 3032 | auth      | User password has expired.                                 | Messages (15.00) (2)                     |
 * | 8024 | refusing  | All virtual circuits are currently in use.                 | driver text, SQLSTATE HY000 (3)          |
 * | 3055 | refusing  | Logons are only enabled for user DBC.                      | ODBC driver text (FailCode -3055) (3)    |
 * | 2631 | transient | Transaction ABORTed due to deadlock.                       | CLIv2: re-submit; SQLSTATE 40001         |
 * | 2639 | transient | sorry, too many simultaneous transactions                  | CLIv2: re-submit the request             |
 * | 2641 | transient | databasename.tablename was restructured.                   | CLIv2: re-submit the transaction         |
 * | 2825 | transient | no record of the last request was found after DBC restart  | CLIv2: re-submit the request             |
 * | 2826 | transient | request completed but all output was lost due to DBC restart | CLIv2: a display request may be re-submitted (4) |
 * | 2828 | transient | request was rolled back during system recovery             | CLIv2: re-submit the transaction         |
 * | 2835 | transient | a unique index has been invalidated; resubmit transaction  | CLIv2: re-submit the transaction         |
 * | 3111 | transient | the transaction has been timed out                         | CLIv2: re-submit the transaction         |
 * | 3120 | transient | the request is aborted because of a DBC recovery           | CLIv2: re-submit the transaction         |
 * | 3598 | transient | concurrent change conflict on database                     | CLIv2: re-submit                         |
 *
 * (1) By default (Gateway Control `-n no`) EVERY logon failure - unknown user, wrong password, locked user, logon
 *     rule, IP restriction - returns 8017 (Security Administration, "Using Logon Error Handling Options"); the
 *     failure-specific codes appear only with `-n yes`. Teradata locks a user after `MaxLogonAttempts` successive
 *     wrong passwords (Security Administration, "MaxLogonAttempts"), and an LDAP directory may lock its account too.
 * (2) A second logon with an expired password is refused ("Expired Password Effects on a Session").
 * (3) No manual page for 8024 or 3055 was found; the wording is the driver's. Both say the database takes no
 *     logons for now (no free virtual circuit; logons disabled by an administrator), not that the credentials are
 *     wrong: they count towards the circuit breaker like a refused connection, and are retried with its backoff.
 * (4) CLIv2: "if the request was to display certain data, the original request can safely be re-submitted", not a
 *     write; tdmcp re-submits only read-only work (a write is never retried), so 2826 is transient.
 *
 * 2827 (aborted by the user or by a statement error, which a cancel also produces) is left out: the manual says the
 * circumstances "may not warrant re-submitting anything at all". 3126, 3127, 8018, 8019 and 8030, once listed here as
 * "session lost", appear neither in the Messages pages the search corpora hold nor in the official Teradata MCP server (which keeps
 * no code list: SQLAlchemy's pool_pre_ping); in the 80xx logon range a guess is dangerous, so they are plain
 * statement errors. A lost session still shows as SQLSTATE 08xxx or a communication-link message.
 */
export const TERADATA_CODES: ReadonlyMap<number, { readonly class: TeradataClass; readonly wording: string }> = new Map(
  [
    [8017, { class: "auth", wording: "The UserId, Password or Account is invalid." }],
    [3002, { class: "auth", wording: "Invalid logon account." }],
    [3032, { class: "auth", wording: "User password has expired." }],
    [8024, { class: "refusing", wording: "All virtual circuits are currently in use." }],
    [3055, { class: "refusing", wording: "Logons are only enabled for user DBC." }],
    [2631, { class: "transient", wording: "Transaction ABORTed due to deadlock." }],
    [2639, { class: "transient", wording: "sorry, too many simultaneous transactions" }],
    [2641, { class: "transient", wording: "databasename.tablename was restructured." }],
    [2825, { class: "transient", wording: "no record of the last request was found after DBC restart" }],
    [2826, { class: "transient", wording: "request completed but all output was lost due to DBC restart" }],
    [2828, { class: "transient", wording: "request was rolled back during system recovery" }],
    [2835, { class: "transient", wording: "a unique index has been invalidated; resubmit transaction" }],
    [3111, { class: "transient", wording: "the transaction has been timed out" }],
    [3120, { class: "transient", wording: "the request is aborted because of a DBC recovery" }],
    [3598, { class: "transient", wording: "concurrent change conflict on database" }],
  ],
);

/**
 * The Teradata Database code of an ODBC error record, 0 for other drivers. The Teradata ODBC driver reports a
 * statement's code as a negative native code (Teradata's own PyTd takes its absolute value) and a refused logon as
 * native code 210 with `FailCode = -8017` in the text; its messages carry a `[Teradata ...]` tag, which keeps other
 * drivers' native codes (MySQL has a 3032 too) out.
 */
export function teradataCode(nativeCode: number, message: string): number {
  if (!/\bTeradata\b/i.test(message)) return 0;
  const failCode = /FailCode\s*=\s*-?(\d+)/i.exec(message) ?? /\[Error (\d+)\]/.exec(message);
  return failCode ? Number(failCode[1]) : Math.abs(nativeCode);
}

/** Driver messages that mean the link to the server broke. */
const LINK_LOST =
  /communication link|connection (?:is )?(?:closed|reset|refused|lost|terminated|timed out)|server closed the connection|could not connect|could not send data|no connection to the server|terminating connection|connection to server .* failed|broken pipe|SSL SYSCALL|socket|Connection dead|the database system is (?:starting up|shutting down|in recovery mode)|Connection has already been closed/i;

/** PostgreSQL SQLSTATEs that mean the backend was shut down or is going away. */
const PG_LOST = new Set([
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08007",
  "08S01",
]);

/**
 * Logon refusals in the words of drivers that report them with a generic SQLSTATE (psqlODBC: 08001): PostgreSQL's
 * authentication failures (28P01, 28000: every method's "... authentication failed for user", pg_hba.conf, an
 * unknown role or one that may not log in), its CONNECT privilege check (42501 at connect), libpq's missing password,
 * SQL Server's and MySQL's login messages, Oracle's ORA-01017 and Teradata's 8017.
 */
const AUTH_TEXT =
  /authentication failed for user|no pg_hba\.conf entry|pg_hba\.conf rejects connection|role "[^"]*" does not exist|role "[^"]*" is not permitted to log in|permission denied for database|does not have CONNECT privilege|no password supplied|Login failed for user|Access denied for user|invalid username\/password|The UserId, Password or Account is invalid/i;

/**
 * PostgreSQL's `database "x" does not exist` (3D000) at connect. Not a logon refusal (PostgreSQL checks the database
 * after the password), so it pauses nothing and risks no lockout; but retrying cannot create the database, so it is
 * never retried.
 */
const NO_DATABASE = /database "[^"]*" does not exist/i;

/** SQLSTATEs of a transaction the engine rolled back to break a deadlock or a serialization conflict. */
const TRANSIENT_STATES = new Set(["40001", "40P01"]);

/** How an error record is handled. */
export interface Verdict {
  kind: "connection" | "auth" | "transient" | "sql";
  retryable: boolean;
}

/** Sorts one ODBC error record (its SQLSTATE, native code and message) into a {@link Verdict}. */
export function classifyError(sqlState: string, nativeCode: number, message: string): Verdict {
  const teradata = TERADATA_CODES.get(teradataCode(nativeCode, message))?.class;
  // A generic SQLSTATE leaves the message to tell; a statement's own SQLSTATE (42704: a GRANT to an unknown role)
  // is never mistaken for a logon.
  const generic = sqlState === "" || /^(08|28|HY|S1)/.test(sqlState);
  if (sqlState.startsWith("28") || teradata === "auth" || (generic && AUTH_TEXT.test(message))) {
    return { kind: "auth", retryable: false };
  }
  if (sqlState === "3D000" || (generic && NO_DATABASE.test(message))) return { kind: "sql", retryable: false };
  if (TRANSIENT_STATES.has(sqlState) || teradata === "transient") return { kind: "transient", retryable: false };
  if (teradata === "refusing" || isConnectionLost(sqlState, message)) return { kind: "connection", retryable: true };
  return { kind: "sql", retryable: false };
}

/** Whether an ODBC error record means the connection is lost (a refused logon never does: see {@link classifyError}). */
export function isConnectionLost(sqlState: string, message: string): boolean {
  return sqlState.startsWith("08") || PG_LOST.has(sqlState) || LINK_LOST.test(message);
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
  const hint = kind === "sql" ? TERADATA_HINTS.get(teradataCode(nativeCode, raw)) : undefined;
  return new DatabaseError(kind === "auth" ? logonRefusedMessage(message) : hint ? `${message}; ${hint}` : message, {
    sqlState,
    nativeCode,
    retryable,
    kind,
  });
}

/**
 * What the agent can do about a Teradata statement error it cannot fix by rewording. 2646 "No more spool space in
 * %DBID": the answer (or an intermediate spool) outgrew the user's spool limit, which is set low on purpose so that
 * runaway queries such as Cartesian products fail (SQL Data Definition Language, CREATE USER "PERMANENT, SPOOL, and
 * TEMPORARY Space"); the remedy is a smaller query or more spool (Database Design, "Spool Limits": MODIFY USER).
 */
const TERADATA_HINTS: ReadonlyMap<number, string> = new Map([
  [
    2646,
    "Teradata builds the whole answer in spool before the first row comes back, so a row limit does not help: " +
    "narrow the query (filter in WHERE, fewer columns, no product join, aggregate or sample first) or ask the DBA " +
    "for more spool space for this user",
  ],
]);

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
