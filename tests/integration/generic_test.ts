/**
 * The generic dialect: a raw ODBC connection string (here a DSN) for an engine
 * tdmcp has no SQL of its own for. The catalog tools fall back to the ODBC
 * catalog calls SQLTables and SQLColumns. SQLite stands in for "any driver".
 */
import assert from "node:assert/strict";
import { connectClient, demoSqlitePath, genericDatabase, textOf } from "../_helpers.ts";

Deno.test("generic dialect: a DSN-only connection string lists, describes, previews and queries through ODBC catalog calls", async () => {
  const dir = await Deno.makeTempDir();
  const previous = Deno.env.get("ODBCINI");
  try {
    await Deno.writeTextFile(
      `${dir}/odbc.ini`,
      `[tdmcp_generic]\nDriver=SQLite3\nDatabase=${await demoSqlitePath()}\n`,
    );
    Deno.env.set("ODBCINI", `${dir}/odbc.ini`); // unixODBC's user DSN file
    await using db = genericDatabase("DSN=tdmcp_generic");
    assert.equal(db.dialect, "generic");
    assert.equal(db.target, "DSN=tdmcp_generic");
    await using c = await connectClient(db);
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    for (
      const name of [
        "base_columnDescription",
        "base_databaseList",
        "base_readQuery",
        "base_tableList",
        "base_tablePreview",
      ]
    ) {
      assert.ok(names.includes(name), `missing ${name}`);
    }
    assert.ok(!names.includes("base_tableDDL"), "a tool without generic support is not listed");
    const tables = await c.call("base_tableList", { name_filter: "order%" });
    const nameAt = tables.structuredContent!.columns.findIndex((col) => col.name === "TABLE_NAME");
    assert.deepEqual(tables.structuredContent!.rows.map((r) => r[nameAt]).sort(), ["order_items", "orders"]);
    const columns = await c.call("base_columnDescription", { table_name: "orders" });
    const columnAt = columns.structuredContent!.columns.findIndex((col) => col.name === "column_name");
    assert.equal(columns.structuredContent!.rows[0][columnAt], "order_id");
    const preview = await c.call("base_tablePreview", { table_name: "orders", rows: 2 });
    assert.equal(preview.structuredContent!.row_count, 2);
    assert.equal(preview.structuredContent!.truncated, true);
    const missing = await c.call("base_columnDescription", { table_name: "ordrs" });
    assert.match(textOf(missing), /no table or view `ordrs`.*similar: orders/);
    const count = await c.call("base_readQuery", { sql: "SELECT count(*) FROM regions" });
    assert.equal(Number(count.structuredContent!.rows[0][0]), 5);
    const refused = await c.call("base_readQuery", { sql: "DELETE FROM regions" });
    assert.match(textOf(refused), /^Refused: /);
  } finally {
    if (previous === undefined) Deno.env.delete("ODBCINI");
    else Deno.env.set("ODBCINI", previous);
    await Deno.remove(dir, { recursive: true });
  }
});
