/**
 * The read-only guard's statement rules: which statements are reads (SELECT,
 * WITH, VALUES, TABLE, EXPLAIN, SHOW, HELP, access locks, read pragmas, and
 * on Teradata temporal queries, EXPLAIN of a write and COMMENT without a
 * string) and which writes may hide inside one (DML in a CTE, INTO, locking
 * clauses, classified function calls, a T-SQL second statement, Teradata's
 * AND CONSUME, OUT TABLE and FOREIGN TABLE; see `guard_teradata.ts`).
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import { plannedWrite } from "./guard_explain.ts";
import type { GuardDialect, GuardResult } from "./guard.ts";
import { callProblem, type CheckScope, type Sig } from "./guard_calls.ts";
import {
  ABBREVIATIONS,
  BAD_WITH,
  EXPLAIN_OPTIONS,
  FUNCTION_LIKE,
  LOCK_OBJECTS,
  LOCK_STARTS,
  LOCK_TYPES,
  lockingClause,
  READ_PRAGMAS,
  READS,
  REFUSED_STATEMENTS,
  startsStatement,
  TERADATA_WRITES_ANYWHERE,
  UNBALANCED,
  WRITE_HINT,
  WRITES_ANYWHERE,
} from "./guard_words.ts";
import {
  explainedWriteStart,
  isCommentRead,
  TEMPORAL_STARTS,
  temporalQualifierEnd,
  TERADATA_TRIGGERS,
  teradataHiddenWrite,
  teradataSessionReason,
} from "./guard_teradata.ts";
import type { Token } from "./sql_tokens.ts";

/** Deepest nesting of parentheses, CTEs and EXPLAIN the guard follows. */
const MAX_NESTING = 32;

/** Whether one statement's significant tokens are a read, with no write hidden inside. */
export function readStatement(sig: Sig, scope: CheckScope): GuardResult {
  const verdict = classify(sig, scope, 0);
  if (!verdict.ok) return verdict;
  // Teradata's EXPLAIN of a write, and PostgreSQL's without ANALYZE, report the plan without executing the write.
  const explained = (scope.syntax.teradataSql && explainedWriteStart(sig) >= 0) || plannedWrite(sig, scope);
  return hiddenWrite(sig, scope, explained) ?? verdict;
}

/** The kind of read a statement starting with `word` is, or undefined (each dialect's `guard.readWords`). */
export function readKind(word: string, dialect: GuardDialect): string | undefined {
  if (word === "SELECT" || word === "VALUES") return word.toLowerCase();
  return DIALECT_SPECS[dialect].guard.readWords.get(word);
}

function classify(sig: Sig, scope: CheckScope, depth: number): GuardResult {
  const { dialect } = scope;
  const first = sig[0];
  if (!first) return refuse("the statement ends where a query was expected; add the query");
  if (depth > MAX_NESTING) return refuse("the statement nests too deeply to check; simplify it");
  if (isOp(first, "(")) {
    const close = closingParen(sig, 0);
    return close < 0 ? refuse(UNBALANCED) : classify(sig.slice(1, close), scope, depth + 1);
  }
  if (first.kind !== "word") return refuse(`a statement cannot start with ${first.text}; send one SELECT query`);
  const word = first.value;
  const kind = readKind(word, dialect);
  if (kind) return { ok: true, kind };
  if (word === "WITH") return classifyWith(sig, scope, depth);
  if (word === "EXPLAIN") return classifyExplain(sig, scope, depth);
  const { teradataSql } = scope.syntax;
  if (teradataSql && (word === "LOCKING" || word === "LOCK")) return classifyLocking(sig, scope, depth);
  if (teradataSql && TEMPORAL_STARTS.has(word)) return classifyTemporal(sig, scope, depth);
  if (teradataSql && word === "COMMENT") {
    if (isCommentRead(sig)) return { ok: true, kind: "comment" };
    return refuse(
      `COMMENT with a comment string changes the schema (COMMENT ON name, without IS and a string, reads the comment); ${WRITE_HINT}`,
    );
  }
  const teradata = teradataSql ? teradataSessionReason(sig, 0) : undefined;
  if (teradata) return refuse(teradata);
  if (scope.syntax.pragmas && word === "PRAGMA") return classifyPragma(sig);
  const full = ABBREVIATIONS.get(word);
  const label = full ? `${word} (${full})` : word;
  const refused = REFUSED_STATEMENTS.find(([keywords]) => keywords.has(word));
  if (refused) return refuse(`${label} ${refused[1]}`);
  return refuse(
    `statements starting with ${label} are not recognised as read-only; send one ${READS[dialect]} statement`,
  );
}

function classifyWith(sig: Sig, scope: CheckScope, depth: number): GuardResult {
  let i = isWord(sig[1], "RECURSIVE") ? 2 : 1;
  for (;;) {
    if (sig[i]?.kind !== "word" && sig[i]?.kind !== "quoted") return refuse(BAD_WITH);
    i++;
    if (isOp(sig[i], "(")) i = closingParen(sig, i) + 1;
    if (i === 0) return refuse(UNBALANCED);
    if (!isWord(sig[i++], "AS")) return refuse(BAD_WITH);
    if (isWord(sig[i], "NOT")) i++;
    if (isWord(sig[i], "MATERIALIZED")) i++;
    if (!isOp(sig[i], "(")) return refuse(BAD_WITH);
    const close = closingParen(sig, i);
    if (close < 0) return refuse(UNBALANCED);
    const body = classify(sig.slice(i + 1, close), scope, depth + 1);
    if (!body.ok) return body;
    i = close + 1;
    for (const [clause, last] of [["SEARCH", "SET"], ["CYCLE", "USING"]]) {
      if (!isWord(sig[i], clause)) continue;
      const at = sig.findIndex((token, n) => n > i && isWord(token, last));
      if (at < 0) return refuse(BAD_WITH);
      i = at + 2;
    }
    if (!isOp(sig[i], ",")) break;
    i++;
  }
  const main = classify(sig.slice(i), scope, depth + 1);
  return main.ok ? { ok: true, kind: "with" } : main;
}

function classifyExplain(sig: Sig, scope: CheckScope, depth: number): GuardResult {
  if (scope.syntax.teradataSql && explainedWriteStart(sig) >= 0) return { ok: true, kind: "explain" };
  if (plannedWrite(sig, scope)) return { ok: true, kind: "explain" };
  let i = 1;
  if (isOp(sig[1], "(") && !readKind(sig[2]?.value ?? "", scope.dialect) && !isWord(sig[2], "WITH")) {
    i = closingParen(sig, 1) + 1;
    if (i === 0) return refuse(UNBALANCED);
  }
  for (;;) {
    if (sig[i]?.kind === "word" && EXPLAIN_OPTIONS.has(sig[i].value)) i++;
    else if (scope.syntax.teradataSql && (isWord(sig[i], "STATIC") || isWord(sig[i], "DYNAMIC"))) i++;
    else if (isWord(sig[i], "FORMAT")) i += isOp(sig[i + 1], "=") ? 3 : 2;
    else break;
  }
  const inner = classify(sig.slice(i), scope, depth + 1);
  if (!inner.ok && scope.syntax.teradataSql && sig.slice(1, i).some((token) => isWord(token, "DYNAMIC"))) {
    return refuse(
      "EXPLAIN DYNAMIC runs the request's earlier plan fragments to plan the rest, so it is allowed only for reads; explain a write without DYNAMIC",
    );
  }
  if (!inner.ok) return refuse(`EXPLAIN is allowed only for read-only statements: ${inner.reason}`);
  return { ok: true, kind: "explain" };
}

function classifyLocking(sig: Sig, scope: CheckScope, depth: number): GuardResult {
  const bad = "could not read the LOCKING modifier; write it as LOCKING ROW FOR ACCESS SELECT ...";
  const isName = (token: Token | undefined) => token?.kind === "word" || token?.kind === "quoted";
  let i = 0;
  while (isWord(sig[i], "LOCKING") || isWord(sig[i], "LOCK")) {
    i++;
    if (isWord(sig[i], "ROW")) {
      i++;
    } else {
      if (sig[i]?.kind === "word" && LOCK_OBJECTS.has(sig[i].value)) i++;
      if (!isName(sig[i])) return refuse(bad);
      i++;
      while (isOp(sig[i], ".") && isName(sig[i + 1])) i += 2;
    }
    if (isWord(sig[i], "FOR") || isWord(sig[i], "IN")) i++; // optional in Teradata's syntax
    if (sig[i]?.kind !== "word" || !LOCK_TYPES.has(sig[i].value)) return refuse(bad);
    if (!isWord(sig[i], "ACCESS")) {
      return refuse(
        `LOCKING ... FOR ${
          sig[i].text
        } takes a lock that blocks other sessions; only LOCKING ... FOR ACCESS is allowed`,
      );
    }
    i++;
    if (isWord(sig[i], "MODE")) i++;
    if (isWord(sig[i], "NOWAIT")) i++;
  }
  return classify(sig.slice(i), scope, depth + 1);
}

function classifyTemporal(sig: Sig, scope: CheckScope, depth: number): GuardResult {
  const end = temporalQualifierEnd(sig, 0);
  if (end < 0) {
    return refuse(
      "could not read the temporal qualifier; write it as CURRENT VALIDTIME SELECT ..., VALIDTIME AS OF DATE '...' SELECT ... or NONSEQUENCED TRANSACTIONTIME SELECT ...",
    );
  }
  return classify(sig.slice(end), scope, depth + 1);
}

function classifyPragma(sig: Sig): GuardResult {
  const i = isOp(sig[2], ".") ? 3 : 1;
  const name = sig[i];
  if (name?.kind !== "word" || !READ_PRAGMAS.has(name.value.toLowerCase())) {
    return refuse(
      `PRAGMA ${name?.text ?? ""} is not on the read-only list (${[...READ_PRAGMAS].join(", ")}); ${WRITE_HINT}`,
    );
  }
  const rest = sig.slice(i + 1);
  if (rest.length === 0 || (isOp(rest[0], "(") && closingParen(rest, 0) === rest.length - 1)) {
    return { ok: true, kind: "pragma" };
  }
  return refuse("PRAGMA name = value changes a setting; read a pragma with PRAGMA name or PRAGMA name(argument)");
}

/**
 * A write hidden inside a statement that starts as a read: DML, INTO, a
 * locking clause, a classified function, a sequence advance or a T-SQL
 * second statement.
 */
function hiddenWrite(sig: Sig, scope: CheckScope, explained = false): GuardResult | undefined {
  const { syntax } = scope;
  let depth = 0;
  for (let n = 0; n < sig.length; n++) {
    const token = sig[n];
    if (isOp(token, "(")) depth++;
    if (isOp(token, ")")) depth--;
    if (token.kind !== "word" && token.kind !== "quoted") continue;
    const problem = callProblem(sig, n, scope);
    if (problem) return refuse(problem);
    if (token.kind !== "word") continue;
    const word = token.value;
    const call = isOp(sig[n + 1], "(");
    const lock = LOCK_STARTS.has(word) && lockingClause(sig, n);
    if (lock) return refuse(`${lock} locks rows for writing; remove it (${WRITE_HINT})`);
    const teradata = syntax.teradataSql && TERADATA_TRIGGERS.has(word) && teradataHiddenWrite(sig, n);
    if (teradata) return refuse(teradata);
    if (explained) continue;
    if (
      (WRITES_ANYWHERE.has(word) && !(call && FUNCTION_LIKE.has(word))) ||
      (syntax.teradataSql && TERADATA_WRITES_ANYWHERE.has(word)) ||
      (word === "REPLACE" && isWord(sig[n + 1], "INTO"))
    ) {
      return refuse(`${word} inside the statement is a write; ${WRITE_HINT} (quote it if it is a name)`);
    }
    if (word === "INTO") return refuse("SELECT ... INTO creates a table; use a plain SELECT");
    if (!syntax.anyServer) continue;
    if (sequenceAdvance(sig, n)) {
      return refuse(`${sequenceAdvance(sig, n)} advances a sequence, which a rollback does not undo; ${WRITE_HINT}`);
    }
    if (depth === 0 && startsStatement(sig, n)) {
      return refuse(
        `${word} would start a second statement on servers that need no semicolon (such as SQL Server); send one statement (quote ${word} if it is a name)`,
      );
    }
  }
  return undefined;
}

/** NEXT VALUE FOR (SQL standard), NEXTVAL FOR (DB2) or name.NEXTVAL (Oracle) at `n`. */
function sequenceAdvance(sig: Sig, n: number): string | undefined {
  const word = sig[n].value;
  if (word === "NEXT" && isWord(sig[n + 1], "VALUE") && isWord(sig[n + 2], "FOR")) return "NEXT VALUE FOR";
  if (word === "NEXTVAL" && isWord(sig[n + 1], "FOR")) return "NEXTVAL FOR";
  if (word === "NEXTVAL" && isOp(sig[n - 1], ".")) return ".NEXTVAL";
  return undefined;
}

/** Index of the `)` closing the `(` at `open`, or -1. */
export function closingParen(sig: Sig, open: number): number {
  for (let n = open, depth = 0; n < sig.length; n++) {
    if (isOp(sig[n], "(")) depth++;
    else if (isOp(sig[n], ")") && --depth === 0) return n;
  }
  return -1;
}

/** Whether `token` is the operator `text`. */
export function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "operator" && token.text === text;
}

/** Whether `token` is the (uppercased) word `value`. */
export function isWord(token: Token | undefined, value: string): boolean {
  return token?.kind === "word" && token.value === value;
}

/** A refusal. */
export function refuse(reason: string): GuardResult {
  return { ok: false, reason };
}
