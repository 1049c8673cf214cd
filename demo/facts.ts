// Facts about the demo database computed in TypeScript from the row
// formulas, never from a database, so tests can check a built database.

import { CATEGORIES, REGIONS } from "./data.ts";
import { ORDER_BASE, ORDER_DAYS, orderLines, orderRow } from "./orders.ts";
import { COUNTS, customerRow, productRow } from "./rows.ts";
import { addDays } from "./sql.ts";

/** Values a correctly built demo database must show. */
export interface DemoFacts {
  /** Row count of every table. */
  rows: Record<
    | "regions"
    | "stores"
    | "customers"
    | "categories"
    | "products"
    | "orders"
    | "order_items",
    number
  >;
  /** Customers whose email is NULL. */
  customersWithoutEmail: number;
  /** Customers whose phone is NULL. */
  customersWithoutPhone: number;
  /** Customers with no order at all. */
  customersWithoutOrders: number;
  /** Products never ordered. */
  productsNeverOrdered: number;
  /** Products with a discontinued_date. */
  discontinuedProducts: number;
  /** Sum of products.list_price in cents. */
  listPriceCents: number;
  /** Online orders: store_id is NULL. */
  ordersWithoutStore: number;
  /** Orders with a promo_code. */
  ordersWithPromo: number;
  /** Orders with a NULL shipped_date. */
  ordersNotShipped: number;
  /** Orders per status. */
  ordersPerStatus: Record<string, number>;
  /** Orders per calendar year of order_date. */
  ordersPerYear: Record<string, number>;
  /** Earliest and latest order_date (ISO). */
  orderDateRange: [string, string];
  /** Sum of order_items.quantity. */
  totalQuantity: number;
  /** Sum of quantity × unit_price in cents, before discounts. */
  grossSalesCents: number;
  /** Sum of order_items.line_total in cents. */
  netSalesCents: number;
  /** Order lines with a discount above zero. */
  discountedLines: number;
  /** Rows of v_daily_sales (days with a sale that was neither cancelled nor returned). */
  dailySalesDays: number;
  /** Sum of v_daily_sales.units. */
  dailySalesUnits: number;
}

/** Compute the demo facts from the row formulas, without a database (about 0.3 s). */
export function demoFacts(): DemoFacts {
  const facts: DemoFacts = {
    rows: {
      regions: REGIONS.length,
      stores: COUNTS.stores,
      customers: COUNTS.customers,
      categories: CATEGORIES.length,
      products: COUNTS.products,
      orders: COUNTS.orders,
      order_items: 0,
    },
    customersWithoutEmail: 0,
    customersWithoutPhone: 0,
    customersWithoutOrders: 0,
    productsNeverOrdered: 0,
    discontinuedProducts: 0,
    listPriceCents: 0,
    ordersWithoutStore: 0,
    ordersWithPromo: 0,
    ordersNotShipped: 0,
    ordersPerStatus: {},
    ordersPerYear: {},
    orderDateRange: [ORDER_BASE, addDays(ORDER_BASE, ORDER_DAYS - 1)],
    totalQuantity: 0,
    grossSalesCents: 0,
    netSalesCents: 0,
    discountedLines: 0,
    dailySalesDays: 0,
    dailySalesUnits: 0,
  };
  for (let c = 1; c <= COUNTS.customers; c++) {
    const row = customerRow(c);
    if (row.email === null) facts.customersWithoutEmail++;
    if (row.phone === null) facts.customersWithoutPhone++;
  }
  for (let p = 1; p <= COUNTS.products; p++) {
    const row = productRow(p);
    facts.listPriceCents += row.priceCents;
    if (row.discontinuedDate !== null) facts.discontinuedProducts++;
  }
  const buyers = new Set<number>();
  const sold = new Set<number>();
  const salesDays = new Set<number>();
  for (let i = 1; i <= COUNTS.orders; i++) {
    const o = orderRow(i);
    buyers.add(o.customerId);
    if (o.storeId === null) facts.ordersWithoutStore++;
    if (o.promoCode !== null) facts.ordersWithPromo++;
    if (o.shippedDay === null) facts.ordersNotShipped++;
    count(facts.ordersPerStatus, o.status);
    count(facts.ordersPerYear, addDays(ORDER_BASE, o.day).slice(0, 4));
    const inView = o.status !== "cancelled" && o.status !== "returned";
    if (inView) salesDays.add(o.day);
    for (const line of orderLines(i)) {
      facts.rows.order_items++;
      sold.add(line.productId);
      facts.totalQuantity += line.quantity;
      facts.grossSalesCents += line.quantity * line.unitPriceCents;
      facts.netSalesCents += line.lineTotalCents;
      if (line.discountPct > 0) facts.discountedLines++;
      if (inView) facts.dailySalesUnits += line.quantity;
    }
  }
  facts.customersWithoutOrders = COUNTS.customers - buyers.size;
  facts.productsNeverOrdered = COUNTS.products - sold.size;
  facts.dailySalesDays = salesDays.size;
  return facts;
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}
