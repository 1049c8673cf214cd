/**
 * A dialect-aware SQL tokenizer. Pure and dependency-free: it splits text
 * into tokens with offsets and never throws; literals, quoted names and
 * comments left open at the end of the text become "unterminated" tokens.
 * The rules that differ between servers live in `sql_lexings.ts`.
 *
 * @module
 */

import { DIALECT_LEX_OPTIONS, type LexOptions } from "./sql_lexings.ts";
import type { Dialect } from "./types.ts";

export { DIALECT_LEX_OPTIONS, type Lexing, lexingVariants, type LexOptions } from "./sql_lexings.ts";

/** SQL dialects the tokenizer knows. */
export type TokenDialect = Dialect;

/** Kinds of token produced by {@linkcode tokenize}. */
export type TokenKind =
  | "word"
  | "quoted"
  | "string"
  | "number"
  | "parameter"
  | "operator"
  | "semicolon"
  | "line_comment"
  | "block_comment"
  | "whitespace"
  | "unterminated";

/** One lexical token; `text` is exactly `sql.slice(start, end)`. */
export interface Token {
  kind: TokenKind;
  text: string;
  /** word: ASCII-uppercased text; quoted: the unescaped name; unterminated: the kind left open; otherwise the text. */
  value: string;
  start: number;
  end: number;
}

const Q_QUOTE_CLOSERS: Readonly<Record<string, string>> = {
  "[": "]",
  "(": ")",
  "{": "}",
  "<": ">",
};

// Unicode whitespace (\s includes U+00A0, U+2000-U+200A, U+3000, U+FEFF) and invisible separators.
const SPACE = /[\s\u0085\u180e\u200b-\u200d\u2060]/;

/** Split `sql` into tokens the way a server of `dialect` (or one using `options`) reads it. */
export function tokenize(
  sql: string,
  dialect: TokenDialect,
  options?: Partial<LexOptions>,
): Token[] {
  const usual = DIALECT_LEX_OPTIONS[dialect];
  // The usual reading (the guard's first, and most callers') needs no merged copy.
  const opts: LexOptions = options === undefined || options === usual ? usual : { ...usual, ...options };
  const tokens: Token[] = [];
  const scan: Scan = { end: 0, value: undefined };
  for (let i = 0; i < sql.length;) {
    const kind = scanToken(sql, i, opts, scan);
    const { end, value } = scan;
    const stop = end < 0 ? sql.length : end;
    const text = sql.slice(i, stop);
    const open = end < 0;
    tokens.push({
      kind: open ? "unterminated" : kind,
      text,
      value: open ? kind : value ?? text,
      start: i,
      end: stop,
    });
    i = stop;
  }
  return tokens;
}

/** Where {@link scanToken} leaves a token's end (-1 when left open) and optional value: one per `tokenize` call. */
interface Scan {
  end: number;
  value: string | undefined;
}

/** Records a scanned token's end and value in `scan`; returns its kind. */
function scanned(scan: Scan, kind: TokenKind, end: number, value?: string): TokenKind {
  scan.end = end;
  scan.value = value;
  return kind;
}

/** Scan one token at `i`: returns its kind; its end (-1 when left open) and an optional value go to `scan`. */
function scanToken(
  sql: string,
  i: number,
  opts: LexOptions,
  scan: Scan,
): TokenKind {
  const c = sql[i];
  const next = sql[i + 1] ?? "";
  if (isSpace(c)) {
    let j = i + 1;
    while (j < sql.length && isSpace(sql[j])) j++;
    return scanned(scan, "whitespace", j);
  }
  if (
    c === "-" && next === "-" &&
    (!opts.dashCommentNeedsSpace || isSpaceOrControl(sql.charCodeAt(i + 2)))
  ) {
    return scanned(scan, "line_comment", lineEnd(sql, i));
  }
  if (c === "#" && opts.hashComments) return scanned(scan, "line_comment", lineEnd(sql, i));
  if (c === "/" && next === "*") {
    return scanned(scan, "block_comment", blockCommentEnd(sql, i, opts.nestedComments));
  }
  const bs = opts.backslash;
  if (c === "'") {
    return scanned(scan, "string", quoteEnd(sql, i, "'", bs !== "none" && bs !== "e-strings"));
  }
  if (c === '"') return quotedName(sql, i, quoteEnd(sql, i, '"', bs === "all"), scan);
  if (c === "`" && opts.backticks) {
    return quotedName(sql, i, quoteEnd(sql, i, "`"), scan);
  }
  if (c === "[" && opts.brackets !== "none") {
    return quotedName(sql, i, quoteEnd(sql, i, "]", false, opts.brackets === "doubled"), scan);
  }
  const afterNonAscii = opts.nonAsciiIsIdent && i > 0 &&
    sql.charCodeAt(i - 1) >= 0x80;
  if (c === "$" && opts.dollarQuotes && !afterNonAscii) {
    const dollar = dollarToken(sql, i, scan);
    if (dollar) return dollar;
  }
  if ("$@:#".includes(c) && opts.tclVariables && !afterNonAscii) {
    const end = tclVariableEnd(sql, i);
    if (end !== i + 1) return scanned(scan, "parameter", end);
  }
  if (isDigit(c) || (c === "." && isDigit(next))) {
    return scanned(scan, "number", numberEnd(sql, i));
  }
  if (isNameStart(c, opts.signNames)) {
    let j = i + 1;
    while (j < sql.length && isNamePart(sql[j], opts.signNames)) j++;
    const value = upperAscii(sql.slice(i, j));
    if (sql[j] === "'" && !afterNonAscii) {
      if (value === "E" && opts.backslash !== "none") {
        return scanned(scan, "string", quoteEnd(sql, j, "'", true));
      }
      if (
        (value === "Q" || value === "NQ") && opts.qQuotes && j + 2 < sql.length
      ) {
        return scanned(scan, "string", qQuoteEnd(sql, j));
      }
    }
    return scanned(scan, "word", j, value);
  }
  if (c === ";") return scanned(scan, "semicolon", i + 1);
  return scanned(scan, "operator", i + 1);
}

/** MySQL's rule for the character after `--`: whitespace, a control character or the end. */
function isSpaceOrControl(code: number): boolean {
  return !(code > 0x20 && code !== 0x7f);
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Upper-cases a-z only (Unicode case mapping could turn one identifier into another). */
function upperAscii(text: string): string {
  // For ASCII-only text toUpperCase() is exactly that, and much cheaper than the replace below.
  if (!NON_ASCII.test(text)) return text.toUpperCase();
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

function isSpace(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return code === 32 || (code >= 9 && code <= 13);
  return SPACE.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function isNameStart(c: string, signNames: boolean): boolean {
  const code = c.charCodeAt(0) | 32; // folds A-Z onto a-z
  if ((code >= 97 && code <= 122) || c === "_") return true;
  if (signNames && (c === "$" || c === "#")) return true;
  return c.charCodeAt(0) >= 0x80 && !SPACE.test(c);
}

function isNamePart(c: string, signNames: boolean): boolean {
  return isDigit(c) || c === "$" || isNameStart(c, signNames);
}

/** End of a `--` or `#` comment: the next "\n" (exclusive) or the end of the text. */
function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf("\n", i);
  return end < 0 ? sql.length : end;
}

function blockCommentEnd(sql: string, i: number, nested: boolean): number {
  for (let j = i, depth = 0; j < sql.length - 1; j++) {
    if (sql[j] === "/" && sql[j + 1] === "*") {
      if (depth === 0 || nested) depth++;
      j++;
    } else if (sql[j] === "*" && sql[j + 1] === "/") {
      depth--;
      j++;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** End of the quoted run opened at `i` (closing quote included), or -1 when it never closes. */
function quoteEnd(
  sql: string,
  i: number,
  close: string,
  backslash = false,
  doubled = true,
): number {
  for (let j = i + 1; j < sql.length; j++) {
    if (backslash && sql[j] === "\\") {
      j++;
    } else if (sql[j] === close) {
      if (doubled && sql[j + 1] === close) j++;
      else return j + 1;
    }
  }
  return -1;
}

function quotedName(sql: string, i: number, end: number, scan: Scan): TokenKind {
  const close = sql[end - 1];
  return scanned(scan, "quoted", end, end < 0 ? "" : sql.slice(i + 1, end - 1).replaceAll(close + close, close));
}

/** A PostgreSQL `$n` parameter or `$tag$...$tag$` string at `i` (its end goes to `scan`), or undefined for a lone `$`. */
function dollarToken(sql: string, i: number, scan: Scan): TokenKind | undefined {
  if (isDigit(sql[i + 1])) {
    let j = i + 1;
    while (isDigit(sql[j])) j++;
    return scanned(scan, "parameter", j);
  }
  const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(
    sql.slice(i, i + 256),
  );
  if (!tag) return undefined;
  const close = sql.indexOf(tag[0], i + tag[0].length);
  return scanned(scan, "string", close < 0 ? -1 : close + tag[0].length);
}

/** End of a SQLite variable at `i` (same rules as sqlite3GetToken); `i + 1` means none. */
function tclVariableEnd(sql: string, i: number): number {
  let n = 0;
  let j = i + 1;
  for (; j < sql.length; j++) {
    const c = sql[j];
    if (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80) {
      n++;
    } else if (c === "(" && n > 0) {
      do j++; while (j < sql.length && !/[ \t\n\v\f\r)]/.test(sql[j]));
      return sql[j] === ")" ? j + 1 : j;
    } else if (c === ":" && sql[j + 1] === ":") {
      j++;
    } else {
      break;
    }
  }
  return n === 0 ? i + 1 : j;
}

/** End of an Oracle q-quoted string whose opening quote is at `i`. */
function qQuoteEnd(sql: string, i: number): number {
  const open = sql[i + 1];
  const close = Q_QUOTE_CLOSERS[open] ?? open;
  const end = sql.indexOf(close + "'", i + 2);
  return end < 0 ? -1 : end + 2;
}

function numberEnd(sql: string, i: number): number {
  const match = /^(?:0[xX][0-9A-Fa-f]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.?)/.exec(
    sql.slice(i, i + 400),
  );
  return i + (match ? match[0].length : 1);
}
