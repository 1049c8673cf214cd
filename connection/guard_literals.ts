/**
 * The value of a string literal exactly as the server reads it under one
 * lexing: `'...'` (doubled quotes; backslash escapes where the reading has
 * them), PostgreSQL's `E'...'` escapes (`\n`, octal and hex bytes, `\u`
 * and `\U` code points, any other character taken literally) and
 * `$tag$...$tag$`. When the guard cannot be sure of the value (an escape
 * PostgreSQL would reject, invalid UTF-8, backslashes read by a server
 * whose escapes it does not model), the answer is `undefined` and the
 * caller refuses.
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import type { GuardDialect } from "./guard.ts";
import type { LexOptions, Token } from "./sql_tokens.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const ENCODER = new TextEncoder();
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { b: 8, f: 12, n: 10, r: 13, t: 9 };

/** The decoded value of a string token under `options`, or undefined when it cannot be known exactly. */
export function literalValue(token: Token, options: Readonly<LexOptions>, dialect: GuardDialect): string | undefined {
  if (token.kind !== "string") return undefined;
  const text = token.text;
  if (text[0] === "$") {
    const tag = /^\$[^$]*\$/.exec(text)?.[0] ?? "$$";
    return text.slice(tag.length, text.length - tag.length);
  }
  if (text[0] === "E" || text[0] === "e") return pgEscapes(text.slice(2, -1));
  if (text[0] !== "'") return undefined; // Oracle q'[...]': not modelled
  const inner = text.slice(1, -1);
  if (options.backslash !== "strings" && options.backslash !== "all") return inner.replaceAll("''", "'");
  if (DIALECT_SPECS[dialect].guard.postgresEscapes) return pgEscapes(inner);
  return inner.includes("\\") ? undefined : inner.replaceAll("''", "'");
}

/** Decodes the body of a PostgreSQL escape string (scan.l's xe state), or undefined where PostgreSQL raises an error. */
export function pgEscapes(body: string): string | undefined {
  const bytes: number[] = [];
  let run = 0; // start of the pending run of literal characters
  const flush = (end: number) => {
    if (end > run) bytes.push(...ENCODER.encode(body.slice(run, end).replaceAll("''", "'")));
  };
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\") continue;
    flush(i);
    const next = body[i + 1];
    if (next === undefined) return undefined;
    let used = 2;
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4))?.[0];
    const hex = next === "x" ? /^[0-9A-Fa-f]{1,2}/.exec(body.slice(i + 2, i + 4))?.[0] : undefined;
    if (octal) {
      bytes.push(parseInt(octal, 8) & 0xff);
      used = 1 + octal.length;
    } else if (hex) {
      bytes.push(parseInt(hex, 16));
      used = 2 + hex.length;
    } else if (next === "u" || next === "U") {
      const point = unicodeEscape(body, i);
      if (!point) return undefined;
      bytes.push(...ENCODER.encode(String.fromCodePoint(point.value)));
      used = point.length;
    } else if (Object.hasOwn(SIMPLE_ESCAPES, next)) {
      bytes.push(SIMPLE_ESCAPES[next]);
    } else {
      used = 1 + String.fromCodePoint(body.codePointAt(i + 1)!).length;
      bytes.push(...ENCODER.encode(body.slice(i + 1, i + used)));
    }
    i += used - 1;
    run = i + 1;
  }
  flush(body.length);
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch (error) {
    if (error instanceof TypeError) return undefined; // invalid UTF-8: PostgreSQL refuses the literal
    throw error;
  }
}

/** A `\uXXXX` or `\UXXXXXXXX` escape at `i` (a surrogate pair spans two), or undefined where PostgreSQL errs. */
function unicodeEscape(body: string, i: number): { value: number; length: number } | undefined {
  const read = (at: number): { value: number; length: number } | undefined => {
    const digits = body[at + 1] === "u" ? 4 : body[at + 1] === "U" ? 8 : 0;
    const hex = body.slice(at + 2, at + 2 + digits);
    if (body[at] !== "\\" || digits === 0 || !new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) return undefined;
    return { value: parseInt(hex, 16), length: 2 + digits };
  };
  const high = read(i);
  if (!high || high.value === 0 || high.value > 0x10ffff) return undefined;
  if (high.value >= 0xdc00 && high.value <= 0xdfff) return undefined;
  if (high.value < 0xd800 || high.value > 0xdbff) return high;
  const low = read(i + high.length);
  if (!low || low.value < 0xdc00 || low.value > 0xdfff) return undefined;
  return { value: 0x10000 + ((high.value - 0xd800) << 10) + (low.value - 0xdc00), length: high.length + low.length };
}
