/**
 * explain_first on Teradata: the EXPLAIN text parser on real EXPLAIN reports
 * quoted from Teradata's documentation (and one user's published output), and
 * base_readQuery through the Teradata stand-in driver: `EXPLAIN <sql>` is sent
 * first, and the query runs or is refused as MAX_ESTIMATED_ROWS and
 * MAX_ESTIMATED_SECONDS say. The PostgreSQL side: tests/tools/explain_test.ts.
 */
import assert from "node:assert/strict";
import { parseTeradataExplain, teradataSeconds } from "../../tools/lib/explain.ts";
import type { ToolLimits } from "../../plugin/tool.ts";
import { connectClient, textOf } from "../_helpers.ts";
import { run, teradata } from "./_teradata_named.ts";

/**
 * Teradata Database Design 15.00 (B035-1094-015K), "EXPLAIN for Query With Simple Predicate",
 * https://docs.teradata.com/r/ji8nYcbKBTVEaNYVwKF3QQ/TtKmi0rb__hNAqBsPRiOPw
 */
const DOC_SIMPLE_PREDICATE = `Explanation
---------------------------------------------------------------------------
  1) First, we lock a distinct LOUISB."pseudo table" for read on a
     Row Hash to prevent global deadlock for LOUISB.order_join_line.
  2) Next, we lock LOUISB.order_join_line for read.
  3) We do an all-AMPs RETRIEVE step from join index table
     LOUISB.order_join_line by way of an all-rows scan with a condition
     of ("NOT (LOUISB.order_join_line.o_orderdate IS NULL)") into Spool 1,
     which is built locally on the AMPs.  The input table will not be
     cached in memory, but it is eligible for synchronized scanning.
     The result spool file will not be cached in memory.  The size of
     Spool 1 is estimated to be 1,000,000 rows.  The estimated time for
     this step is 4 minutes and 27 seconds.
  4) Finally, we send out an END TRANSACTION step to all AMPs involved
     in processing the request.`;

/**
 * Teradata Database Design 15.00, "EXPLAIN for Query Against Single Table",
 * https://docs.teradata.com/r/ji8nYcbKBTVEaNYVwKF3QQ/HV5s9l9FBCEQBaUOI2~QWw
 */
const DOC_SINGLE_TABLE = `     1) First, we lock a distinct LOUISB."pseudo table" for read on a
        Row Hash to prevent global deadlock for LOUISB.order_join_line.
     2) Next, we lock LOUISB.order_join_line for read.
     3) We do an all-AMPs RETRIEVE step from join index table
        LOUISB.order_join_line by way of an all-rows scan with a condition
        of ("LOUISB.order_join_line.l_partkey = 1001") into Spool 1, which
        is built locally on the AMPs.  The input table will not be cached
        in memory, but it is eligible for synchronized scanning.  The
        result spool file will not be cached in memory.  The size of Spool
        1 is estimated to be 100 rows.  The estimated time for this step
        is 59.60 seconds.
     4) Finally, we send out an END TRANSACTION step to all AMPs involved
        in processing the request.`;

/**
 * Teradata Database Design, "EXPLAIN for Query With Complicated Predicates" (as BTEQ printed it),
 * https://docs.teradata.com/r/w4DJnG9u9GdDlXzsTXyItA/nrRS~yv~Y~0V0u~FJDUQsA
 */
const DOC_COMPLICATED = `    *** Help information returned. 16 rows.
    *** Total elapsed time was 1 second.
     1) First, we lock a distinct LOUISB."pseudo table" for read on a
        Row Hash to prevent global deadlock for LOUISB.cust_order_join_line.
     2) Next, we lock LOUISB.cust_order_join_line for read.
     3) We do an all-AMPs RETRIEVE step from join index table
        LOUISB.cust_order_join_line by way of an all-rows scan with a
        condition of ("LOUISB.cust_order_join_line.c_nationkey = 10") into
        Spool 1, which is built locally on the AMPs.  The input table will
        not be cached in memory, but it is eligible for synchronized
        scanning.  The result spool file will not be cached in memory.
        The size of Spool 1 is estimated to be 200 rows.  The estimated time
        for this step is 3 minutes and 57 seconds.
     4) Finally, we send out an END TRANSACTION step to all AMPs involved
        in processing the request.`;

/**
 * SQL Request and Transaction Processing, Star Join Examples, "Reasonable Unindexed Join without Join
 * Optimization" (part of the output, as the manual gives it; it ends inside step 4),
 * https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/SQL-Request-and-Transaction-Processing/Join-Optimizations/Star-Join-Examples/Reasonable-Unindexed-Join-without-Join-Optimization
 */
const DOC_PRODUCT_JOIN =
  `2) Next, we execute the following steps in parallel. a) We do an all-AMPs RETRIEVE step from TEST.Color by way of an all-rows scan with no residual conditions into Spool 2, which is duplicated on all AMPs. The size of Spool 2 is estimated to be 6 rows. The estimated time for this step is 0.11 seconds. b) We do an all-AMPs JOIN step from TEST.Options by way of an all-rows scan with no residual conditions, which is joined to TEST.Size. TEST.Options and TEST.Size are joined using a merge join, with a join condition of (“TEST.Widgets.description = TEST.Options.description“). The result goes into Spool 3, which is duplicated on all AMPs. Then we do a SORT to order Spool 3 by row hash. The size of Spool 3 is estimated to be 20 rows. The estimated time for this step is 0.46 seconds. 3) We do an all-AMPs JOIN step from Spool 2 (Last Use) by way of an all-rows scan, which is joined to TEST.Widgets. Spool 2 and TEST.Widgets are joined using a product join, with a join condition of (“TEST.Widgets.color = Spool_2.code”). The result goes into Spool 4, which is built locally on the AMPs. Then we do a SORT to order Spool 4 by row hash. The size of Spool 4 is estimated to be 500,000 rows. The estimated time for this step is 3 hours and 28 minutes. 4) We do an all-AMPs JOIN step from Spool 3 (Last Use) by way of an all-rows scan, which is joined to Spool 4 (Last Use). Spool 3 and Spool 4 are joined using a merge join`;

/**
 * A newer release's wording (confidence, bytes, TD_MAP1, the closing total), from one user's published output:
 * https://qiita.com/bickel/items/7291abffe4a8cc6b3d18 ("EXPLAIN select * from t1;")
 */
const QIITA_FULL_SCAN = `Explanation
--------------------------------------------------------------------------------
  1) First, we lock SYSDBA.t1 in TD_MAP1 for read on a reserved RowHash
     to prevent global deadlock.
  2) Next, we lock SYSDBA.t1 in TD_MAP1 for read.
  3) We do an all-AMPs RETRIEVE step in TD_MAP1 from SYSDBA.t1 by way
     of an all-rows scan with no residual conditions into Spool 1
     (group_amps), which is built locally on the AMPs.  The size of
     Spool 1 is estimated with high confidence to be 4,194,309 rows (
     411,042,282 bytes).  The estimated time for this step is 11.31
     seconds.
  4) Finally, we send out an END TRANSACTION step to all AMPs involved
     in processing the request.
  -> The contents of Spool 1 are sent back to the user as the result of
     statement 1.  The total estimated time is 11.31 seconds.`;

Deno.test("parseTeradataExplain reads rows, time, all-AMP steps and product joins from the manuals' EXPLAIN reports", () => {
  assert.deepEqual(parseTeradataExplain(DOC_SIMPLE_PREDICATE), {
    rows: 1_000_000,
    seconds: 4 * 60 + 27,
    cost: null,
    allAmpSteps: 1,
    productJoins: 0,
  });
  // "Spool\n 1 is estimated to be 100 rows": the phrase wraps across lines.
  assert.deepEqual(parseTeradataExplain(DOC_SINGLE_TABLE), {
    rows: 100,
    seconds: 59.6,
    cost: null,
    allAmpSteps: 1,
    productJoins: 0,
  });
  // BTEQ's "16 rows." banner is not an estimate.
  assert.equal(parseTeradataExplain(DOC_COMPLICATED).rows, 200);
  assert.equal(parseTeradataExplain(DOC_COMPLICATED).seconds, 3 * 60 + 57);
  const star = parseTeradataExplain(DOC_PRODUCT_JOIN);
  assert.equal(star.rows, 500_000, "the largest spool");
  // No total in this part of the report: the steps' times are added (parallel steps counted in full).
  assert.equal(Math.round(star.seconds! * 100), Math.round((0.11 + 0.46 + 3 * 3600 + 28 * 60) * 100));
  assert.equal(star.allAmpSteps, 4);
  assert.equal(star.productJoins, 1);
  const qiita = parseTeradataExplain(QIITA_FULL_SCAN);
  assert.equal(qiita.rows, 4_194_309, "estimated with high confidence to be ... rows (... bytes)");
  assert.equal(qiita.seconds, 11.31, "the total estimated time");
});

Deno.test("teradataSeconds reads hours, minutes and seconds, and *** (too large to display) as infinite", () => {
  assert.equal(teradataSeconds("0.00 seconds"), 0);
  assert.equal(teradataSeconds("1 hour and 2 minutes"), 3720);
  assert.equal(teradataSeconds("2 hours, 9 minutes and 21 seconds"), 7761);
  assert.equal(teradataSeconds("1,234.50 seconds"), 1234.5);
  assert.equal(teradataSeconds("***"), Infinity);
  assert.equal(parseTeradataExplain("The size of Spool 3 is estimated to be *** rows.").rows, Infinity);
  assert.deepEqual(parseTeradataExplain("1) First, we lock t for read."), {
    rows: null,
    seconds: null,
    cost: null,
    allAmpSteps: 0,
    productJoins: 0,
  });
});

const LIMITS: ToolLimits = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };

function limits(extra: Partial<ToolLimits> = {}): ToolLimits {
  return { ...LIMITS, ...extra };
}

/** The stand-in answering EXPLAIN with `report`, one row per line as the ODBC driver returns it, and rows otherwise. */
function explaining(report: string) {
  return teradata((sql) =>
    sql.startsWith("EXPLAIN ")
      ? { columns: ["Explanation"], rows: report.split("\n").map((line) => [line]) }
      : { columns: ["order_id"], rows: [[1], [2]] }
  );
}

const SQL = "SEL * FROM sales.orders";

Deno.test("teradata: base_readQuery sends EXPLAIN first by default and runs a plan within the limits", async () => {
  const { db, sent } = explaining(DOC_SINGLE_TABLE);
  await using c = await connectClient(db);
  const { result, statements } = await run(c, sent, "base_readQuery", { sql: SQL });
  assert.equal(result.isError, undefined, textOf(result));
  assert.deepEqual(statements.map((s) => s.sql), [`EXPLAIN ${SQL}`, SQL]);
  assert.deepEqual(result.structuredContent!.rows, [[1], [2]]);
  assert.match(textOf(result), /plan checked first: about 100 rows, about 59.6 s estimated, 1 all-AMP step/);
});

Deno.test("teradata: a plan over MAX_ESTIMATED_ROWS and MAX_ESTIMATED_SECONDS is refused and the query never sent", async () => {
  const { db, sent } = explaining(DOC_SIMPLE_PREDICATE);
  await using c = await connectClient(db);
  const { result, statements } = await run(c, sent, "base_readQuery", { sql: SQL, row_limit: 10 });
  assert.equal(result.isError, true);
  assert.deepEqual(statements.map((s) => s.sql), [`EXPLAIN ${SQL}`]);
  const text = textOf(result);
  assert.match(text, /shows about 1,000,000 rows, about 267 s estimated, 1 all-AMP step/);
  assert.match(text, /1,000,000 estimated rows exceed MAX_ESTIMATED_ROWS \(500,000\)/);
  assert.match(text, /267 estimated seconds exceed MAX_ESTIMATED_SECONDS \(60\)/);
  assert.match(text, /builds the whole answer in spool .* row_limit does not make it cheaper/);
  assert.match(text, /Narrow the query: add a WHERE condition \(best on the primary index\)/);
});

Deno.test("teradata: refusal follows the configured limits, each on its own", async () => {
  const { db, sent } = explaining(DOC_SIMPLE_PREDICATE);
  await using roomy = await connectClient(db, limits({ maxEstimatedRows: 1_000_000, maxEstimatedSeconds: 300 }));
  const ran = await run(roomy, sent, "base_readQuery", { sql: SQL });
  assert.equal(ran.result.isError, undefined, textOf(ran.result));
  assert.deepEqual(ran.statements.map((s) => s.sql), [`EXPLAIN ${SQL}`, SQL]);

  await using slow = await connectClient(db, limits({ maxEstimatedRows: 1_000_000, maxEstimatedSeconds: 266 }));
  const bySeconds = await run(slow, sent, "base_readQuery", { sql: SQL });
  assert.equal(bySeconds.result.isError, true);
  assert.doesNotMatch(textOf(bySeconds.result), /MAX_ESTIMATED_ROWS/);
  assert.match(textOf(bySeconds.result), /267 estimated seconds exceed MAX_ESTIMATED_SECONDS \(266\)/);

  await using big = await connectClient(db, limits({ maxEstimatedRows: 999_999, maxEstimatedSeconds: 300 }));
  const byRows = await run(big, sent, "base_readQuery", { sql: SQL });
  assert.equal(byRows.result.isError, true);
  assert.match(textOf(byRows.result), /exceed MAX_ESTIMATED_ROWS \(999,999\)\. /);
  assert.deepEqual(byRows.statements.map((s) => s.sql), [`EXPLAIN ${SQL}`]);
});

Deno.test("teradata: a product join in the plan is named in the refusal with the way to avoid it", async () => {
  const { db, sent } = explaining(DOC_PRODUCT_JOIN);
  await using c = await connectClient(db);
  const { result } = await run(c, sent, "base_readQuery", { sql: SQL });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /4 all-AMP step\(s\) .*1 product join\(s\) \(every row of one input paired/);
  assert.match(textOf(result), /give every joined table a join condition/);
});

Deno.test("teradata: EXPLAIN_FIRST=off sends the query alone; HELP, SHOW and the agent's own EXPLAIN are not explained", async () => {
  const { db, sent } = explaining(DOC_SIMPLE_PREDICATE);
  await using off = await connectClient(db, limits({ explainFirst: "off" }));
  const alone = await run(off, sent, "base_readQuery", { sql: SQL });
  assert.equal(alone.result.isError, undefined, textOf(alone.result));
  assert.deepEqual(alone.statements.map((s) => s.sql), [SQL]);

  await using c = await connectClient(db);
  for (const sql of ["HELP TABLE sales.orders", "SHOW TABLE sales.orders", `EXPLAIN ${SQL}`]) {
    const r = await run(c, sent, "base_readQuery", { sql });
    assert.equal(r.result.isError, undefined, `${sql}: ${textOf(r.result)}`);
    assert.deepEqual(r.statements.map((s) => s.sql), [sql]);
  }
  const prefixed = "LOCKING ROW FOR ACCESS SEL * FROM sales.orders";
  const locked = await run(c, sent, "base_readQuery", { sql: prefixed, explain_first: false });
  assert.equal(locked.result.isError, true, "explain_first: false does not turn off the server's check");
  assert.deepEqual(locked.statements.map((s) => s.sql), [`EXPLAIN ${prefixed}`]);
});

Deno.test("teradata: a write is refused by the guard before any EXPLAIN is sent", async () => {
  const { db, sent } = explaining(DOC_SINGLE_TABLE);
  await using c = await connectClient(db);
  for (const sql of ["DEL FROM sales.orders", "SEL AND CONSUME TOP 1 * FROM sales.q", "SELECT 1; DELETE FROM t"]) {
    const r = await run(c, sent, "base_readQuery", { sql });
    assert.match(textOf(r.result), /^Refused: /, sql);
    assert.deepEqual(r.statements, [], sql);
  }
});
