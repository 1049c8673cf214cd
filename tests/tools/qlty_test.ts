/**
 * The data-quality tools (qlty_*) and base_columnMetadata through a real MCP
 * client, on SQLite and PostgreSQL (and one generic-dialect pass over ODBC
 * catalog calls). Expected values come from the demo formulas (demo/) and
 * from a small table built here with NULLs, negatives, duplicates and an
 * outlier placed on purpose; both are computed in TypeScript, never read
 * back from a database.
 */
import assert from "node:assert/strict";
import { runScript } from "../../connection/script.ts";
import type { Cell, Database } from "../../connection/types.ts";
import { orderLines } from "../../demo/orders.ts";
import { COUNTS } from "../../demo/rows.ts";
import { demoFacts } from "../../demo/schema.ts";
import {
  connectClient,
  demoPostgresUri,
  demoSqlitePath,
  genericDatabase,
  PG_DEMO_SCHEMA,
  sqliteFixture,
  testDatabase,
  textOf,
} from "../_helpers.ts";
import { pgUri } from "../_pg.ts";

/** Bump when the rows change (the SQLite fixture file is cached by name). */
const VERSION = "1";

/** The PostgreSQL schema holding the cases. */
const PG_QLTY_SCHEMA = `tdmcp_qlty_v${VERSION}`;

type Client = Awaited<ReturnType<typeof connectClient>>;
type Summary = Record<string, Cell>;

interface Target {
  label: string;
  /** Opens a Database holding both the demo tables and the quality cases, or undefined to skip. */
  open(): Promise<{ demo: Database; cases: Database } | undefined>;
  /** Schema of the demo tables and of the cases. */
  demo: string;
  cases: string;
}

const TARGETS: Target[] = [
  {
    label: "sqlite",
    demo: "main",
    cases: "main",
    open: async () => ({
      demo: testDatabase(`sqlite://${await demoSqlitePath()}`),
      cases: testDatabase(`sqlite://${await qltySqlitePath()}`),
    }),
  },
  {
    label: "postgres",
    demo: PG_DEMO_SCHEMA,
    cases: PG_QLTY_SCHEMA,
    open: async () => {
      const uri = await demoPostgresUri();
      if (uri === undefined || await qltyPostgresUri() === undefined) return undefined;
      const db = testDatabase(uri);
      return { demo: db, cases: db };
    },
  },
];

interface Clients {
  demo: Client;
  cases: Client;
  target: Target;
  /** The Database behind `demo`, for a client with other limits. */
  demoDb: Database;
}

function test(name: string, fn: (c: Clients) => Promise<void>) {
  for (const target of TARGETS) {
    Deno.test({
      name: `${target.label}: ${name}`,
      ignore: target.label === "postgres" && !pgUri(),
      async fn() {
        const dbs = await target.open();
        assert.ok(dbs, "the target database must be available");
        try {
          await using demo = await connectClient(dbs.demo);
          await using cases = dbs.cases === dbs.demo ? demo : await connectClient(dbs.cases);
          await fn({ demo, cases, target, demoDb: dbs.demo });
        } finally {
          await dbs.demo.close();
          if (dbs.cases !== dbs.demo) await dbs.cases.close();
        }
      },
    });
  }
}

/** Calls a tool, fails on an error result, and returns rows, summary and text. */
async function ok(c: Client, tool: string, args: Record<string, unknown>) {
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  const content = r.structuredContent! as typeof r.structuredContent & { summary?: Summary };
  return { ...content, summary: content.summary ?? {}, text: textOf(r) };
}

/** Rows keyed by their first cell. */
function byName(rows: Cell[][]): Map<string, Cell[]> {
  return new Map(rows.map((r) => [String(r[0]), r]));
}

function close(actual: Cell, expected: number, what: string, tolerance = 1e-9) {
  assert.ok(typeof actual === "number", `${what}: ${actual} is not a number`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} differs from ${expected}`,
  );
}

const count = (values: Value[], test: (v: Value) => boolean) => values.filter(test).length;

test("qlty_missingValues counts NULLs per column, exactly as placed and as the demo formulas say", async ({ demo, cases, target }) => {
  const r = await ok(cases, "qlty_missingValues", { table_name: "quality_cases", database_name: target.cases });
  const rows = caseRows();
  assert.deepEqual(r.rows.map((row) => row[0]), CASE_COLUMNS.map(([name]) => name));
  for (const [name] of CASE_COLUMNS) {
    const nulls = count(columnValues(name), (v) => v === null);
    const row = byName(r.rows).get(name)!;
    assert.equal(row[2], nulls, name);
    assert.equal(row[3], Math.round((nulls * 10_000) / rows.length) / 100, name);
  }
  assert.equal(r.summary.total_rows, rows.length);
  assert.equal(r.summary.columns_with_nulls, 4); // category, amount, score, label
  const facts = demoFacts();
  const orders = byName((await ok(demo, "qlty_missingValues", { table_name: `${target.demo}.orders` })).rows);
  assert.equal(orders.get("store_id")![2], facts.ordersWithoutStore);
  assert.equal(orders.get("shipped_date")![2], facts.ordersNotShipped);
  assert.equal(orders.get("promo_code")![2], facts.rows.orders - facts.ordersWithPromo);
  assert.equal(orders.get("order_id")![2], 0);
  const customers = await ok(demo, "qlty_missingValues", { table_name: "customers", database_name: target.demo });
  assert.equal(byName(customers.rows).get("email")![2], facts.customersWithoutEmail);
  assert.equal(byName(customers.rows).get("phone")![2], facts.customersWithoutPhone);
  assert.equal(customers.summary.total_rows, facts.rows.customers);
});

test("qlty_negativeValues lists only numeric columns and counts values below zero", async ({ demo, cases, target }) => {
  const r = await ok(cases, "qlty_negativeValues", { table_name: "quality_cases", database_name: target.cases });
  assert.deepEqual(r.rows.map((row) => row[0]), NUMERIC_COLUMNS);
  for (const name of NUMERIC_COLUMNS) {
    const negatives = count(columnValues(name), (v) => typeof v === "number" && v < 0);
    assert.equal(byName(r.rows).get(name)![2], negatives, name);
  }
  assert.equal(byName(r.rows).get("amount")![2], 5);
  assert.equal(r.summary.columns_with_negatives, 2);
  const items = await ok(demo, "qlty_negativeValues", { table_name: "order_items", database_name: target.demo });
  assert.equal(items.summary.total_rows, demoFacts().rows.order_items);
  assert.ok(items.rows.every((row) => row[2] === 0), "the demo has no negative numbers");
  const none = await ok(demo, "qlty_negativeValues", { table_name: "regions", database_name: target.demo });
  assert.deepEqual(none.rows.map((row) => row[0]), ["region_id"]);
});

test("qlty_columnSummary gives non-null, null and distinct counts for every column", async ({ cases, target }) => {
  const r = await ok(cases, "qlty_columnSummary", { table_name: "quality_cases", database_name: target.cases });
  const rows = byName(r.rows);
  for (const [name] of CASE_COLUMNS) {
    const values = columnValues(name);
    const present = values.filter((v) => v !== null);
    assert.deepEqual(
      rows.get(name)!.slice(2),
      [present.length, values.length - present.length, new Set(present).size],
      name,
    );
  }
  assert.equal(r.summary.total_rows, caseRows().length);
  assert.match(String(rows.get("amount")![1]), /^numeric/i);
});

test("qlty_distinctCategories returns values most frequent first with totals beyond the limit", async ({ demo, cases, target }) => {
  const all = await ok(cases, "qlty_distinctCategories", {
    table_name: "quality_cases",
    database_name: target.cases,
    column_name: "category",
  });
  const expected = new Map<Value, number>();
  for (const v of columnValues("category")) expected.set(v, (expected.get(v) ?? 0) + 1);
  assert.deepEqual(all.rows.map((row) => [row[0], row[1]]), [...expected].sort((a, b) => b[1] - a[1]));
  assert.deepEqual(all.summary, { distinct_values: expected.size, total_rows: caseRows().length });
  assert.equal(all.truncated, false);
  const top = await ok(cases, "qlty_distinctCategories", {
    table_name: "quality_cases",
    database_name: target.cases,
    column_name: "CATEGORY",
    limit: 2,
  });
  assert.deepEqual(top.rows, [["a", 15, 35.71], ["b", 12, 28.57]]);
  assert.equal(top.truncated, true);
  assert.equal(top.summary.distinct_values, 5);
  const facts = demoFacts();
  const status = await ok(demo, "qlty_distinctCategories", {
    table_name: "orders",
    database_name: target.demo,
    column_name: "status",
  });
  assert.deepEqual(Object.fromEntries(status.rows.map(([v, n]) => [String(v), n])), facts.ordersPerStatus);
  assert.deepEqual(status.summary, { distinct_values: 5, total_rows: facts.rows.orders });
});

test("qlty_standardDeviation and qlty_univariateStatistics agree with two-pass and sorted computations", async ({ cases, target }) => {
  for (const name of ["amount", "score", "ratio"]) {
    const values = columnValues(name);
    const { count: n, mean, stddev } = meanAndStddev(values);
    const sd = await ok(cases, "qlty_standardDeviation", {
      table_name: "quality_cases",
      database_name: target.cases,
      column_name: name,
    });
    assert.equal(sd.rows[0][1], n);
    close(sd.rows[0][2], mean, `${name} mean`);
    close(sd.rows[0][3], stddev, `${name} stddev`);
    const uni = await ok(cases, "qlty_univariateStatistics", {
      table_name: "quality_cases",
      database_name: target.cases,
      column_name: name,
    });
    const xs = values.filter((v): v is number => v !== null);
    const [, count, min, max, m, s, p25, median, p75] = uni.rows[0];
    assert.deepEqual([count, min, max], [n, Math.min(...xs), Math.max(...xs)], name);
    close(m, mean, `${name} mean`);
    close(s, stddev, `${name} stddev`);
    close(p25, percentileCont(values, 0.25), `${name} p25`);
    close(median, percentileCont(values, 0.5), `${name} median`);
    close(p75, percentileCont(values, 0.75), `${name} p75`);
  }
});

test("univariate statistics of demo columns match their formulas (1,000,000 rows and order quantities)", async ({ demo, target }) => {
  const big = await ok(demo, "qlty_univariateStatistics", {
    table_name: "big",
    database_name: target.demo,
    column_name: "amount",
  });
  // amount = 0.5 * i for i = 1..1,000,000: quantiles interpolate between neighbours 0.5 apart.
  const [, n, min, max, mean, stddev, p25, median, p75] = big.rows[0];
  assert.deepEqual([n, min, max], [1_000_000, 0.5, 500_000]);
  close(mean, 250_000.25, "mean");
  close(stddev, 0.5 * Math.sqrt((1_000_000 ** 2 - 1) / 12), "stddev", 1e-7);
  close(p25, 125_000.375, "p25");
  close(median, 250_000.25, "median");
  close(p75, 375_000.125, "p75");
  const quantities: number[] = [];
  for (let i = 1; i <= COUNTS.orders; i++) for (const line of orderLines(i)) quantities.push(line.quantity);
  const expected = meanAndStddev(quantities);
  const q = await ok(demo, "qlty_univariateStatistics", {
    table_name: "order_items",
    database_name: target.demo,
    column_name: "quantity",
  });
  assert.equal(q.rows[0][1], quantities.length);
  close(q.rows[0][4], expected.mean, "quantity mean");
  close(q.rows[0][5], expected.stddev, "quantity stddev");
  assert.deepEqual(q.rows[0].slice(6), [0.25, 0.5, 0.75].map((p) => percentileCont(quantities, p)));
});

test("qlty_outliers finds the value placed k standard deviations out, and nothing beyond", async ({ demo, cases, target }) => {
  const args = { table_name: "quality_cases", database_name: target.cases, column_name: "score" };
  const { mean, stddev, count: n } = meanAndStddev(columnValues("score"));
  const r = await ok(cases, "qlty_outliers", args);
  assert.equal(r.rows.length, 1);
  assert.deepEqual(r.rows[0].slice(0, 2), [1000, 1]);
  close(r.rows[0][2], (1000 - mean) / stddev, "z_score");
  assert.equal(r.summary.count, n);
  assert.equal(r.summary.outlier_rows, 1);
  assert.equal(r.summary.k, 3);
  close(r.summary.upper_bound, mean + 3 * stddev, "upper_bound");
  const far = await ok(cases, "qlty_outliers", { ...args, k: 10 });
  assert.deepEqual([far.rows, far.summary.outlier_rows], [[], 0]);
  // Demo order quantities (1..5): at k = 1 every value farther than one stddev from the mean counts.
  const quantities: number[] = [];
  for (let i = 1; i <= COUNTS.orders; i++) for (const line of orderLines(i)) quantities.push(line.quantity);
  const q = meanAndStddev(quantities);
  const outside = quantities.filter((x) => Math.abs(x - q.mean) > q.stddev);
  const capped = await ok(demo, "qlty_outliers", {
    table_name: "order_items",
    database_name: target.demo,
    column_name: "quantity",
    k: 1,
    limit: 1,
  });
  assert.equal(capped.summary.outlier_rows, outside.length);
  assert.equal(capped.summary.outlier_values, new Set(outside).size);
  assert.equal(capped.rows.length, 1);
  const farthest = [...new Set(outside)].sort((a, b) => Math.abs(b - q.mean) - Math.abs(a - q.mean))[0];
  assert.deepEqual(capped.rows[0].slice(0, 2), [farthest, outside.filter((x) => x === farthest).length]);
  assert.equal(capped.truncated, new Set(outside).size > 1);
});

test("qlty_rowsWithMissingValues returns capped rows and counts them all", async ({ cases, target }) => {
  const base = { table_name: "quality_cases", database_name: target.cases };
  const rows = caseRows();
  const any = await ok(cases, "qlty_rowsWithMissingValues", base);
  const expected = rows.filter((r) => r.includes(null));
  assert.equal(any.summary.matching_rows, expected.length);
  assert.deepEqual(
    any.rows.map((r) => Number(r[0])).sort((a, b) => a - b),
    expected.map((r) => r[0]).sort((a, b) => Number(a) - Number(b)),
  );
  assert.ok(any.rows.every((r) => r.includes(null)));
  const some = await ok(cases, "qlty_rowsWithMissingValues", { ...base, columns: ["score", "amount"], row_limit: 2 });
  const scoreOrAmount = rows.filter((r) => r[2] === null || r[3] === null);
  assert.equal(some.summary.matching_rows, scoreOrAmount.length);
  assert.deepEqual([some.row_count, some.truncated, some.truncated_by], [2, true, "rows"]);
  assert.ok(some.rows.every((r) => r[2] === null || r[3] === null));
  const none = await ok(cases, "qlty_rowsWithMissingValues", { ...base, columns: ["id"] });
  assert.deepEqual([none.row_count, none.summary.matching_rows, none.columns.length], [0, 0, CASE_COLUMNS.length]);
});

test("qlty_duplicateRows groups exact copies and duplicates on chosen columns", async ({ cases, target }) => {
  const base = { table_name: "quality_cases", database_name: target.cases };
  const exact = await ok(cases, "qlty_duplicateRows", base);
  const allColumns = duplicateGroups(CASE_COLUMNS.map(([n]) => n));
  assert.equal(exact.summary.duplicate_groups, allColumns.size);
  assert.equal(exact.rows.length, 1);
  assert.equal(Number(exact.rows[0][0]), 20);
  assert.equal(exact.rows[0].at(-1), 3);
  assert.equal(exact.summary.surplus_rows, 2);
  const keyed = await ok(cases, "qlty_duplicateRows", { ...base, columns: ["category", "label"], limit: 2 });
  const groups = duplicateGroups(["category", "label"]);
  const inGroups = [...groups.values()].reduce((a, b) => a + b, 0);
  assert.deepEqual(keyed.summary, {
    duplicate_groups: groups.size,
    rows_in_duplicate_groups: inGroups,
    surplus_rows: inGroups - groups.size,
  });
  assert.deepEqual(keyed.columns.map((c) => c.name), ["category", "label", "occurrences"]);
  assert.deepEqual(keyed.rows[0], ["b", "u20", 3]);
  assert.equal(keyed.rows.length, 2);
  assert.equal(keyed.truncated, true);
});

test("a table wider than one SELECT's aggregate budget is profiled in batches with the same answers", async ({ cases, target }) => {
  const wide = { table_name: "wide_cases", database_name: target.cases };
  const missing = await ok(cases, "qlty_missingValues", wide);
  assert.equal(missing.row_count, WIDE_COLUMNS);
  assert.ok(missing.rows.every((r) => r[2] === 1), "each column is NULL in exactly one of three rows");
  const summary = await ok(cases, "qlty_columnSummary", wide);
  const rows = wideRows();
  summary.rows.forEach((r, k) => {
    const values = rows.map((row) => row[k]).filter((v) => v !== null);
    assert.deepEqual(r.slice(2), [2, 1, new Set(values).size], String(r[0]));
  });
});

test("empty tables, unknown columns, text columns and missing tables give answers or errors an agent can act on", async ({ cases, target }) => {
  const empty = { table_name: "empty_cases", database_name: target.cases };
  const sd = await ok(cases, "qlty_standardDeviation", { ...empty, column_name: "x" });
  assert.deepEqual(sd.rows, [["x", 0, null, null]]);
  const uni = await ok(cases, "qlty_univariateStatistics", { ...empty, column_name: "x" });
  assert.deepEqual(uni.rows[0].slice(1), [0, null, null, null, null, null, null, null]);
  const none = await ok(cases, "qlty_distinctCategories", { ...empty, column_name: "y" });
  assert.deepEqual([none.rows, none.summary.distinct_values], [[], 0]);
  const outliers = await ok(cases, "qlty_outliers", { ...empty, column_name: "x" });
  assert.deepEqual([outliers.rows, outliers.summary.outlier_rows], [[], 0]);
  const base = { table_name: "quality_cases", database_name: target.cases };
  const unknown = await cases.call("qlty_standardDeviation", { ...base, column_name: "scor" });
  assert.equal(unknown.isError, true);
  assert.match(textOf(unknown), /no column `scor` in `quality_cases`; its columns are: id, category, amount, score/);
  const text = await cases.call("qlty_outliers", { ...base, column_name: "label" });
  assert.match(textOf(text), /column `label` is (VARCHAR|character varying).*, not numeric/i);
  const quoted = await cases.call("qlty_duplicateRows", { ...base, columns: [`label" FROM x; --`] });
  assert.match(textOf(quoted), /no column `label" FROM x; --`/);
  for (const tool of ["qlty_missingValues", "qlty_columnSummary", "qlty_negativeValues"]) {
    const missing = await cases.call(tool, { table_name: "quality_case", database_name: target.cases });
    assert.equal(missing.isError, true, tool);
    assert.match(textOf(missing), /no table or view `quality_case`.*similar: quality_cases/, tool);
  }
});

test("base_columnMetadata pages through every column of a schema within its row and byte budget", async ({ demo, demoDb, target }) => {
  await using small = await connectClient(demoDb, {
    defaultRows: 7,
    maxRows: 100,
    timeoutMs: 30_000,
    maxTimeoutMs: 60_000,
  });
  const pages: Cell[][][] = [];
  let token: Cell = null;
  do {
    const page = await ok(small, "base_columnMetadata", {
      database_name: target.demo,
      ...(token === null ? {} : { page_token: token }),
    });
    assert.ok(page.row_count <= 7 && page.row_count > 0);
    assert.ok(Number(page.summary.page_bytes) <= Number(page.summary.byte_budget));
    pages.push(page.rows);
    token = page.summary.next_page_token;
    assert.equal(page.truncated, token !== null);
  } while (token !== null && pages.length < 100);
  const listed = pages.flat();
  assert.ok(pages.length > 3, `expected several pages, got ${pages.length}`);
  const tables = await ok(demo, "base_tableList", { database_name: target.demo });
  const expected: string[] = [];
  for (const name of tables.rows.map((r) => String(r[1])).sort()) {
    const cols = await ok(demo, "base_columnDescription", { table_name: name, database_name: target.demo });
    for (const col of cols.rows) expected.push(`${name}.${col[0]}:${col[1]}:${col[2]}`);
  }
  const got = listed.map((r) => `${r[1]}.${r[2]}:${r[3]}:${r[4]}`);
  assert.deepEqual(got.toSorted(), expected.toSorted());
  assert.equal(new Set(got).size, got.length, "no column is listed twice");
});

test("base_columnMetadata narrows by pattern or list and refuses a token from other arguments", async ({ demo, demoDb, target }) => {
  const filtered = await ok(demo, "base_columnMetadata", { database_name: target.demo, table_filter: "order%" });
  assert.deepEqual([...new Set(filtered.rows.map((r) => r[1]))], ["order_items", "orders"]);
  assert.deepEqual(filtered.rows.slice(0, 2).map((r) => [r[2], r[5]]), [["order_id", 1], ["line_no", 2]]);
  const listed = await ok(demo, "base_columnMetadata", {
    database_name: target.demo,
    table_names: ["stores", "regions"],
  });
  assert.deepEqual([...new Set(listed.rows.map((r) => r[1]))], ["regions", "stores"]);
  assert.deepEqual([listed.row_count, listed.summary.next_page_token], [8, null]);
  await using small = await connectClient(demoDb, {
    defaultRows: 3,
    maxRows: 10,
    timeoutMs: 30_000,
    maxTimeoutMs: 60_000,
  });
  const first = await ok(small, "base_columnMetadata", { database_name: target.demo, table_names: ["stores"] });
  const token = first.summary.next_page_token;
  assert.equal(typeof token, "string");
  const other = await small.call("base_columnMetadata", { database_name: target.demo, page_token: token });
  assert.match(textOf(other), /page_token belongs to a call with other arguments/);
  const forged = await small.call("base_columnMetadata", {
    database_name: target.demo,
    page_token: "bm90IGEgdG9rZW4=",
  });
  assert.match(textOf(forged), /page_token is not a token this tool returned/);
  const next = await ok(small, "base_columnMetadata", {
    database_name: target.demo,
    table_names: ["stores"],
    page_token: token,
  });
  assert.deepEqual(next.rows.map((r) => r[5]), [4, 5, 6]);
});

Deno.test("generic dialect: the quality tools and base_columnMetadata run on ODBC catalog calls and plain SQL", async () => {
  const dir = await Deno.makeTempDir();
  const previous = Deno.env.get("ODBCINI");
  try {
    await Deno.writeTextFile(`${dir}/odbc.ini`, `[tdmcp_qlty]\nDriver=SQLite3\nDatabase=${await qltySqlitePath()}\n`);
    Deno.env.set("ODBCINI", `${dir}/odbc.ini`); // unixODBC's user DSN file
    await using db = genericDatabase("DSN=tdmcp_qlty");
    assert.equal(db.dialect, "generic");
    await using c = await connectClient(db, { defaultRows: 50, maxRows: 100, timeoutMs: 30_000, maxTimeoutMs: 60_000 });
    const { tools } = await c.client.listTools();
    for (const name of QUALITY_TOOLS) assert.ok(tools.some((t) => t.name === name), `${name} is listed`);
    const table = { table_name: "quality_cases" };
    const missing = await ok(c, "qlty_missingValues", table);
    assert.deepEqual(
      missing.rows.map((r) => [r[0], r[2]]),
      CASE_COLUMNS.map(([name]) => [name, count(columnValues(name), (v) => v === null)]),
    );
    const negative = await ok(c, "qlty_negativeValues", table);
    assert.deepEqual(negative.rows.map((r) => r[0]), NUMERIC_COLUMNS, "numeric columns from ODBC DATA_TYPE");
    const uni = await ok(c, "qlty_univariateStatistics", { ...table, column_name: "amount" });
    const values = columnValues("amount");
    for (const [i, p] of [[6, 0.25], [7, 0.5], [8, 0.75]]) close(uni.rows[0][i], percentileCont(values, p), `p${p}`);
    const top = await ok(c, "qlty_distinctCategories", { ...table, column_name: "category", limit: 2 });
    assert.deepEqual([top.rows.map((r) => r[0]), top.summary.distinct_values], [["a", "b"], 5]);
    const pages: Cell[][] = [];
    let token: Cell = null;
    do {
      const page = await ok(c, "base_columnMetadata", token === null ? {} : { page_token: token });
      pages.push(...page.rows);
      token = page.summary.next_page_token;
    } while (token !== null);
    assert.equal(pages.length, CASE_COLUMNS.length + WIDE_COLUMNS + 2);
    assert.deepEqual(
      pages.filter((r) => r[1] === "quality_cases").map((r) => [r[2], r[5]]),
      CASE_COLUMNS.map(([name], i) => [name, i + 1]),
    );
  } finally {
    if (previous === undefined) Deno.env.delete("ODBCINI");
    else Deno.env.set("ODBCINI", previous);
    await Deno.remove(dir, { recursive: true });
  }
});

const QUALITY_TOOLS = [
  "base_columnMetadata",
  "qlty_columnSummary",
  "qlty_distinctCategories",
  "qlty_duplicateRows",
  "qlty_missingValues",
  "qlty_negativeValues",
  "qlty_outliers",
  "qlty_rowsWithMissingValues",
  "qlty_standardDeviation",
  "qlty_univariateStatistics",
];

// --- the quality cases ---

type Value = string | number | null;

/** Column names and declared types of `quality_cases`. */
const CASE_COLUMNS: [string, string][] = [
  ["id", "INTEGER"],
  ["category", "VARCHAR(10)"],
  ["amount", "NUMERIC(10,2)"],
  ["score", "INTEGER"],
  ["ratio", "DOUBLE PRECISION"],
  ["label", "VARCHAR(20)"],
];

/** Numeric columns of `quality_cases`. */
const NUMERIC_COLUMNS = ["id", "amount", "score", "ratio"];

/** 40 generated rows plus two exact copies of row 20. */
function caseRows(): Value[][] {
  const rows: Value[][] = [];
  for (let i = 1; i <= 40; i++) {
    const category = i <= 15 ? "a" : i <= 25 ? "b" : i <= 32 ? "c" : i <= 37 ? null : "d";
    const amount = i % 9 === 0 ? null : (i - 6) * 1.25; // negative for i = 1..5
    const score = i === 13 || i === 26 ? null : i === 40 ? 1000 : 10 + (i % 7); // 1000: the outlier
    const ratio = i % 4 === 0 ? -0.5 : i / 8;
    const label = i % 11 === 0 ? null : i <= 6 ? `dup${i % 3}` : `u${i}`;
    rows.push([i, category, amount, score, ratio, label]);
  }
  rows.push([...rows[19]], [...rows[19]]);
  return rows;
}

/** Column `name` of every row. */
function columnValues(name: string): Value[] {
  const at = CASE_COLUMNS.findIndex(([n]) => n === name);
  return caseRows().map((r) => r[at]);
}

/** Wide table: this many INTEGER columns c1..cN, enough to need two aggregate scans. */
const WIDE_COLUMNS = 450;

/** Rows of `wide_cases`: column cj of row r (0..2) is NULL when j % 3 === r. */
function wideRows(): Value[][] {
  return [0, 1, 2].map((r) => Array.from({ length: WIDE_COLUMNS }, (_, k) => ((k + 1) % 3 === r ? null : k + r)));
}

function literal(value: Value): string {
  return value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** CREATE and INSERT statements; `prefix` qualifies the table names. */
function statements(prefix = ""): string[] {
  const wide = Array.from({ length: WIDE_COLUMNS }, (_, k) => `c${k + 1} INTEGER`).join(", ");
  return [
    `CREATE TABLE ${prefix}quality_cases (${CASE_COLUMNS.map(([n, t]) => `${n} ${t}`).join(", ")})`,
    `INSERT INTO ${prefix}quality_cases VALUES ${caseRows().map((r) => `(${r.map(literal).join(", ")})`).join(", ")}`,
    `CREATE TABLE ${prefix}wide_cases (${wide})`,
    `INSERT INTO ${prefix}wide_cases VALUES ${wideRows().map((r) => `(${r.map(literal).join(", ")})`).join(", ")}`,
    `CREATE TABLE ${prefix}empty_cases (x INTEGER, y VARCHAR(5))`,
  ];
}

/** The cases as a SQLite file (built once per version). */
function qltySqlitePath(): Promise<string> {
  return sqliteFixture(`qlty-cases-v${VERSION}`, () => statements());
}

let pgLoaded: Promise<string | undefined> | undefined;

/** Loads the cases into the test PostgreSQL once per process; the URI, or undefined without PostgreSQL. */
function qltyPostgresUri(): Promise<string | undefined> {
  pgLoaded ??= (async () => {
    const uri = pgUri();
    if (!uri) return undefined;
    await runScript(uri, [
      `DROP SCHEMA IF EXISTS ${PG_QLTY_SCHEMA} CASCADE`,
      `CREATE SCHEMA ${PG_QLTY_SCHEMA}`,
      ...statements(`${PG_QLTY_SCHEMA}.`),
    ]);
    return uri;
  })();
  return pgLoaded;
}

/** Population mean and standard deviation by the two-pass formula (independent of the tools' one-pass one). */
function meanAndStddev(values: Value[]): { count: number; mean: number; stddev: number } {
  const xs = values.filter((v): v is number => v !== null);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  return { count: xs.length, mean, stddev: Math.sqrt(variance) };
}

/** Continuous percentile (linear interpolation between closest ranks), as PERCENTILE_CONT defines it. */
function percentileCont(values: Value[], p: number): number {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const h = p * (xs.length - 1);
  const k = Math.floor(h);
  return xs[k] + (xs[Math.min(k + 1, xs.length - 1)] - xs[k]) * (h - k);
}

/** Groups rows by the given columns (NULLs equal) and returns the groups seen more than once, as key → count. */
function duplicateGroups(columns: string[]): Map<string, number> {
  const at = columns.map((c) => CASE_COLUMNS.findIndex(([n]) => n === c));
  const counts = new Map<string, number>();
  for (const row of caseRows()) {
    const key = JSON.stringify(at.map((i) => row[i]));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].filter(([, n]) => n > 1));
}
