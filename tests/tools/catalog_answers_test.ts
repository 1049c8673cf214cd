/**
 * Readable catalog answers (issue 13 item 6): Teradata type codes decoded into SQL types, nullability as a boolean
 * on every dialect, view columns typed by HELP COLUMN with a fallback that marks a view HELP COLUMN cannot read,
 * whole DDL text, a unique primary index counted as the primary key. Teradata through the stand-in driver (answers
 * shaped as DBC.ColumnsVX and HELP COLUMN answer; errors as the Teradata ODBC driver reports them), SQLite and
 * PostgreSQL for real.
 */
import assert from "node:assert/strict";
import type { QueryResult } from "../../connection/types.ts";
import { renderText } from "../../plugin/result.ts";
import { teradataType } from "../../tools/lib/teradata_types.ts";
import { connectClient, demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA, testDatabase, textOf } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import { connectCatalog } from "./_resources_client.ts";
import { type Answer, HELP_COLUMNS, run, teradata, teradataError } from "./_teradata_named.ts";

Deno.test("Teradata type codes decode to the SQL type SHOW TABLE would write", () => {
  const t = (
    code: string | null,
    length: number | null,
    charType: number | null,
    p: number | null,
    s: number | null,
    udt: string | null = null,
  ) => teradataType({ code, length, charType, totalDigits: p, fractionalDigits: s, udtName: udt });
  // ColumnLength is in bytes: UNICODE and GRAPHIC store two bytes a character; KANJISJIS lengths are bytes.
  assert.equal(t("CV", 200, 2, null, null), "VARCHAR(100) CHARACTER SET UNICODE");
  assert.equal(t("CV", 100, 1, null, null), "VARCHAR(100) CHARACTER SET LATIN");
  assert.equal(t("CF", 6, 4, null, null), "CHAR(3) CHARACTER SET GRAPHIC");
  assert.equal(t("CF", 10, 3, null, null), "CHAR(10) CHARACTER SET KANJISJIS");
  assert.equal(t("CO", 2097088000, 1, null, null), "CLOB(2097088000) CHARACTER SET LATIN");
  assert.equal(t("D ", 8, null, 18, 2), "DECIMAL(18,2)");
  assert.equal(t("TS", 26, null, null, 6), "TIMESTAMP(6)");
  assert.equal(t("SZ", 32, null, null, 0), "TIMESTAMP(0) WITH TIME ZONE");
  assert.equal(t("AT", 15, null, null, 6), "TIME(6)");
  assert.equal(t("I ", 4, null, null, null), "INTEGER");
  assert.equal(t("I8", 8, null, null, null), "BIGINT");
  assert.equal(t("I1", 1, null, null, null), "BYTEINT");
  assert.equal(t("F ", 8, null, null, null), "FLOAT");
  assert.equal(t("DA", 4, null, null, null), "DATE");
  assert.equal(t("BV", 1000, null, null, null), "VARBYTE(1000)");
  assert.equal(t("BO", 2097088000, null, null, null), "BLOB(2097088000)");
  assert.equal(t("N ", 18, null, -128, -128), "NUMBER");
  assert.equal(t("N ", 18, null, 38, 4), "NUMBER(38,4)");
  assert.equal(t("N ", 18, null, -128, 2), "NUMBER(*,2)");
  assert.equal(t("DS", 16, null, 4, 6), "INTERVAL DAY(4) TO SECOND(6)");
  assert.equal(t("YM", 5, null, 2, null), "INTERVAL YEAR(2) TO MONTH");
  assert.equal(t("SC", 8, null, 2, 6), "INTERVAL SECOND(2,6)");
  assert.equal(t("PS", 24, null, null, 6), "PERIOD(TIMESTAMP(6))");
  assert.equal(t("PM", 28, null, null, 6), "PERIOD(TIMESTAMP(6) WITH TIME ZONE)");
  assert.equal(t("PD", 8, null, null, null), "PERIOD(DATE)");
  assert.equal(t("UT", 100, null, null, null, "SYSUDTLIB.ST_GEOMETRY"), "SYSUDTLIB.ST_GEOMETRY");
  assert.equal(t("JN", 16776192, 2, null, null), "JSON");
  assert.equal(t(null, null, null, null, null), null, "a view column in DBC.ColumnsVX has no type");
  assert.equal(t("ZZ", null, null, null, null), "ZZ", "an unknown code is shown as it is");
});

/** DBC.ColumnsVX rows as base_columnDescription reads them. */
function columnsVx(table: string, rows: unknown[][]): unknown[][] {
  // ColumnName, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, ColumnUDTName,
  // Nullable, DefaultValue, ColumnId, CommentString, TableName, DatabaseName.
  return rows.map((r, i) => [...r, i + 1, null, table, "sales"]);
}

Deno.test("teradata: base_columnDescription returns decoded types and a boolean nullable", async () => {
  const { db, sent } = teradata((sql) =>
    sql.includes("FROM DBC.ColumnsVX")
      ? {
        columns: [],
        rows: columnsVx("orders", [
          ["order_id", "I ", 4, null, null, null, null, "N", null],
          ["status", "CV", 200, 2, null, null, null, "Y", "'new'"],
          ["amount", "D ", 8, null, 18, 2, null, "Y", null],
          ["placed", "TS", 26, null, null, 6, null, "N", null],
        ]),
      }
      : undefined
  );
  await using c = await connectClient(db);
  const r = await run(c, sent, "base_columnDescription", { table_name: "orders", database_name: "sales" });
  assert.equal(r.result.isError, undefined, textOf(r.result));
  assert.equal(
    r.statements[0].sql,
    "SELECT ColumnName AS column_name, ColumnType, ColumnLength, CharType, DecimalTotalDigits, DecimalFractionalDigits, " +
      'ColumnUDTName, Nullable AS nullable, DefaultValue AS default_value, ColumnId AS "position", ' +
      'CommentString AS "comment", TableName AS table_name, DatabaseName AS database_name FROM DBC.ColumnsVX ' +
      "WHERE TableName = ? AND DatabaseName = ? ORDER BY ColumnId",
  );
  const content = r.result.structuredContent!;
  assert.deepEqual(content.columns.map((col) => col.name), [
    "column_name",
    "data_type",
    "nullable",
    "default_value",
    "position",
    "comment",
    "table_name",
    "database_name",
    "type_code",
    "status",
  ]);
  assert.deepEqual(content.rows.map((row) => row.slice(0, 3)), [
    ["order_id", "INTEGER", false],
    ["status", "VARCHAR(100) CHARACTER SET UNICODE", true],
    ["amount", "DECIMAL(18,2)", true],
    ["placed", "TIMESTAMP(6)", false],
  ]);
  assert.deepEqual(content.rows.map((row) => row[8]), ["I", "CV", "D", "TS"]);
});

Deno.test("teradata: view columns are typed by HELP COLUMN; a view HELP COLUMN cannot read is marked, not fatal", async () => {
  const views = columnsVx("v_ok", [["id", null, null, null, null, null, null, null, null]])
    .concat(columnsVx("v_secret", [["code", null, null, null, null, null, null, null, null]]))
    .concat(columnsVx("v_broken", [["gone", null, null, null, null, null, null, null, null]]));
  const { db, sent } = teradata((sql): Answer | undefined => {
    if (sql.includes("FROM DBC.ColumnsVX")) return { columns: [], rows: views };
    if (sql.includes(`"v_ok"`)) return { columns: HELP_COLUMNS, rows: [["id", "CV", "N", "X(20)", 40, null, null, 2]] };
    if (sql.includes(`"v_secret"`)) {
      throw teradataError(3523, "The user does not have SELECT access to sales.v_secret.");
    }
    if (sql.includes(`"v_broken"`)) throw teradataError(3807, "Object 'sales.gone_table' does not exist.", "42S02");
    return undefined;
  });
  await using c = await connectClient(db);
  const r = await run(c, sent, "base_columnDescription", { table_name: "v%", database_name: "sales" });
  assert.equal(r.result.isError, undefined, textOf(r.result));
  assert.deepEqual(r.statements.slice(1).map((s) => s.sql), [
    `HELP COLUMN "sales"."v_ok".*`,
    `HELP COLUMN "sales"."v_secret".*`,
    `HELP COLUMN "sales"."v_broken".*`,
  ]);
  const rows = r.result.structuredContent!.rows;
  assert.deepEqual(rows.map((row) => [row[0], row[1], row[2], row[8], row[9]]), [
    ["id", "VARCHAR(20) CHARACTER SET UNICODE", false, "CV", null],
    ["code", null, null, null, "NO_ACCESS"],
    ["gone", null, null, null, "BROKEN_VIEW"],
  ]);
  const text = textOf(r.result);
  assert.match(text, /view `sales\.v_secret`: HELP COLUMN failed \(.*3523.*\); .*lack SELECT on it/);
  assert.match(text, /view `sales\.v_broken`: HELP COLUMN failed \(.*does not exist.*\); .*may be broken/);
});

/** Reads schema://sales/orders from a stand-in whose DBC.IndicesVX answers `keys` (IndexType, ColumnName). */
async function primaryKeyOf(keys: unknown[][]): Promise<unknown> {
  const { db, sent } = teradata((sql): Answer | undefined => {
    if (sql.startsWith("SELECT TableKind")) return { columns: ["TableKind"], rows: [["T"]] };
    if (sql.includes("FROM DBC.ColumnsVX")) {
      return { columns: [], rows: [["a", "I ", 4, null, null, null, null, "N", null]] };
    }
    if (sql.includes("FROM DBC.IndicesVX")) return { columns: ["IndexType", "ColumnName"], rows: keys };
    return { columns: [], rows: [] };
  });
  await using c = await connectCatalog(db);
  const key = JSON.parse(await c.readText("schema://sales/orders")).primary_key;
  assert.ok(sent.some((s) => s.sql.includes("IndexType = 'K' OR (IndexType IN ('P', 'Q') AND UniqueFlag = 'Y')")));
  await db.close();
  return key;
}

Deno.test("teradata: the schema resource counts a unique primary index as the primary key and marks unreadable views", async () => {
  // No IndexType 'K' row: a PRIMARY KEY declared without a PRIMARY INDEX is the unique primary index.
  assert.deepEqual(await primaryKeyOf([["P", "order_id"]]), ["order_id"]);
  assert.deepEqual(await primaryKeyOf([["Q", "a"], ["Q", "b"]]), ["a", "b"], "a unique partitioned PI too");
  assert.deepEqual(await primaryKeyOf([["K", "a"], ["P", "b"]]), ["a"], "a declared primary key wins");
  assert.equal(await primaryKeyOf([]), null);
  const view = teradata((sql): Answer | undefined => {
    if (sql.startsWith("SELECT TableKind")) return { columns: ["TableKind"], rows: [["V"]] };
    if (sql.includes("FROM DBC.ColumnsVX")) {
      return { columns: [], rows: [["code", null, null, null, null, null, null, null, null]] };
    }
    if (sql.startsWith("HELP COLUMN")) throw teradataError(3523, "The user does not have SELECT access to sales.v.");
    return { columns: [], rows: [] };
  });
  await using v = await connectCatalog(view.db);
  const schema = JSON.parse(await v.readText("schema://sales/v_secret"));
  assert.deepEqual(schema.columns, [{ name: "code", type: null, nullable: true, default: null }]);
  assert.equal(schema.status, "NO_ACCESS");
  assert.match(schema.status_detail, /does not have SELECT access/);
  await view.db.close();
});

Deno.test("teradata: base_tableDDL returns the whole DDL as text, SHOW rows joined and carriage returns as newlines", async () => {
  const columns = Array.from({ length: 30 }, (_, i) => `      column_${i} VARCHAR(100) CHARACTER SET UNICODE`);
  const ddl = `CREATE MULTISET TABLE sales.orders ,FALLBACK\r     (\r${
    columns.join(",\r")
  })\rPRIMARY INDEX ( column_0 );`;
  // SHOW splits long DDL over rows that are to be joined as they are.
  const parts = [ddl.slice(0, 700), ddl.slice(700, 1200), ddl.slice(1200)];
  const { db, sent } = teradata((sql): Answer | undefined =>
    sql.startsWith("SELECT TableKind")
      ? { columns: ["TableKind"], rows: [["T"]] }
      : sql.startsWith("SHOW")
      ? { columns: ["Request Text"], rows: parts.map((p) => [p]) }
      : undefined
  );
  await using c = await connectClient(db);
  const r = await run(c, sent, "base_tableDDL", { table_name: "orders", database_name: "sales" });
  const whole = ddl.replaceAll("\r", "\n");
  assert.equal(textOf(r.result), whole, "the text is the DDL itself, whole");
  assert.ok(whole.length > 1000);
  assert.deepEqual(r.result.structuredContent!.rows, [[whole]]);
  assert.equal(r.statements.at(-1)!.sql, `SHOW TABLE "sales"."orders"`);
});

Deno.test("teradata: base_tableDDL does not SHOW a join or hash index and says what to run instead", async () => {
  for (
    const [kind, what, show] of [["I", "a join index", "SHOW JOIN INDEX"], ["N", "a hash index", "SHOW HASH INDEX"]]
  ) {
    const { db, sent } = teradata((sql): Answer | undefined =>
      sql.startsWith("SELECT TableKind") ? { columns: ["TableKind"], rows: [[kind]] } : undefined
    );
    await using c = await connectClient(db);
    const r = await run(c, sent, "base_tableDDL", { table_name: "ji_orders", database_name: "sales" });
    assert.equal(r.result.isError, true);
    assert.equal(
      textOf(r.result),
      `"sales"."ji_orders" is ${what}, not a table or view, so base_tableDDL does not show it; run base_readQuery ` +
        `with: ${show} "sales"."ji_orders"`,
    );
    assert.ok(r.statements.every((s) => !s.sql.startsWith("SHOW")), "no SHOW was sent");
  }
});

Deno.test("DDL and SQL text columns are shown whole in the text rendering; other long cells are cut at 200", () => {
  const long = `SELECT ${"x, ".repeat(150)}y FROM t`;
  const result: QueryResult = {
    columns: ["sql_text", "ddl", "RequestText", "other"].map((name) => ({ name, type: "VARCHAR", nullable: true })),
    rows: [[long, long, long, long]],
    rowCount: 1,
    truncated: false,
    truncatedBy: null,
    elapsedMs: 0,
  };
  const [, row] = renderText(result).split("\n");
  const cells = row.split("\t");
  assert.deepEqual(cells.slice(0, 3), [long, long, long]);
  assert.equal(cells[3], `${long.slice(0, 200)}…`);
});

Deno.test("sqlite: base_columnDescription gives declared types and a boolean nullable; base_tableDDL one text", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const cols = await c.call("base_columnDescription", { table_name: "orders" });
  const byName = new Map(cols.structuredContent!.rows.map((r) => [r[0], r]));
  assert.deepEqual(byName.get("status")!.slice(1, 3), ["VARCHAR(12)", false]);
  assert.deepEqual(byName.get("store_id")!.slice(1, 3), ["INTEGER", true]);
  assert.deepEqual(byName.get("order_id")!.slice(4, 8), [1, null, "orders", "main"]);
  const ddl = await c.call("base_tableDDL", { table_name: "orders" });
  const text = textOf(ddl);
  assert.equal(ddl.structuredContent!.rows.length, 1);
  assert.equal(ddl.structuredContent!.rows[0][0], text);
  assert.match(text, /^CREATE TABLE orders \(.*\);\n\nCREATE INDEX idx_orders_customer_id ON orders \(customer_id\);/s);
  assert.ok(text.endsWith(";"));
});

Deno.test({
  name: "postgres: base_columnDescription gives format_type types and a boolean nullable",
  ignore: pgUri() === undefined,
  async fn() {
    await using db = testDatabase((await demoPostgresUri())!);
    await using c = await connectClient(db);
    const cols = await c.call("base_columnDescription", { table_name: "orders", database_name: PG_DEMO_SCHEMA });
    const byName = new Map(cols.structuredContent!.rows.map((r) => [r[0], r]));
    assert.deepEqual(byName.get("status")!.slice(1, 3), ["character varying(12)", false]);
    assert.deepEqual(byName.get("store_id")!.slice(1, 3), ["integer", true]);
    assert.deepEqual(byName.get("created_at")!.slice(1, 3), ["timestamp without time zone", false]);
    const items = await c.call("base_columnDescription", { table_name: "order_items", database_name: PG_DEMO_SCHEMA });
    const price = items.structuredContent!.rows.find((r) => r[0] === "unit_price")!;
    assert.deepEqual(price.slice(1, 3), ["numeric(10,2)", false]);
    const pattern = await c.call("base_columnDescription", { table_name: "ORDER%", database_name: PG_DEMO_SCHEMA });
    assert.deepEqual([...new Set(pattern.structuredContent!.rows.map((r) => r[6]))].sort(), ["order_items", "orders"]);
  },
});
