/**
 * The one error class of the connection layer and the rules that decide
 * whether an error means "the connection is gone" (retryable).
 * @module
 */
import { redact } from "./redact.ts";

/** Options of a {@link DatabaseError}. */
export interface DatabaseErrorOptions {
  sqlState?: string;
  nativeCode?: number;
  retryable?: boolean;
  cause?: unknown;
  /** Short machine-readable reason: `connection`, `timeout`, `cancelled`, `refused`, `sql`, `unavailable`, `pool`. */
  kind?: DatabaseErrorKind;
}

/** What went wrong, coarsely. */
export type DatabaseErrorKind =
  | "connection"
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

/** Teradata error codes that mean the session is gone. */
const TERADATA_LOST = new Set([2631, 3126, 3127, 8017, 8018, 8019, 8024, 8030]);

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

/** Whether an ODBC error record means the connection is lost. */
export function isConnectionLost(
  sqlState: string,
  nativeCode: number,
  message: string,
): boolean {
  return sqlState.startsWith("08") || PG_LOST.has(sqlState) ||
    TERADATA_LOST.has(nativeCode) ||
    LINK_LOST.test(message);
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
  const retryable = isConnectionLost(
    sqlState,
    nativeCode,
    `${message} ${base}`,
  );
  return new DatabaseError(message, {
    sqlState,
    nativeCode,
    retryable,
    kind: retryable ? "connection" : "sql",
  });
}

/** Drops the `[unixODBC][Driver]` prefixes that say nothing to a reader. */
function cleanDriverMessage(message: string): string {
  return message.replace(/^(\[[^\]]*\])+\s*/, "").replace(/\s*\(\d+\)$/, "")
    .trim();
}
