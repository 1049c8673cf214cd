/**
 * Table schemas as resources (the `schema://{database}/{table}` template,
 * listed page by page) and the two prompts, through the MCP SDK client
 * against real SQLite and PostgreSQL databases; expected values come from
 * the catalogs queried directly.
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import {
  demoPostgresUri,
  demoSqlitePath,
  genericDatabase,
  PG_DEMO_SCHEMA,
  sqliteFixture,
  testDatabase,
} from "../_helpers.ts";
import { pgAdmin } from "../_pg.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";
import { DIALECTS } from "../../connection/types.ts";
import { createServer } from "../../server/create.ts";
import { defineResource, defineResourceTemplate, type ResourceTemplate } from "../../plugin/resource.ts";
import { connectCatalog, countingDatabase, listAllPages } from "./_resources_client.ts";

/** Tables of the paging fixture besides the odd names below. */
const MANY = 230;
/** Rows put in t000, so that ANALYZE leaves a known count in sqlite_stat1. */
const T000_ROWS = 7;

/** A SQLite file with enough tables for three listing pages, odd names, views, and statistics for one table. */
function manyTablesPath(): Promise<string> {
  return sqliteFixture("res-many-tables-v1", () => [
    ...Array.from(
      { length: MANY },
      (_, i) => `CREATE TABLE t${String(i).padStart(3, "0")} (id INTEGER PRIMARY KEY, label TEXT DEFAULT 'x')`,
    ),
    `CREATE TABLE "order items" (order_id INTEGER NOT NULL, line INTEGER NOT NULL, qty REAL DEFAULT 1,
      PRIMARY KEY (line, order_id))`,
    `CREATE TABLE "zählung" (wert INTEGER)`,
    "CREATE VIEW v_a AS SELECT id FROM t000",
    "CREATE VIEW v_b AS SELECT label FROM t001",
    `INSERT INTO t000 (id) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${T000_ROWS})
      SELECT i FROM n`,
    "ANALYZE t000",
  ]);
}

/** A template listing `count` resources `pages` at a time, its cursor an offset; `calls` records each call's cursor. */
function pagedTemplate(name: string, count: number, size: number, calls: (string | undefined)[]): ResourceTemplate {
  return defineResourceTemplate({
    name,
    uriTemplate: `${name}://{id}`,
    title: name,
    description: `Test template ${name}.`,
    mimeType: "text/plain",
    dialects: DIALECTS,
    list(_ctx, cursor) {
      calls.push(cursor);
      const from = cursor === undefined ? 0 : Number(cursor);
      const ids = Array.from({ length: Math.min(size, count - from) }, (_, i) => from + i);
      return Promise.resolve({
        resources: ids.map((i) => ({ uri: `${name}://${i}`, name: `${name}${i}` })),
        nextCursor: from + size < count ? String(from + size) : undefined,
      });
    },
    read: (uri) => Promise.resolve([{ uri: uri.href, text: uri.href }]),
  });
}

Deno.test("resources/list serves static resources, then each listing template's pages in turn, one list call a request", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const calls: (string | undefined)[] = [];
  const unlisted = { ...pagedTemplate("c", 0, 1, calls), list: undefined };
  const server = createServer({
    db,
    tools: [],
    resources: [defineResource({
      name: "fixed",
      uri: "fixed://one",
      title: "Fixed",
      description: "A static resource.",
      mimeType: "text/plain",
      dialects: DIALECTS,
      read: (uri) => Promise.resolve([{ uri: uri.href, text: "one" }]),
    })],
    resourceTemplates: [pagedTemplate("a", 5, 2, calls), unlisted, pagedTemplate("b", 1, 2, calls)],
    limits: { defaultRows: 10, maxRows: 10, timeoutMs: 1000, maxTimeoutMs: 1000 },
    log: getLogger(["tdmcp", "test"]),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "paging-test", version: "0" });
  await client.connect(clientSide);
  try {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const before = calls.length;
      const page = await client.request({ method: "resources/list", params: cursor === undefined ? {} : { cursor } });
      assert.equal(calls.length - before, 1, "one template page per request");
      pages.push(page.resources.map((r) => r.uri));
      assert.ok(page.resources.every((r) => r.mimeType === "text/plain"));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(pages, [["fixed://one", "a://0", "a://1"], ["a://2", "a://3"], ["a://4"], ["b://0"]]);
    assert.deepEqual(calls, [undefined, "2", "4", undefined], "each template gets back the cursor it gave");
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.name), ["a", "c", "b"]);
  } finally {
    await client.close();
    await server.close();
  }
});

type Schema = {
  database: string;
  table: string;
  kind: string | null;
  columns: { name: string; type: string | null; nullable: boolean; default: string | null }[];
  primary_key: string[] | null;
  row_count_estimate: number | null;
  row_count_source: string | null;
};

Deno.test("sqlite: resources/list pages through every table and view exactly once, each page at most 100, one query a page", async () => {
  await using real = testDatabase(`sqlite://${await manyTablesPath()}`);
  const expected = await real.query(
    "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const { db, sent } = countingDatabase(real);
  await using c = await connectCatalog(db);
  const { uris, names, pages } = await listAllPages(c.client);
  assert.equal(expected.rowCount, MANY + 4);
  assert.deepEqual(pages, [100, 100, MANY + 4 - 200], "three pages, none over the bound");
  assert.equal(new Set(uris).size, uris.length, "no table listed twice");
  assert.deepEqual(names, expected.rows.map((r) => `main.${r[0]}`), "every table once, in name order");
  assert.ok(uris.includes("schema://main/order%20items") && uris.includes("schema://main/z%C3%A4hlung"));
  assert.equal(sent.length, pages.length, `one catalog query per page, not the whole catalog: ${sent.join(" | ")}`);
  assert.ok(sent.every((sql) => /LIMIT 101$/.test(sql)), "each query reads one page (and one row to know more exist)");
});

Deno.test("sqlite: a schema resource holds what pragma_table_info and sqlite_stat1 say", async () => {
  await using db = testDatabase(`sqlite://${await manyTablesPath()}`);
  await using c = await connectCatalog(db);
  for (const table of ["t000", "order items", "zählung", "v_a"]) {
    const uri = `schema://main/${encodeURIComponent(table)}`;
    const schema = JSON.parse(await c.readText(uri)) as Schema;
    const info = await db.query(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, {
      params: [table],
    });
    assert.equal(schema.table, table);
    assert.equal(schema.database, "main");
    assert.equal(schema.kind, table.startsWith("v_") ? "view" : "table");
    assert.deepEqual(
      schema.columns,
      info.rows.map((r) => ({ name: r[0], type: r[1] || null, nullable: Number(r[2]) === 0, default: r[3] })),
    );
    const key = info.rows.filter((r) => Number(r[4]) > 0).sort((a, b) => Number(a[4]) - Number(b[4]));
    assert.deepEqual(schema.primary_key, key.length === 0 ? null : key.map((r) => r[0]));
  }
  const orderItems = JSON.parse(await c.readText("schema://main/order%20items")) as Schema;
  assert.deepEqual(orderItems.primary_key, ["line", "order_id"], "key order, not column order");
  const counted = JSON.parse(await c.readText("schema://main/t000")) as Schema;
  assert.equal(counted.row_count_estimate, T000_ROWS);
  assert.match(counted.row_count_source!, /sqlite_stat1/);
  const unanalyzed = JSON.parse(await c.readText("schema://main/t001")) as Schema;
  assert.equal(unanalyzed.row_count_estimate, null, "no statistics, no estimate (never a COUNT(*))");
});

Deno.test("sqlite: the demo tables' estimates equal their row counts after the demo's ANALYZE", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectCatalog(db);
  for (const table of ["orders", "order_items", "customers"]) {
    const schema = JSON.parse(await c.readText(`schema://main/${table}`)) as Schema;
    const count = await db.query(`SELECT count(*) FROM "${table}"`);
    assert.equal(schema.row_count_estimate, Number(count.rows[0][0]), table);
  }
});

Deno.test("sqlite: a missing table is resource-not-found naming similar tables; a bad cursor is invalid params", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectCatalog(db);
  await assert.rejects(
    () => c.client.readResource({ uri: "schema://main/ordrs" }),
    (error: Error & { code?: number }) => {
      assert.equal(error.code, -32602);
      assert.match(error.message, /no table or view `ordrs` in `main`; similar: orders/);
      return true;
    },
  );
  await assert.rejects(
    () => c.client.readResource({ uri: "schema://nosuchdb/orders" }),
    /no table or view `orders` in `nosuchdb`, which is not a database here; call base_databaseList/,
  );
  await assert.rejects(
    () => c.client.listResources({ cursor: "not-a-cursor" }),
    (error: Error & { code?: number }) => error.code === -32602 && /Invalid cursor/.test(error.message),
  );
});

Deno.test("sqlite: completions match name prefixes literally (LIKE wildcards escaped) and use the chosen database", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectCatalog(db);
  const all = await db.query(
    "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const starting = (p: string) => all.rows.map((r) => String(r[0])).filter((n) => n.startsWith(p));
  assert.deepEqual(await c.completeSchema("table", "ord"), starting("ord"));
  assert.deepEqual(await c.completeSchema("table", "order_"), ["order_items"], "_ is not a wildcard");
  assert.deepEqual(await c.completeSchema("table", "", { database: "main" }), starting(""));
  assert.deepEqual(await c.completeSchema("database", "ma"), ["main"]);
  assert.deepEqual(await c.completeSchema("database", "zz"), []);
  const prompt = await c.client.complete({
    ref: { type: "ref/prompt", name: "profile_table_quality" },
    argument: { name: "table", value: "cu" },
  });
  assert.deepEqual(prompt.completion.values, starting("cu"));
});

Deno.test("sqlite: explore_database names the base tools in order and lists the database's tables", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectCatalog(db);
  const { prompts } = await c.client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name).sort(), ["explore_database", "profile_table_quality"]);
  const { messages } = await c.client.getPrompt({ name: "explore_database", arguments: { database: "main" } });
  const guide = (messages[0].content as { text: string }).text;
  const order = ["base_databaseList", "base_tableList", "base_columnDescription", "base_tablePreview", "base_readQuery"]
    .map((tool) => guide.indexOf(tool));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), guide);
  assert.match(guide, /LIMIT n/);
  const tables = await db.query(
    "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const listed = (messages[1].content as { text: string }).text.split("\n").slice(1);
  assert.deepEqual(listed, tables.rows.map((r) => `- ${r[0]} (${r[1]})`));
});

Deno.test("sqlite: profile_table_quality embeds the table's schema resource and walks the qlty tools", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectCatalog(db);
  const { messages } = await c.client.getPrompt({ name: "profile_table_quality", arguments: { table: "main.orders" } });
  assert.equal(messages[0].content.type, "resource");
  const embedded = (messages[0].content as { resource: { uri: string; text: string; mimeType: string } }).resource;
  assert.equal(embedded.uri, "schema://main/orders");
  assert.equal(embedded.mimeType, "application/json");
  assert.deepEqual(JSON.parse(embedded.text), JSON.parse(await c.readText("schema://main/orders")));
  const steps = (messages[1].content as { text: string }).text;
  const tools = [
    "qlty_columnSummary",
    "qlty_missingValues",
    "qlty_distinctCategories",
    "qlty_univariateStatistics",
    "qlty_outliers",
    "qlty_duplicateRows",
  ];
  const at = tools.map((t) => steps.indexOf(t));
  assert.ok(at.every((p, i) => p >= 0 && (i === 0 || p > at[i - 1])), steps);
  assert.match(steps, /table_name = "orders", database_name = "main"/);
  assert.match(steps, /primary key \(order_id\)/);
  assert.match(steps, /numeric columns \(order_id, customer_id, store_id\)/);
  await assert.rejects(
    () => c.client.getPrompt({ name: "profile_table_quality", arguments: { table: "ordrs" } }),
    /Invalid argument: no table or view `ordrs` in `main`; similar: orders/,
  );
});

// PostgreSQL: the demo schema plus a schema of our own with keys, defaults, typed columns and enough tables to page.
const PG_SCHEMA = "tdmcp_res_v1";
const PG_TABLES = 120;

async function pgFixture(): Promise<string | undefined> {
  const uri = await demoPostgresUri();
  if (uri === undefined) return undefined;
  const present = await pgAdmin(`SELECT count(*) FROM information_schema.tables WHERE table_schema = '${PG_SCHEMA}'`);
  if (Number(present.trim()) !== PG_TABLES + 2) {
    await pgAdmin(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE; CREATE SCHEMA ${PG_SCHEMA};
CREATE TABLE ${PG_SCHEMA}."Line Items" (
  order_id integer NOT NULL, line smallint NOT NULL, sku varchar(40) NOT NULL DEFAULT 'none',
  price numeric(12,2), tags text[], created timestamp with time zone DEFAULT now(), PRIMARY KEY (line, order_id));
INSERT INTO ${PG_SCHEMA}."Line Items" (order_id, line, sku) SELECT g, 1, 'sku' || g FROM generate_series(1, 321) g;
ANALYZE ${PG_SCHEMA}."Line Items";
CREATE VIEW ${PG_SCHEMA}.v_skus AS SELECT sku, price FROM ${PG_SCHEMA}."Line Items";
${
      Array.from({ length: PG_TABLES }, (_, i) => `CREATE TABLE ${PG_SCHEMA}.p${String(i).padStart(3, "0")} (id int);`)
        .join("\n")
    }`);
  }
  return uri;
}

function pgTest(name: string, fn: (uri: string) => Promise<void>) {
  Deno.test({
    name: `postgres: ${name}`,
    async fn(t) {
      const uri = await pgFixture();
      if (uri === undefined) return void t.step({ name: "no PostgreSQL", ignore: true, fn: () => {} });
      await fn(uri);
    },
  });
}

pgTest("resources/list pages through every visible table exactly once, in pages of at most 100", async (uri) => {
  await using real = testDatabase(uri);
  const { db, sent } = countingDatabase(real);
  await using c = await connectCatalog(db);
  const { names, pages } = await listAllPages(c.client);
  const expected = await pgAdmin(`SELECT table_schema || '.' || table_name FROM information_schema.tables
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%'`);
  assert.deepEqual([...names].sort(), expected.trim().split("\n").sort());
  assert.equal(new Set(names).size, names.length);
  assert.ok(pages.length >= 2 && pages.every((n) => n <= 100), `pages: ${pages}`);
  assert.equal(sent.length, pages.length, "one catalog query per page");
  assert.ok(names.includes(`${PG_SCHEMA}.Line Items`) && names.includes(`${PG_DEMO_SCHEMA}.orders`));
});

pgTest(
  "a schema resource holds information_schema's columns, the key in key order and pg_class's estimate",
  async (uri) => {
    await using db = testDatabase(uri);
    await using c = await connectCatalog(db);
    const schema = JSON.parse(await c.readText(`schema://${PG_SCHEMA}/Line%20Items`)) as Schema;
    const columns = await pgAdmin(`SELECT column_name, is_nullable, coalesce(column_default, '<null>')
FROM information_schema.columns WHERE table_schema = '${PG_SCHEMA}' AND table_name = 'Line Items' ORDER BY ordinal_position`);
    assert.deepEqual(
      schema.columns.map((col) => [col.name, col.nullable ? "YES" : "NO", col.default ?? "<null>"].join("|")),
      columns.trim().split("\n"),
    );
    assert.deepEqual(schema.columns.map((col) => col.type), [
      "integer",
      "smallint",
      "character varying(40)",
      "numeric(12,2)",
      "text[]",
      "timestamp with time zone",
    ]);
    const key = await pgAdmin(`SELECT column_name FROM information_schema.key_column_usage
WHERE table_schema = '${PG_SCHEMA}' AND table_name = 'Line Items' ORDER BY ordinal_position`);
    assert.deepEqual(schema.primary_key, key.trim().split("\n"));
    assert.deepEqual(schema.primary_key, ["line", "order_id"]);
    assert.equal(schema.kind, "table");
    assert.equal(schema.row_count_estimate, 321);
    assert.match(schema.row_count_source!, /pg_class\.reltuples/);
    const view = JSON.parse(await c.readText(`schema://${PG_SCHEMA}/v_skus`)) as Schema;
    assert.equal(view.kind, "view");
    assert.deepEqual(view.columns.map((col) => col.name), ["sku", "price"]);
    assert.equal(view.primary_key, null);
    assert.equal(view.row_count_estimate, null);
    await assert.rejects(
      () => c.client.readResource({ uri: `schema://${PG_DEMO_SCHEMA}/ordrs` }),
      new RegExp(`no table or view \`ordrs\` in \`${PG_DEMO_SCHEMA}\`; similar: orders`),
    );
  },
);

pgTest("completions and prompts work on PostgreSQL schemas", async (uri) => {
  await using db = testDatabase(uri);
  await using c = await connectCatalog(db);
  assert.deepEqual(await c.completeSchema("database", "tdmcp_res"), [PG_SCHEMA]);
  assert.deepEqual(await c.completeSchema("table", "p11", { database: PG_SCHEMA }), [
    "p110",
    "p111",
    "p112",
    "p113",
    "p114",
    "p115",
    "p116",
    "p117",
    "p118",
    "p119",
  ]);
  assert.deepEqual(await c.completeSchema("table", "line", { database: PG_SCHEMA }), ["Line Items"]);
  const { messages } = await c.client.getPrompt({
    name: "profile_table_quality",
    arguments: { table: "Line Items", database: PG_SCHEMA },
  });
  const embedded = (messages[0].content as { resource: { uri: string; text: string } }).resource;
  assert.equal(embedded.uri, `schema://${PG_SCHEMA}/Line%20Items`);
  assert.match((messages[1].content as { text: string }).text, /numeric columns \(order_id, line, price\)/);
  const explore = await c.client.getPrompt({ name: "explore_database", arguments: { database: PG_DEMO_SCHEMA } });
  assert.match((explore.messages[1].content as { text: string }).text, /^- orders \(table\)$/m);
});

Deno.test("generic: schemas come from SQLColumns (exact names only), nothing is listed, tables complete", async () => {
  const dir = await Deno.makeTempDir();
  const previous = Deno.env.get("ODBCINI");
  try {
    await Deno.writeTextFile(`${dir}/odbc.ini`, `[tdmcp_res]\nDriver=SQLite3\nDatabase=${await demoSqlitePath()}\n`);
    Deno.env.set("ODBCINI", `${dir}/odbc.ini`); // unixODBC's user DSN file
    await using db = genericDatabase("DSN=tdmcp_res");
    assert.equal(db.dialect, "generic");
    await using c = await connectCatalog(db);
    const { resources } = await c.client.listResources();
    assert.deepEqual(resources, [], "SQLTables cannot page, so the generic dialect lists nothing");
    const schema = JSON.parse(await c.readText("schema://-/order_items")) as Schema;
    const info = await db.odbcColumns(null, "order_items");
    const nameAt = info.columns.findIndex((col) => col.name === "COLUMN_NAME");
    assert.deepEqual(schema.columns.map((col) => col.name), info.rows.map((r) => r[nameAt]));
    assert.equal(schema.kind, null);
    assert.deepEqual(await c.completeSchema("table", "order_", { database: "-" }), ["order_items"]);
    await assert.rejects(
      () => c.client.readResource({ uri: "schema://-/order1items" }),
      /no table or view `order1items`/,
    );
  } finally {
    if (previous === undefined) Deno.env.delete("ODBCINI");
    else Deno.env.set("ODBCINI", previous);
    await Deno.remove(dir, { recursive: true });
  }
});
