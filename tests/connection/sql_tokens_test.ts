import assert from "node:assert/strict";
import {
  DIALECT_LEX_OPTIONS,
  lexingVariants,
  type Token,
  type TokenDialect,
  tokenize,
} from "../../connection/sql_tokens.ts";

/** Tokens as "kind:text", whitespace dropped, for compact expectations. */
function shape(sql: string, dialect: TokenDialect, options = {}): string[] {
  return tokenize(sql, dialect, options)
    .filter((token) => token.kind !== "whitespace")
    .map((token) => `${token.kind}:${token.text}`);
}

Deno.test("tokenize covers the text exactly with contiguous offsets", () => {
  const sql = "SELECT a.b, 'x''y' -- c\n/* d */ FROM \"T\"\"1\" WHERE n >= 1.5e3;";
  for (const dialect of ["teradata", "postgres", "sqlite", "generic"] as const) {
    const tokens = tokenize(sql, dialect);
    assert.equal(tokens.map((token) => token.text).join(""), sql);
    tokens.forEach((token, n) => {
      assert.equal(token.text, sql.slice(token.start, token.end));
      assert.equal(token.start, n === 0 ? 0 : tokens[n - 1].end);
    });
  }
});

Deno.test("tokenize uppercases ASCII letters of words and keeps the raw text", () => {
  const [word] = tokenize("sElEct", "postgres");
  assert.deepEqual(
    word,
    {
      kind: "word",
      text: "sElEct",
      value: "SELECT",
      start: 0,
      end: 6,
    } satisfies Token,
  );
  assert.equal(tokenize("\u017Felect", "postgres")[0].value, "\u017FELECT");
  assert.equal(tokenize("ınsert", "postgres")[0].value, "ıNSERT");
});

Deno.test("tokenize reads doubled quotes inside strings and quoted names", () => {
  assert.deepEqual(shape(`'it''s' "a""b"`, "postgres"), [
    "string:'it''s'",
    'quoted:"a""b"',
  ]);
  assert.equal(tokenize(`"a""b"`, "postgres")[0].value, 'a"b');
});

Deno.test("tokenize reads backticks and brackets as names on SQLite only", () => {
  assert.deepEqual(shape("`a``b` [c d]", "sqlite"), [
    "quoted:`a``b`",
    "quoted:[c d]",
  ]);
  assert.equal(tokenize("`a``b`", "sqlite")[0].value, "a`b");
  assert.deepEqual(shape("a[1]", "postgres"), [
    "word:a",
    "operator:[",
    "number:1",
    "operator:]",
  ]);
});

Deno.test("tokenize reads PostgreSQL E-strings with backslash escapes", () => {
  assert.deepEqual(shape("E'a\\'b' 'c\\'", "postgres"), [
    "string:E'a\\'b'",
    "string:'c\\'",
  ]);
  assert.deepEqual(shape("xE'a'", "postgres"), ["word:xE", "string:'a'"]);
  assert.deepEqual(shape("1E'\\''", "postgres"), [
    "number:1",
    "string:E'\\''",
  ]);
});

Deno.test("tokenize reads dollar-quoted strings and parameters on PostgreSQL", () => {
  assert.deepEqual(shape("$$a;b$$ $q$ $$ $q$ $1 a$$b", "postgres"), [
    "string:$$a;b$$",
    "string:$q$ $$ $q$",
    "parameter:$1",
    "word:a$$b",
  ]);
  assert.deepEqual(shape("$$ x", "postgres"), ["unterminated:$$ x"]);
  assert.deepEqual(shape("$$x$$", "teradata"), ["word:$$x$$"]);
});

Deno.test("tokenize does not start a dollar quote right after a non-ASCII character on PostgreSQL", () => {
  assert.deepEqual(shape("\u2003$$ ;\u2003$$", "postgres"), [
    "operator:$",
    "operator:$",
    "semicolon:;",
    "operator:$",
    "operator:$",
  ]);
});

Deno.test("tokenize nests block comments only where the dialect does", () => {
  const sql = "/* a /* b */ c */";
  assert.deepEqual(shape(sql, "postgres"), [`block_comment:${sql}`]);
  assert.deepEqual(shape(sql, "sqlite"), [
    "block_comment:/* a /* b */",
    "word:c",
    "operator:*",
    "operator:/",
  ]);
});

Deno.test("tokenize ends a line comment at the newline, which stays whitespace", () => {
  const tokens = tokenize("-- a;b\r\nSELECT", "sqlite");
  assert.deepEqual(tokens.map((token) => token.kind), [
    "line_comment",
    "whitespace",
    "word",
  ]);
  assert.equal(tokens[0].text, "-- a;b\r");
});

Deno.test("tokenize treats all Unicode whitespace and the BOM as whitespace", () => {
  const spaces =
    "\uFEFF\u00a0\u0085\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\t\n\v\f\r ";
  assert.deepEqual(shape(`${spaces}SELECT${spaces}1${spaces}`, "generic"), [
    "word:SELECT",
    "number:1",
  ]);
  for (const space of spaces) {
    assert.equal(tokenize(space, "postgres")[0].kind, "whitespace", escape(space));
  }
});

Deno.test("tokenize reports literals, names and comments left open", () => {
  for (
    const [sql, value] of [
      ["'abc", "string"],
      ['"abc', "quoted"],
      ["/* abc", "block_comment"],
      ["E'abc\\'", "string"],
      ["[abc", "quoted"],
    ] as const
  ) {
    const last = tokenize(`SELECT ${sql}`, "sqlite", { backslash: "e-strings" }).at(-1);
    assert.equal(last?.kind, "unterminated", sql);
    assert.equal(last?.value, value);
    assert.equal(last?.end, sql.length + 7);
  }
});

Deno.test("tokenize reads numbers, semicolons and single-character operators", () => {
  assert.deepEqual(shape("1.5e3 .5 0x1F a::int;", "postgres"), [
    "number:1.5e3",
    "number:.5",
    "number:0x1F",
    "word:a",
    "operator::",
    "operator::",
    "word:int",
    "semicolon:;",
  ]);
});

Deno.test("tokenize reads SQLite variables with Tcl suffixes", () => {
  assert.deepEqual(shape("$a(');x) :b @c #d ?1", "sqlite"), [
    "parameter:$a(')",
    "semicolon:;",
    "word:x",
    "operator:)",
    "parameter::b",
    "parameter:@c",
    "parameter:#d",
    "operator:?",
    "number:1",
  ]);
});

Deno.test("tokenize reads Teradata names with $ and #", () => {
  assert.deepEqual(shape("SEL #t, a$b FROM $x", "teradata"), [
    "word:SEL",
    "word:#t",
    "operator:,",
    "word:a$b",
    "word:FROM",
    "word:$x",
  ]);
});

Deno.test("tokenize applies MySQL comment rules when asked", () => {
  const options = { hashComments: true, dashCommentNeedsSpace: true };
  assert.deepEqual(shape("a # c\n--x -- y", "generic", options), [
    "word:a",
    "line_comment:# c",
    "operator:-",
    "operator:-",
    "word:x",
    "line_comment:-- y",
  ]);
});

Deno.test("tokenize reads Oracle q-quotes and doubled brackets when asked", () => {
  assert.deepEqual(shape("q'[it's]' [a]]b]", "generic", { qQuotes: true, brackets: "doubled" }), [
    "string:q'[it's]'",
    "quoted:[a]]b]",
  ]);
});

Deno.test("lexingVariants returns only the usual reading when nothing is ambiguous", () => {
  const variants = lexingVariants("SELECT a FROM t", "generic");
  assert.equal(variants.length, 1);
  assert.deepEqual(variants[0], { options: DIALECT_LEX_OPTIONS.generic, note: "" });
  assert.equal(lexingVariants("SELECT '\\'", "sqlite").length, 1);
});

Deno.test("lexingVariants adds one reading per ambiguity, with a note", () => {
  const postgres = lexingVariants("SELECT '\\'", "postgres");
  assert.equal(postgres.length, 2);
  assert.equal(postgres[1].options.backslash, "strings");
  assert.match(postgres[1].note, /backslashes escape quotes/);
  assert.equal(lexingVariants("SELECT 1 /* x */", "teradata").length, 2);
  assert.equal(lexingVariants("SELECT a[1] /* x */", "generic").length, 6);
});
