/**
 * The read-only statement guard. It classifies exactly the text that will be
 * sent to the driver (never a trimmed copy) and allows only statements it
 * positively recognises as reads; everything else is refused with a reason
 * the agent can act on. When servers of a dialect may split the text in
 * different ways (nested comments, backslash escapes, ...), every reading
 * must pass. The keyword and function lists live in `guard_words.ts`.
 *
 * @module
 */

import {
  ABBREVIATIONS,
  BAD_WITH,
  EXPLAIN_OPTIONS,
  FUNCTION_LIKE,
  IGNORED,
  isWritingFunction,
  lexicalProblem,
  LOCK_OBJECTS,
  LOCK_STARTS,
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
import { lexingVariants, type Token, tokenize } from "./sql_tokens.ts";

/** Dialects the guard knows. */
export type GuardDialect = "teradata" | "postgres" | "sqlite" | "generic";

/** The guard's verdict: a read of some kind, or a refusal the agent can act on. */
export type GuardResult =
  | { ok: true; kind: string }
  | { ok: false; reason: string };

/** Most readings of one text the guard checks before refusing it as too ambiguous. */
export const MAX_LEXINGS = 256;

/** Significant tokens of one statement (no whitespace or comments). */
type Sig = readonly Token[];

/** Where a nested classification runs: the dialect and how deep it is. */
interface Scope {
  dialect: GuardDialect;
  depth: number;
}

/**
 * Decide whether `sql`, exactly as it will be sent to the driver, is one read-only statement.
 *
 * @example
 * checkReadOnly("SELECT 1;", "postgres"); // { ok: true, kind: "select" }
 * checkReadOnly("SELECT 1; DELETE FROM t", "postgres"); // { ok: false, reason: "only one statement ..." }
 */
export function checkReadOnly(sql: string, dialect: GuardDialect): GuardResult {
  if (sql.includes("\0")) return refuse("the statement contains a NUL character; remove it");
  const lexings = lexingVariants(sql, dialect);
  if (lexings.length > MAX_LEXINGS) {
    return refuse("the statement mixes too many dialect-specific quotes and comments to check safely; simplify it");
  }
  let verdict: GuardResult | undefined;
  for (const { options, note } of lexings) {
    const result = checkTokens(tokenize(sql, dialect, options), dialect);
    if (!result.ok && note) {
      return refuse(`${result.reason} (read as by a server where ${note}; rewrite it so it reads the same either way)`);
    }
    if (!result.ok) return result;
    verdict ??= result;
  }
  return verdict ?? refuse("the statement is empty; send one SQL query");
}

/** True when `sql` is exactly one statement the guard recognises as a read. */
export function isReadOnlyStatement(sql: string, dialect: GuardDialect): boolean {
  return checkReadOnly(sql, dialect).ok;
}

/** The statements in `sql`: raw text between semicolons (comments kept), skipping empty ones. */
export function splitStatements(sql: string, dialect: GuardDialect): string[] {
  const parts: string[] = [];
  let start = 0;
  let filled = false;
  for (const token of tokenize(sql, dialect)) {
    if (token.kind === "semicolon") {
      if (filled) parts.push(sql.slice(start, token.start));
      start = token.end;
      filled = false;
    } else if (!IGNORED.has(token.kind)) {
      filled = true;
    }
  }
  if (filled) parts.push(sql.slice(start));
  return parts;
}

function checkTokens(tokens: readonly Token[], dialect: GuardDialect): GuardResult {
  const statements: Token[][] = [[]];
  for (const [n, token] of tokens.entries()) {
    const problem = lexicalProblem(token, tokens[n - 1], tokens[n - 2]);
    if (problem) return refuse(problem);
    if (token.kind === "semicolon") statements.push([]);
    else if (!IGNORED.has(token.kind)) statements[statements.length - 1].push(token);
  }
  const filled = statements.filter((statement) => statement.length > 0).length;
  if (filled > 1) return refuse(`only one statement per call is allowed (found ${filled})`);
  if (filled === 0) return refuse("the statement is empty; send one SQL query");
  if (statements[0].length === 0 || statements.length > 2) {
    return refuse("only one statement with at most one trailing semicolon is allowed; remove the extra semicolons");
  }
  const verdict = classify(statements[0], { dialect, depth: 0 });
  return verdict.ok ? hiddenWrite(statements[0], dialect) ?? verdict : verdict;
}

function classify(sig: Sig, scope: Scope): GuardResult {
  const { dialect, depth } = scope;
  const first = sig[0];
  if (!first) return refuse("the statement ends where a query was expected; add the query");
  if (depth > 32) return refuse("the statement nests too deeply to check; simplify it");
  if (isOp(first, "(")) {
    const close = closingParen(sig, 0);
    return close < 0 ? refuse(UNBALANCED) : classify(sig.slice(1, close), deeper(scope));
  }
  if (first.kind !== "word") return refuse(`a statement cannot start with ${first.text}; send one SELECT query`);
  const word = first.value;
  const kind = readKind(word, dialect);
  if (kind) return { ok: true, kind };
  if (word === "WITH") return classifyWith(sig, scope);
  if (word === "EXPLAIN") return classifyExplain(sig, scope);
  if (dialect === "teradata" && (word === "LOCKING" || word === "LOCK")) return classifyLocking(sig, scope);
  if (dialect === "sqlite" && word === "PRAGMA") return classifyPragma(sig);
  const full = ABBREVIATIONS.get(word);
  const label = full ? `${word} (${full})` : word;
  const refused = REFUSED_STATEMENTS.find(([keywords]) => keywords.has(word));
  if (refused) return refuse(`${label} ${refused[1]}`);
  return refuse(
    `statements starting with ${label} are not recognised as read-only; send one ${READS[dialect]} statement`,
  );
}

function readKind(word: string, dialect: GuardDialect): string | undefined {
  if (word === "SELECT" || word === "VALUES") return word.toLowerCase();
  if (dialect === "teradata" && word === "SEL") return "select";
  if (dialect === "postgres" && word === "TABLE") return "table";
  if (dialect !== "sqlite" && word === "SHOW") return "show";
  if (dialect === "teradata" && word === "HELP") return "help";
  return undefined;
}

function classifyWith(sig: Sig, scope: Scope): GuardResult {
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
    const body = classify(sig.slice(i + 1, close), deeper(scope));
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
  const main = classify(sig.slice(i), deeper(scope));
  return main.ok ? { ok: true, kind: "with" } : main;
}

function classifyExplain(sig: Sig, scope: Scope): GuardResult {
  let i = 1;
  if (isOp(sig[1], "(") && !readKind(sig[2]?.value ?? "", scope.dialect) && !isWord(sig[2], "WITH")) {
    i = closingParen(sig, 1) + 1;
    if (i === 0) return refuse(UNBALANCED);
  }
  for (;;) {
    if (sig[i]?.kind === "word" && EXPLAIN_OPTIONS.has(sig[i].value)) i++;
    else if (isWord(sig[i], "FORMAT")) i += isOp(sig[i + 1], "=") ? 3 : 2;
    else break;
  }
  const inner = classify(sig.slice(i), deeper(scope));
  if (!inner.ok) return refuse(`EXPLAIN is allowed only for read-only statements: ${inner.reason}`);
  return { ok: true, kind: "explain" };
}

function classifyLocking(sig: Sig, scope: Scope): GuardResult {
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
    if (!isWord(sig[i], "FOR") && !isWord(sig[i], "IN")) return refuse(bad);
    if (!isWord(sig[i + 1], "ACCESS")) {
      return refuse(
        `LOCKING ... FOR ${
          sig[i + 1]?.text ?? ""
        } takes a lock that blocks other sessions; only LOCKING ... FOR ACCESS is allowed`,
      );
    }
    i += 2;
    if (isWord(sig[i], "MODE")) i++;
    if (isWord(sig[i], "NOWAIT")) i++;
  }
  return classify(sig.slice(i), deeper(scope));
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

/** A write hidden inside a statement that starts as a read: DML, INTO, a locking clause, a writing function or a T-SQL second statement. */
function hiddenWrite(sig: Sig, dialect: GuardDialect): GuardResult | undefined {
  let depth = 0;
  for (const [n, token] of sig.entries()) {
    if (isOp(token, "(")) depth++;
    if (isOp(token, ")")) depth--;
    if (token.kind !== "word" && token.kind !== "quoted") continue;
    const name = token.value.toLowerCase();
    const call = isOp(sig[n + 1], "(");
    if (call && isWritingFunction(name)) {
      return refuse(
        `${name}() changes data or server state, so it cannot run through read-only tdmcp; remove the call`,
      );
    }
    if (token.kind !== "word") continue;
    const word = token.value;
    const lock = LOCK_STARTS.has(word) && lockingClause(sig, n);
    if (lock) return refuse(`${lock} locks rows for writing; remove it (${WRITE_HINT})`);
    if (
      (WRITES_ANYWHERE.has(word) && !(call && FUNCTION_LIKE.has(word))) ||
      (dialect === "teradata" && TERADATA_WRITES_ANYWHERE.has(word)) ||
      (word === "REPLACE" && isWord(sig[n + 1], "INTO"))
    ) {
      return refuse(`${word} inside the statement is a write; ${WRITE_HINT} (quote it if it is a name)`);
    }
    if (word === "INTO") return refuse("SELECT ... INTO creates a table; use a plain SELECT");
    if (dialect === "generic" && depth === 0 && startsStatement(sig, n)) {
      return refuse(
        `${word} would start a second statement on servers that need no semicolon (such as SQL Server); send one statement (quote ${word} if it is a name)`,
      );
    }
  }
  return undefined;
}

function closingParen(sig: Sig, open: number): number {
  for (let n = open, depth = 0; n < sig.length; n++) {
    if (isOp(sig[n], "(")) depth++;
    else if (isOp(sig[n], ")") && --depth === 0) return n;
  }
  return -1;
}

function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "operator" && token.text === text;
}

function isWord(token: Token | undefined, value: string): boolean {
  return token?.kind === "word" && token.value === value;
}

function deeper(scope: Scope): Scope {
  return { dialect: scope.dialect, depth: scope.depth + 1 };
}

function refuse(reason: string): GuardResult {
  return { ok: false, reason };
}
