import assert from "node:assert/strict";
import {
  postgresWriteRows,
  statementKind,
  teradataWriteRows,
  writeEstimate,
  writeExplainSql,
} from "../../tools/lib/write.ts";

Deno.test("statementKind names DML, Teradata abbreviations, DDL and writes behind WITH or LOCKING", () => {
  assert.equal(statementKind("insert into t values (1)"), "INSERT");
  assert.equal(statementKind("  -- fix\n/* x */ UPD t SET a = 1"), "UPDATE");
  assert.equal(statementKind("DEL FROM t ALL"), "DELETE");
  assert.equal(statementKind("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE"), "MERGE");
  assert.equal(statementKind("create table z (a int)"), "DDL (CREATE)");
  assert.equal(statementKind("DROP TABLE z"), "DDL (DROP)");
  assert.equal(statementKind("WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone"), "DELETE");
  assert.equal(statementKind("LOCKING ROW FOR WRITE UPDATE t SET a = 1 WHERE id = 2"), "UPDATE");
  assert.equal(statementKind("SELECT nextval('s')"), "SELECT");
  assert.equal(statementKind("SELECT 'DELETE FROM t' AS \"UPDATE\""), "SELECT");
  assert.equal(statementKind("WITH x AS (SELECT 'DELETE') SELECT * FROM x"), "WITH");
  assert.equal(statementKind("   "), "statement");
});

Deno.test("writeExplainSql explains DML on PostgreSQL (option list first) and Teradata, nothing else", () => {
  assert.equal(writeExplainSql("UPDATE t SET a = 1", "postgres"), "EXPLAIN (FORMAT JSON) UPDATE t SET a = 1");
  assert.equal(writeExplainSql("ANALYZE UPDATE t SET a = 1", "postgres"), null);
  assert.equal(writeExplainSql("DEL FROM t", "teradata"), "EXPLAIN DEL FROM t");
  assert.equal(writeExplainSql("CREATE TABLE z (a int)", "postgres"), null);
  assert.equal(writeExplainSql("DELETE FROM t", "sqlite"), null);
  assert.equal(writeExplainSql("DELETE FROM t", "generic"), null);
});

Deno.test("PostgreSQL: the rows a ModifyTable node takes from its input, summed over data-modifying CTEs", () => {
  const update = JSON.stringify([{
    Plan: {
      "Node Type": "ModifyTable",
      "Plan Rows": 0,
      Plans: [
        { "Node Type": "Result", "Parent Relationship": "InitPlan", "Plan Rows": 1 },
        { "Node Type": "Index Scan", "Parent Relationship": "Outer", "Plan Rows": 99 },
      ],
    },
  }]);
  assert.equal(postgresWriteRows(update), 99);
  const cte = JSON.stringify([{
    Plan: {
      "Node Type": "Aggregate",
      "Plan Rows": 1,
      Plans: [{
        "Node Type": "ModifyTable",
        "Parent Relationship": "InitPlan",
        Plans: [{ "Node Type": "Seq Scan", "Parent Relationship": "Outer", "Plan Rows": 1000 }],
      }, {
        "Node Type": "ModifyTable",
        "Parent Relationship": "InitPlan",
        Plans: [{ "Node Type": "Values Scan", "Parent Relationship": "Outer", "Plan Rows": 2 }],
      }],
    },
  }]);
  assert.equal(postgresWriteRows(cte), 1002);
  assert.equal(postgresWriteRows('[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 5}}]'), null);
  assert.equal(postgresWriteRows('[{"Plan": {"Node Type": "ModifyTab'), null);
  assert.equal(writeEstimate([[update]], "postgres"), 99);
});

Deno.test("Teradata: a DELETE step's own size (the manual's example)", () => {
  const text = `  1) First, we do a single-AMP DELETE from RS.rls_tbl by way of the
     primary index "RS.rls_tbl.col1 = 2" with a residual condition of (
     "((SYSLIB.DELETELEVEL (RS.rls_tbl.levels ))= 'T')").  The size is estimated with no confidence to be 2 rows.
     The estimated time for this step is 0.01 seconds.
  -> No rows are returned to the user as the result of statement 1.
     The total estimated time is 0.01 seconds.`;
  assert.equal(teradataWriteRows(text), 2);
  assert.equal(writeEstimate(text.split("\n").map((line) => [line]), "teradata"), 2);
});

Deno.test("Teradata: a MERGE from a spool without its own size changes that spool's rows", () => {
  const text = `  1) First, we lock a distinct test01."pseudo table" for write on a RowHash to prevent global deadlock.
  4) We do an all-AMPs RETRIEVE step from au.az_clicks by way of an all-rows scan with no residual conditions into
     Spool 1 (all_amps), which is built locally on the AMPs. The size of Spool 1 is estimated with low confidence
     to be 254,863 rows. The estimated time for this step is 4.53 seconds.
  5) We do an all-AMPs MERGE into test01.webclicks from Spool 1 (Last Use).
  6) We spoil the parser's dictionary cache for the table.
  7) Finally, we send out an END TRANSACTION step to all AMPs involved in processing the request.`;
  assert.equal(teradataWriteRows(text), 254_863);
});

Deno.test("Teradata: a MERGE step stating its own size counts that, not the spool's", () => {
  const text = ` 6) We do an all-AMPs RETRIEVE step from C by way of an all-rows scan with no residual conditions into
 Spool 1 (all_amps). The size of Spool 1 is estimated with high confidence to be 682,647,519 rows (88,061,529,951
 bytes). The estimated time for this step is 18.36 seconds.
 7) We do a SORT to order Spool 1 by row hash.
 8) We do an all-AMPs MERGE into A from Spool 1 (Last Use). The size is estimated with high confidence to be
 600,000 rows. The estimated time for this step is 2 hours and 21 minutes.`;
  assert.equal(teradataWriteRows(text), 600_000);
  assert.equal(teradataWriteRows(text.replace("600,000", "***")), Infinity);
});

Deno.test("Teradata: an UPDATE by way of the primary index, and a report with no write step", () => {
  const update = ` 1) First, we do a single-AMP UPDATE from shop.orders by way of the unique primary index
 "shop.orders.id = 7" with no residual conditions. The size is estimated with high confidence to be 1 row.
 The estimated time for this step is 0.01 seconds.`;
  assert.equal(teradataWriteRows(update), 1);
  const insert = ` 1) First, we do an INSERT into shop.orders. The estimated time for this step is 0.03 seconds.`;
  assert.equal(teradataWriteRows(insert), null);
  const create = ` 1) First, we lock shop.z for exclusive use. 2) Next, we create the table header.`;
  assert.equal(teradataWriteRows(create), null);
});
