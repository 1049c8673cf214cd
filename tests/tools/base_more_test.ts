/**
 * base_indexList, base_tableRelations and base_tableUsage against real SQLite
 * and PostgreSQL through the MCP client. Expected values come from the DDL the
 * tests (or the demo) wrote, never from the tools' own output.
 */
import assert from "node:assert/strict";
import type { Cell, Database } from "../../connection/types.ts";
import { demoStatements } from "../../demo/schema.ts";
import {
  connectClient,
  demoPostgresUri,
  demoSqlitePath,
  PG_DEMO_SCHEMA,
  sqliteFixture,
  type TableContent,
  testDatabase,
  textOf,
} from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const noPg = !pgUri();

/** Rows as objects keyed by column name. */
function records(content: TableContent | undefined): Record<string, Cell>[] {
  assert.ok(content, "the result must have structured content");
  return content.rows.map((row) => Object.fromEntries(content.columns.map((c, i) => [c.name, row[i]])));
}

/** Foreign keys of the demo DDL as "child.column->parent.column", read from the statements themselves. */
function demoForeignKeys(dialect: "sqlite" | "postgres"): string[] {
  const keys: string[] = [];
  for (const statement of demoStatements(dialect)) {
    const table = /^(?:CREATE TABLE|ALTER TABLE) (\w+)/.exec(statement)?.[1];
    for (const m of statement.matchAll(/FOREIGN KEY \((\w+)\) REFERENCES (\w+) \((\w+)\)/g)) {
      keys.push(`${table}.${m[1]}->${m[2]}.${m[3]}`);
    }
  }
  return keys.sort();
}

/** Secondary indexes of the demo DDL as [index, table, column]. */
function demoIndexes(): [string, string, string][] {
  return demoStatements("sqlite").flatMap((s) => {
    const m = /^CREATE INDEX (\w+) ON (\w+) \((\w+)\)$/.exec(s);
    return m ? [[m[1], m[2], m[3]] as [string, string, string]] : [];
  });
}

/** Tables with known indexes and keys, the same on both databases. */
const FIXTURE_TABLES = [
  `CREATE TABLE parent (a INTEGER NOT NULL, b VARCHAR(10) NOT NULL, label VARCHAR(20) CONSTRAINT parent_label_uq UNIQUE,
  CONSTRAINT parent_pk PRIMARY KEY (a, b))`,
  `CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb VARCHAR(10), note VARCHAR(50),
  CONSTRAINT child_parent_fk FOREIGN KEY (pa, pb) REFERENCES parent (a, b) ON DELETE CASCADE)`,
  `CREATE TABLE node (id INTEGER PRIMARY KEY, parent_id INTEGER CONSTRAINT node_parent_fk REFERENCES node)`,
  `CREATE TABLE lonely (x VARCHAR(10))`,
  `CREATE INDEX child_note_lower ON child (lower(note))`,
];

function sqliteRelationsDb(): Promise<Database> {
  return sqliteFixture("sec-relations-v1", () => [
    ...FIXTURE_TABLES,
    `CREATE UNIQUE INDEX child_pair ON child (pb, pa)`,
    `CREATE INDEX child_partial ON child (note) WHERE note IS NOT NULL`,
    `CREATE TABLE keyed (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID`,
  ]).then((path) => testDatabase(`sqlite://${path}`));
}

/** Runs `fn` with a fresh PostgreSQL schema holding the fixture tables; drops it afterwards. */
async function withPgSchema(fn: (db: Database, schema: string) => Promise<void>): Promise<void> {
  const schema = `tdmcp_rel_${crypto.randomUUID().slice(0, 8)}`;
  await pgAdmin(
    [
      `CREATE SCHEMA ${schema}`,
      `SET search_path TO ${schema}`,
      ...FIXTURE_TABLES,
      `CREATE UNIQUE INDEX child_pair ON child (pb, pa) INCLUDE (note)`,
    ].join(";\n"),
  );
  try {
    await using db = testDatabase(pgUri()!);
    await fn(db, schema);
  } finally {
    await pgAdmin(`DROP SCHEMA ${schema} CASCADE`);
  }
}

const keyOf = (r: Record<string, Cell>) => `${r.child_table}.${r.child_column}->${r.parent_table}.${r.parent_column}`;

Deno.test("base_indexList on the SQLite demo lists the declared indexes and the rowid key of orders", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const r = await c.call("base_indexList", { table_name: "orders" });
  assert.equal(r.isError, undefined, textOf(r));
  const rows = records(r.structuredContent);
  const expected = demoIndexes().filter(([, table]) => table === "orders").map(([i, , col]) => `${i}:${col}`);
  assert.ok(expected.length >= 2);
  assert.deepEqual(
    rows.filter((x) => x.index_kind === "index").map((x) => `${x.index_name}:${x.column_name}`).sort(),
    expected.sort(),
  );
  assert.deepEqual(rows.filter((x) => x.index_kind === "primary key (rowid)").map((x) => x.column_name), ["order_id"]);
  const items = records((await c.call("base_indexList", { table_name: "main.order_items" })).structuredContent);
  const pk = items.filter((x) => x.index_kind === "primary key");
  assert.deepEqual(pk.map((x) => [x.column_name, Number(x.column_position)]), [["order_id", 1], ["line_no", 2]]);
});

Deno.test("base_indexList on SQLite shows expression, unique, partial and WITHOUT ROWID keys", async () => {
  await using db = await sqliteRelationsDb();
  await using c = await connectClient(db);
  const child = records((await c.call("base_indexList", { table_name: "child" })).structuredContent);
  const byIndex = (name: string) => child.filter((x) => x.index_name === name);
  assert.deepEqual(byIndex("child_note_lower").map((x) => x.column_name), ["(expression)"]);
  assert.deepEqual(byIndex("child_pair").map((x) => [x.column_name, x.index_kind, Number(x.is_unique)]), [
    ["pb", "unique index", 1],
    ["pa", "unique index", 1],
  ]);
  assert.deepEqual(byIndex("child_partial").map((x) => Number(x.partial)), [1]);
  assert.deepEqual(byIndex("(rowid)").map((x) => x.column_name), ["id"]);
  const parent = records((await c.call("base_indexList", { table_name: "parent" })).structuredContent);
  assert.deepEqual(parent.filter((x) => x.index_kind === "primary key").map((x) => x.column_name), ["a", "b"]);
  assert.deepEqual(parent.filter((x) => x.index_kind === "unique constraint").map((x) => x.column_name), ["label"]);
  const keyed = records((await c.call("base_indexList", { table_name: "keyed" })).structuredContent);
  assert.deepEqual(keyed.map((x) => [x.index_kind, x.column_name]), [["primary key", "k"]]);
  const lonely = await c.call("base_indexList", { table_name: "lonely" });
  assert.equal(lonely.isError, undefined, textOf(lonely));
  assert.equal(lonely.structuredContent!.row_count, 0);
  assert.match(textOf(lonely), /has no indexes/);
  const missing = await c.call("base_indexList", { table_name: "lonly" });
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /no table or view `lonly`.*similar: lonely/);
});

Deno.test("base_tableRelations on the SQLite demo matches the declared foreign keys in both directions", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const declared = demoForeignKeys("sqlite");
  for (const table of ["orders", "customers", "order_items", "regions"]) {
    const r = await c.call("base_tableRelations", { table_name: table });
    assert.equal(r.isError, undefined, textOf(r));
    const rows = records(r.structuredContent);
    const outgoing = rows.filter((x) => x.direction === "outgoing").map(keyOf).sort();
    const incoming = rows.filter((x) => x.direction === "incoming").map(keyOf).sort();
    assert.deepEqual(outgoing, declared.filter((k) => k.startsWith(`${table}.`)), `${table} outgoing`);
    assert.deepEqual(incoming, declared.filter((k) => k.includes(`->${table}.`)), `${table} incoming`);
  }
});

Deno.test("base_tableRelations on SQLite pairs multi-column keys, resolves implicit parent keys and sees self-references", async () => {
  await using db = await sqliteRelationsDb();
  await using c = await connectClient(db);
  const parent = records((await c.call("base_tableRelations", { table_name: "parent" })).structuredContent);
  assert.deepEqual(parent.map((x) => [x.direction, keyOf(x), Number(x.column_position), x.on_delete]), [
    ["incoming", "child.pa->parent.a", 1, "CASCADE"],
    ["incoming", "child.pb->parent.b", 2, "CASCADE"],
  ]);
  const node = records((await c.call("base_tableRelations", { table_name: "node" })).structuredContent);
  assert.deepEqual(node.map((x) => [x.direction, keyOf(x)]), [
    ["outgoing", "node.parent_id->node.id"],
    ["incoming", "node.parent_id->node.id"],
  ]);
  const lonely = await c.call("base_tableRelations", { table_name: "lonely" });
  assert.match(textOf(lonely), /no declared foreign keys/);
  const missing = await c.call("base_tableRelations", { table_name: "chlid" });
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /similar: child/);
});

Deno.test("tools without SQLite data are not offered on SQLite", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const names = (await c.client.listTools()).tools.map((t) => t.name);
  for (const name of ["base_indexList", "base_tableRelations"]) assert.ok(names.includes(name), name);
  for (const name of ["base_tableUsage", "base_tableAffinity"]) assert.ok(!names.includes(name), name);
});

Deno.test({
  name: "base_indexList and base_tableRelations on the PostgreSQL demo match its DDL",
  ignore: noPg,
  async fn() {
    const uri = await demoPostgresUri();
    await using db = testDatabase(uri!);
    await using c = await connectClient(db);
    const idx = records((await c.call("base_indexList", { table_name: `${PG_DEMO_SCHEMA}.orders` })).structuredContent);
    const expected = demoIndexes().filter(([, t]) => t === "orders").map(([i, , col]) => `${i}:${col}`).sort();
    assert.deepEqual(
      idx.filter((x) => x.index_kind === "index").map((x) => `${x.index_name}:${x.column_name}`).sort(),
      expected,
    );
    assert.deepEqual(idx.filter((x) => x.index_kind === "primary key").map((x) => x.column_name), ["order_id"]);
    const declared = demoForeignKeys("postgres");
    const rel = await c.call("base_tableRelations", { table_name: "orders", database_name: PG_DEMO_SCHEMA });
    const rows = records(rel.structuredContent);
    assert.deepEqual(
      rows.filter((x) => x.direction === "outgoing").map(keyOf).sort(),
      declared.filter((k) => k.startsWith("orders.")),
    );
    assert.deepEqual(
      rows.filter((x) => x.direction === "incoming").map(keyOf).sort(),
      declared.filter((k) => k.includes("->orders.")),
    );
    for (const x of rows) assert.equal(x.constraint_name, `fk_${x.child_table}_${x.child_column}`);
  },
});

Deno.test({
  name: "base_indexList and base_tableRelations on PostgreSQL: composite keys, INCLUDE, expressions, self-references",
  ignore: noPg,
  async fn() {
    await withPgSchema(async (db, schema) => {
      await using c = await connectClient(db);
      const child = records(
        (await c.call("base_indexList", { table_name: "child", database_name: schema })).structuredContent,
      );
      const byIndex = (name: string) => child.filter((x) => x.index_name === name);
      assert.deepEqual(byIndex("child_pair").map((x) => [x.column_name, Number(x.included), Number(x.is_unique)]), [
        ["pb", 0, 1],
        ["pa", 0, 1],
        ["note", 1, 1],
      ]);
      const expression = byIndex("child_note_lower");
      assert.deepEqual(expression.map((x) => x.method), ["btree"]);
      assert.match(String(expression[0].column_name), /^lower\(\(?note\)?(::text)?\)$/);
      const parent = records(
        (await c.call("base_indexList", { table_name: "parent", database_name: schema })).structuredContent,
      );
      assert.deepEqual(parent.map((x) => [x.index_name, x.index_kind, x.column_name]), [
        ["parent_label_uq", "unique constraint", "label"],
        ["parent_pk", "primary key", "a"],
        ["parent_pk", "primary key", "b"],
      ]);
      const rel = records((await c.call("base_tableRelations", { table_name: `${schema}.parent` })).structuredContent);
      assert.deepEqual(
        rel.map((x) => [x.direction, x.constraint_name, keyOf(x), Number(x.column_position), x.on_delete]),
        [
          ["incoming", "child_parent_fk", "child.pa->parent.a", 1, "CASCADE"],
          ["incoming", "child_parent_fk", "child.pb->parent.b", 2, "CASCADE"],
        ],
      );
      const node = records((await c.call("base_tableRelations", { table_name: `${schema}.node` })).structuredContent);
      assert.deepEqual(node.map((x) => [x.direction, keyOf(x), x.on_delete]), [
        ["outgoing", "node.parent_id->node.id", "NO ACTION"],
        ["incoming", "node.parent_id->node.id", "NO ACTION"],
      ]);
      const lonely = await c.call("base_indexList", { table_name: `${schema}.lonely` });
      assert.match(textOf(lonely), /has no indexes/);
      const missing = await c.call("base_tableRelations", { table_name: `${schema}.lonley` });
      assert.equal(missing.isError, true);
      assert.match(textOf(missing), /similar: lonely/);
    });
  },
});

Deno.test({
  name: "base_tableUsage on PostgreSQL counts the scans and inserts made since the last reading",
  ignore: noPg,
  async fn() {
    await withPgSchema(async (db, schema) => {
      await using c = await connectClient(db);
      const read = async () => {
        const r = await c.call("base_tableUsage", { database_name: schema });
        assert.equal(r.isError, undefined, textOf(r));
        return Object.fromEntries(records(r.structuredContent).map((x) => [String(x.table_name), x]));
      };
      const before = await read();
      assert.deepEqual(Object.keys(before).sort(), ["child", "lonely", "node", "parent"]);
      assert.equal(Number(before.lonely.rows_inserted), 0);
      // Three sequential scans of lonely, five inserted rows, two index scans of child.
      await pgAdmin(`SET search_path TO ${schema};
INSERT INTO lonely SELECT g::text FROM generate_series(1, 5) g;
SELECT count(*) FROM lonely; SELECT count(*) FROM lonely; SELECT count(*) FROM lonely;
SET enable_seqscan = off; SET enable_bitmapscan = off;
SELECT * FROM child WHERE id = 1; SELECT * FROM child WHERE id = 2;`);
      const want = (rows: Record<string, Record<string, Cell>>) =>
        Number(rows.lonely.seq_scan) - Number(before.lonely.seq_scan) === 3 &&
        Number(rows.child.idx_scan) - Number(before.child.idx_scan) === 2 &&
        Number(rows.lonely.rows_inserted) === 5;
      // The server publishes a session's counters when the session ends, which can trail psql's exit.
      let after = await read();
      for (let i = 0; i < 50 && !want(after); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await read();
      }
      assert.equal(Number(after.lonely.seq_scan) - Number(before.lonely.seq_scan), 3);
      assert.equal(Number(after.child.idx_scan) - Number(before.child.idx_scan), 2);
      assert.equal(Number(after.lonely.rows_inserted), 5);
      assert.equal(Number(after.lonely.rows_read) - Number(before.lonely.rows_read), 15);
      const ignored = await c.call("base_tableUsage", { database_name: schema, days: 7 });
      assert.match(textOf(ignored), /days is ignored on PostgreSQL/);
    });
  },
});
