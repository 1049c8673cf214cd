/**
 * The tool suite every real database must pass: the same calls and the same
 * expected values (computed from the demo formulas, not from a database).
 * @module
 */
import assert from "node:assert/strict";
import type { Database } from "../../connection/types.ts";
import { DEMO_TABLES, demoFacts } from "../../demo/schema.ts";
import { connectClient, textOf } from "../_helpers.ts";

/** How to reach the demo data on one database. */
export interface SuiteTarget {
  label: string;
  /** Opens a Database on the demo data, or undefined to skip. */
  open(): Promise<Database | undefined>;
  /** The database (schema) name holding the demo tables. */
  database: string;
  /** The name of a 1,000,000-row table, qualified as SQL needs it. */
  bigTable: string;
}

/** Registers the suite's tests for one target. */
export function toolSuite(target: SuiteTarget): void {
  const { label, database } = target;
  const facts = demoFacts();
  const q = (table: string) => `${database}.${table}`;
  const test = (name: string, fn: (db: Database) => Promise<void>) =>
    Deno.test({
      name: `${label}: ${name}`,
      ignore: label.startsWith("postgres") &&
        !Deno.env.get("TDMCP_TEST_PG_URI"),
      async fn() {
        const db = await target.open();
        assert.ok(db, "the target database must be available");
        try {
          await fn(db);
        } finally {
          await db.close();
        }
      },
    });

  test("tools/list shows the six base tools with schemas and all four annotations", async (db) => {
    await using c = await connectClient(db);
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name).sort();
    for (
      const name of [
        "base_columnDescription",
        "base_databaseList",
        "base_readQuery",
        "base_tableDDL",
        "base_tableList",
        "base_tablePreview",
      ]
    ) {
      assert.ok(names.includes(name), `missing ${name}`);
    }
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, "object");
      assert.equal(tool.annotations?.readOnlyHint, true);
      assert.equal(tool.annotations?.destructiveHint, false);
      assert.equal(tool.annotations?.idempotentHint, true);
      assert.equal(tool.annotations?.openWorldHint, false);
    }
    const readQuery = tools.find((t) => t.name === "base_readQuery")!;
    assert.deepEqual(
      Object.keys(readQuery.inputSchema.properties ?? {}).sort(),
      ["explain_first", "persist", "row_limit", "sql", "timeout_seconds"],
    );
  });

  test("base_readQuery returns aggregates equal to the demo formulas", async (db) => {
    await using c = await connectClient(db);
    const counts = await c.call("base_readQuery", {
      sql: `SELECT (SELECT count(*) FROM ${q("orders")}) AS orders, (SELECT count(*) FROM ${q("order_items")}) AS items,
        (SELECT sum(quantity) FROM ${q("order_items")}) AS units,
        (SELECT count(*) FROM ${q("customers")} WHERE email IS NULL) AS no_email`,
    });
    assert.equal(counts.isError, undefined, textOf(counts));
    const [orders, items, units, noEmail] = counts.structuredContent!.rows[0]
      .map(Number);
    assert.equal(orders, facts.rows.orders);
    assert.equal(items, facts.rows.order_items);
    assert.equal(units, facts.totalQuantity);
    assert.equal(noEmail, facts.customersWithoutEmail);
    const byStatus = await c.call("base_readQuery", {
      sql: `SELECT status, count(*) AS n FROM ${q("orders")} GROUP BY status ORDER BY status;`,
    });
    const got = Object.fromEntries(
      byStatus.structuredContent!.rows.map(([s, n]) => [String(s), Number(n)]),
    );
    assert.deepEqual(got, facts.ordersPerStatus);
    assert.equal(byStatus.structuredContent!.truncated, false);
    const net = await c.call("base_readQuery", {
      sql: `-- net sales in cents\nSELECT round(sum(line_total) * 100) FROM ${q("order_items")} -- trailing note`,
    });
    assert.equal(
      Number(net.structuredContent!.rows[0][0]),
      facts.netSalesCents,
    );
  });

  test("base_readQuery caps rows at row_limit and says the result was truncated", async (db) => {
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", {
      sql: `SELECT order_id FROM ${q("orders")} ORDER BY order_id`,
      row_limit: 10,
    });
    assert.equal(r.structuredContent!.row_count, 10);
    assert.deepEqual(r.structuredContent!.rows.map((row) => Number(row[0])), [
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
    ]);
    assert.equal(r.structuredContent!.truncated, true);
    assert.equal(r.structuredContent!.truncated_by, "rows");
    assert.match(textOf(r), /truncated at the row limit/);
  });

  test("base_readQuery's text: a line per row, tabs and line breaks as spaces, long values cut at 200, NULL", async (db) => {
    await using c = await connectClient(db);
    const long = "x".repeat(250);
    const r = await c.call("base_readQuery", {
      sql: `SELECT 'a\tb\nc\rd' AS t, NULL AS n, 42 AS i, '${long}' AS l, 'plain' AS p`,
    });
    assert.equal(r.isError, undefined, textOf(r));
    const [row] = r.structuredContent!.rows;
    // SQLite (StepAPI=1) types an expression column as text, so 42 may arrive as "42" there.
    assert.deepEqual([...row.slice(0, 2), Number(row[2]), ...row.slice(3)], ["a\tb\nc\rd", null, 42, long, "plain"]);
    assert.equal(textOf(r), `t\tn\ti\tl\tp\na b c d\tNULL\t42\t${"x".repeat(200)}…\tplain\n(1 row)`);
  });

  test("a SELECT over 1,000,000 rows returns the default 1000 rows, truncated", async (db) => {
    const big = target.bigTable;
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", { sql: `SELECT * FROM ${big}` });
    assert.equal(r.isError, undefined, textOf(r));
    assert.equal(r.structuredContent!.row_count, 1000);
    assert.equal(r.structuredContent!.truncated, true);
    const total = await c.call("base_readQuery", {
      sql: `SELECT count(*) FROM ${big}`,
    });
    assert.equal(Number(total.structuredContent!.rows[0][0]), 1_000_000);
  });

  test("integers beyond 32 bits come back exact, and beyond 2^53 as exact text", async (db) => {
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", {
      sql: `SELECT sum(id) AS total, count(*) * 10000 AS scaled, 9007199254740993 AS huge FROM ${target.bigTable}`,
    });
    assert.equal(r.isError, undefined, textOf(r));
    const [total, scaled, huge] = r.structuredContent!.rows[0];
    assert.equal(Number(total), 500_000_500_000);
    assert.equal(Number(scaled), 10_000_000_000);
    assert.equal(String(huge), "9007199254740993");
  });

  test("a syntax error comes back as isError with the database's message and no stack trace", async (db) => {
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", {
      sql: `SELECT FROM WHERE ${q("orders")}`,
    });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^Database error.*syntax error/i);
    assert.doesNotMatch(textOf(r), /\n\s+at /);
  });

  test("a write is refused and changes nothing", async (db) => {
    await using c = await connectClient(db);
    const r = await c.call("base_readQuery", {
      sql: `DELETE FROM ${q("order_items")}`,
    });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^Refused: /);
    const after = await c.call("base_readQuery", {
      sql: `SELECT count(*) FROM ${q("order_items")}`,
    });
    assert.equal(
      Number(after.structuredContent!.rows[0][0]),
      facts.rows.order_items,
    );
  });

  test("base_databaseList and base_tableList show the demo tables", async (db) => {
    await using c = await connectClient(db);
    const dbs = await c.call("base_databaseList");
    assert.ok(
      dbs.structuredContent!.rows.some((r) => r[0] === database),
      textOf(dbs),
    );
    const tables = await c.call("base_tableList", { database_name: database });
    const names = tables.structuredContent!.rows.map((r) => String(r[1]));
    for (const table of [...DEMO_TABLES, "v_daily_sales"]) {
      assert.ok(names.includes(table), `missing ${table}`);
    }
    const filtered = await c.call("base_tableList", {
      database_name: database,
      name_filter: "%ORDER%",
    });
    assert.deepEqual(
      filtered.structuredContent!.rows.map((r) => String(r[1])).sort(),
      ["order_items", "orders"],
    );
  });

  test("base_columnDescription, base_tablePreview and base_tableDDL describe one table consistently", async (db) => {
    await using c = await connectClient(db);
    const cols = await c.call("base_columnDescription", {
      table_name: "orders",
      database_name: database,
    });
    assert.equal(cols.isError, undefined, textOf(cols));
    const columnNames = cols.structuredContent!.rows.map((r) => String(r[0]));
    assert.equal(columnNames[0], "order_id");
    assert.ok(
      columnNames.includes("order_date") && columnNames.includes("status"),
    );
    const dotted = await c.call("base_columnDescription", {
      table_name: `${database}.orders`,
    });
    assert.deepEqual(
      dotted.structuredContent!.rows,
      cols.structuredContent!.rows,
    );
    const preview = await c.call("base_tablePreview", {
      table_name: "orders",
      database_name: database,
      rows: 3,
    });
    assert.equal(preview.structuredContent!.row_count, 3);
    assert.deepEqual(
      preview.structuredContent!.columns.map((col) => col.name),
      columnNames,
    );
    const ddl = await c.call("base_tableDDL", {
      table_name: "orders",
      database_name: database,
    });
    const text = ddl.structuredContent!.rows.map((r) => String(r[0])).join(
      "\n",
    );
    assert.match(text, /CREATE TABLE/i);
    for (const name of columnNames) {
      assert.ok(text.includes(name), `DDL lacks ${name}`);
    }
    const view = await c.call("base_tableDDL", {
      table_name: "v_daily_sales",
      database_name: database,
    });
    assert.match(String(view.structuredContent!.rows[0][0]), /CREATE VIEW/i);
  });

  test("a missing table is an error that suggests similar names", async (db) => {
    await using c = await connectClient(db);
    for (
      const tool of [
        "base_columnDescription",
        "base_tablePreview",
        "base_tableDDL",
      ]
    ) {
      const r = await c.call(tool, {
        table_name: "ordrs",
        database_name: database,
      });
      assert.equal(r.isError, true, tool);
      assert.match(
        textOf(r),
        /no table or view `ordrs`.*similar: orders/,
        tool,
      );
    }
  });

  test("identifiers are quoted, never pasted into SQL", async (db) => {
    await using c = await connectClient(db);
    const r = await c.call("base_tablePreview", {
      table_name: `orders" ; DROP TABLE orders; --`,
      database_name: database,
    });
    assert.equal(r.isError, true);
    const still = await c.call("base_readQuery", {
      sql: `SELECT count(*) FROM ${q("orders")}`,
    });
    assert.equal(
      Number(still.structuredContent!.rows[0][0]),
      facts.rows.orders,
    );
  });
}
