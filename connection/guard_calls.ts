/**
 * Function calls inside a statement, judged by the classification in
 * `guard_functions.ts`: a side-effect function is refused (in write mode
 * only those that outlive the call or leave the database), and a function
 * that runs SQL text is let through only when each SQL-text argument is one
 * string literal whose decoded text passes the guard itself.
 *
 * @module
 */

import type { GuardSpec } from "./dialects/spec.ts";
import type { GuardDialect, GuardResult } from "./guard.ts";
import { functionRule, mayBeBareFunction, RISKY_PACKAGES } from "./guard_functions.ts";
import { literalValue } from "./guard_literals.ts";
import { UNBALANCED } from "./guard_words.ts";
import type { LexOptions, Token } from "./sql_tokens.ts";

/** Where a statement is checked: the dialect, the mode, the reading, and how to check SQL text found inside it. */
export interface CheckScope {
  dialect: GuardDialect;
  /** What the guard needs to know of the dialect (its spec's `guard`). */
  syntax: GuardSpec;
  mode: "read" | "write";
  options: Readonly<LexOptions>;
  /** Checks SQL text found in a string literal, one level deeper. */
  nested(sql: string, mode: "read" | "write"): GuardResult;
  /** Collects the lowercased name of every function called (the database recycles connections after user functions). */
  calls?: Set<string>;
}

/** Significant tokens of one statement (no whitespace or comments). */
export type Sig = readonly Token[];

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"];

/**
 * Why the name at `n` (a word or quoted name, called when `(` follows) may
 * not run in the scope's mode, or undefined.
 */
export function callProblem(sig: Sig, n: number, scope: CheckScope): string | undefined {
  const call = isOp(sig[n + 1], "(");
  if (call) scope.calls?.add(sig[n].value.toLowerCase());
  if (!call && !mayBeBareFunction(sig[n].value, scope.dialect)) return undefined;
  const name = sig[n].value.toLowerCase();
  const rule = functionRule(name, scope.dialect, call);
  if (!rule) {
    const owner = isOp(sig[n - 1], ".") ? sig[n - 2]?.value.toLowerCase() : undefined;
    if (
      call && scope.syntax.anyServer && owner && RISKY_PACKAGES.some((p) => owner.startsWith(p))
    ) {
      return `${owner}.${name}() belongs to a package that runs dynamic SQL, takes locks or reaches files and the network; remove the call`;
    }
    return undefined;
  }
  if (rule.kind === "side-effect") {
    if (scope.mode === "write" && !rule.always) return undefined;
    const where = scope.mode === "read" ? "read-only tdmcp" : "tdmcp, even with --allow-write";
    return `${name}${call ? "()" : ""} ${rule.why}, so it cannot run through ${where}; remove the call`;
  }
  if (!call) return undefined;
  const args = callArguments(sig, n + 1);
  if (!args) return UNBALANCED;
  const positions = rule.sqlArguments?.(args.list.length);
  if (!positions) return `${name}() ${rule.why}, so it cannot run through tdmcp; remove the call`;
  if (positions.length > 0 && args.named) {
    return `${name}() runs SQL text; write its arguments by position (no => or :=) so tdmcp can check that SQL`;
  }
  for (const at of positions) {
    const problem = sqlTextProblem(name, at, args.list[at], scope);
    if (problem) return problem;
  }
  return undefined;
}

/** Why argument `at` of a SQL-running call cannot be proven allowed, or undefined. */
function sqlTextProblem(name: string, at: number, arg: Sig | undefined, scope: CheckScope): string | undefined {
  if (!arg || (arg.length === 1 && arg[0].kind === "number")) return undefined;
  const which = at < ORDINALS.length ? `its ${ORDINALS[at]} argument` : `argument ${at + 1}`;
  if (arg.length !== 1 || arg[0].kind !== "string") {
    return `${name}() runs ${which} as SQL, which tdmcp can check only when it is one string literal ('...', E'...' or $$...$$), not ${
      describe(arg)
    }`;
  }
  const text = literalValue(arg[0], scope.options, scope.dialect);
  if (text === undefined) {
    return `${name}() runs ${which} as SQL, and tdmcp cannot read that literal exactly as the server would; write it without backslash escapes`;
  }
  const verdict = scope.nested(text, scope.mode);
  if (verdict.ok) return undefined;
  const what = scope.mode === "read" ? "a plain read" : "allowed";
  return `${name}() would run SQL that is not ${what}: ${verdict.reason}`;
}

/** What an argument that is not a single literal looks like, for a refusal. */
function describe(arg: Sig): string {
  if (arg.some((token) => isOp(token, "|"))) return "a concatenation";
  if (arg.some((token) => isOp(token, ":"))) return "a cast";
  if (arg[0]?.kind === "parameter") return "a parameter";
  if (isOp(arg[0], "(")) return "an expression in parentheses or a subquery";
  return "an expression";
}

/** The arguments of the call whose `(` is at `open`, and whether named notation is used; undefined when unbalanced. */
export function callArguments(sig: Sig, open: number): { list: Sig[]; named: boolean } | undefined {
  const list: Token[][] = [[]];
  let named = false;
  let depth = 0;
  for (let n = open; n < sig.length; n++) {
    const token = sig[n];
    const text = token.kind === "operator" ? token.text : "";
    if (text === "(" || text === "[" || text === "{") depth++;
    if (text === ")" || text === "]" || text === "}") depth--;
    if (depth === 0) return { list: list.length === 1 && list[0].length === 0 ? [] : list, named };
    if (n === open) continue;
    if (depth === 1 && text === ",") {
      list.push([]);
      continue;
    }
    if (depth === 1 && ((text === "=" && isOp(sig[n + 1], ">")) || (text === ":" && isOp(sig[n + 1], "=")))) {
      named = true;
    }
    list[list.length - 1].push(token);
  }
  return undefined;
}

function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "operator" && token.text === text;
}
