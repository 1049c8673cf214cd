/**
 * The read-only guard's vocabulary: which leading keywords are refused and
 * why, which pragmas and EXPLAIN options are reads,
 * and the token- and word-level checks for unreadable tokens, locking clauses
 * and T-SQL statement starts.
 * Keywords are ASCII-uppercase, function and pragma names lowercase.
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import type { GuardDialect } from "./guard.ts";
import type { Token } from "./sql_tokens.ts";
import { DIALECTS } from "./types.ts";

/** What every write refusal tells the agent. */
export const WRITE_HINT = "tdmcp is read-only (start it with --allow-write to permit writes)";

/** Refused leading keywords and what to tell the agent. */
export const REFUSED_STATEMENTS: readonly (readonly [ReadonlySet<string>, string])[] = [
  [words("INSERT UPDATE DELETE MERGE UPSERT REPLACE TRUNCATE INS UPD DEL"), `is a write; ${WRITE_HINT}`],
  [words("CREATE ALTER DROP RENAME COMMENT MODIFY CT CV SECURITY IMPORT"), `changes the schema; ${WRITE_HINT}`],
  [words("GRANT REVOKE GIVE"), `changes permissions; ${WRITE_HINT}`],
  [words("CALL EXEC EXECUTE DO"), "runs a procedure or macro, which may write; query the data with SELECT instead"],
  [
    words(
      "SET RESET BEGIN BT ET START COMMIT ROLLBACK ABORT END SAVEPOINT RELEASE LOCK LOCKING DATABASE USE " +
        "DISCARD PREPARE DEALLOCATE DECLARE FETCH CLOSE MOVE LOGON LOGOFF",
    ),
    "changes session or transaction state, which tdmcp manages itself; send only the query",
  ],
  [
    words(
      "COPY ATTACH DETACH VACUUM ANALYZE REINDEX CLUSTER REFRESH LISTEN NOTIFY UNLISTEN CHECKPOINT LOAD " +
        "COLLECT PRAGMA DUMP",
    ),
    `writes files, statistics or server state; ${WRITE_HINT}`,
  ],
];

/** Teradata abbreviations, spelled out in refusals. */
export const ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ["INS", "INSERT"],
  ["UPD", "UPDATE"],
  ["DEL", "DELETE"],
  ["BT", "BEGIN TRANSACTION"],
  ["ET", "END TRANSACTION"],
  ["CT", "CREATE TABLE"],
  ["CV", "CREATE VIEW"],
]);

/** The reads of each dialect, as named in refusals (each dialect's `guard.reads`). */
export const READS: Readonly<Record<GuardDialect, string>> = Object.fromEntries(
  DIALECTS.map((dialect) => [dialect, DIALECT_SPECS[dialect].guard.reads]),
) as Record<GuardDialect, string>;

/** Keywords that write wherever they appear (a CTE, a subquery). */
export const WRITES_ANYWHERE = words("INSERT UPDATE DELETE MERGE UPSERT TRUNCATE");
/** Teradata's abbreviations of {@linkcode WRITES_ANYWHERE}. */
export const TERADATA_WRITES_ANYWHERE = words("INS UPD DEL");

/** SQLite pragmas that only read (as `PRAGMA name` or `PRAGMA name(argument)`). */
export const READ_PRAGMAS = words(
  "table_info table_xinfo table_list index_list index_info index_xinfo foreign_key_list " +
    "database_list collation_list compile_options",
);

/** Words that may follow EXPLAIN before the statement it explains. */
export const EXPLAIN_OPTIONS = words("ANALYZE ANALYSE VERBOSE QUERY PLAN EXTENDED PARTITIONS IN XML NODDLTEXT");
/** MySQL's INSERT(), REPLACE() and TRUNCATE() are string and number functions. */
export const FUNCTION_LIKE = words("INSERT REPLACE TRUNCATE");

/** Words that begin a statement somewhere, checked where T-SQL could start a second statement. */
const STATEMENT_WORDS = words(
  [
    ...REFUSED_STATEMENTS.flatMap(([keywords]) => [...keywords]),
    "DENY BACKUP RESTORE SHUTDOWN KILL DBCC",
    "RECONFIGURE WAITFOR SETUSER REVERT ENABLE DISABLE SEND RECEIVE BULK WRITETEXT UPDATETEXT SAVE WHILE GOTO IF",
  ]
    .join(" "),
);
const OPERAND_EXPECTED = words(
  "SELECT DISTINCT ALL FROM JOIN ON WHERE AND OR NOT BY HAVING AS WHEN THEN ELSE CASE IS IN LIKE ILIKE " +
    "BETWEEN UNION INTERSECT EXCEPT MINUS TOP USING OVER PARTITION ESCAPE WITH RECURSIVE",
);
const CONTINUATIONS = new Set([
  "FETCH FIRST",
  "FETCH NEXT",
  "START WITH",
  "USE INDEX",
  "USE KEY",
  "CLUSTER BY",
  "EXPLAIN ANALYZE",
  "SHOW CREATE",
  "FOR UPDATE",
  "DO UPDATE",
  "DO NOTHING",
  "KEY UPDATE",
  "UPDATE SET",
  "DELETE SET",
]);
/** Words that may start a locking clause. */
export const LOCK_STARTS = words("FOR LOCK UPDLOCK XLOCK TABLOCKX HOLDLOCK");
/** Teradata's lock types (LOCKING ... [FOR | IN] type). */
export const LOCK_TYPES = words("ACCESS EXCLUSIVE EXCL READ SHARE WRITE CHECKSUM LOAD");
/** Teradata's LOCKING <object> name ... words. */
export const LOCK_OBJECTS = words("TABLE DATABASE VIEW OBJECT");
/** Token kinds that separate but mean nothing. */
export const IGNORED = words("whitespace line_comment block_comment");

/** What an unterminated token of each kind is called in a refusal. */
const UNTERMINATED: Readonly<Record<string, string>> = {
  string: "string literal",
  quoted: "quoted name",
  block_comment: "block comment",
};

/** Refusal for a WITH clause the guard cannot read. */
export const BAD_WITH = "could not read the WITH clause; write it as WITH name AS (SELECT ...) SELECT ...";
/** Refusal for unbalanced parentheses. */
export const UNBALANCED = "the parentheses are unbalanced; close every (";

/** Why a token (with the two before it) cannot be checked, or undefined when it can. */
export function lexicalProblem(token: Token, previous?: Token, before?: Token): string | undefined {
  if (token.kind === "unterminated") {
    return `an unterminated ${UNTERMINATED[token.value]} starts at offset ${token.start}; close it`;
  }
  if (token.kind === "operator" && (token.text === "{" || token.text === "}")) {
    // The ODBC driver rewrites {fn ...}, {call ...}, {d ...}, {escape ...} after the check, with its own lexing.
    return "ODBC escape sequences ({fn ...}, {call ...}, {d '...'}) are rewritten by the driver after tdmcp checks " +
      "the statement; write plain SQL (no braces outside quotes)";
  }
  if (token.kind === "block_comment" && /^\/\*M?!/.test(token.text)) {
    return "a /*! ... */ comment is run as SQL by some servers; remove it";
  }
  if (token.kind === "line_comment" && /[\r\v\f\u0085\u2028\u2029]/.test(token.text.replace(/\r$/, ""))) {
    return "a -- comment contains a line break other than \\n, which servers read differently; end comments with a plain newline";
  }
  if (
    token.kind === "quoted" && previous?.text === "&" && before?.value === "U" &&
    previous.start === before.end && token.start === previous.end
  ) {
    return 'U&"..." names with Unicode escapes cannot be checked; write the name without escapes';
  }
  return undefined;
}

/** The locking clause (FOR UPDATE, LOCK IN SHARE MODE, UPDLOCK, ...) starting at `n`, if any. */
export function lockingClause(sig: readonly Token[], n: number): string | undefined {
  const text = sig.slice(n, n + 4).map((t) => t.kind === "word" ? t.value : "").join(" ");
  return /^(?:FOR (?:NO KEY UPDATE|KEY SHARE|UPDATE|SHARE)|LOCK IN SHARE MODE|UPDLOCK|XLOCK|TABLOCKX|HOLDLOCK)\b/
    .exec(text)?.[0];
}

/** Whether the word at `n` can begin a new statement where no semicolon is needed (T-SQL batches). */
export function startsStatement(sig: readonly Token[], n: number): boolean {
  const [previous, word, next] = [sig[n - 1], sig[n].value, sig[n + 1]];
  if (!previous || !STATEMENT_WORDS.has(word) || word === "END") return false;
  if (previous.kind === "operator" && previous.text !== ")" && previous.text !== "*") return false;
  if (previous.kind === "word" && OPERAND_EXPECTED.has(previous.value)) return false;
  if (next?.kind === "operator" && next.text === "(") {
    return word === "EXEC" || word === "EXECUTE" || word === "WAITFOR";
  }
  return !CONTINUATIONS.has(`${word} ${next?.value}`) && !CONTINUATIONS.has(`${previous.value} ${word}`);
}

/** A set of the space-separated words in `list`. */
export function words(list: string): ReadonlySet<string> {
  return new Set(list.split(" "));
}
