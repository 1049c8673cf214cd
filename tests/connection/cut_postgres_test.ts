/**
 * Long PostgreSQL values cut by the server (connection/cut_postgres.ts): which statements can be wrapped, which
 * columns are cut, and — on the real server — that the wrapped query returns the same names, types, order, NULLs
 * and values as the statement itself.
 * @module
 */
import assert from "node:assert/strict";
import {
  cutLongValuesSql,
  describeSql,
  PostgresCut,
  shapeKey,
  subqueryBody,
  subqueryShape,
} from "../../connection/cut_postgres.ts";
import { DATABASE_DEFAULTS } from "../../connection/database.ts";
import { checkReadOnly } from "../../connection/guard.ts";
import type { OdbcColumn } from "../../connection/odbc.ts";
import { demoPostgresUri, testDatabase } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";
import { allowCorpus, type Scratch } from "../integration/_corpus.ts";

Deno.test("only one query statement with balanced parentheses is wrapped; trailing semicolons and comments go", () => {
  const cases: [string, string | null][] = [
    ["SELECT 1", "SELECT 1"],
    ["  select 1 ;; -- done\n", "select 1"],
    ["SELECT 1 /* trailing */", "SELECT 1"],
    ["WITH t AS (SELECT 1) SELECT * FROM t;", "WITH t AS (SELECT 1) SELECT * FROM t"],
    ["VALUES (1), (2)", "VALUES (1), (2)"],
    ["TABLE pg_class", "TABLE pg_class"],
    ["(SELECT 1) UNION (SELECT 2) ORDER BY 1", "(SELECT 1) UNION (SELECT 2) ORDER BY 1"],
    ["-- leading\nSELECT ')' AS p", "SELECT ')' AS p"],
    ["SELECT $$)$$", "SELECT $$)$$"],
    ['SELECT 1 AS ")"', 'SELECT 1 AS ")"'],
    ["EXPLAIN SELECT 1", null],
    ["SHOW search_path", null],
    ["SELECT 1; SELECT 2", null],
    ["SELECT 1) AS x, (SELECT 2", null],
    ["SELECT (1", null],
    ["SELECT 'open", null],
    ["SELECT 1 /* open", null],
    ["", null],
    [";", null],
  ];
  for (const [sql, body] of cases) assert.equal(subqueryBody(sql), body, sql);
});

Deno.test("a read's body and shape from one reading of its text are those subqueryBody and shapeKey give", () => {
  const statements = [
    "SELECT 1",
    "  select 1 ;; -- done\n",
    "-- leading\nSELECT ')' AS p, x::varchar(10) /* c */ FROM t WHERE id = 5 AND s = $$b$$ LIMIT 10000000000;",
    "WITH t AS (SELECT 1.5 AS n) SELECT substr(x, 1, 5), 'a' FROM t",
    "(SELECT 1) UNION (SELECT 2) ORDER BY 1",
    "SELECT 1; SELECT 2",
    "SELECT (1",
    "",
  ];
  for (const dialect of ["postgres", "sqlite"] as const) {
    for (const sql of statements) {
      const body = subqueryBody(sql, dialect);
      assert.deepEqual(subqueryShape(sql, dialect), body === null ? null : { body, key: shapeKey(body, dialect) }, sql);
    }
  }
});

Deno.test("a read's shape from the guard's tokens is the shape from tokenizing its text, for every read the guard allows", () => {
  const scratch: Scratch = {
    schema: "guard_x",
    table: "guard_x.t",
    index: "guard_x.i",
    sequence: "guard_x.s",
    newTable: "guard_x.n",
    procedure: "guard_x.p",
    writers: { insert: "guard_x.wi", nextval: "guard_x.wn", dynamic: "guard_x.wd" },
    role: "guard_x_role",
    dir: "/tmp/guard_x",
    victim: 0,
    slot: "guard_x_slot",
  };
  const extra = [
    "  select 1 ;; -- done\n",
    "-- leading\nSELECT ')' AS p, x::varchar(10) /* c */ FROM t WHERE id = 5 AND s = $$b$$ LIMIT 10000000000;",
    "SELECT E'a\\'' AS q, 'b\\' AS r /* /* nested */ */ FROM t WHERE n = 1.5e3;",
    'SELECT [a b], `c`, "d" FROM t -- end',
    "(SELECT 1) UNION (SELECT 2) ORDER BY 1",
    "WITH t AS (SELECT 1.5 AS n) SELECT substr(x, 1, 5), 'a' FROM t",
    "SELECT * FROM orders WHERE order_id = 42",
  ];
  for (const dialect of ["postgres", "sqlite"] as const) {
    let compared = 0;
    for (const sql of [...extra, ...allowCorpus(dialect, scratch).map(([, sql]) => sql)]) {
      const verdict = checkReadOnly(sql, dialect);
      if (!verdict.ok) continue;
      assert.ok(verdict.tokens, sql);
      assert.deepEqual(subqueryShape(sql, dialect, verdict.tokens), subqueryShape(sql, dialect), sql);
      compared++;
    }
    assert.ok(compared > 20, `${dialect}: only ${compared} reads compared`);
  }
});

/** A described column as psqlODBC reports it. */
function column(name: string, dataTypeName: string, columnSize: number): OdbcColumn {
  return { name, dataTypeName, columnSize, nullable: true };
}

Deno.test("columns that can hold long values are cut; bounded ones, booleans and numbers are left alone", () => {
  const budget = 100;
  const columns = [
    column("n", "SQL_INTEGER", 10),
    column("flag", "SQL_VARCHAR", 5), // a boolean (BoolsAsChar)
    column("code", "SQL_CHAR", 5),
    column("short", "SQL_VARCHAR", 50),
    column("doc", "SQL_VARCHAR", 255), // json, arrays, unbounded varchar: psqlODBC's unknown length
    column("body", "SQL_LONGVARCHAR", 8190),
    column("blob", "SQL_LONGVARBINARY", 0),
    column('we"ird', "SQL_NUMERIC", 28),
  ];
  const sql = cutLongValuesSql("SELECT 1", columns, budget)!;
  assert.match(
    sql,
    /^WITH tdmcp_q\("1", "2", "3", "4", "5", "6", "7", "8"\) AS NOT MATERIALIZED \(\nSELECT 1\n\)\n/,
  );
  assert.match(
    sql,
    /\nSELECT tdmcp_q\."1" AS "n", tdmcp_q\."2" AS "flag", tdmcp_q\."3" AS "code", tdmcp_q\."4" AS "short", /,
  );
  assert.match(sql, /pg_catalog\.left\(pg_catalog\.format\('%s', tdmcp_q\."5"\), 101\) END AS "doc"/);
  assert.match(sql, /pg_catalog\.left\(pg_catalog\.format\('%s', tdmcp_q\."6"\), 101\) END AS "body"/);
  // Enough bytes that their base64 text (4 characters per 3 bytes) passes the budget.
  assert.match(sql, /pg_catalog\.substr\(tdmcp_q\."7", 1, 76\) AS "blob"/);
  assert.match(sql, /tdmcp_q\."8" AS "we""ird" FROM tdmcp_q$/);
  assert.match(
    cutLongValuesSql("SELECT 1", columns, budget, false)!,
    /^WITH tdmcp_q\([^)]*\) AS \(\n/,
    "before 12",
  );
  assert.equal(
    cutLongValuesSql("SELECT 1", columns.slice(0, 4), budget),
    null,
    "nothing to cut: the statement runs as is",
  );
  assert.equal(cutLongValuesSql("SELECT", [], budget), null);
  // A varchar(n) longer than the budget is cut too.
  assert.notEqual(cutLongValuesSql("SELECT 1", [column("v", "SQL_VARCHAR", 200)], budget), null);
  assert.equal(describeSql("SELECT 1"), "SELECT * FROM (\nSELECT 1\n) AS tdmcp_q LIMIT 0");
});

Deno.test({
  name: "postgres: a wrapped read returns the statement's own names, types, nullability, order, NULLs and values",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    const budget = DATABASE_DEFAULTS.maxCellChars;
    const sql = `SELECT i, i % 2 = 0 AS even, 'c'::char(300) AS padded, NULL AS nothing, ROW(NULL, NULL) AS empty_row,
        ARRAY[i, NULL] AS arr, '{"a": [1, "x"]}'::jsonb AS doc, ('\\x' || lpad(to_hex(i), 4, '0'))::bytea AS b,
        1.50::numeric(10,2) AS money, 'A"B' AS "quoted ""name""", 1 AS dup, 2 AS dup,
        CASE WHEN i = 3 THEN repeat('é', ${budget + 10}) END AS long
      FROM generate_series(5, 1, -1) AS s(i) ORDER BY i DESC;`;
    const r = await db.query(sql);
    assert.deepEqual(r.columns.map((c) => c.name), [
      "i",
      "even",
      "padded",
      "nothing",
      "empty_row",
      "arr",
      "doc",
      "b",
      "money",
      'quoted "name"',
      "dup",
      "dup",
      "long",
    ]);
    // The types of the statement itself, as PostgreSQL names them (wrapped columns would read TEXT); psqlODBC cannot
    // name a record, an array or jsonb (their ODBC type then).
    assert.deepEqual(r.columns.map((c) => c.type), [
      "INTEGER",
      "BOOLEAN",
      "CHAR", // psqlODBC reports a char(n) past its MaxVarcharSize (255) as LONGVARCHAR, without n
      "TEXT",
      "VARCHAR",
      "VARCHAR",
      "VARCHAR",
      "BYTEA",
      "NUMERIC(10,2)",
      "TEXT",
      "INTEGER",
      "INTEGER",
      "TEXT",
    ]);
    assert.deepEqual(r.rows.map((row) => row[0]), [5, 4, 3, 2, 1], "the statement's order");
    const [five, , three] = r.rows;
    assert.deepEqual(five.slice(0, 12), [
      5,
      false, // psqlODBC's boolean ("0"), as without the wrap
      "c".padEnd(300), // char(n) keeps its padding
      null,
      "(,)", // a row of NULLs is not NULL
      "{5,NULL}",
      '{"a": [1, "x"]}',
      "AAU=", // bytea as base64
      1.5,
      'A"B',
      1,
      2,
    ]);
    assert.equal(five[12], null);
    assert.equal(String(three[12]).length, budget + 1);
    assert.ok(String(three[12]).startsWith("é".repeat(budget)) && String(three[12]).endsWith("…"));
    assert.equal(r.truncatedBy, "cells");
    // The same statement as psql prints it (the values the driver receives unwrapped).
    assert.equal(
      (await pgAdmin('SELECT ARRAY[5, NULL], ROW(NULL, NULL), \'{"a": [1, "x"]}\'::jsonb')).trim(),
      '{5,NULL}|(,)|{"a": [1, "x"]}',
    );
  },
});

Deno.test({
  name: "postgres: a read computes no row past its row cap and one more, wrapped or not; its own LIMIT and order stand",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    // Row 13 onwards would fail: psqlODBC fetches 1,000 rows per round trip, so without the limit the first fetch
    // computed them. With it, PostgreSQL stops after row 11 (the cap of 10 and one more, to know there were more).
    const failing = "CASE WHEN g <= 12 THEN g ELSE 1 / (g - g) END AS g";
    for (const long of ["", ", repeat('x', 20000) AS long"]) {
      const sql = `SELECT ${failing}${long} FROM generate_series(1, 5000) AS s(g)`;
      const r = await db.query(sql, { maxRows: 10 });
      assert.deepEqual(r.rows.map((row) => row[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], long ? "wrapped" : "unwrapped");
      assert.equal(r.truncated, true);
      await assert.rejects(db.query(sql, { maxRows: 20 }), /division by zero/, "the rows past 12 do fail");
    }
    // The statement's own LIMIT and order stand.
    const own = await db.query("SELECT g FROM generate_series(1, 50) AS s(g) ORDER BY g DESC LIMIT 3", { maxRows: 10 });
    assert.deepEqual(own.rows, [[50], [49], [48]]);
    assert.equal(own.truncated, false);
  },
});

Deno.test("a plan limits its statement to the given rows, wrapped or not; without a limit the statement stands", async () => {
  const cut = new PostgresCut({ maxChars: 100, inline: true });
  const short = [column("n", "SQL_INTEGER", 10)];
  const long = [column("n", "SQL_INTEGER", 10), column("t", "SQL_LONGVARCHAR", 8190)];
  const remembered = () => Promise.reject(new Error("described again"));
  const plain = await cut.plan("SELECT n FROM t -- note", () => Promise.resolve(short), undefined, 11);
  assert.equal(plain?.statement, "SELECT * FROM (\nSELECT n FROM t\n) AS tdmcp_q LIMIT 11");
  assert.equal(plain?.columns, undefined, "the statement's own columns");
  assert.equal((await cut.plan("SELECT n FROM t -- note", remembered))?.statement, "SELECT n FROM t -- note");
  const wrapped = await cut.plan("SELECT n, t FROM t", () => Promise.resolve(long), undefined, 1001);
  assert.match(wrapped!.statement, /^WITH tdmcp_q\("1", "2"\) AS NOT MATERIALIZED \(\nSELECT n, t FROM t\n\)\nSELECT /);
  assert.ok(wrapped!.statement.endsWith(" FROM tdmcp_q\nLIMIT 1001"), wrapped!.statement);
  assert.ok(!(await cut.plan("SELECT n, t FROM t", remembered))!.statement.includes("LIMIT"));
});

Deno.test({
  name: "postgres: bound parameters reach both the description and the wrapped statement",
  ignore: !pgUri(),
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    const r = await db.query("SELECT repeat(?, 3) AS t, ?::int + 1 AS n", { params: ["ab", 41] });
    assert.deepEqual(r.rows, [["ababab", 42]]);
  },
});

Deno.test("statements that differ only in values share a shape; lengths, kinds and names do not", () => {
  const same = [
    ["SELECT * FROM t WHERE id = 5", "select *  from T where ID = 6 -- c"],
    ["SELECT * FROM t WHERE s = 'a' LIMIT 10", "SELECT * FROM t WHERE s = $$b$$ LIMIT 20"],
    ["SELECT x::varchar(10) FROM t", "SELECT x::varchar(10) FROM t"],
  ];
  for (const [a, b] of same) assert.equal(shapeKey(a), shapeKey(b), `${a} ~ ${b}`);
  const different = [
    ["SELECT x::varchar(10) FROM t", "SELECT x::varchar(20000) FROM t"], // a length
    ["SELECT substr(x, 1, 5) FROM t", "SELECT substr(x, 1, 50000) FROM t"],
    ["SELECT 1", "SELECT 1.5"], // integer and numeric
    ["SELECT 1", "SELECT 10000000000"], // integer and bigint
    ["SELECT 1", "SELECT '1'"],
    ['SELECT "A" FROM t', 'SELECT "a" FROM t'],
    ["SELECT * FROM t", "SELECT * FROM u"],
  ];
  for (const [a, b] of different) assert.notEqual(shapeKey(a), shapeKey(b), `${a} ≁ ${b}`);
});

Deno.test("a remembered shape is described once, checked by every result, forgotten on a mismatch, and expires", async () => {
  const described: string[] = [];
  const columns = [column("id", "SQL_INTEGER", 10), column("body", "SQL_LONGVARCHAR", 8190)];
  const describe = (statement: string) => (described.push(statement), Promise.resolve(columns));
  const cut = new PostgresCut({ maxChars: 100, inline: true, shapeTtlMs: 60_000 });
  const first = (await cut.plan("SELECT * FROM t WHERE id = 1", describe))!;
  const planned = cut.plan("SELECT * FROM t WHERE id = 9", describe);
  assert.ok(planned && !(planned instanceof Promise) && planned.cached, "a remembered shape is planned at once");
  assert.equal(first.cached, false);
  assert.match(first.statement, /WHERE id = 1\n/);
  const second = (await cut.plan("SELECT * FROM t WHERE id = 2;", describe))!;
  assert.equal(second.cached, true);
  assert.match(second.statement, /WHERE id = 2\n/, "the call's own literals");
  assert.equal(described.length, 1);
  cut.check(second, [column("id", "SQL_INTEGER", 10), column("body", "SQL_LONGVARCHAR", 8190)]);
  assert.equal((await cut.plan("SELECT * FROM t WHERE id = 3", describe))!.cached, true, "a matching result");
  // The column left alone came back as text: the table changed.
  cut.check(second, [column("id", "SQL_LONGVARCHAR", 8190), column("body", "SQL_LONGVARCHAR", 8190)]);
  assert.equal((await cut.plan("SELECT * FROM t WHERE id = 4", describe))!.cached, false);
  assert.equal(described.length, 2);
  cut.forget(second);
  assert.equal((await cut.plan("SELECT * FROM t WHERE id = 4", describe))!.cached, false);
  const expiring = new PostgresCut({ maxChars: 100, inline: true, shapeTtlMs: 0 });
  await expiring.plan("SELECT 1", describe);
  assert.equal((await expiring.plan("SELECT 1", describe))!.cached, false);
  assert.equal(await cut.plan("EXPLAIN SELECT 1", describe), null);
});

Deno.test({
  name: "postgres: a remembered shape follows the table: a column dropped or retyped between calls is seen at once",
  ignore: !pgUri(),
  async fn() {
    const table = `cut_shape_${crypto.randomUUID().replaceAll("-", "")}`;
    await pgAdmin(
      `CREATE TABLE public.${table} (id int, body text, extra text); INSERT INTO public.${table} VALUES (1, 'a', 'x')`,
    );
    try {
      await using db = testDatabase((await demoPostgresUri())!, { poolSize: 1 });
      const read = async (id: number) => await db.query(`SELECT * FROM public.${table} WHERE id = ${id}`);
      assert.deepEqual((await read(1)).rows, [[1, "a", "x"]]);
      assert.deepEqual((await read(1)).rows, [[1, "a", "x"]], "from the remembered shape");
      await pgAdmin(`ALTER TABLE public.${table} DROP COLUMN extra`);
      const dropped = await read(1); // the remembered statement names three columns: it fails, and is described again
      assert.deepEqual(dropped.columns.map((c) => c.name), ["id", "body"]);
      assert.deepEqual(dropped.rows, [[1, "a"]]);
      await pgAdmin(`ALTER TABLE public.${table} ALTER COLUMN id TYPE text USING repeat('9', 20000)`);
      const viaLength = async () => await db.query(`SELECT id FROM public.${table} WHERE length(id) > ${5}`);
      await pgAdmin(`ALTER TABLE public.${table} ALTER COLUMN id TYPE int USING 7`);
      assert.deepEqual(await viaLength().catch(() => null), null, "length(int) does not exist");
      await pgAdmin(`ALTER TABLE public.${table} ALTER COLUMN id TYPE text USING repeat('9', 20000)`);
      const long = await viaLength();
      assert.equal(long.truncatedBy, "cells", "the retyped column is cut");
      assert.equal(String(long.rows[0][0]).length, DATABASE_DEFAULTS.maxCellChars + 1);
      // Remembered with id as int, which is left alone: the result shows text, so the next call describes again.
      const shape = `SELECT id, body FROM public.${table} WHERE body = 'a'`;
      await pgAdmin(`ALTER TABLE public.${table} ALTER COLUMN id TYPE int USING 7`);
      assert.deepEqual((await db.query(shape)).rows, [[7, "a"]]);
      await pgAdmin(`ALTER TABLE public.${table} ALTER COLUMN id TYPE text USING repeat('8', 20000)`);
      const first = await db.query(shape.replace("'a'", "'a' "));
      assert.equal(first.truncatedBy, "cells", "cut by the client this once");
      const next = await db.query(shape);
      assert.equal(String(next.rows[0][0]).length, DATABASE_DEFAULTS.maxCellChars + 1);
      assert.equal(next.columns[0].type, "TEXT", "described again");
    } finally {
      await pgAdmin(`DROP TABLE public.${table}`);
    }
  },
});
