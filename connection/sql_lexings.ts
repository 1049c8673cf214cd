/**
 * Lexical rules that differ between servers, and the readings of one text
 * the guard must check: a server of one dialect may split a text in more
 * than one way depending on its version and settings (nested comments,
 * backslash escapes, ...). {@linkcode lexingVariants} lists every plausible
 * reading; the tokenizer in `sql_tokens.ts` applies one of them. Each dialect's rules are in its file in
 * `dialects/` (`lex.options`, `lex.axes`).
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import type { DialectSpec, LexAxis } from "./dialects/spec.ts";
import type { TokenDialect } from "./sql_tokens.ts";
import { DIALECTS } from "./types.ts";

/** Lexical rules that differ between servers (and between settings of one server). */
export interface LexOptions {
  /** Which quotes treat a backslash as an escape: none, only E'...', every '...', or '...' and "...". */
  backslash: "none" | "e-strings" | "strings" | "all";
  /** Block comments nest (PostgreSQL, SQL Server, the SQL standard). */
  nestedComments: boolean;
  /** `$$...$$` and `$tag$...$tag$` are strings; `$1` is a parameter. */
  dollarQuotes: boolean;
  /** `[name]` quotes a name: "plain" ends at the first `]`, "doubled" reads `]]` as an escaped bracket. */
  brackets: "none" | "plain" | "doubled";
  /** Backticks quote a name. */
  backticks: boolean;
  /** `#` starts a line comment (MySQL). */
  hashComments: boolean;
  /** `--` starts a comment only when followed by whitespace or a control character (MySQL). */
  dashCommentNeedsSpace: boolean;
  /** `q'[...]'` is a string (Oracle). */
  qQuotes: boolean;
  /** SQLite parameters: `$a`, `@a`, `:a`, `#a`, with Tcl suffixes like `$a(...)` and `$a::b`. */
  tclVariables: boolean;
  /** Code units >= 0x80 are name characters, so `$`, `E'` and `q'` right after one start nothing special. */
  nonAsciiIsIdent: boolean;
  /** `$` and `#` may start a name, as letters do (Teradata). */
  signNames: boolean;
}

/** One way a server may read a text: the options and what differs from the dialect's usual reading. */
export interface Lexing {
  options: Readonly<LexOptions>;
  /** Empty for the usual reading, otherwise e.g. "block comments nest". */
  note: string;
}

/** Lexical rules a server of each dialect uses by default (each dialect's `lex.options`). */
export const DIALECT_LEX_OPTIONS: Readonly<Record<TokenDialect, Readonly<LexOptions>>> = lexTable((spec) =>
  spec.lex.options
);

/** The other readings of each dialect (each dialect's `lex.axes`). */
const DIALECT_AXES: Readonly<Record<TokenDialect, readonly LexAxis[]>> = lexTable((spec) => spec.lex.axes);

function lexTable<T>(pick: (spec: DialectSpec) => T): Readonly<Record<TokenDialect, T>> {
  return Object.fromEntries(DIALECTS.map((dialect) => [dialect, pick(DIALECT_SPECS[dialect])])) as Record<
    TokenDialect,
    T
  >;
}

/** Every plausible way a server of `dialect` may split `sql`, starting with the usual one. */
export function lexingVariants(sql: string, dialect: TokenDialect): Lexing[] {
  let variants: Lexing[] = [{ options: DIALECT_LEX_OPTIONS[dialect], note: "" }];
  for (const [trigger, alternatives] of DIALECT_AXES[dialect]) {
    if (!trigger.test(sql)) continue;
    const next = [...variants];
    for (const variant of variants) {
      for (const [patch, note] of alternatives) {
        next.push({
          options: { ...variant.options, ...patch },
          note: variant.note ? `${variant.note}, and ${note}` : note,
        });
      }
    }
    variants = next;
  }
  return variants;
}
