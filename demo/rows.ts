// Row formulas of the generated stores, customers and products, each written
// twice side by side: a TypeScript function for one row and the SQL INSERT
// that makes all rows. Change both or neither (tests/demo/ compares them).

import type { DemoDialect } from "./schema.ts";
import { ADJECTIVES, CATEGORIES, CITIES, FIRST_NAMES, LAST_NAMES } from "./data.ts";
import { addDays, dateSql, div, hash, hashSql, moneySql, pickSql, seriesSql, textSql } from "./sql.ts";

/** Generated row counts (order_items follows from the formulas). */
export const COUNTS = {
  stores: 40,
  customers: 5000,
  products: 500,
  orders: 100_000,
} as const;
const SIGNUP_BASE = "2021-01-01";
/** Customers sign up over this many days from 2021-01-01, in customer_id order. */
export const SIGNUP_DAYS = 1826;
const NOUNS = CATEGORIES.flatMap((c) => c.nouns);
const h = hashSql;

/** One store as TypeScript computes it. */
export function storeRow(s: number) {
  const regionId = 1 + (s - 1) % 5;
  const k = div(s - 1, 5);
  const city = CITIES[(regionId - 1) * 4 + k % 4];
  return {
    storeId: s,
    regionId,
    name: `${city} ${k < 4 ? "Central" : "Plaza"}`,
    city,
    openedDate: addDays("2015-01-01", hash(s, 41) % 2900),
    squareMeters: 400 + hash(s, 42) % 1600,
  };
}

/** INSERT making every store. */
export function storesSql(d: DemoDialect): string {
  const n = seriesSql(d, COUNTS.stores);
  const city = pickSql("((i - 1) % 5 * 4 + (i - 1) / 5 % 4)", CITIES);
  return `INSERT INTO stores (store_id, region_id, name, city, opened_date, square_meters) ${n.with}` +
    `SELECT i, 1 + (i - 1) % 5, ${city} || CASE WHEN (i - 1) / 5 < 4 THEN ' Central' ELSE ' Plaza' END, ` +
    `${city}, ${dateSql(d, "2015-01-01", `${h("i", 41)} % 2900`)}, 400 + ${h("i", 42)} % 1600 FROM ${n.from}`;
}

/** One customer as TypeScript computes it. */
export function customerRow(c: number) {
  const first = FIRST_NAMES[hash(c, 31) % FIRST_NAMES.length];
  const last = LAST_NAMES[hash(c, 32) % LAST_NAMES.length];
  const regionId = 1 + hash(c, 37) % 5;
  const segment = hash(c, 39) % 100;
  return {
    customerId: c,
    firstName: first,
    lastName: last,
    email: hash(c, 33) % 100 < 8 ? null : `${first.toLowerCase()}.${last.toLowerCase()}${c}@example.com`,
    phone: hash(c, 34) % 100 < 15 ? null : `555-${100 + hash(c, 35) % 900}-${1000 + hash(c, 36) % 9000}`,
    city: CITIES[(regionId - 1) * 4 + hash(c, 38) % 4],
    regionId,
    segment: segment < 70 ? "consumer" : segment < 90 ? "small business" : "corporate",
    signupDate: addDays(
      SIGNUP_BASE,
      div((c - 1) * SIGNUP_DAYS, COUNTS.customers),
    ),
  };
}

/** INSERT making every customer. */
export function customersSql(d: DemoDialect): string {
  const n = seriesSql(d, COUNTS.customers);
  const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase());
  const email = `${pickSql("fi", lower(FIRST_NAMES))} || '.' || ${pickSql("li", lower(LAST_NAMES))} ` +
    `|| ${textSql("i")} || '@example.com'`;
  const phone = `'555-' || ${textSql(`100 + ${h("i", 35)} % 900`)} || '-' || ` +
    textSql(`1000 + ${h("i", 36)} % 9000`);
  const signupDay = `(i - 1) * ${SIGNUP_DAYS} / ${COUNTS.customers}`;
  const values = [
    "i",
    pickSql("fi", FIRST_NAMES),
    pickSql("li", LAST_NAMES),
    `CASE WHEN ${h("i", 33)} % 100 < 8 THEN NULL ELSE ${email} END`,
    `CASE WHEN ${h("i", 34)} % 100 < 15 THEN NULL ELSE ${phone} END`,
    pickSql(`(region_id - 1) * 4 + ${h("i", 38)} % 4`, CITIES),
    "region_id",
    "CASE WHEN seg < 70 THEN 'consumer' WHEN seg < 90 THEN 'small business' ELSE 'corporate' END",
    dateSql(d, SIGNUP_BASE, signupDay),
  ];
  const g = `SELECT i, ${h("i", 31)} % ${FIRST_NAMES.length} AS fi, ` +
    `${h("i", 32)} % ${LAST_NAMES.length} AS li, 1 + ${h("i", 37)} % 5 AS region_id, ` +
    `${h("i", 39)} % 100 AS seg FROM ${n.from}`;
  return "INSERT INTO customers (customer_id, first_name, last_name, email, phone, city, " +
    `region_id, segment, signup_date) ${n.with}SELECT ${values.join(", ")} FROM (${g}) g`;
}

/** List price of product `p` in cents (ends in 99). */
export function listPriceCents(p: number): number {
  const category = CATEGORIES[hash(p, 21) % CATEGORIES.length];
  return (2 + hash(p, 24) % (category.maxDollars - 1)) * 100 - 1;
}

/** One product as TypeScript computes it. */
export function productRow(p: number) {
  const categoryId = 1 + hash(p, 21) % CATEGORIES.length;
  const category = CATEGORIES[categoryId - 1];
  const priceCents = listPriceCents(p);
  const noun = category.nouns[hash(p, 23) % 4];
  return {
    productId: p,
    categoryId,
    sku: `SKU-${10000 + p}`,
    name: `${ADJECTIVES[hash(p, 22) % ADJECTIVES.length]} ${noun} ${100 + hash(p, 28) % 900}`,
    priceCents,
    costCents: div(priceCents * (40 + hash(p, 25) % 31), 100),
    discontinuedDate: hash(p, 26) % 100 < 6 ? addDays("2024-01-01", hash(p, 27) % 600) : null,
  };
}

/** INSERT making every product. */
export function productsSql(d: DemoDialect): string {
  const n = seriesSql(d, COUNTS.products);
  const maxes = CATEGORIES.map((c) => c.maxDollars - 1);
  const cents = `((2 + ${h("i", 24)} % ${pickSql("category_id - 1", maxes)}) * 100 - 1)`;
  const adjective = pickSql(`${h("i", 22)} % ${ADJECTIVES.length}`, ADJECTIVES);
  const noun = pickSql(`(category_id - 1) * 4 + ${h("i", 23)} % 4`, NOUNS);
  const model = textSql(`100 + ${h("i", 28)} % 900`);
  const discontinued = dateSql(d, "2024-01-01", `${h("i", 27)} % 600`);
  const values = [
    "i",
    "category_id",
    `'SKU-' || ${textSql("10000 + i")}`,
    `${adjective} || ' ' || ${noun} || ' ' || ${model}`,
    moneySql(cents),
    moneySql(`${cents} * (40 + ${h("i", 25)} % 31) / 100`),
    `CASE WHEN ${h("i", 26)} % 100 < 6 THEN ${discontinued} END`,
  ];
  const g = `SELECT i, 1 + ${h("i", 21)} % ${CATEGORIES.length} AS category_id FROM ${n.from}`;
  return "INSERT INTO products (product_id, category_id, sku, name, list_price, unit_cost, " +
    `discontinued_date) ${n.with}SELECT ${values.join(", ")} FROM (${g}) g`;
}
