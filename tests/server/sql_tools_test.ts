/**
 * SQL-file tools: the header parser and `:name` scanner, every refusal at
 * load time (file and line), and the tools themselves through the SDK client
 * on the real SQLite and PostgreSQL demo databases — values bound, never
 * pasted, and the read-only guard at call time.
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { runScript } from "../../connection/script.ts";
import type { Database, QueryOptions } from "../../connection/types.ts";
import { addDays } from "../../demo/sql.ts";
import { ORDER_BASE, orderRow } from "../../demo/orders.ts";
import { COUNTS, customerRow, productRow } from "../../demo/rows.ts";
import { demoFacts } from "../../demo/schema.ts";
import { createServer } from "../../server/create.ts";
import { loadCatalog } from "../../server/loader.ts";
import { parseSqlTool, scanStatement } from "../../server/sql_tools.ts";
import {
  demoPostgresUri,
  demoSqlitePath,
  PG_DEMO_SCHEMA,
  type TableContent,
  testDatabase,
  textOf,
} from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";

const EXAMPLES = new URL("../../examples/sql_tools", import.meta.url).pathname;
const LIMITS = { defaultRows: 100, maxRows: 5000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };
const HEAD = "-- title: T\n-- description: D\n";
const facts = demoFacts();

/** Writes files into a new temporary folder. */
async function folder(files: Record<string, string>) {
  const path = await Deno.makeTempDir({ prefix: "tdmcp-sqltools-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(`${path}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${path}/${name}`, text);
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** The database with every statement and its bound values recorded. */
function recording(db: Database, seen: { sql: string; params: QueryOptions["params"] }[]): Database {
  return {
    dialect: db.dialect,
    target: db.target,
    defaultMaxRows: db.defaultMaxRows,
    allowWrite: db.allowWrite,
    identify: () => db.identify(),
    query: (sql, options = {}) => {
      seen.push({ sql, params: options.params });
      return db.query(sql, options);
    },
    odbcTables: (schema, table) => db.odbcTables(schema, table),
    odbcColumns: (schema, table) => db.odbcColumns(schema, table),
    health: () => db.health(),
    stats: () => db.stats(),
    close: () => db.close(),
    [Symbol.asyncDispose]: () => db.close(),
  };
}

/** A server over `db` with the tools of `dir`, and an SDK client connected in memory. */
async function serve(db: Database, dir: string) {
  const seen: { sql: string; params: QueryOptions["params"] }[] = [];
  const catalog = await loadCatalog([dir]);
  const server = createServer({
    db: recording(db, seen),
    ...catalog,
    limits: LIMITS,
    log: getLogger(["tdmcp", "test"]),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "sql-tools-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    seen,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      await client.callTool({ name, arguments: args }) as CallToolResult & { structuredContent?: TableContent },
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

const TARGETS = [
  { label: "sqlite", ignore: false, open: async () => testDatabase(`sqlite://${await demoSqlitePath()}`) },
  {
    label: "postgres",
    ignore: !pgUri(),
    open: async () => {
      // Unqualified table names, as an analyst writes them: the demo schema first on the search path.
      const url = new URL((await demoPostgresUri())!);
      url.searchParams.set("pqopt", `options=-csearch_path=${PG_DEMO_SCHEMA}`);
      return testDatabase(url.href);
    },
  },
];

/** Registers a test on each demo database. */
function dbTest(name: string, fn: (db: Database) => Promise<void>): void {
  for (const target of TARGETS) {
    Deno.test({
      name: `${target.label}: ${name}`,
      ignore: target.ignore,
      async fn() {
        const db = await target.open();
        try {
          await fn(db);
        } finally {
          await db.close();
        }
      },
    });
  }
}

Deno.test("the scanner turns :name into ? outside literals, quoted names, comments and :: casts", () => {
  const fail = (line: number, problem: string): never => {
    throw new TypeError(`${line}: ${problem}`);
  };
  const text = `SELECT ':a' AS s, "c:a", \`b:a\`, E'it\\'s :a', $$ :a $$, $t$ :a $t$, x::int, :one -- :a
/* :a */ , :two::date, ' '':a'' ', :one;
-- a comment after the end`;
  const { sql, uses } = scanStatement(text, 7, fail);
  assert.equal(
    sql,
    `SELECT ':a' AS s, "c:a", \`b:a\`, E'it\\'s :a', $$ :a $$, $t$ :a $t$, x::int, ? -- :a
/* :a */ , ?::date, ' '':a'' ', ?;
-- a comment after the end`,
  );
  assert.deepEqual(uses, [{ name: "one", line: 7 }, { name: "two", line: 8 }, { name: "one", line: 8 }]);
});

Deno.test("the header gives title, a continued description, typed parameters with defaults and dialects", () => {
  const spec = parseSqlTool(
    `
-- name: sales_x
-- title: Sales X
-- description: First line.
--   Second line.
-- param: region string "Region, e.g. \\"EU\\"" default "North"
-- param: n integer "How many" default 3
-- param: since date "From"
-- dialects: postgres, sqlite

-- a comment in the SQL, not the header: ignored
SELECT :region, :n, :since, :n`,
    "/x/sales_x.sql",
  );
  assert.equal(spec.name, "sales_x");
  assert.equal(spec.title, "Sales X");
  assert.equal(spec.description, "First line.\nSecond line.");
  assert.deepEqual(spec.params.map((p) => [p.name, p.type, p.description, p.default, p.line]), [
    ["region", "string", 'Region, e.g. "EU"', "North", 6],
    ["n", "integer", "How many", 3, 7],
    ["since", "date", "From", undefined, 8],
  ]);
  assert.deepEqual(spec.dialects, ["postgres", "sqlite"]);
  assert.deepEqual(spec.bindOrder, ["region", "n", "since", "n"]);
  assert.equal(spec.sql, "-- a comment in the SQL, not the header: ignored\nSELECT ?, ?, ?, ?");
  assert.deepEqual(parseSqlTool(`${HEAD}SELECT 1`, "/x/y.sql").dialects, ["teradata", "postgres", "sqlite", "generic"]);
  const indented = parseSqlTool(
    "-- title: T\n-- description:\n--   All on the\n--\n--   next lines.\nSELECT 1",
    "/x/y.sql",
  );
  assert.equal(indented.description, "All on the\nnext lines.");
});

Deno.test("each bad SQL tool file stops loading with its file, line and problem", async () => {
  const cases: [string, string, RegExp][] = [
    ["-- titel: T\nSELECT 1", "bad.sql", /bad\.sql:1: unknown header key 'titel'; known: name, title, description, /],
    [`${HEAD}-- param: x int "X"\nSELECT :x`, "bad.sql", /bad\.sql:3: unknown type 'int' for parameter 'x'; known: /],
    [
      `${HEAD}-- param: x string "X"\n-- param: x integer "Y"\nSELECT :x`,
      "bad.sql",
      /bad\.sql:4: parameter 'x' is already declared on line 3/,
    ],
    [
      `${HEAD}-- param: region string "R"\nSELECT *\nFROM t WHERE r = :regin`,
      "bad.sql",
      /bad\.sql:5: ':regin' is used but not declared; add '-- param: regin <type> "<description>"'/,
    ],
    [
      `${HEAD}-- param: a string "A"\n-- param: b string "B"\nSELECT :a`,
      "bad.sql",
      /bad\.sql:4: parameter 'b' is declared but never used/,
    ],
    [`${HEAD}\n-- only a comment\n`, "bad.sql", /bad\.sql:3: the file has no SQL statement after its header/],
    [`${HEAD};`, "bad.sql", /bad\.sql:3: the statement before ';' is empty/],
    [
      `${HEAD}SELECT 1;\n\nSELECT 2`,
      "bad.sql",
      /bad\.sql:5: more than one statement: the statement ended with ';' on line 3/,
    ],
    [`-- name: other\n${HEAD}SELECT 1`, "bad.sql", /bad\.sql:1: 'name' is "other" but must equal the file stem "bad"/],
    [
      `${HEAD}-- param: n integer "N" default 1.5\nSELECT :n`,
      "bad.sql",
      /bad\.sql:3: default 1\.5 .* not a valid integer/,
    ],
    [`${HEAD}-- param: d date "D" default 2023-02-29\nSELECT :d`, "bad.sql", /bad\.sql:3: default .* not a valid date/],
    [
      `${HEAD}-- param: b boolean "B" default yes\nSELECT :b`,
      "bad.sql",
      /bad\.sql:3: default yes .* not a valid boolean/,
    ],
    [
      `${HEAD}-- param: x string\nSELECT :x`,
      "bad.sql",
      /bad\.sql:3: expected '-- param: <name> <type> "<description>"/,
    ],
    [`${HEAD}-- param: row_limit integer "R"\nSELECT :row_limit`, "bad.sql", /bad\.sql:3: 'row_limit' is reserved/],
    [`${HEAD}SELECT *\nFROM t WHERE a = ?`, "bad.sql", /bad\.sql:4: a bare '\?' is a positional parameter marker/],
    [`${HEAD}SELECT 'open\n`, "bad.sql", /bad\.sql:3: a ' quote is never closed/],
    [`-- title: T\nSELECT 1`, "bad.sql", /bad\.sql:1: the header needs a non-empty '-- description:' line/],
    [`${HEAD}-- dialects: sqlite, oracle\nSELECT 1`, "bad.sql", /bad\.sql:3: unknown dialect 'oracle'; known: /],
    [`-- title: T\n--   more\nSELECT 1`, "bad.sql", /bad\.sql:2: only 'description' may continue on indented/],
    [`${HEAD}SELECT 1`, "bad name.sql", /bad name\.sql:1: the name "bad name" has characters MCP names may not use/],
  ];
  for (const [text, file, expected] of cases) {
    await using dir = await folder({ [`group/${file}`]: text });
    await assert.rejects(() => loadCatalog([dir.path]), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, new RegExp(`^Cannot load tool file ${dir.path}/group/`));
      assert.match(error.message, expected);
      return true;
    });
  }
});

Deno.test("the loader takes .sql files with .ts tools in sorted order; helpers skipped; one stem is one name", async () => {
  const tsTool = (name: string) =>
    `import { z } from "zod";
import { defineTool, READ_ONLY } from "tdmcp/plugin";
export default defineTool({ name: "${name}", title: "T", description: "D", inputSchema: { x: z.string().describe("X") },
  annotations: READ_ONLY, dialects: ["sqlite"], handler: () => Promise.resolve({ content: [] }) });`;
  await using dir = await folder({
    "b_sql.sql": `${HEAD}SELECT 1`,
    "a_ts.ts": tsTool("a_ts"),
    "c/c_sql.sql": `${HEAD}-- dialects: teradata\nSELECT 1`,
    "lib/shared.sql": "not a tool",
  });
  const catalog = await loadCatalog([dir.path]);
  assert.deepEqual(catalog.tools.map((t) => t.name), ["a_ts", "b_sql", "c_sql"]);
  assert.equal(catalog.files.get("c_sql"), `${dir.path}/c/c_sql.sql`);
  await using clash = await folder({ "same.sql": `${HEAD}SELECT 1`, "same.ts": tsTool("same") });
  await assert.rejects(
    () => loadCatalog([clash.path]),
    new RegExp(
      `Cannot load tool file ${clash.path}/same.ts: the name "same" is already used by ${clash.path}/same.sql`,
    ),
  );
});

const ORDERS_BY_STATUS = `-- title: Orders with a status
-- description: How many orders have one status. Result: orders.
-- param: status string "Order status, e.g. shipped"
SELECT count(*) AS orders FROM orders WHERE status = :status`;

const CUSTOMERS_BY_SEGMENT = `-- title: Customers of a segment
-- description: The ids of the customers of one segment.
-- param: segment string "Segment, e.g. consumer"
SELECT customer_id FROM customers WHERE segment = :segment ORDER BY customer_id`;

const ECHO = `-- title: Echo
-- description: The word back, twice, and how many customers have it as their segment.
-- param: word string "Any text"
SELECT :word AS word, :word || '|' || :word AS twice,
  (SELECT count(*) FROM customers WHERE segment = :word) AS customers`;

const TYPES = `-- title: Types
-- description: Typed parameters back, with defaults.
-- param: s string "A string" default "it's \\"quoted\\""
-- param: i integer "An integer" default -3
-- param: n number "A number" default 2.5
-- param: b boolean "A flag" default true
-- param: d date "A date" default 2024-02-29
SELECT :s AS s, :i + 1 AS i_plus_one, CAST(:n AS REAL) * 2 AS n_twice, :b AS b, :d AS d`;

const DELETE = `-- title: Delete an order
-- description: Tries to delete; the read-only guard refuses it.
-- param: order_id integer "The order"
DELETE FROM orders WHERE order_id = :order_id`;

dbTest(
  "SQL-file tools are listed with described, typed parameters, defaults, row_limit and read-only hints",
  async (db) => {
    await using dir = await folder({
      "orders_byStatus.sql": ORDERS_BY_STATUS,
      "types.sql": TYPES,
      "td_only.sql": `${HEAD}-- dialects: teradata\nSELECT 1`,
    });
    await using c = await serve(db, dir.path);
    const { tools } = await c.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["orders_byStatus", "types"], "td_only is for Teradata only");
    const byStatus = tools.find((t) => t.name === "orders_byStatus")!;
    assert.deepEqual(byStatus.annotations, {
      title: "Orders with a status",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    assert.match(byStatus.description!, /^How many orders have one status\. Result: orders\.\nRuns a fixed read-only/);
    assert.deepEqual(byStatus.inputSchema.required, ["status"]);
    const types = tools.find((t) => t.name === "types")!;
    const props = types.inputSchema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(props), ["s", "i", "n", "b", "d", "row_limit"]);
    assert.equal(types.inputSchema.required, undefined, "every parameter has a default");
    assert.deepEqual([props.s.default, props.i.default, props.n.default, props.b.default, props.d.default], [
      `it's "quoted"`,
      -3,
      2.5,
      true,
      "2024-02-29",
    ]);
    assert.deepEqual([props.i.type, props.n.type, props.b.type, props.d.format], [
      "integer",
      "number",
      "boolean",
      "date",
    ]);
    assert.equal(props.d.description, "A date (date, yyyy-mm-dd; default 2024-02-29)");
  },
);

dbTest("a SQL-file tool returns what the demo formulas give, for each value", async (db) => {
  await using dir = await folder({ "orders_byStatus.sql": ORDERS_BY_STATUS, "segment.sql": CUSTOMERS_BY_SEGMENT });
  await using c = await serve(db, dir.path);
  for (const [status, expected] of Object.entries(facts.ordersPerStatus)) {
    const r = await c.call("orders_byStatus", { status });
    assert.equal(r.isError, undefined, textOf(r));
    assert.deepEqual(r.structuredContent!.rows.map((row) => row.map(Number)), [[expected]]);
  }
  const corporate: number[] = [];
  for (let id = 1; id <= COUNTS.customers; id++) if (customerRow(id).segment === "corporate") corporate.push(id);
  const r = await c.call("segment", { segment: "corporate", row_limit: 5000 });
  assert.deepEqual(r.structuredContent!.rows.map((row) => Number(row[0])), corporate);
  const capped = await c.call("segment", { segment: "corporate", row_limit: 7 });
  assert.deepEqual(capped.structuredContent!.rows.map((row) => Number(row[0])), corporate.slice(0, 7));
  assert.equal(capped.structuredContent!.truncated_by, "rows");
  const defaulted = await c.call("segment", { segment: "corporate" });
  assert.equal(defaulted.structuredContent!.row_count, LIMITS.defaultRows);
  const lowered = await c.call("segment", { segment: "corporate", row_limit: 9999 });
  assert.match(textOf(lowered), /row_limit was lowered to the server maximum of 5000/);
});

dbTest("values are bound, never pasted: quotes stay data, a name used twice is bound twice", async (db) => {
  await using dir = await folder({ "segment.sql": CUSTOMERS_BY_SEGMENT, "echo.sql": ECHO, "types.sql": TYPES });
  await using c = await serve(db, dir.path);
  const injected = await c.call("segment", { segment: "x' OR '1'='1" });
  assert.equal(injected.isError, undefined, textOf(injected));
  assert.equal(injected.structuredContent!.row_count, 0);
  assert.deepEqual(c.seen.at(-1), {
    sql: "SELECT customer_id FROM customers WHERE segment = ? ORDER BY customer_id",
    params: ["x' OR '1'='1"],
  });
  // Pasted, this value would end the string early and leave a syntax error.
  const word = `O'Brien"); --`;
  const echoed = await c.call("echo", { word });
  assert.equal(echoed.isError, undefined, textOf(echoed));
  assert.deepEqual(echoed.structuredContent!.rows.map((row) => [row[0], row[1], Number(row[2])]), [
    [word, `${word}|${word}`, 0],
  ]);
  assert.deepEqual(c.seen.at(-1)!.params, [word, word, word, word]);
  assert.ok(!c.seen.at(-1)!.sql.includes("O'Brien") && c.seen.at(-1)!.sql.includes("? || '|' || ?"));
  const segment = await c.call("echo", { word: "corporate" });
  const corporate = Array.from({ length: COUNTS.customers }, (_, k) => customerRow(k + 1))
    .filter((row) => row.segment === "corporate").length;
  assert.equal(Number(segment.structuredContent!.rows[0][2]), corporate);

  const typed = await c.call("types");
  assert.equal(typed.isError, undefined, textOf(typed));
  assert.deepEqual(c.seen.at(-1)!.params, [`it's "quoted"`, -3, 2.5, 1, "2024-02-29"], "defaults; true binds as 1");
  assert.deepEqual(typed.structuredContent!.rows[0].map(String), [`it's "quoted"`, "-2", "5", "1", "2024-02-29"]);
  await c.call("types", { s: "", i: 41, n: -0.25, b: false, d: "2023-12-31" });
  assert.deepEqual(c.seen.at(-1)!.params, ["", 41, -0.25, 0, "2023-12-31"]);
  for (
    const [args, field] of [[{ d: "2023-02-30" }, "d"], [{ i: 1.5 }, "i"], [{ b: "yes" }, "b"], [
      { s: 5 },
      "s",
    ]] as const
  ) {
    const calls = c.seen.length;
    const refused = await c.call("types", args);
    assert.equal(refused.isError, true, JSON.stringify(args));
    assert.match(textOf(refused), new RegExp(`Input validation error[^]*${field}`));
    assert.equal(c.seen.length, calls, "nothing reaches the database");
  }
  const missing = await c.call("segment", {});
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /segment/);
});

dbTest(
  "a .sql file with a DELETE loads, but the read-only guard refuses it at call time and nothing changes",
  async (db) => {
    await using dir = await folder({ "orders_delete.sql": DELETE });
    await using c = await serve(db, dir.path);
    const r = await c.call("orders_delete", { order_id: 1 });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^Refused: /);
    assert.equal(c.seen.at(-1)!.sql, "DELETE FROM orders WHERE order_id = ?");
    const count = await db.query("SELECT count(*) FROM orders WHERE order_id = 1");
    assert.equal(Number(count.rows[0][0]), 1);
  },
);

Deno.test("a SQL-file tool stays read-only on a server started with --allow-write", async () => {
  await using dir = await folder({ "t_delete.sql": `${HEAD}-- param: x integer "X"\nDELETE FROM t WHERE x = :x` });
  const path = `${dir.path}/writable.db`;
  await runScript(`sqlite://${path}`, ["CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2), (3)"]);
  await using db = testDatabase(`sqlite://${path}`, { allowWrite: true });
  await using c = await serve(db, dir.path);
  const r = await c.call("t_delete", { x: 2 });
  assert.equal(r.isError, true);
  assert.match(textOf(r), /^Refused: /);
  assert.equal(Number((await db.query("SELECT count(*) FROM t")).rows[0][0]), 3);
});

dbTest("the example SQL tools load and agree with the demo formulas", async (db) => {
  await using c = await serve(db, EXAMPLES);
  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ["products_search", "sales_dailyRevenue", "sales_topCustomers"]);

  // Top customers of the West (region 4) with at least 25 orders, computed from the row formulas.
  const orders = new Map<number, number>();
  for (let i = 1; i <= COUNTS.orders; i++) {
    const { customerId } = orderRow(i);
    if (customerRow(customerId).regionId === 4) orders.set(customerId, (orders.get(customerId) ?? 0) + 1);
  }
  const ranked = [...orders].filter(([, n]) => n >= 25).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = await c.call("sales_topCustomers", { region: "West", min_orders: 25, top: 5 });
  assert.equal(top.isError, undefined, textOf(top));
  assert.deepEqual(
    top.structuredContent!.rows.map((row) => [Number(row[0]), row[1], row[2], Number(row[3])]),
    ranked.slice(0, 5).map(([id, n]) => [id, customerRow(id).firstName, customerRow(id).lastName, n]),
  );
  const few = await c.call("sales_topCustomers", { region: "West", min_orders: ranked[2][1] + 1, top: 50 });
  assert.equal(few.structuredContent!.row_count, ranked.filter(([, n]) => n > ranked[2][1]).length);

  // January 2024: the days with an order neither cancelled nor returned.
  const days = new Set<string>();
  for (let i = 1; i <= COUNTS.orders; i++) {
    const o = orderRow(i);
    const date = addDays(ORDER_BASE, o.day);
    if (date.startsWith("2024-01") && o.status !== "cancelled" && o.status !== "returned") days.add(date);
  }
  const january = await c.call("sales_dailyRevenue", { from_date: "2024-01-01", to_date: "2024-01-31" });
  assert.equal(january.isError, undefined, textOf(january));
  assert.deepEqual(january.structuredContent!.rows.map((row) => String(row[0])), [...days].sort());
  const all = await c.call("sales_dailyRevenue", {
    from_date: facts.orderDateRange[0],
    to_date: facts.orderDateRange[1],
    row_limit: 5000,
  });
  assert.equal(all.structuredContent!.row_count, facts.dailySalesDays);
  assert.equal(all.structuredContent!.rows.reduce((sum, row) => sum + Number(row[2]), 0), facts.dailySalesUnits);

  const kettles = Array.from({ length: COUNTS.products }, (_, k) => productRow(k + 1))
    .filter((p) => p.name.toLowerCase().includes("kettle"))
    .sort((a, b) => a.priceCents - b.priceCents || a.productId - b.productId);
  assert.ok(kettles.some((p) => p.discontinuedDate !== null), "the check needs a discontinued kettle");
  const current = await c.call("products_search", { text: "KETTLE" });
  assert.equal(current.isError, undefined, textOf(current));
  assert.deepEqual(
    current.structuredContent!.rows.map((row) => Number(row[0])),
    kettles.filter((p) => p.discontinuedDate === null).map((p) => p.productId),
  );
  const everything = await c.call("products_search", { text: "kettle", include_discontinued: true });
  assert.deepEqual(everything.structuredContent!.rows.map((row) => Number(row[0])), kettles.map((p) => p.productId));
});
