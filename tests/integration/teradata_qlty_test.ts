/**
 * The data-quality tools and base_columnMetadata on a live Teradata; runs only
 * when TERADATA_TEST_URI is set, e.g.
 * `TERADATA_TEST_URI=teradata://user:pass@host/db deno task test tests/integration/teradata_qlty_test.ts`
 * (Teradata 16.20 or later for PERCENTILE_CONT). It reads only the DBC
 * dictionary view DBC.DatabasesVX, which every user can select, and checks
 * each tool against plain SQL sent through base_readQuery. DatabasesVX is a
 * view, so column types come from the HELP COLUMN fallback.
 */
import assert from "node:assert/strict";
import type { Cell } from "../../connection/types.ts";
import { connectClient, textOf } from "../_helpers.ts";
import { liveTeradata } from "./_teradata_live.ts";

const VIEW = { table_name: "DatabasesVX", database_name: "DBC" };

type Client = Awaited<ReturnType<typeof connectClient>>;

const live = liveTeradata(connectClient);

async function ok(c: Client, tool: string, args: Record<string, unknown>) {
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  const content = r.structuredContent! as typeof r.structuredContent & { summary?: Record<string, Cell> };
  return { ...content, summary: content.summary ?? {} };
}

/** One number from a statement sent through base_readQuery. */
async function scalar(c: Client, sql: string): Promise<number> {
  const r = await ok(c, "base_readQuery", { sql });
  return Number(r.rows[0][0]);
}

const near = (a: Cell, b: number, what: string) =>
  assert.ok(Math.abs(Number(a) - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

live("qlty_missingValues, qlty_columnSummary and qlty_rowsWithMissingValues agree with plain counts", async (c) => {
  const total = await scalar(c, "SEL COUNT(*) FROM DBC.DatabasesVX");
  const missing = await ok(c, "qlty_missingValues", VIEW);
  assert.equal(missing.summary.total_rows, total);
  const comment = missing.rows.find((r) => String(r[0]).trim() === "CommentString")!;
  const noComment = await scalar(c, "SEL COUNT(*) FROM DBC.DatabasesVX WHERE CommentString IS NULL");
  assert.equal(comment[2], noComment);
  const profile = await ok(c, "qlty_columnSummary", VIEW);
  const name = profile.rows.find((r) => String(r[0]).trim() === "DatabaseName")!;
  assert.deepEqual(name.slice(2), [total, 0, total], "database names are unique and never NULL");
  const rows = await ok(c, "qlty_rowsWithMissingValues", { ...VIEW, columns: ["CommentString"], row_limit: 3 });
  assert.equal(rows.summary.matching_rows, noComment);
  assert.ok(rows.row_count <= 3);
});

live("qlty_distinctCategories and qlty_duplicateRows match GROUP BY counts", async (c) => {
  const kinds = await ok(c, "base_readQuery", {
    sql: "SEL DBKind, COUNT(*) FROM DBC.DatabasesVX GROUP BY 1 ORDER BY 2 DESC",
  });
  const r = await ok(c, "qlty_distinctCategories", { ...VIEW, column_name: "DBKind" });
  assert.equal(r.summary.distinct_values, kinds.row_count);
  assert.deepEqual(
    r.rows.map((row) => [String(row[0]).trim(), row[1]]).sort(),
    kinds.rows.map((row) => [String(row[0]).trim(), Number(row[1])]).sort(),
  );
  const dup = await ok(c, "qlty_duplicateRows", { ...VIEW, columns: ["DBKind"] });
  assert.equal(dup.summary.duplicate_groups, kinds.rows.filter((row) => Number(row[1]) > 1).length);
});

live("numeric statistics of a DBC column agree with AVG, STDDEV_POP and PERCENTILE_CONT", async (c) => {
  const negatives = await ok(c, "qlty_negativeValues", VIEW);
  assert.ok(negatives.rows.length > 0, "HELP COLUMN typed the view's numeric columns");
  for (const [column, , count] of negatives.rows) {
    const expected = await scalar(c, `SEL COUNT(*) FROM DBC.DatabasesVX WHERE "${column}" < 0`);
    assert.equal(count, expected, String(column));
  }
  const column = String(negatives.rows[0][0]).trim();
  const x = `CAST("${column}" AS FLOAT)`;
  const sd = await ok(c, "qlty_standardDeviation", { ...VIEW, column_name: column });
  near(sd.rows[0][2], await scalar(c, `SEL AVG(${x}) FROM DBC.DatabasesVX`), "mean");
  near(sd.rows[0][3], await scalar(c, `SEL STDDEV_POP(${x}) FROM DBC.DatabasesVX`), "stddev");
  const uni = await ok(c, "qlty_univariateStatistics", { ...VIEW, column_name: column });
  const [, , min, max, , , p25, median, p75] = uni.rows[0].map(Number);
  near(median, await scalar(c, `SEL PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ${x}) FROM DBC.DatabasesVX`), "median");
  assert.ok(min <= p25 && p25 <= median && median <= p75 && p75 <= max);
  const outliers = await ok(c, "qlty_outliers", { ...VIEW, column_name: column, k: 1 });
  const beyond = await scalar(
    c,
    `SEL COUNT(*) FROM DBC.DatabasesVX, (SEL AVG(${x}) AS m, STDDEV_POP(${x}) AS s FROM DBC.DatabasesVX) a
WHERE ABS(${x} - a.m) > a.s`,
  );
  assert.equal(outliers.summary.outlier_rows, beyond);
});

live("base_columnMetadata pages through DBC views and matches base_columnDescription", async (c) => {
  const tables = ["DatabasesVX", "TablesVX"];
  const listed: Cell[][] = [];
  let token: Cell = null;
  do {
    const page = await ok(c, "base_columnMetadata", {
      database_name: "DBC",
      table_names: tables,
      ...(token === null ? {} : { page_token: token }),
    });
    listed.push(...page.rows);
    token = page.summary.next_page_token;
  } while (token !== null);
  const expected: string[] = [];
  for (const table of tables) {
    const cols = await ok(c, "base_columnDescription", { table_name: table, database_name: "DBC" });
    for (const col of cols.rows) expected.push(`${table}.${String(col[0]).trim()}`);
  }
  assert.deepEqual(listed.map((r) => `${String(r[1]).trim()}.${String(r[2]).trim()}`).sort(), expected.sort());
  // DBC.ColumnsVX gives no type for view columns: HELP COLUMN types them (at most 20 views a call), or the row says
  // why it could not (status NO_ACCESS or BROKEN_VIEW).
  assert.ok(
    listed.every((r) => typeof r[3] === "string" || r[10] === "NO_ACCESS" || r[10] === "BROKEN_VIEW" || r[3] === null),
    "every view column is typed, marked, or left untyped past the HELP COLUMN budget",
  );
  assert.ok(listed.some((r) => typeof r[3] === "string"), "HELP COLUMN typed some DBC view columns");
});
