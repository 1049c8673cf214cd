/**
 * What `--allow-write` accepts of one statement (the guard has already made
 * sure the text is exactly one statement that every reading splits alike):
 * any read, and any write except what would escape the per-call
 * transaction or leave state on the pooled session, one rule per line:
 *
 * - transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, BT, ET, ...):
 *   tdmcp opens and ends each call's transaction itself;
 * - session state (SET, RESET, DISCARD, LISTEN, PREPARE, cursors, USE,
 *   DATABASE, LOAD, ATTACH, temporary tables, connection-level PRAGMAs,
 *   writes to pg_settings): it would outlive the call or vanish with it;
 * - `COPY ... FROM STDIN / TO STDOUT`: psqlODBC never returns from it;
 * - functions that reach past the database or the session (set_config,
 *   session advisory locks, dblink, load_extension, ...), see
 *   `guard_functions.ts`, and SQL text that fails these same rules;
 * - any mention of a setting that changes how SQL is read
 *   (`guard_settings.ts`);
 * - on Teradata, SET QUERY_BAND and DATABASE (tdmcp sets both itself),
 *   SELECT AND CONSUME (it waits on an empty queue), FOREIGN TABLE
 *   pass-through and OUT [VOLATILE] TABLE (see `guard_teradata.ts`);
 * - on generic sources, a second statement without a semicolon (T-SQL).
 *
 * @module
 */

import { callProblem, type CheckScope, type Sig } from "./guard_calls.ts";
import { readStatement } from "./guard_read.ts";
import { lexingSettingIn } from "./guard_settings.ts";
import { teradataSessionReason, teradataWriteProblem } from "./guard_teradata.ts";
import type { GuardResult } from "./guard.ts";
import { ABBREVIATIONS, READ_PRAGMAS, startsStatement, words } from "./guard_words.ts";
import type { Token } from "./sql_tokens.ts";

const TRANSACTION = words("BEGIN START COMMIT END ROLLBACK ABORT SAVEPOINT RELEASE BT ET");
const LOGGING = words("QUERY LOGGING");
const CURSORS = "works with cursors, which belong to the driver (DECLARE ... WITH HOLD outlives the call)";
const SESSION: ReadonlyMap<string, string> = new Map([
  ["SET", "changes a session setting, which would outlive the call (some settings change how SQL is read)"],
  ["RESET", "resets session settings tdmcp made for this connection"],
  ["DISCARD", "drops session state (prepared statements, cursors) the driver relies on"],
  ["LISTEN", "subscribes the pooled session to notifications beyond the call"],
  ["UNLISTEN", "changes the pooled session's notification subscriptions"],
  ["PREPARE", "creates a prepared statement or prepared transaction that outlives the call"],
  ["DEALLOCATE", "drops prepared statements the driver relies on"],
  ["DECLARE", CURSORS],
  ["FETCH", CURSORS],
  ["MOVE", CURSORS],
  ["CLOSE", CURSORS],
  ["USE", "changes the session's default database"],
  ["DATABASE", "changes the session's default database"],
  ["LOGON", "logs a session on"],
  ["LOGOFF", "logs the session off"],
  ["LOAD", "loads a server library into the session, or a file from the client machine (LOAD DATA LOCAL)"],
  ["ATTACH", "attaches a database file to this connection only"],
  ["DETACH", "detaches a database from this connection only"],
]);
const TEMPORARY = words("TEMP TEMPORARY VOLATILE");
/** SQLite pragmas write mode may set: database-level values and maintenance, not connection settings. */
const WRITE_PRAGMAS = words(
  "user_version application_id incremental_vacuum optimize wal_checkpoint integrity_check quick_check foreign_key_check",
);
const NOT_A_NAME = words("SELECT VALUES DEFAULT AS");
const BODY_OBJECTS = words("PROCEDURE PROC FUNCTION TRIGGER VIEW");
const ALTER_CLAUSES = words("ADD DROP ALTER RENAME SET MODIFY ENABLE DISABLE");

/** Whether one statement (already one under every reading) may run with `--allow-write`. */
export function writeStatement(sig: Sig, scope: CheckScope, sql: string): GuardResult {
  const read = readStatement(sig, { ...scope, mode: "read" });
  if (read.ok) return read;
  const problem = statementProblem(sig, scope) ?? callsProblem(sig, scope) ?? settingProblem(sql, scope) ??
    batchProblem(sig, scope);
  if (problem) return { ok: false, reason: problem };
  const word = sig.find((token) => token.kind === "word")?.value ?? "";
  return { ok: true, kind: (ABBREVIATIONS.get(word)?.split(" ")[0] ?? word).toLowerCase() };
}

function statementProblem(sig: Sig, scope: CheckScope): string | undefined {
  const start = sig.findIndex((token) => !isOp(token, "("));
  const word = sig[start]?.kind === "word" ? sig[start].value : "";
  const full = ABBREVIATIONS.get(word);
  const label = full ? `${word} (${full})` : word;
  const logging = scope.syntax.teradataSql && LOGGING.has(sig[start + 1]?.value ?? ""); // BEGIN QUERY LOGGING
  if (TRANSACTION.has(word) && !logging) {
    return `${label} would open or end a transaction, but tdmcp runs each call as one transaction and ends it itself; send only the statement`;
  }
  const teradata = scope.syntax.teradataSql
    ? teradataSessionReason(sig, start) ?? teradataWriteProblem(sig)
    : undefined;
  if (teradata) return teradata;
  const session = SESSION.get(word);
  if (session) return `${label} ${session}; tdmcp keeps each pooled session as it prepared it`;
  const names = sig.map((token) => token.kind === "word" ? token.value : "");
  if (word === "COPY" && (names.includes("STDIN") || names.includes("STDOUT"))) {
    return "COPY ... FROM STDIN / TO STDOUT cannot run through ODBC (it would block the connection); COPY to or from a server file instead";
  }
  const temporary = (word === "CREATE" && names.slice(start, start + 5).some((name) => TEMPORARY.has(name))) ||
    sig.some((token, n) => token.value === "INTO" && intoTemporary(sig, n));
  if (temporary) {
    return "a temporary (or volatile) table lives only in this call's session, which tdmcp does not keep; create a regular table or use a CTE";
  }
  if (word === "PRAGMA" && scope.syntax.pragmas) return pragmaProblem(sig);
  if (sig.some((token) => (token.kind === "word" || token.kind === "quoted") && isSettings(token))) {
    return "writing pg_settings changes session settings, like SET; tdmcp keeps each pooled session as it prepared it";
  }
  return undefined;
}

function pragmaProblem(sig: Sig): string | undefined {
  const i = isOp(sig[2], ".") ? 3 : 1;
  const name = sig[i]?.kind === "word" ? sig[i].value.toLowerCase() : "";
  if (sig.length === i + 1 || READ_PRAGMAS.has(name) || WRITE_PRAGMAS.has(name)) return undefined;
  return `PRAGMA ${name} = ... changes a setting of this connection only, which tdmcp does not keep; allowed with a value: ${
    [...WRITE_PRAGMAS].join(", ")
  }`;
}

function callsProblem(sig: Sig, scope: CheckScope): string | undefined {
  for (const [n, token] of sig.entries()) {
    if (token.kind !== "word" && token.kind !== "quoted") continue;
    const problem = callProblem(sig, n, scope);
    if (problem) return problem;
  }
  return undefined;
}

function settingProblem(sql: string, scope: CheckScope): string | undefined {
  const setting = lexingSettingIn(sql, scope.dialect);
  if (!setting) return undefined;
  return `the statement names ${setting}, a setting that changes how the server reads SQL text, which tdmcp's checks rely on; no mode may change it (reading it with SHOW is fine)`;
}

/** A T-SQL second statement after the first without a semicolon (generic sources only). */
function batchProblem(sig: Sig, scope: CheckScope): string | undefined {
  if (!scope.syntax.anyServer) return undefined;
  const first = sig[0]?.value;
  if ((first === "CREATE" || first === "ALTER") && sig.slice(1, 5).some((t) => BODY_OBJECTS.has(t.value))) {
    return undefined; // the rest of the batch is the object's body
  }
  let depth = 0;
  let updates = 0;
  for (const [n, token] of sig.entries()) {
    if (isOp(token, "(")) depth++;
    if (isOp(token, ")")) depth--;
    if (token.kind !== "word" || depth !== 0) continue;
    if (token.value === "UPDATE") updates++;
    if (n === 0 || !startsStatement(sig, n)) continue;
    const word = token.value;
    if (word === "SET" && (first === "ALTER" || updates-- > 0)) continue;
    if (first === "ALTER" && ALTER_CLAUSES.has(word)) continue;
    return `${word} would start a second statement on servers that need no semicolon (such as SQL Server); send one statement (quote ${word} if it is a name)`;
  }
  return undefined;
}

/** SELECT ... INTO TEMP[ORARY] [TABLE] name (not INSERT INTO temp VALUES ...). */
function intoTemporary(sig: Sig, n: number): boolean {
  const [kind, then] = [sig[n + 1], sig[n + 2]];
  if (kind?.kind !== "word" || !TEMPORARY.has(kind.value)) return false;
  return (then?.kind === "word" && !NOT_A_NAME.has(then.value)) || then?.kind === "quoted";
}

function isSettings(token: Token): boolean {
  return token.value.toLowerCase() === "pg_settings";
}

function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "operator" && token.text === text;
}
