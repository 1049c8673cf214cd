/**
 * The SQL the schema resources, their completions and the prompts send to
 * Teradata, recorded by the stand-in driver (the Teradata driver cannot be
 * installed here): the access-controlled DBC views, bound values, TOP n and
 * the keyset of the paged listing. The live suite is
 * tests/integration/teradata_resources_test.ts.
 */
import assert from "node:assert/strict";
import { connectCatalog } from "./_resources_client.ts";
import { oneLine, type Sent, teradata } from "./_teradata_fake.ts";

/**
 * DBC.ColumnsVX rows: name, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits,
 * ColumnUDTName, Nullable, DefaultValue.
 */
const ORDER_COLUMNS = [
  ["order_id", "I ", 4, null, null, null, null, "N", null],
  ["status", "CV", 80, 2, null, null, null, "Y", "'new'"],
  ["code", "CF", 3, 1, null, null, null, "Y", null],
  ["amount", "D ", 8, null, 12, 2, null, "Y", null],
  ["placed", "TS", 26, null, null, 6, null, "N", "CURRENT_TIMESTAMP(6)"],
];

function catalogAnswers(overrides: (sql: string) => unknown[][] | undefined = () => undefined) {
  return (sql: string): unknown[][] => {
    const override = overrides(sql);
    if (override) return override;
    if (sql.startsWith("SELECT TableKind FROM DBC.TablesVX")) return [["T"]];
    if (sql.includes("FROM DBC.ColumnsVX")) return ORDER_COLUMNS;
    if (sql.includes("FROM DBC.IndicesVX")) return [["K", "order_id"]];
    if (sql.includes("FROM DBC.TableStatsV")) return [[1234]];
    return [];
  };
}

function statements(sent: Sent[]) {
  return sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
    sql: oneLine(s.sql),
    params: s.params,
  }));
}

const LIST_SQL = "SELECT TOP 101 DatabaseName, TableName, TableKind FROM DBC.TablesVX " +
  "WHERE TableKind IN ('T', 'V', 'O', 'Q') ORDER BY DatabaseName, TableName";

Deno.test("teradata: resources/list reads DBC.TablesVX one keyset page at a time with TOP 101", async () => {
  const first = Array.from({ length: 101 }, (_, i) => ["sales", `t${String(i).padStart(3, "0")}`, "T"]);
  const { db, sent } = teradata((sql) =>
    sql.includes("TableName > ?") ? [["sales", "zz_last", "V"]] : sql.includes("TOP 101") ? first : []
  );
  await using c = await connectCatalog(db);
  const page1 = await c.client.request({ method: "resources/list", params: {} });
  assert.deepEqual(statements(sent), [{ sql: LIST_SQL, params: [] }]);
  assert.equal(page1.resources.length, 100, "the 101st row only says that another page exists");
  assert.equal(page1.resources[0].uri, "schema://sales/t000");
  assert.equal(page1.resources[0].title, "sales.t000 (table)");
  assert.ok(page1.nextCursor);
  sent.length = 0;
  const page2 = await c.client.request({ method: "resources/list", params: { cursor: page1.nextCursor } });
  assert.deepEqual(statements(sent), [{
    sql:
      "SELECT TOP 101 DatabaseName, TableName, TableKind FROM DBC.TablesVX WHERE TableKind IN ('T', 'V', 'O', 'Q') " +
      "AND (DatabaseName > ? OR (DatabaseName = ? AND TableName > ?)) ORDER BY DatabaseName, TableName",
    params: ["sales", "sales", "t099"],
  }]);
  assert.deepEqual(page2.resources.map((r) => [r.uri, r.title]), [["schema://sales/zz_last", "sales.zz_last (view)"]]);
  assert.equal(page2.nextCursor, undefined);
  await db.close();
});

Deno.test("teradata: reading a schema sends the DBC views with bound names and decodes the type codes", async () => {
  const { db, sent } = teradata(catalogAnswers());
  await using c = await connectCatalog(db);
  const { contents } = await c.client.readResource({ uri: "schema://sales/orders" });
  const where = "WHERE DatabaseName = ? AND TableName = ?";
  assert.deepEqual(statements(sent), [
    { sql: `SELECT TableKind FROM DBC.TablesVX ${where}`, params: ["sales", "orders"] },
    {
      sql: "SELECT ColumnName, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, " +
        `ColumnUDTName, Nullable, DefaultValue FROM DBC.ColumnsVX ${where} ORDER BY ColumnId`,
      params: ["sales", "orders"],
    },
    {
      sql: `SELECT IndexType, ColumnName FROM DBC.IndicesVX ${where} ` +
        "AND (IndexType = 'K' OR (IndexType IN ('P', 'Q') AND UniqueFlag = 'Y')) ORDER BY IndexType, ColumnPosition",
      params: ["sales", "orders"],
    },
    { sql: `SELECT MAX(RowCount) FROM DBC.TableStatsV ${where}`, params: ["sales", "orders"] },
  ]);
  assert.deepEqual(JSON.parse((contents[0] as { text: string }).text), {
    database: "sales",
    table: "orders",
    kind: "table",
    columns: [
      { name: "order_id", type: "INTEGER", nullable: false, default: null },
      { name: "status", type: "VARCHAR(40) CHARACTER SET UNICODE", nullable: true, default: "'new'" },
      { name: "code", type: "CHAR(3) CHARACTER SET LATIN", nullable: true, default: null },
      { name: "amount", type: "DECIMAL(12,2)", nullable: true, default: null },
      { name: "placed", type: "TIMESTAMP(6)", nullable: false, default: "CURRENT_TIMESTAMP(6)" },
    ],
    primary_key: ["order_id"],
    row_count_estimate: 1234,
    row_count_source: "DBC.TableStatsV (collected statistics)",
  });
  await db.close();
});

Deno.test("teradata: view columns are typed by HELP COLUMN; no access to TableStatsV means no estimate, not an error", async () => {
  const { db, sent } = teradata(catalogAnswers((sql) => {
    if (sql.startsWith("SELECT TableKind")) return [["V"]];
    if (sql.includes("FROM DBC.ColumnsVX")) return [["order_id", null, null, null, null, null, null, null, null]];
    if (sql.startsWith("HELP COLUMN")) return [["order_id", "I8"]];
    if (sql.includes("FROM DBC.IndicesVX")) return [];
    if (sql.includes("TableStatsV")) throw new Error("[Teradata Database] The user does not have SELECT access");
    return undefined;
  }));
  await using c = await connectCatalog(db);
  const schema = JSON.parse(await c.readText("schema://sales/v%20orders"));
  assert.ok(statements(sent).some((s) => s.sql === `HELP COLUMN "sales"."v orders".*`));
  assert.deepEqual(schema.columns, [{ name: "order_id", type: "BIGINT", nullable: true, default: null }]);
  assert.equal(schema.kind, "view");
  assert.equal(schema.primary_key, null);
  assert.equal(schema.row_count_estimate, null);
  await db.close();
});

Deno.test("teradata: a missing table is resource-not-found with similar names from DBC.TablesVX", async () => {
  const { db, sent } = teradata(catalogAnswers((sql) => {
    if (sql.startsWith("SELECT TableKind")) return [];
    if (sql.includes("TableKind AS kind")) return [["sales", "orders", "T", null], ["sales", "stores", "T", null]];
    return undefined;
  }));
  await using c = await connectCatalog(db);
  await assert.rejects(
    () => c.client.readResource({ uri: "schema://sales/ordrs" }),
    (error: Error & { code?: number }) =>
      error.code === -32602 && /no table or view `ordrs` in `sales`; similar: orders/.test(error.message),
  );
  assert.deepEqual(statements(sent).at(-1)!.params, ["sales"]);
  await db.close();
});

Deno.test("teradata: completions bind an escaped prefix, take TOP 100 and default to the session's database", async () => {
  const { db, sent } = teradata((sql) => sql === "SELECT DATABASE" ? [["sales"]] : [["orders"]]);
  await using c = await connectCatalog(db);
  await c.completeSchema("database", "Sa_");
  assert.deepEqual(statements(sent), [{
    sql: "SELECT TOP 100 DatabaseName FROM DBC.DatabasesVX WHERE DatabaseName LIKE ? ESCAPE '!' ORDER BY DatabaseName",
    params: ["Sa!_%"],
  }]);
  sent.length = 0;
  const tableSql = "SELECT TOP 100 TableName FROM DBC.TablesVX WHERE DatabaseName = ? AND TableName LIKE ? " +
    "ESCAPE '!' AND TableKind IN ('T', 'V', 'O', 'Q') ORDER BY TableName";
  assert.deepEqual(await c.completeSchema("table", "ord", { database: "hr" }), ["orders"]);
  assert.deepEqual(statements(sent), [{ sql: tableSql, params: ["hr", "ord%"] }]);
  sent.length = 0;
  await c.completeSchema("table", "100%");
  assert.deepEqual(statements(sent), [
    { sql: "SELECT DATABASE", params: null },
    { sql: tableSql, params: ["sales", "100!%%"] },
  ]);
  await db.close();
});

Deno.test("teradata: the prompts read DBC.TablesVX and the schema views, and suggest TOP n", async () => {
  const { db, sent } = teradata(catalogAnswers((sql) => {
    if (sql.includes("TableKind AS kind")) return [["sales", "orders", "T", null]];
    return undefined;
  }));
  await using c = await connectCatalog(db);
  const explore = await c.client.getPrompt({ name: "explore_database", arguments: { database: "sales" } });
  assert.match((explore.messages[0].content as { text: string }).text, /SELECT TOP n \(or SAMPLE n\)/);
  assert.match((explore.messages[1].content as { text: string }).text, /^- orders$/m);
  assert.deepEqual(statements(sent).map((s) => s.params), [["sales"]]);
  assert.match(statements(sent)[0].sql, /FROM DBC\.TablesVX WHERE DatabaseName = \?/);
  const profile = await c.client.getPrompt({ name: "profile_table_quality", arguments: { table: "sales.orders" } });
  const embedded = (profile.messages[0].content as { resource: { uri: string; text: string } }).resource;
  assert.equal(embedded.uri, "schema://sales/orders");
  assert.deepEqual(JSON.parse(embedded.text).primary_key, ["order_id"]);
  assert.match(
    (profile.messages[1].content as { text: string }).text,
    /numeric columns \(order_id, amount\).*\n.*\n6\. qlty_duplicateRows — fully duplicated rows, and duplicates of the primary key \(order_id\)/,
  );
  await db.close();
});
