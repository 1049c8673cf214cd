import assert from "node:assert/strict";
import odbc from "odbc";
import { DEMO_TABLES, type DemoDialect, type DemoFacts, demoFacts, demoStatements } from "../../demo/schema.ts";
import { big, CHECKED, checksumSql, checksumTs } from "./_checksum.ts";

type Connection = Awaited<ReturnType<typeof odbc.connect>>;

const pgUri = Deno.env.get("TDMCP_TEST_PG_URI");

function note(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`  ${text}\n`));
}

/** Run every demo statement in one transaction; resolves to the elapsed ms. */
async function build(conn: Connection, dialect: DemoDialect): Promise<number> {
  const start = performance.now();
  await conn.beginTransaction();
  try {
    for (const statement of demoStatements(dialect)) {
      await conn.query(statement);
    }
  } catch (error) {
    await conn.rollback();
    throw error;
  }
  await conn.commit();
  return Math.round(performance.now() - start);
}

/** Build the demo into a fresh SQLite file and hand the open connection to `use`. */
async function withSqlite<T>(
  use: (conn: Connection, ms: number) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({
    prefix: "tdmcp_demo_",
    suffix: ".db",
  });
  const conn = await odbc.connect(`DRIVER=SQLite3;Database=${path}`);
  try {
    return await use(conn, await build(conn, "sqlite"));
  } finally {
    await conn.close();
    await Deno.remove(path);
  }
}

/** The one row of a small aggregate query, every value as a number or string. */
async function one(
  conn: Connection,
  sql: string,
): Promise<Record<string, unknown>> {
  const rows = await conn.query<Record<string, unknown>>(sql);
  assert.equal(rows.length, 1, sql);
  return rows[0];
}

const num = (v: unknown) => Number(v);

/** Read from the database every value demoFacts() predicts. */
async function factsOf(conn: Connection): Promise<DemoFacts> {
  const counts = DEMO_TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`);
  const r = await one(
    conn,
    `SELECT ${counts.join(", ")},
  (SELECT COUNT(*) FROM customers WHERE email IS NULL) AS no_email,
  (SELECT COUNT(*) FROM customers WHERE phone IS NULL) AS no_phone,
  (SELECT COUNT(*) FROM customers c WHERE NOT EXISTS
    (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)) AS no_orders,
  (SELECT COUNT(*) FROM products p WHERE NOT EXISTS
    (SELECT 1 FROM order_items i WHERE i.product_id = p.product_id)) AS never_ordered,
  (SELECT COUNT(discontinued_date) FROM products) AS discontinued,
  (SELECT ${big("SUM(CAST(ROUND(list_price * 100) AS BIGINT))")} FROM products) AS list_cents,
  (SELECT COUNT(*) FROM orders WHERE store_id IS NULL) AS no_store,
  (SELECT COUNT(promo_code) FROM orders) AS promo,
  (SELECT COUNT(*) FROM orders WHERE shipped_date IS NULL) AS not_shipped,
  (SELECT CAST(MIN(order_date) AS VARCHAR(10)) FROM orders) AS first_day,
  (SELECT CAST(MAX(order_date) AS VARCHAR(10)) FROM orders) AS last_day,
  (SELECT ${big("SUM(quantity)")} FROM order_items) AS quantity,
  (SELECT ${big("SUM(quantity * CAST(ROUND(unit_price * 100) AS BIGINT))")} FROM order_items) AS gross,
  (SELECT ${big("SUM(CAST(ROUND(line_total * 100) AS BIGINT))")} FROM order_items) AS net,
  (SELECT COUNT(*) FROM order_items WHERE discount > 0) AS discounted,
  (SELECT COUNT(*) FROM v_daily_sales) AS sales_days,
  (SELECT ${big("SUM(units)")} FROM v_daily_sales) AS sales_units`,
  );
  const tally = async (sql: string) =>
    Object.fromEntries(
      (await conn.query<{ k: string; n: unknown }>(sql)).map((
        row,
      ) => [row.k, num(row.n)]),
    );
  return {
    rows: Object.fromEntries(
      DEMO_TABLES.map((t) => [t, num(r[t])]),
    ) as DemoFacts["rows"],
    customersWithoutEmail: num(r.no_email),
    customersWithoutPhone: num(r.no_phone),
    customersWithoutOrders: num(r.no_orders),
    productsNeverOrdered: num(r.never_ordered),
    discontinuedProducts: num(r.discontinued),
    listPriceCents: num(r.list_cents),
    ordersWithoutStore: num(r.no_store),
    ordersWithPromo: num(r.promo),
    ordersNotShipped: num(r.not_shipped),
    ordersPerStatus: await tally(
      "SELECT status AS k, COUNT(*) AS n FROM orders GROUP BY status",
    ),
    ordersPerYear: await tally(
      "SELECT SUBSTR(CAST(order_date AS VARCHAR(10)), 1, 4) AS k, COUNT(*) AS n FROM orders " +
        "GROUP BY SUBSTR(CAST(order_date AS VARCHAR(10)), 1, 4)",
    ),
    orderDateRange: [String(r.first_day), String(r.last_day)],
    totalQuantity: num(r.quantity),
    grossSalesCents: num(r.gross),
    netSalesCents: num(r.net),
    discountedLines: num(r.discounted),
    dailySalesDays: num(r.sales_days),
    dailySalesUnits: num(r.sales_units),
  };
}

/** Column checksums of every demo table and the view. */
async function checksumsOf(conn: Connection, dialect: DemoDialect) {
  const sums: Record<string, number[]> = {};
  for (const table of Object.keys(CHECKED)) {
    sums[table] = Object.values(await one(conn, checksumSql(dialect, table)))
      .map(num);
  }
  return sums;
}

function checksumsFromFormulas(): Record<string, number[]> {
  return Object.fromEntries(
    Object.keys(CHECKED).map((t) => [t, checksumTs(t)]),
  );
}

/**
 * `DRIVER={PostgreSQL Unicode};...` from a postgres:// URL. Values are braced
 * only when they must be: psqlODBC keeps the braces of `UID={postgres}`.
 */
function pgConnectionString(uri: string): string {
  const url = new URL(uri);
  const value = (v: string) => {
    const text = decodeURIComponent(v);
    return /[;{}]|^\s|\s$/.test(text) ? `{${text.replaceAll("}", "}}")}}` : text;
  };
  return `DRIVER={PostgreSQL Unicode};SERVER=${url.hostname};PORT=${url.port || "5432"};` +
    `DATABASE=${value(url.pathname.slice(1))};UID=${value(url.username)};PWD=${value(url.password)}`;
}

Deno.test("demoStatements gives the same objects on both dialects, one statement each, no comment", () => {
  const created = (d: DemoDialect) =>
    demoStatements(d).filter((s) => s.startsWith("CREATE")).map((s) => s.split(" (")[0]);
  assert.deepEqual(created("postgres"), created("sqlite"));
  for (const dialect of ["sqlite", "postgres"] as const) {
    const statements = demoStatements(dialect);
    assert.deepEqual(statements, demoStatements(dialect));
    for (const s of statements) assert.doesNotMatch(s, /;|--|\?/);
  }
});

Deno.test("demo database built on SQLite through ODBC shows every demoFacts() value", async () => {
  const expected = demoFacts();
  await withSqlite(async (conn, ms) => {
    note(`SQLite build through ODBC: ${ms} ms`);
    assert.deepEqual(await factsOf(conn), expected);
    assert.ok(
      expected.rows.orders >= 100_000 && expected.rows.order_items >= 200_000,
    );
  });
});

Deno.test("demo database built twice on SQLite is identical and matches the TypeScript formulas", async () => {
  const first = await withSqlite((conn) => checksumsOf(conn, "sqlite"));
  const second = await withSqlite((conn) => checksumsOf(conn, "sqlite"));
  assert.deepEqual(second, first);
  assert.deepEqual(first, checksumsFromFormulas());
});

Deno.test({
  name: "demo database built on PostgreSQL shows the same facts and values as SQLite",
  ignore: !pgUri,
  async fn() {
    const conn = await odbc.connect(pgConnectionString(pgUri!));
    const schema = `demo_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    try {
      await conn.query(`CREATE SCHEMA ${schema}`);
      try {
        await conn.query(`SET search_path TO ${schema}`);
        note(
          `PostgreSQL build through ODBC: ${await build(conn, "postgres")} ms`,
        );
        assert.deepEqual(await factsOf(conn), demoFacts());
        assert.deepEqual(
          await checksumsOf(conn, "postgres"),
          checksumsFromFormulas(),
        );
      } finally {
        await conn.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    } finally {
      await conn.close();
    }
  },
});
