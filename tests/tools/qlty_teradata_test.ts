/**
 * The SQL the data-quality tools and base_columnMetadata send to Teradata,
 * recorded by the stand-in driver (the Teradata driver cannot be installed
 * here): the documented DBC views, bound values, TOP n, the access lock, the
 * BIGINT casts of COUNT and PERCENTILE_CONT. The live suite is
 * tests/integration/teradata_qlty_test.ts.
 */
import assert from "node:assert/strict";
import { connectClient, textOf } from "../_helpers.ts";
import { oneLine, teradata } from "./_teradata_fake.ts";

/**
 * DBC.ColumnsVX rows of sales.orders: name, ColumnType (CHAR(2), blank-padded), ColumnLength (bytes), CharType,
 * DecimalTotalDigits, DecimalFractionalDigits, ColumnUDTName.
 */
const ORDER_COLUMNS = [
  ["order_id", "I ", 4, null, null, null, null],
  ["amount", "D ", 8, null, 18, 2, null],
  ["status", "CV", 40, 2, null, null, null],
  ["note", "CO", 2097088000, 1, null, null, null],
];

/** Answers catalog queries with ORDER_COLUMNS (or untyped view columns) and scans with `scan`. */
function answers(scan: unknown[][], view = false) {
  return (sql: string): unknown[][] => {
    if (sql.includes("FROM DBC.ColumnsVX WHERE TableName")) {
      return view ? ORDER_COLUMNS.map(([name]) => [name, null]) : ORDER_COLUMNS;
    }
    if (sql.startsWith("HELP COLUMN")) return ORDER_COLUMNS.map(([name, code]) => [name, code]);
    return scan;
  };
}

async function statements(
  answer: (sql: string) => unknown[][],
  tool: string,
  args: Record<string, unknown>,
) {
  const { db, sent } = teradata(answer);
  await using c = await connectClient(db);
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  await db.close();
  const sql = sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
    sql: oneLine(s.sql),
    params: s.params,
  }));
  return { sql, result: r };
}

const CATALOG = "SELECT ColumnName, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, " +
  "ColumnUDTName FROM DBC.ColumnsVX WHERE TableName = ? AND DatabaseName = ? ORDER BY ColumnId";
const ORDERS = { table_name: "orders", database_name: "sales" };

Deno.test("teradata: qlty_missingValues reads the column list from DBC.ColumnsVX and scans once with BIGINT counts", async () => {
  const { sql, result } = await statements(answers([[100, 0, 5, 0, 7]]), "qlty_missingValues", ORDERS);
  assert.deepEqual(sql[0], { sql: CATALOG, params: ["orders", "sales"] });
  assert.equal(
    sql[1].sql,
    `LOCKING ROW FOR ACCESS SELECT CAST(COUNT(*) AS BIGINT) AS "a0", ` +
      `CAST(COUNT(CASE WHEN "order_id" IS NULL THEN 1 END) AS BIGINT) AS "a1", ` +
      `CAST(COUNT(CASE WHEN "amount" IS NULL THEN 1 END) AS BIGINT) AS "a2", ` +
      `CAST(COUNT(CASE WHEN "status" IS NULL THEN 1 END) AS BIGINT) AS "a3", ` +
      `CAST(COUNT(CASE WHEN "note" IS NULL THEN 1 END) AS BIGINT) AS "a4" FROM "sales"."orders"`,
  );
  assert.equal(sql.length, 2);
  assert.deepEqual(result.structuredContent!.rows, [
    ["order_id", "INTEGER", 0, 0],
    ["amount", "DECIMAL(18,2)", 5, 5],
    ["status", "VARCHAR(20) CHARACTER SET UNICODE", 0, 0],
    ["note", "CLOB(2097088000) CHARACTER SET LATIN", 7, 7],
  ]);
});

Deno.test("teradata: view columns get their types from HELP COLUMN, so numeric columns are still found", async () => {
  const { sql, result } = await statements(answers([[10, 1, 2]], true), "qlty_negativeValues", {
    table_name: "sales.v_orders",
  });
  assert.equal(sql[1].sql, `HELP COLUMN "sales"."v_orders".*`);
  assert.equal(
    sql[2].sql,
    `LOCKING ROW FOR ACCESS SELECT CAST(COUNT(*) AS BIGINT) AS "a0", ` +
      `CAST(COUNT(CASE WHEN "order_id" < 0 THEN 1 END) AS BIGINT) AS "a1", ` +
      `CAST(COUNT(CASE WHEN "amount" < 0 THEN 1 END) AS BIGINT) AS "a2" FROM "sales"."v_orders"`,
  );
  assert.deepEqual(result.structuredContent!.rows.map((r) => r.slice(0, 3)), [
    ["order_id", "INTEGER", 1],
    ["amount", "DECIMAL", 2],
  ]);
});

Deno.test("teradata: qlty_columnSummary counts distinct values of comparable columns only (not CLOBs)", async () => {
  const { sql } = await statements(answers([[9, 0, 9, 1, 8, 0, 3, 4]]), "qlty_columnSummary", ORDERS);
  assert.match(
    sql[1].sql,
    /CAST\(COUNT\(DISTINCT "status"\) AS BIGINT\) AS "a6", CAST\(COUNT\(CASE WHEN "note" IS NULL/,
  );
  assert.doesNotMatch(sql[1].sql, /DISTINCT "note"/);
});

Deno.test("teradata: qlty_distinctCategories groups once, takes TOP n and keeps window totals", async () => {
  const { sql, result } = await statements(
    answers([["shipped", 60, 3, 100], ["pending", 30, 3, 100]]),
    "qlty_distinctCategories",
    { ...ORDERS, column_name: "STATUS", limit: 2 },
  );
  assert.equal(
    sql[1].sql,
    `LOCKING ROW FOR ACCESS SELECT TOP 2 "v", "n", CAST(COUNT(*) OVER () AS BIGINT), SUM("n") OVER () ` +
      `FROM (SELECT "status" AS "v", CAST(COUNT(*) AS BIGINT) AS "n" FROM "sales"."orders" GROUP BY "status") g ` +
      `ORDER BY "n" DESC`,
  );
  assert.equal(result.structuredContent!.truncated, true);
  assert.deepEqual(result.structuredContent!.rows, [["shipped", 60, 60], ["pending", 30, 30]]);
});

Deno.test("teradata: qlty_standardDeviation and qlty_univariateStatistics send SUM(x), SUM(x*x) and PERCENTILE_CONT", async () => {
  const x = `CAST("amount" AS DOUBLE PRECISION)`;
  const moments = `CAST(COUNT("amount") AS BIGINT) AS "a0", SUM(${x}) AS "a1", SUM(${x} * ${x}) AS "a2"`;
  const sd = await statements(answers([[4, 10, 30]]), "qlty_standardDeviation", { ...ORDERS, column_name: "amount" });
  assert.equal(sd.sql[1].sql, `LOCKING ROW FOR ACCESS SELECT ${moments} FROM "sales"."orders"`);
  // n = 4, SUM = 10, SUM of squares = 30: mean 2.5, variance 30/4 - 2.5^2 = 1.25.
  assert.deepEqual(sd.result.structuredContent!.rows, [["amount", 4, 2.5, Math.sqrt(1.25)]]);
  const uni = await statements(
    answers([[4, "1", "4", 10, 30, 1.75, 2.5, 3.25]]),
    "qlty_univariateStatistics",
    { ...ORDERS, column_name: "amount" },
  );
  const percentile = (p: number) => `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${x})`;
  assert.equal(
    uni.sql[1].sql,
    `LOCKING ROW FOR ACCESS SELECT CAST(COUNT("amount") AS BIGINT) AS "a0", MIN("amount") AS "a1", ` +
      `MAX("amount") AS "a2", SUM(${x}) AS "a3", SUM(${x} * ${x}) AS "a4", ${percentile(0.25)} AS "a5", ` +
      `${percentile(0.5)} AS "a6", ${percentile(0.75)} AS "a7" FROM "sales"."orders"`,
  );
  assert.deepEqual(uni.result.structuredContent!.rows, [["amount", 4, 1, 4, 2.5, Math.sqrt(1.25), 1.75, 2.5, 3.25]]);
});

Deno.test("teradata: qlty_outliers binds the mean and the bounds and takes TOP n", async () => {
  const { sql } = await statements(
    (s) => s.includes("SUM(CAST") && !s.includes("GROUP BY") ? [[4, 10, 30]] : answers([[9, 1, 1, 1]])(s),
    "qlty_outliers",
    { ...ORDERS, column_name: "amount", k: 2, limit: 5 },
  );
  const x = `CAST("amount" AS DOUBLE PRECISION)`;
  const bound = `CAST(? AS DOUBLE PRECISION)`;
  assert.equal(
    sql[2].sql,
    `LOCKING ROW FOR ACCESS SELECT TOP 5 "v", "n", CAST(COUNT(*) OVER () AS BIGINT), SUM("n") OVER () ` +
      `FROM (SELECT "amount" AS "v", CAST(COUNT(*) AS BIGINT) AS "n", MAX(ABS(${x} - ${bound})) AS "d" ` +
      `FROM "sales"."orders" WHERE ${x} < ${bound} OR ${x} > ${bound} GROUP BY "amount") g ORDER BY "d" DESC`,
  );
  const sd = Math.sqrt(1.25);
  assert.deepEqual(sql[2].params, [2.5, 2.5 - 2 * sd, 2.5 + 2 * sd]);
});

Deno.test("teradata: qlty_rowsWithMissingValues counts, then reads TOP n rows", async () => {
  const { sql } = await statements(answers([[3]]), "qlty_rowsWithMissingValues", {
    ...ORDERS,
    columns: ["amount", "note"],
    row_limit: 2,
  });
  assert.equal(
    sql[1].sql,
    `LOCKING ROW FOR ACCESS SELECT CAST(COUNT(CASE WHEN "amount" IS NULL OR "note" IS NULL THEN 1 END) AS BIGINT) ` +
      `AS "a0" FROM "sales"."orders"`,
  );
  assert.equal(
    sql[2].sql,
    `LOCKING ROW FOR ACCESS SELECT TOP 2 * FROM "sales"."orders" WHERE "amount" IS NULL OR "note" IS NULL`,
  );
});

Deno.test("teradata: qlty_duplicateRows leaves CLOB columns out of 'all columns' and refuses them by name", async () => {
  const { sql } = await statements(answers([[1, 2.5, "x", 2, 1, 2]]), "qlty_duplicateRows", ORDERS);
  assert.equal(
    sql[1].sql,
    `LOCKING ROW FOR ACCESS SELECT TOP 20 "k0", "k1", "k2", "n", CAST(COUNT(*) OVER () AS BIGINT), SUM("n") OVER () ` +
      `FROM (SELECT "order_id" AS "k0", "amount" AS "k1", "status" AS "k2", CAST(COUNT(*) AS BIGINT) AS "n" ` +
      `FROM "sales"."orders" GROUP BY "order_id", "amount", "status" HAVING COUNT(*) > 1) g ORDER BY "n" DESC`,
  );
  const { db } = teradata(answers([]));
  await using c = await connectClient(db);
  const refused = await c.call("qlty_duplicateRows", { ...ORDERS, columns: ["note"] });
  assert.match(textOf(refused), /column `note` \(CLOB\(2097088000\) CHARACTER SET LATIN\) cannot be grouped/);
  await db.close();
});

Deno.test("teradata: base_columnMetadata joins DBC.ColumnsVX to DBC.TablesVX, binds the filter and continues after a token", async () => {
  // DatabaseName, TableName, ColumnName, ColumnType, ColumnLength, CharType, DecimalTotalDigits,
  // DecimalFractionalDigits, ColumnUDTName, Nullable, ColumnId, DefaultValue.
  const rows = [
    ["sales", "orders", "order_id", "I ", 4, null, null, null, null, "N", 1025, null],
    ["sales", "orders", "amount", "D ", 8, null, 18, 2, null, "Y", 1026, "0"],
  ];
  const answer = (page: unknown[][]) => (sql: string) =>
    sql.includes("FROM DBC.IndicesVX")
      ? [["orders", "order_id", "P", "Y"], ["orders", "amount", "S", "N"]]
      : sql.startsWith("HELP COLUMN")
      ? [["status", "CV", "Y"]]
      : page;
  const first = await statements(answer(rows), "base_columnMetadata", { database_name: "sales", table_filter: "ord%" });
  assert.equal(
    first.sql[0].sql,
    `SELECT TOP 1001 c.DatabaseName, c.TableName, c.ColumnName, c.ColumnType, c.ColumnLength, c.CharType, ` +
      `c.DecimalTotalDigits, c.DecimalFractionalDigits, c.ColumnUDTName, c.Nullable, c.ColumnId, c.DefaultValue ` +
      `FROM DBC.ColumnsVX c JOIN DBC.TablesVX t ON t.DatabaseName = c.DatabaseName AND t.TableName = c.TableName ` +
      `WHERE c.DatabaseName = ? AND t.TableKind IN ('T', 'O', 'Q', 'V') AND c.TableName LIKE ? ` +
      `ORDER BY c.TableName, c.ColumnId`,
  );
  assert.deepEqual(first.sql[0].params, ["sales", "ord%"]);
  assert.deepEqual(first.sql[1], {
    sql: "SELECT TableName, ColumnName, IndexType, UniqueFlag FROM DBC.IndicesVX WHERE DatabaseName = ? " +
      "AND TableName IN (?) AND ColumnName IS NOT NULL AND IndexType IN ('P', 'Q', 'A', 'S', 'K', 'U', 'V', 'H', 'O', 'G')",
    params: ["sales", "orders"],
  });
  assert.deepEqual(first.result.structuredContent!.rows, [
    ["sales", "orders", "order_id", "INTEGER", false, 1025, null, "I", null, "UPI", null],
    ["sales", "orders", "amount", "DECIMAL(18,2)", true, 1026, "0", "D", null, "NUSI", null],
  ]);
  const view = ["sales", "orders", "status", null, null, null, null, null, null, null, 1027, null];
  const { db, sent } = teradata(answer([...rows, view]));
  await using c = await connectClient(db, { defaultRows: 2, maxRows: 10, timeoutMs: 30_000, maxTimeoutMs: 60_000 });
  const page = await c.call("base_columnMetadata", { table_names: ["orders", "stores"] });
  const token = (page.structuredContent!.summary as { next_page_token: string }).next_page_token;
  assert.equal(typeof token, "string");
  sent.length = 0;
  const next = await c.call("base_columnMetadata", { table_names: ["orders", "stores"], page_token: token });
  assert.equal(next.isError, undefined, textOf(next));
  const [query] = sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND"));
  assert.match(
    oneLine(query.sql),
    /WHERE c\.DatabaseName = DATABASE AND .* AND c\.TableName IN \(\?, \?\) AND \(c\.TableName > \? OR \(c\.TableName = \? AND c\.ColumnId > \?\)\) ORDER BY/,
  );
  assert.match(oneLine(query.sql), /^SELECT TOP 3 /);
  assert.deepEqual(query.params, ["orders", "stores", "orders", "orders", 1026]);
  await db.close();
});
