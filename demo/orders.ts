// Row formulas of the generated orders and order lines, each written twice
// side by side: a TypeScript function for one order and the SQL INSERT that
// makes all rows. Change both or neither (tests/demo/ compares them).

import type { DemoDialect } from "./schema.ts";
import { PROMOS } from "./data.ts";
import { COUNTS, listPriceCents, SIGNUP_DAYS } from "./rows.ts";
import { dateSql, div, hash, hashSql, moneySql, pickSql, seriesSql, timestampSql } from "./sql.ts";

/** First order day; orders cover ORDER_DAYS days from it (2023 to 2025). */
export const ORDER_BASE = "2023-01-01";
/** Number of order days: 2023-01-01 through 2025-12-31. */
export const ORDER_DAYS = 1096;
const MAX_LINES = 4;
const h = hashSql;

/** One order as TypeScript computes it; `day` counts from ORDER_BASE. */
export function orderRow(i: number) {
  const day = div((i - 1) * ORDER_DAYS, COUNTS.orders);
  const online = hash(i, 2) % 100 < 30;
  const r = hash(i, 4) % 100;
  const promo = hash(i, 7) % 100 < 12 ? PROMOS[hash(i, 8) % PROMOS.length] : null;
  return {
    orderId: i,
    customerId: 1 +
      hash(i, 1) % div((730 + day) * COUNTS.customers, SIGNUP_DAYS),
    storeId: online ? null : 1 + hash(i, 3) % COUNTS.stores,
    channel: online ? "online" : "store",
    status: r < 4
      ? "cancelled"
      : day >= 1089
      ? "pending"
      : day >= 1082 || r === 99
      ? "shipped"
      : r < 7
      ? "returned"
      : "delivered",
    day,
    createdSecond: 28800 + hash(i, 6) % 50400,
    shippedDay: r < 4 || day >= 1089 ? null : day + 1 + hash(i, 5) % 4,
    promoCode: promo?.[0] ?? null,
    discountPct: promo?.[1] ?? null,
  };
}

/** INSERT making every order. */
export function ordersSql(d: DemoDialect): string {
  const n = seriesSql(d, COUNTS.orders);
  const online = `${h("i", 2)} % 100 < 30`;
  const customers = `(730 + day) * ${COUNTS.customers} / ${SIGNUP_DAYS}`;
  const codes = PROMOS.map((p) => p[0]);
  const shipDay = `day + 1 + ${h("i", 5)} % 4`;
  const values = [
    "i",
    `1 + ${h("i", 1)} % (${customers})`,
    `CASE WHEN ${online} THEN NULL ELSE 1 + ${h("i", 3)} % ${COUNTS.stores} END`,
    `CASE WHEN ${online} THEN 'online' ELSE 'store' END`,
    "CASE WHEN r < 4 THEN 'cancelled' WHEN day >= 1089 THEN 'pending' " +
    "WHEN day >= 1082 OR r = 99 THEN 'shipped' WHEN r < 7 THEN 'returned' ELSE 'delivered' END",
    dateSql(d, ORDER_BASE, "day"),
    timestampSql(d, ORDER_BASE, "day", `28800 + ${h("i", 6)} % 50400`),
    `CASE WHEN r < 4 OR day >= 1089 THEN NULL ELSE ${dateSql(d, ORDER_BASE, shipDay)} END`,
    `CASE WHEN ${h("i", 7)} % 100 < 12 THEN ${pickSql(`${h("i", 8)} % ${PROMOS.length}`, codes)} END`,
  ];
  const g = `SELECT i, (i - 1) * ${ORDER_DAYS} / ${COUNTS.orders} AS day, ` +
    `${h("i", 4)} % 100 AS r FROM ${n.from}`;
  return "INSERT INTO orders (order_id, customer_id, store_id, channel, status, order_date, " +
    `created_at, shipped_date, promo_code) ${n.with}SELECT ${values.join(", ")} FROM (${g}) g`;
}

/** The lines of order `i` as TypeScript computes them; the total is rounded half up to cents. */
export function orderLines(i: number) {
  const order = orderRow(i);
  const count = 1 + hash(i, 9) % MAX_LINES;
  const lines = [];
  for (let j = 1; j <= count; j++) {
    const x = i * MAX_LINES + j;
    const r = hash(x, 10) % COUNTS.products;
    const q = hash(x, 11) % 10;
    const productId = 1 + div(div(r * r, COUNTS.products) + r, 2);
    const quantity = 1 + div(q * q, 20);
    const unitPriceCents = listPriceCents(productId);
    const discountPct = order.discountPct ?? (hash(x, 12) % 100 < 5 ? 10 : 0);
    const lineTotalCents = div(
      quantity * unitPriceCents * (100 - discountPct) + 50,
      100,
    );
    lines.push({
      orderId: i,
      lineNo: j,
      productId,
      quantity,
      unitPriceCents,
      discountPct,
      lineTotalCents,
    });
  }
  return lines;
}

/** INSERT making every order line; the unit price comes from products. */
export function orderItemsSql(d: DemoDialect): string {
  const n = seriesSql(d, COUNTS.orders);
  const lines = "(SELECT 1 AS j UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) l";
  const pcts = PROMOS.map((p) => p[1]);
  const k = `SELECT i, j, i * ${MAX_LINES} + j AS x FROM ${n.from} JOIN ${lines} ` +
    `ON l.j <= 1 + ${h("i", 9)} % ${MAX_LINES}`;
  const pct = `CASE WHEN ${h("i", 7)} % 100 < 12 THEN ${pickSql(`${h("i", 8)} % ${PROMOS.length}`, pcts)} ` +
    `WHEN ${h("x", 12)} % 100 < 5 THEN 10 ELSE 0 END`;
  const g = `SELECT i, j, ${h("x", 10)} % ${COUNTS.products} AS r, ${h("x", 11)} % 10 AS q, ` +
    `${pct} AS pct FROM (${k}) k`;
  const quantity = "(1 + g.q * g.q / 20)";
  const cents = "CAST(ROUND(p.list_price * 100) AS INTEGER)";
  const total = `(${quantity} * ${cents} * (100 - g.pct) + 50) / 100`;
  const product = `1 + (g.r * g.r / ${COUNTS.products} + g.r) / 2`;
  return "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount, " +
    `line_total) ${n.with}SELECT g.i, g.j, p.product_id, ${quantity}, p.list_price, ` +
    `${moneySql("g.pct")}, ${moneySql(total)} FROM (${g}) g JOIN products p ON p.product_id = ${product}`;
}
