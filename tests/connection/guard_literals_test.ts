import assert from "node:assert/strict";
import { literalValue, pgEscapes } from "../../connection/guard_literals.ts";
import { DIALECT_LEX_OPTIONS, type LexOptions, tokenize } from "../../connection/sql_tokens.ts";
import type { GuardDialect } from "../../connection/guard.ts";

const PG = DIALECT_LEX_OPTIONS.postgres;
const PG_NONSTANDARD: LexOptions = { ...PG, backslash: "strings" };

/** The value of the one string token in `sql` under `options`. */
function valueOf(sql: string, options: LexOptions = PG, dialect: GuardDialect = "postgres"): string | undefined {
  const tokens = tokenize(sql, dialect, options).filter((token) => token.kind !== "whitespace");
  assert.equal(tokens.length, 1, `one token expected in ${sql}`);
  return literalValue(tokens[0], options, dialect);
}

Deno.test("literalValue undoubles quotes in a standard string and keeps backslashes", () => {
  assert.equal(valueOf("'it''s \\n'"), "it's \\n");
});

Deno.test("literalValue reads a plain string with escapes where standard_conforming_strings is off", () => {
  assert.equal(valueOf("'a\\'b\\x41'", PG_NONSTANDARD), "a'bA");
});

Deno.test("literalValue returns the body of dollar-quoted strings", () => {
  assert.equal(valueOf("$$it's$$"), "it's");
  assert.equal(valueOf("$q$ $$ 'x' $q$"), " $$ 'x' ");
});

Deno.test("pgEscapes decodes escapes as PostgreSQL 15 does (checked with psql)", () => {
  const cases: [string, string][] = [
    ["\\b\\f\\n\\r\\t", "\b\f\n\r\t"],
    ["\\v\\a\\q\\'\\\\", "vaq'\\"], // any other character is taken literally
    ["set\\166al", "setval"], // octal byte
    ["\\1010", "A0"], // at most three octal digits
    ["\\x41z\\x4", "Az\x04"], // one or two hex digits
    ["\\xg", "xg"], // \x without a hex digit is a plain x
    ["\\303\\251", "é"], // bytes forming UTF-8
    ["\\u00e9\\U0001F600", "é😀"],
    ["\\uD83D\\uDE00", "😀"], // a surrogate pair
    ["a''b", "a'b"],
  ];
  for (const [body, value] of cases) assert.equal(pgEscapes(body), value, body);
});

Deno.test("pgEscapes refuses what PostgreSQL refuses", () => {
  for (const body of ["\\303", "\\u12", "\\u0000", "\\uD83D", "\\uDE00", "\\uD83D\\u0041", "\\777", "a\\"]) {
    assert.equal(pgEscapes(body), undefined, body);
  }
});

Deno.test("literalValue reads E-strings under every reading", () => {
  assert.equal(valueOf("E'\\'x'"), "'x");
  assert.equal(valueOf("e'\\x41'", PG_NONSTANDARD), "A");
});

Deno.test("literalValue gives up on backslashes it cannot decode for sure", () => {
  const generic: LexOptions = { ...DIALECT_LEX_OPTIONS.generic, backslash: "strings" };
  assert.equal(valueOf("'a\\%'", generic, "generic"), undefined);
  assert.equal(valueOf("'plain'", generic, "generic"), "plain");
  assert.equal(valueOf("q'[x]'", { ...DIALECT_LEX_OPTIONS.generic, qQuotes: true }, "generic"), undefined);
});

Deno.test("literalValue is undefined for tokens that are not strings", () => {
  const [word] = tokenize("x", "postgres");
  assert.equal(literalValue(word, PG, "postgres"), undefined);
});
