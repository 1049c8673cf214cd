// Column checksums of the demo tables, computed two ways: by one aggregate
// SQL query per table (same numbers on SQLite and PostgreSQL), and in
// TypeScript from the row formulas in demo/rows.ts.

import { CATEGORIES, REGIONS } from "../../demo/data.ts";
import { ORDER_BASE, orderLines, orderRow } from "../../demo/orders.ts";
import { COUNTS, customerRow, productRow, storeRow } from "../../demo/rows.ts";
import type { DemoDialect } from "../../demo/schema.ts";
import { addDays } from "../../demo/sql.ts";

type Kind = "int" | "money" | "text" | "date" | "timestamp";
type Value = number | string | null;

/** Checked columns per relation; the first one keys the position weight. */
export const CHECKED: Record<string, [string, Kind][]> = {
  regions: [["region_id", "int"], ["name", "text"]],
  stores: [
    ["store_id", "int"],
    ["region_id", "int"],
    ["name", "text"],
    ["city", "text"],
    ["opened_date", "date"],
    ["square_meters", "int"],
  ],
  customers: [
    ["customer_id", "int"],
    ["first_name", "text"],
    ["last_name", "text"],
    ["email", "text"],
    ["phone", "text"],
    ["city", "text"],
    ["region_id", "int"],
    ["segment", "text"],
    ["signup_date", "date"],
  ],
  categories: [["category_id", "int"], ["name", "text"], [
    "department",
    "text",
  ]],
  products: [
    ["product_id", "int"],
    ["category_id", "int"],
    ["sku", "text"],
    ["name", "text"],
    ["list_price", "money"],
    ["unit_cost", "money"],
    ["discontinued_date", "date"],
  ],
  orders: [
    ["order_id", "int"],
    ["customer_id", "int"],
    ["store_id", "int"],
    ["channel", "text"],
    ["status", "text"],
    ["order_date", "date"],
    ["created_at", "timestamp"],
    ["shipped_date", "date"],
    ["promo_code", "text"],
  ],
  order_items: [
    ["order_id * 4 + line_no", "int"],
    ["product_id", "int"],
    ["quantity", "int"],
    ["unit_price", "money"],
    ["discount", "money"],
    ["line_total", "money"],
  ],
  v_daily_sales: [
    ["orders", "int"],
    ["order_date", "date"],
    ["units", "int"],
    ["revenue", "money"],
  ],
};

const TEXT_WEIGHTS = [7, 17, 131, 53, 1031];

function textPositionsSql(c: string): string[] {
  const n = `length(${c})`;
  return ["1", "2", `(${n} + 1) / 2`, `${n} - 1`, n];
}

function textPositions(v: string): number[] {
  const n = v.length;
  return [1, 2, Math.trunc((n + 1) / 2), n - 1, n];
}

function featureSql(dialect: DemoDialect, kind: Kind, c: string): string {
  const pg = dialect === "postgres";
  switch (kind) {
    case "int":
      return c;
    case "money":
      return `CAST(ROUND(${c} * 100) AS BIGINT)`;
    case "date":
      return pg ? `(${c} - DATE '2000-01-01')` : `CAST(julianday(${c}) - julianday('2000-01-01') AS INTEGER)`;
    case "timestamp":
      return pg
        ? `CAST(EXTRACT(EPOCH FROM (${c} - TIMESTAMP '2023-01-01 00:00:00')) AS BIGINT)`
        : `CAST(ROUND((julianday(${c}) - julianday('2023-01-01')) * 86400) AS INTEGER)`;
    case "text": {
      const code = pg ? "ascii" : "unicode";
      const parts = textPositionsSql(c).map((at, k) =>
        `${TEXT_WEIGHTS[k]} * COALESCE(${code}(substr(${c}, ${at}, 1)), 0)`
      );
      return `length(${c}) + ${parts.join(" + ")}`;
    }
  }
}

/**
 * A 64-bit SQL value as text: the SQLite ODBC driver reports SUM() as a
 * 32-bit SQL_INTEGER and npm:odbc then truncates bigger values (measured).
 */
export function big(expr: string): string {
  return `CAST(${expr} AS VARCHAR(30))`;
}

/** One aggregate query giving, per column, the sum of a feature and of feature × weight. */
export function checksumSql(dialect: DemoDialect, table: string): string {
  const columns = CHECKED[table];
  const weight = `((${columns[0][0]}) % 97 + 1)`;
  const sums = columns.flatMap(([c, kind], k) => {
    const f = `COALESCE(${featureSql(dialect, kind, c)}, -1)`;
    return [
      `${big(`SUM(${f})`)} AS s${k}`,
      `${big(`SUM(${f} * ${weight})`)} AS w${k}`,
    ];
  });
  return `SELECT ${sums.join(", ")} FROM ${table}`;
}

function feature(kind: Kind, v: Value): number {
  if (v === null) return -1;
  if (kind === "date") {
    return (Date.parse(`${v}T00:00:00Z`) - Date.UTC(2000, 0, 1)) / 86_400_000;
  }
  if (typeof v === "number") return v;
  const at = (k: number) => (k >= 1 && k <= v.length ? v.charCodeAt(k - 1) : 0);
  const codes = textPositions(v).map((p, k) => TEXT_WEIGHTS[k] * at(p));
  return v.length + codes.reduce((a, b) => a + b, 0);
}

/** The same checksums as `checksumSql`, from the TypeScript row formulas. */
export function checksumTs(table: string): number[] {
  const kinds = CHECKED[table].map(([, kind]) => kind);
  const sums = kinds.flatMap(() => [0, 0]);
  for (const values of tsRows(table)) {
    const weight = (values[0] as number) % 97 + 1;
    values.forEach((v, k) => {
      const f = feature(kinds[k], v);
      sums[2 * k] += f;
      sums[2 * k + 1] += f * weight;
    });
  }
  return sums;
}

function* tsRows(table: string): Generator<Value[]> {
  const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
  switch (table) {
    case "regions":
      return yield* REGIONS.map((name, k) => [k + 1, name]);
    case "categories":
      return yield* CATEGORIES.map((c, k) => [k + 1, c.name, c.department]);
    case "stores":
      return yield* range(COUNTS.stores).map((s) => Object.values(storeRow(s)));
    case "customers":
      return yield* range(COUNTS.customers).map((c) => Object.values(customerRow(c)));
    case "products":
      return yield* range(COUNTS.products).map((p) => Object.values(productRow(p)));
  }
  const days = new Map<number, [number, number, number]>();
  for (let i = 1; i <= COUNTS.orders; i++) {
    const o = orderRow(i);
    const lines = orderLines(i);
    if (table === "orders") {
      yield [
        i,
        o.customerId,
        o.storeId,
        o.channel,
        o.status,
        addDays(ORDER_BASE, o.day),
        o.day * 86_400 + o.createdSecond,
        o.shippedDay === null ? null : addDays(ORDER_BASE, o.shippedDay),
        o.promoCode,
      ];
    }
    for (const l of lines) {
      if (table === "order_items") {
        yield [
          i * 4 + l.lineNo,
          l.productId,
          l.quantity,
          l.unitPriceCents,
          l.discountPct,
          l.lineTotalCents,
        ];
      }
    }
    if (o.status === "cancelled" || o.status === "returned") continue;
    const day = days.get(o.day) ?? [0, 0, 0];
    day[0] += 1;
    for (const l of lines) {
      day[1] += l.quantity;
      day[2] += l.lineTotalCents;
    }
    days.set(o.day, day);
  }
  if (table === "v_daily_sales") {
    for (const [d, [orders, units, cents]] of days) {
      yield [orders, addDays(ORDER_BASE, d), units, cents];
    }
  }
}
