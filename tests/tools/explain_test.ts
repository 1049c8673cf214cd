/**
 * base_readQuery's explain_first on real PostgreSQL plans (`EXPLAIN (FORMAT
 * JSON)`: the top node's Plan Rows against MAX_ESTIMATED_ROWS; PostgreSQL
 * gives cost units, not seconds, so the seconds limit is not applied there),
 * and the guard judging `EXPLAIN` + the agent's SQL as it judges the SQL
 * alone. Teradata's EXPLAIN text: tests/tools/explain_teradata_test.ts.
 */
import assert from "node:assert/strict";
import { checkReadOnly, type GuardDialect } from "../../connection/guard.ts";
import { parseConfig } from "../../config/parse.ts";
import { EXPLAIN_DEFAULTS, explainSql, explainWanted, parsePostgresExplain } from "../../tools/lib/explain.ts";
import type { ToolLimits } from "../../plugin/tool.ts";
import { connectClient, testDatabase, textOf } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const noPg = !pgUri();

const LIMITS: ToolLimits = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };

/** The test limits with explain_first settings (a variable, as connectClient's parameter names only the basic four). */
function limits(extra: Partial<ToolLimits>): ToolLimits {
  return { ...LIMITS, ...extra };
}

/**
 * Runs `fn` with a schema holding `t` (100,000 rows, id the primary key) and `s` (1,000 rows, analyzed whole, so
 * its cross join is estimated at exactly 1,000,000 rows); drops it afterwards.
 */
async function withTable(fn: (schema: string) => Promise<void>): Promise<void> {
  const schema = `tdmcp_explain_${crypto.randomUUID().slice(0, 8)}`;
  await pgAdmin(
    `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id integer PRIMARY KEY, v text);
     INSERT INTO ${schema}.t SELECT g, 'v' || g FROM generate_series(1, 100000) g; ANALYZE ${schema}.t;
     CREATE TABLE ${schema}.s (id integer PRIMARY KEY); INSERT INTO ${schema}.s SELECT generate_series(1, 1000);
     ANALYZE ${schema}.s`,
  );
  try {
    await fn(schema);
  } finally {
    await pgAdmin(`DROP SCHEMA ${schema} CASCADE`);
  }
}

const CROSS_JOIN = (schema: string) => `SELECT a.id, b.id FROM ${schema}.s a CROSS JOIN ${schema}.s b`;

Deno.test({
  name: "explain_first on PostgreSQL refuses a 1M-row cross join and runs a point query",
  ignore: noPg,
  async fn() {
    await withTable(async (schema) => {
      await using db = testDatabase(pgUri()!);
      await using c = await connectClient(db, limits({ explainFirst: "on" }));
      const refused = await c.call("base_readQuery", { sql: CROSS_JOIN(schema) });
      assert.equal(refused.isError, true, textOf(refused));
      assert.match(textOf(refused), /^Not run: the plan \(EXPLAIN, checked first\) shows about 1,000,000 rows/);
      assert.match(textOf(refused), /1,000,000 estimated rows exceed MAX_ESTIMATED_ROWS \(500,000\)/);
      assert.match(textOf(refused), /1 product join/);
      assert.match(textOf(refused), /Narrow the query: add a WHERE condition.*add LIMIT/);
      assert.doesNotMatch(textOf(refused), /MAX_ESTIMATED_SECONDS/);

      const point = await c.call("base_readQuery", { sql: `SELECT id, v FROM ${schema}.t WHERE id = 42` });
      assert.equal(point.isError, undefined, textOf(point));
      assert.deepEqual(point.structuredContent!.rows, [[42, "v42"]]);
      assert.match(textOf(point), /plan checked first: about 1 rows, cost \d+/);
    });
  },
});

Deno.test({
  name: "explain_first on PostgreSQL follows MAX_ESTIMATED_ROWS and is off by default (auto) unless the call asks",
  ignore: noPg,
  async fn() {
    await withTable(async (schema) => {
      await using db = testDatabase(pgUri()!);
      await using raised = await connectClient(db, limits({ explainFirst: "on", maxEstimatedRows: 2_000_000 }));
      const allowed = await raised.call("base_readQuery", { sql: CROSS_JOIN(schema), row_limit: 5 });
      assert.equal(allowed.isError, undefined, textOf(allowed));
      assert.equal(allowed.structuredContent!.rows.length, 5);

      await using auto = await connectClient(db, LIMITS);
      const unchecked = await auto.call("base_readQuery", { sql: CROSS_JOIN(schema), row_limit: 5 });
      assert.equal(unchecked.isError, undefined, textOf(unchecked));
      assert.doesNotMatch(textOf(unchecked), /plan checked first/);
      const asked = await auto.call("base_readQuery", { sql: CROSS_JOIN(schema), explain_first: true });
      assert.equal(asked.isError, true, textOf(asked));
      assert.match(textOf(asked), /exceed MAX_ESTIMATED_ROWS/);

      await using off = await connectClient(db, limits({ explainFirst: "off" }));
      const notAsked = await off.call("base_readQuery", { sql: CROSS_JOIN(schema), row_limit: 1 });
      assert.equal(notAsked.isError, undefined, textOf(notAsked));
    });
  },
});

Deno.test({
  name: "explain_first with --allow-write explains a locking read the write mode allows, as it would run it",
  ignore: noPg,
  async fn() {
    await withTable(async (schema) => {
      await using db = testDatabase(pgUri()!, { allowWrite: true });
      await using c = await connectClient(db, limits({ explainFirst: "on" }));
      const locked = await c.call("base_readQuery", { sql: `SELECT id FROM ${schema}.t WHERE id = 7 FOR UPDATE` });
      assert.equal(locked.isError, undefined, textOf(locked));
      assert.deepEqual(locked.structuredContent!.rows, [[7]]);
      assert.match(textOf(locked), /plan checked first: about 1 rows/);
    });
  },
});

Deno.test({
  name: "parsePostgresExplain reads the top node of a real plan and spots a cross-join nested loop",
  ignore: noPg,
  async fn() {
    await withTable(async (schema) => {
      const text = await pgAdmin(`EXPLAIN (FORMAT JSON) ${CROSS_JOIN(schema)}`);
      const plan = parsePostgresExplain(text);
      const top = JSON.parse(text)[0].Plan;
      assert.equal(plan.rows, top["Plan Rows"]);
      assert.equal(plan.cost, top["Total Cost"]);
      assert.equal(plan.rows, 1_000_000);
      assert.equal(plan.seconds, null);
      assert.equal(plan.productJoins, 1, text);
      const joined = parsePostgresExplain(
        await pgAdmin(`EXPLAIN (FORMAT JSON) SELECT * FROM ${schema}.t a JOIN ${schema}.t b ON b.id = a.id + 1`),
      );
      assert.equal(joined.productJoins, 0);
      // A text cut inside the child nodes still gives the top node's estimates.
      assert.equal(parsePostgresExplain(text.slice(0, text.indexOf('"Plans"') + 20)).rows, plan.rows);
    });
  },
});

Deno.test("explainWanted: auto means Teradata only; on and the call's explain_first turn it on where EXPLAIN is read", () => {
  assert.equal(explainWanted("teradata", LIMITS, undefined), true);
  assert.equal(explainWanted("teradata", LIMITS, false), true, "false does not turn off the server's check");
  assert.equal(explainWanted("postgres", LIMITS, undefined), false);
  assert.equal(explainWanted("postgres", LIMITS, true), true);
  assert.equal(explainWanted("postgres", { ...LIMITS, explainFirst: "on" }, undefined), true);
  assert.equal(explainWanted("teradata", { ...LIMITS, explainFirst: "off" }, undefined), false);
  assert.equal(explainWanted("sqlite", { ...LIMITS, explainFirst: "on" }, true), false, "SQLite plans are not read");
});

/** Statements the guard allows or refuses, with the forms that once slipped past guards (tests/connection/guard_test.ts). */
const CORPUS: readonly [string, GuardDialect[]][] = [
  ["SELECT 1", ["teradata", "postgres"]],
  ["  /* c */ -- x\n SELECT * FROM t;", ["teradata", "postgres"]],
  ["SELECT 1 -- trailing note", ["teradata", "postgres"]],
  ["SELECT 1;\u2003DELETE FROM t", ["teradata", "postgres"]],
  ["SELECT 1; -- x\nDROP TABLE t", ["teradata", "postgres"]],
  ["SELECT 1 -- ok\n; DELETE FROM t", ["teradata", "postgres"]],
  ["\uFEFFDELETE FROM t", ["teradata", "postgres"]],
  ["\uFEFFSELECT 1", ["teradata", "postgres"]],
  ["WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", ["teradata", "postgres"]],
  ["WITH x AS (SELECT 1 AS a) SELECT a FROM x", ["teradata", "postgres"]],
  ["(SELECT 1) UNION (SELECT 2)", ["teradata", "postgres"]],
  ["SELECT * FROM t FOR UPDATE", ["postgres"]],
  ["SELECT * INTO new_t FROM t", ["postgres"]],
  ["SELECT nextval('s')", ["postgres"]],
  ["SELECT set_config('a.b', 'c', false)", ["postgres"]],
  ["SELECT pg_terminate_backend(1)", ["postgres"]],
  ["VALUES (1), (2)", ["postgres"]],
  ["TABLE t", ["postgres"]],
  ["SELECT {fn pg_backend_pid()}", ["teradata", "postgres"]],
  ["SEL * FROM sales.orders", ["teradata"]],
  ["SEL AND CONSUME TOP 1 a, b FROM db.q", ["teradata"]],
  ["SELECT AND CONSUME TOP 1 * FROM q", ["teradata"]],
  ["SELECT * FROM (SELECT AND CONSUME TOP 1 * FROM q) d", ["teradata"]],
  ["LOCKING ROW FOR ACCESS SELECT * FROM t", ["teradata"]],
  ["LOCKING ROW ACCESS SELECT * FROM t", ["teradata"]],
  ["LOCKING TABLE t FOR WRITE SELECT * FROM t", ["teradata"]],
  ["LOCKING TABLE t FOR EXCLUSIVE DELETE FROM t", ["teradata"]],
  ["CURRENT VALIDTIME SELECT * FROM t", ["teradata"]],
  ["NONSEQUENCED VALIDTIME SELECT * FROM t", ["teradata"]],
  ["SELECT SYSLIB.AbortSessions(1, '*', 0, 'Y', 'Y')", ["teradata"]],
  ["SELECT * FROM TD_SYSFNLIB.WRITE_NOS (ON (SELECT * FROM t) USING LOCATION('/s3/x/')) w", ["teradata"]],
  ["SELECT * FROM FOREIGN TABLE (SELECT 1)@remote AS f", ["teradata"]],
];

Deno.test("EXPLAIN + the agent's SQL passes the guard exactly when the SQL alone does", () => {
  let explained = 0;
  for (const [sql, dialects] of CORPUS) {
    for (const dialect of dialects) {
      const explain = explainSql(sql, dialect);
      if (explain === null) continue;
      explained++;
      const alone = checkReadOnly(sql, dialect);
      const first = checkReadOnly(explain, dialect);
      assert.equal(first.ok, alone.ok, `${dialect}: ${JSON.stringify(sql)} alone ${alone.ok}, explained ${first.ok}`);
    }
  }
  assert.ok(explained >= 40, `${explained} statements explained`);
});

Deno.test("explainSql leaves statements EXPLAIN does not take, and EXPLAINs already written, to run as they are", () => {
  for (const sql of ["HELP TABLE t", "SHOW TABLE t", "EXPLAIN SELECT 1", "DELETE FROM t", "-- c\nUPDATE t SET a = 1"]) {
    assert.equal(explainSql(sql, "teradata"), null, sql);
  }
  assert.equal(explainSql("SHOW search_path", "postgres"), null);
  assert.equal(explainSql("SELECT 1", "sqlite"), null);
  assert.equal(explainSql("SEL 1", "teradata"), "EXPLAIN SEL 1");
  assert.equal(explainSql("SELECT 1", "postgres"), "EXPLAIN (FORMAT JSON) SELECT 1");
});

Deno.test("parseConfig reads EXPLAIN_FIRST, MAX_ESTIMATED_ROWS and MAX_ESTIMATED_SECONDS; flags override them", () => {
  const defaults = parseConfig({}, []).limits;
  assert.deepEqual(
    [defaults.explainFirst, defaults.maxEstimatedRows, defaults.maxEstimatedSeconds],
    [EXPLAIN_DEFAULTS.explainFirst, EXPLAIN_DEFAULTS.maxEstimatedRows, EXPLAIN_DEFAULTS.maxEstimatedSeconds],
  );
  const set = parseConfig({ EXPLAIN_FIRST: "ON", MAX_ESTIMATED_ROWS: "2000", MAX_ESTIMATED_SECONDS: "5" }, [
    "--max-estimated-seconds",
    "7",
  ]).limits;
  assert.deepEqual([set.explainFirst, set.maxEstimatedRows, set.maxEstimatedSeconds], ["on", 2000, 7]);
  assert.throws(
    () => parseConfig({ EXPLAIN_FIRST: "sometimes" }, []),
    /'EXPLAIN_FIRST' must be one of auto, on, off: current value is "sometimes"/,
  );
  assert.throws(() => parseConfig({ MAX_ESTIMATED_ROWS: "0" }, []), /'MAX_ESTIMATED_ROWS' must be an integer from 1/);
});
