/**
 * Exactly-once writes (`QueryOptions.once`): before the statement, the write inserts its token into a ledger table
 * in the same transaction. The table's primary key refuses a token seen before, so a write can run once per token
 * on every process that shares the database, across restarts; a failed write rolls its token back with it.
 * The connection layer knows nothing of where tokens come from (MCP write confirmations, server/confirm.ts).
 * @module
 */
import { DatabaseError } from "./errors.ts";

/** The ledger and the token of one write. */
export interface Once {
  /** The ledger: `name` or `schema.name`, plain identifiers (letters, digits, `_`, `$`, `#`). */
  table: string;
  /** The caller's token: 16 to 64 lowercase hex digits, pasted into the SQL as a literal (so it must be hex). */
  token: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_$#]{0,127}(?:\.[A-Za-z_][A-Za-z0-9_$#]{0,127})?$/;
const TOKEN = /^[0-9a-f]{16,64}$/;
/** A primary-key violation where the driver gives no SQLSTATE of class 23 (sqliteodbc: HY000 "UNIQUE constraint failed"). */
const DUPLICATE = /\bUNIQUE constraint failed\b|\bduplicate key\b|\bDuplicate unique prime key\b/i;

/** Refuses a ledger name or token that could be anything but a plain name and a hex literal. */
export function checkOnce(once: Once): void {
  if (!NAME.test(once.table)) {
    throw new RangeError(
      `the ledger table must be a plain name or schema.name (letters, digits, _, $, #): current value is "${once.table}"`,
    );
  }
  if (!TOKEN.test(once.token)) throw new RangeError("a once-only token must be 16 to 64 lowercase hex digits");
}

/** The statement that records the token (checked by {@linkcode checkOnce} first). */
export function ledgerInsert(once: Once): string {
  return `INSERT INTO ${once.table} (token) VALUES ('${once.token}')`;
}

/**
 * What a failed ledger insert means: a token seen before (an integrity violation: SQLSTATE class 23, or the words of
 * SQLite's, PostgreSQL's and Teradata's (2801) unique-key errors) or a ledger
 * that is missing or not writable. Either way the write did not run.
 */
export function ledgerFailure(failure: DatabaseError, once: Once): DatabaseError {
  if (failure.sqlState.startsWith("23") || DUPLICATE.test(failure.message)) {
    return new DatabaseError(
      `this write was run already (its once-only token is recorded in ${once.table}): nothing was run again`,
      { kind: "refused", sqlState: failure.sqlState, cause: failure },
    );
  }
  return new DatabaseError(
    `could not record the write in the ledger table ${once.table}, so nothing was run: ${failure.message}. Create ` +
      "the table (docs/safety.md, 'Write confirmation') and let the role insert into it",
    { kind: "refused", sqlState: failure.sqlState, cause: failure },
  );
}
