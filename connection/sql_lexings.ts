/**
 * Lexical rules that differ between servers, and the readings of one text
 * the guard must check: a server of one dialect may split a text in more
 * than one way depending on its version and settings (nested comments,
 * backslash escapes, ...). {@linkcode lexingVariants} lists every plausible
 * reading; the tokenizer in `sql_tokens.ts` applies one of them.
 *
 * @module
 */

import type { TokenDialect } from "./sql_tokens.ts";

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
}

/** One way a server may read a text: the options and what differs from the dialect's usual reading. */
export interface Lexing {
  options: Readonly<LexOptions>;
  /** Empty for the usual reading, otherwise e.g. "block comments nest". */
  note: string;
}

/** Lexical rules a server of each dialect uses by default. */
export const DIALECT_LEX_OPTIONS: Readonly<Record<TokenDialect, Readonly<LexOptions>>> = {
  teradata: lex({}),
  postgres: lex({ backslash: "e-strings", nestedComments: true, dollarQuotes: true, nonAsciiIsIdent: true }),
  sqlite: lex({ brackets: "plain", backticks: true, tclVariables: true, nonAsciiIsIdent: true }),
  generic: lex({ brackets: "plain", backticks: true }),
};

/** Another reading and what it changes. */
type Alternative = readonly [Partial<LexOptions>, string];
/** When the text matches the pattern, each alternative doubles the readings to check. */
type Axis = readonly [RegExp, readonly Alternative[]];

const GENERIC_AXES: readonly Axis[] = [
  [/\/\*/, [[{ nestedComments: true }, "block comments nest"]]],
  [/\\/, [
    [{ backslash: "e-strings" }, "backslashes escape quotes in E'...' strings"],
    [{ backslash: "strings" }, "backslashes escape quotes in strings"],
    [{ backslash: "all" }, "backslashes escape quotes in strings and double-quoted text"],
  ]],
  [/\$/, [[{ dollarQuotes: true }, "$$ or $tag$ starts a string"]]],
  [/\[/, [
    [{ brackets: "doubled" }, "]] inside [...] is an escaped bracket"],
    [{ brackets: "none" }, "[ does not quote a name"],
  ]],
  [/`/, [[{ backticks: false }, "a backtick does not quote a name"]]],
  [/#/, [[{ hashComments: true }, "# starts a comment"]]],
  [/--\S/, [[{ dashCommentNeedsSpace: true }, "-- starts a comment only before a space"]]],
  [/(?:^|[^\w$])n?q'/i, [[{ qQuotes: true }, "q'[...]' is a string"]]],
  [/[$@:#]\S*\(/, [[{ tclVariables: true }, "$name(...) is a parameter"]]],
  [/[\u0080-\uffff][$@:#eEnNqQ]/, [[{ nonAsciiIsIdent: true }, "non-ASCII characters are part of names"]]],
];

const DIALECT_AXES: Readonly<Record<TokenDialect, readonly Axis[]>> = {
  teradata: [[/\/\*/, [[{ nestedComments: true }, "block comments nest"]]]],
  postgres: [[/\\/, [[{ backslash: "strings" }, "backslashes escape quotes in strings"]]]],
  sqlite: [],
  generic: GENERIC_AXES,
};

function lex(overrides: Partial<LexOptions>): LexOptions {
  return {
    backslash: "none",
    nestedComments: false,
    dollarQuotes: false,
    brackets: "none",
    backticks: false,
    hashComments: false,
    dashCommentNeedsSpace: false,
    qQuotes: false,
    tclVariables: false,
    nonAsciiIsIdent: false,
    ...overrides,
  };
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
