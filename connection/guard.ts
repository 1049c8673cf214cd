/**
 * The statement guard. It classifies exactly the text that will be sent to
 * the driver (never a trimmed copy). {@linkcode checkReadOnly} allows only
 * statements it positively recognises as reads; {@linkcode checkWrite} is
 * what `--allow-write` accepts. When servers of a dialect may split the
 * text in different ways (nested comments, backslash escapes, ...), every
 * reading must pass, and in write mode every reading must split it alike.
 * SQL text inside string literals given to functions that run it is
 * checked the same way, recursively.
 *
 * Statement rules: `guard_read.ts`, `guard_write.ts`, Teradata's own
 * forms in `guard_teradata.ts`; function calls:
 * `guard_calls.ts` with the classification in `guard_functions.ts`;
 * vocabulary: `guard_words.ts`; settings that change lexing:
 * `guard_settings.ts`; literal decoding: `guard_literals.ts`.
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import type { CheckScope, Sig } from "./guard_calls.ts";
import { readStatement } from "./guard_read.ts";
import { IGNORED, lexicalProblem } from "./guard_words.ts";
import { writeStatement } from "./guard_write.ts";
import { type Lexing, lexingVariants, type Token, tokenize } from "./sql_tokens.ts";
import type { Dialect } from "./types.ts";

/** Dialects the guard knows. */
export type GuardDialect = Dialect;

/** The guard's verdict: the kind of statement, or a refusal the agent can act on. */
export type GuardResult =
  | {
    ok: true;
    kind: string;
    /** Lowercased names of every function the statement calls, under every reading, in SQL text it carries too. */
    calls?: ReadonlySet<string>;
    /**
     * The statement's tokens under the dialect's usual reading, without spacing, comments and semicolons: what a read's
     * plan (`cut_postgres.ts`, `dialects/sqlite_storage.ts`) reads, so that the text is tokenized once per call.
     */
    tokens?: readonly Token[];
  }
  | { ok: false; reason: string };

/** Most readings of one text the guard checks before refusing it as too ambiguous. */
export const MAX_LEXINGS = 256;

/** How deep SQL text inside string literals (given to functions that run it) is followed. */
export const MAX_SQL_TEXT_DEPTH = 3;

type Mode = "read" | "write";

/**
 * Decide whether `sql`, exactly as it will be sent to the driver, is one read-only statement.
 *
 * @example
 * checkReadOnly("SELECT 1;", "postgres"); // { ok: true, kind: "select" }
 * checkReadOnly("SELECT 1; DELETE FROM t", "postgres"); // { ok: false, reason: "only one statement ..." }
 */
export function checkReadOnly(sql: string, dialect: GuardDialect): GuardResult {
  return check(sql, dialect, "read", 0);
}

/**
 * Decide whether `sql` may run with `--allow-write`: exactly one statement
 * under every plausible reading (readings that split it differently are
 * refused as ambiguous), no change to a setting that changes how SQL is
 * read, no `COPY ... FROM STDIN / TO STDOUT`, no transaction control or
 * session state that would escape the per-call transaction, and no function
 * that reaches past it (see `guard_write.ts`). Reads are accepted as reads.
 *
 * @example
 * checkWrite("UPDATE t SET a = 1 WHERE id = 2", "postgres"); // { ok: true, kind: "update" }
 * checkWrite("SET standard_conforming_strings = off", "postgres"); // { ok: false, reason: "SET changes ..." }
 */
export function checkWrite(sql: string, dialect: GuardDialect): GuardResult {
  return check(sql, dialect, "write", 0);
}

/** True when `sql` is exactly one statement the guard recognises as a read. */
export function isReadOnlyStatement(sql: string, dialect: GuardDialect): boolean {
  return checkReadOnly(sql, dialect).ok;
}

/**
 * The statements in `sql` under the dialect's usual reading only: raw text
 * between semicolons (comments kept), skipping empty ones. Other readings
 * may split the text differently; {@linkcode checkWrite} checks them all.
 */
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

function check(
  sql: string,
  dialect: GuardDialect,
  mode: Mode,
  depth: number,
  calls = new Set<string>(),
): GuardResult {
  if (sql.includes("\0")) return refuse("the statement contains a NUL character; remove it");
  if (depth > MAX_SQL_TEXT_DEPTH) return refuse("SQL text nests inside SQL text too deeply to check; simplify it");
  const syntax = DIALECT_SPECS[dialect].guard;
  const lexings = lexingVariants(sql, dialect);
  if (lexings.length > MAX_LEXINGS) {
    return refuse("the statement mixes too many dialect-specific quotes and comments to check safely; simplify it");
  }
  const statements: [Lexing, Sig][] = [];
  for (const lexing of lexings) {
    const statement = oneStatement(tokenize(sql, dialect, lexing.options));
    if (typeof statement === "string") return refuse(noted(statement, lexing.note));
    statements.push([lexing, statement]);
  }
  if (mode === "write") {
    const differs = statements.find(([, sig]) => !sameShape(sig, statements[0][1]));
    if (differs) {
      return refuse(
        `the statement reads differently on a server where ${
          differs[0].note
        } (its strings, names or comments end in other places), so tdmcp cannot tell what would run; rewrite it so it reads the same either way (for example E'...' strings with doubled backslashes)`,
      );
    }
  }
  let verdict: GuardResult | undefined;
  for (const [{ options, note }, sig] of statements) {
    const scope: CheckScope = {
      dialect,
      syntax,
      mode,
      options,
      nested: (text, nestedMode) => check(text, dialect, nestedMode, depth + 1, calls),
      calls,
    };
    const result = mode === "read" ? readStatement(sig, scope) : writeStatement(sig, scope, sql);
    if (!result.ok) return refuse(noted(result.reason, note));
    verdict ??= result;
  }
  if (!verdict) return refuse("the statement is empty; send one SQL query");
  // The first reading is the dialect's usual one (lexingVariants starts with it).
  return verdict.ok ? { ...verdict, calls, tokens: statements[0][1] } : verdict;
}

/** The significant tokens of the one statement in `tokens`, or why there is not exactly one. */
function oneStatement(tokens: readonly Token[]): Sig | string {
  const statements: Token[][] = [[]];
  for (let n = 0; n < tokens.length; n++) {
    const token = tokens[n];
    const problem = lexicalProblem(token, tokens[n - 1], tokens[n - 2]);
    if (problem) return problem;
    if (token.kind === "semicolon") statements.push([]);
    else if (!IGNORED.has(token.kind)) statements[statements.length - 1].push(token);
  }
  const filled = statements.filter((statement) => statement.length > 0).length;
  if (filled > 1) return `only one statement per call is allowed (found ${filled})`;
  if (filled === 0) return "the statement is empty; send one SQL query";
  if (statements[0].length === 0 || statements.length > 2) {
    return "only one statement with at most one trailing semicolon is allowed; remove the extra semicolons";
  }
  return statements[0];
}

/** Whether two readings found the same significant tokens at the same places. */
function sameShape(a: Sig, b: Sig): boolean {
  if (a.length !== b.length) return false;
  return a.every((token, n) => token.start === b[n].start && token.end === b[n].end && token.kind === b[n].kind);
}

function noted(reason: string, note: string): string {
  return note ? `${reason} (read as by a server where ${note}; rewrite it so it reads the same either way)` : reason;
}

function refuse(reason: string): GuardResult {
  return { ok: false, reason };
}
