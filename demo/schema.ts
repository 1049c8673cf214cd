// The embedded demo database: a deterministic retail schema whose rows are
// generated inside the database, identically on SQLite and PostgreSQL.

import { CATEGORIES, REGIONS } from "./data.ts";
import { orderItemsSql, ordersSql } from "./orders.ts";
import { customersSql, productsSql, storesSql } from "./rows.ts";
import { quote } from "./sql.ts";

export { type DemoFacts, demoFacts } from "./facts.ts";

/** Version of the demo schema and data; bump whenever a statement changes. */
export const DEMO_SCHEMA_VERSION = "1";

/** SQL dialects the demo database can be built in. */
export type DemoDialect = "sqlite" | "postgres";

/** Tables of the demo database, parents first. */
export const DEMO_TABLES = [
  "regions",
  "stores",
  "customers",
  "categories",
  "products",
  "orders",
  "order_items",
] as const;

/** Name of a demo table. */
export type DemoTable = typeof DEMO_TABLES[number];

/** Columns, keys and checks of every table, without foreign keys. */
const COLUMNS: Record<DemoTable, string[]> = {
  regions: [
    "region_id INTEGER NOT NULL PRIMARY KEY",
    "name VARCHAR(40) NOT NULL UNIQUE",
  ],
  stores: [
    "store_id INTEGER NOT NULL PRIMARY KEY",
    "region_id INTEGER NOT NULL",
    "name VARCHAR(60) NOT NULL",
    "city VARCHAR(40) NOT NULL",
    "opened_date DATE NOT NULL",
    "square_meters INTEGER NOT NULL",
  ],
  customers: [
    "customer_id INTEGER NOT NULL PRIMARY KEY",
    "first_name VARCHAR(40) NOT NULL",
    "last_name VARCHAR(40) NOT NULL",
    "email VARCHAR(120)",
    "phone VARCHAR(20)",
    "city VARCHAR(40) NOT NULL",
    "region_id INTEGER NOT NULL",
    "segment VARCHAR(20) NOT NULL",
    "signup_date DATE NOT NULL",
  ],
  categories: [
    "category_id INTEGER NOT NULL PRIMARY KEY",
    "name VARCHAR(40) NOT NULL UNIQUE",
    "department VARCHAR(40) NOT NULL",
  ],
  products: [
    "product_id INTEGER NOT NULL PRIMARY KEY",
    "category_id INTEGER NOT NULL",
    "sku VARCHAR(20) NOT NULL UNIQUE",
    "name VARCHAR(80) NOT NULL",
    "list_price NUMERIC(10,2) NOT NULL",
    "unit_cost NUMERIC(10,2) NOT NULL",
    "discontinued_date DATE",
  ],
  orders: [
    "order_id INTEGER NOT NULL PRIMARY KEY",
    "customer_id INTEGER NOT NULL",
    "store_id INTEGER",
    "channel VARCHAR(10) NOT NULL",
    "status VARCHAR(12) NOT NULL CHECK (status IN " +
    "('pending', 'shipped', 'delivered', 'returned', 'cancelled'))",
    "order_date DATE NOT NULL",
    "created_at TIMESTAMP NOT NULL",
    "shipped_date DATE",
    "promo_code VARCHAR(20)",
  ],
  order_items: [
    "order_id INTEGER NOT NULL",
    "line_no INTEGER NOT NULL",
    "product_id INTEGER NOT NULL",
    "quantity INTEGER NOT NULL CHECK (quantity > 0)",
    "unit_price NUMERIC(10,2) NOT NULL",
    "discount NUMERIC(4,2) NOT NULL DEFAULT 0",
    "line_total NUMERIC(12,2) NOT NULL",
    "PRIMARY KEY (order_id, line_no)",
  ],
};

/** Foreign keys as [table, column, parent]; the parent's key has the same name. */
const FOREIGN_KEYS: [DemoTable, string, DemoTable][] = [
  ["stores", "region_id", "regions"],
  ["customers", "region_id", "regions"],
  ["products", "category_id", "categories"],
  ["orders", "customer_id", "customers"],
  ["orders", "store_id", "stores"],
  ["order_items", "order_id", "orders"],
  ["order_items", "product_id", "products"],
];

function foreignKey(
  [table, column, parent]: [DemoTable, string, DemoTable],
): string {
  return `CONSTRAINT fk_${table}_${column} FOREIGN KEY (${column}) REFERENCES ${parent} (${column})`;
}

/** CREATE TABLE; SQLite gets its foreign keys here as it cannot add them later. */
function createTable(dialect: DemoDialect, table: DemoTable): string {
  const keys = dialect === "sqlite" ? FOREIGN_KEYS.filter((k) => k[0] === table).map(foreignKey) : [];
  return `CREATE TABLE ${table} (\n  ${[...COLUMNS[table], ...keys].join(",\n  ")}\n)`;
}

const INDEXES = [
  "CREATE INDEX idx_orders_order_date ON orders (order_date)",
  "CREATE INDEX idx_orders_customer_id ON orders (customer_id)",
  "CREATE INDEX idx_order_items_product_id ON order_items (product_id)",
];

const VIEW = `CREATE VIEW v_daily_sales AS
SELECT o.order_date,
  COUNT(DISTINCT o.order_id) AS orders,
  SUM(i.quantity) AS units,
  ROUND(SUM(i.line_total), 2) AS revenue
FROM orders o
JOIN order_items i ON i.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY o.order_date`;

/** Ordered statements (no trailing semicolons) that create and fill the demo schema. */
export function demoStatements(dialect: DemoDialect): string[] {
  const regions = REGIONS.map((name, k) => `(${k + 1}, ${quote(name)})`);
  const categories = CATEGORIES.map((c, k) => `(${k + 1}, ${quote(c.name)}, ${quote(c.department)})`);
  // PostgreSQL checks foreign keys row by row during a load (3.7 s of 6 s,
  // measured) but in one join when they are added afterwards, as pg_dump does.
  const laterKeys = dialect === "postgres" ? FOREIGN_KEYS.map((k) => `ALTER TABLE ${k[0]} ADD ${foreignKey(k)}`) : [];
  return [
    ...DEMO_TABLES.map((t) => createTable(dialect, t)),
    `INSERT INTO regions (region_id, name) VALUES ${regions.join(", ")}`,
    storesSql(dialect),
    customersSql(dialect),
    `INSERT INTO categories (category_id, name, department) VALUES ${categories.join(", ")}`,
    productsSql(dialect),
    ordersSql(dialect),
    orderItemsSql(dialect),
    ...laterKeys,
    ...INDEXES,
    VIEW,
    ...DEMO_TABLES.map((t) => `ANALYZE ${t}`),
  ];
}
