/**
 * The live Teradata suite: runs only when TERADATA_TEST_URI is set, e.g.
 * `TERADATA_TEST_URI=teradata://user:pass@host/db deno task test tests/integration/teradata_test.ts`
 * (with the Teradata ODBC driver installed; name it with ODBC_DRIVER if it is not
 * "Teradata Database ODBC Driver 20.00"). It reads only the DBC dictionary.
 */
import assert from "node:assert/strict";
import { connectClient, textOf } from "../_helpers.ts";
import { liveTeradata } from "./_teradata_live.ts";

const live = liveTeradata(connectClient);

live("base_readQuery answers SEL and HELP, and refuses a write", async (c) => {
  const sel = await c.call("base_readQuery", { sql: "SEL TOP 5 DatabaseName FROM DBC.DatabasesVX ORDER BY 1" });
  assert.equal(sel.isError, undefined, textOf(sel));
  assert.ok(sel.structuredContent!.row_count > 0);
  const help = await c.call("base_readQuery", { sql: "HELP DATABASE DBC" });
  assert.equal(help.isError, undefined, textOf(help));
  const del = await c.call("base_readQuery", { sql: "DEL FROM DBC.DatabasesVX" });
  assert.match(textOf(del), /^Refused: /);
});

live("catalog tools list DBC and describe, preview and show one of its views", async (c) => {
  const dbs = await c.call("base_databaseList", { scope: "all" }); // "user" (the default) leaves DBC out
  assert.ok(dbs.structuredContent!.rows.some((r) => String(r[0]).trim() === "DBC"), textOf(dbs));
  const tables = await c.call("base_tableList", { database_name: "DBC", name_filter: "Databases%" });
  assert.ok(tables.structuredContent!.rows.some((r) => String(r[1]).trim() === "DatabasesVX"), textOf(tables));
  const cols = await c.call("base_columnDescription", { table_name: "DatabasesVX", database_name: "DBC" });
  assert.ok(cols.structuredContent!.rows.some((r) => String(r[0]).trim() === "DatabaseName"), textOf(cols));
  const preview = await c.call("base_tablePreview", { table_name: "DatabasesVX", database_name: "DBC", rows: 2 });
  assert.equal(preview.structuredContent!.row_count, 2, textOf(preview));
  const ddl = await c.call("base_tableDDL", { table_name: "DatabasesVX", database_name: "DBC" });
  assert.match(String(ddl.structuredContent!.rows.map((r) => r[0]).join("\n")), /VIEW/i, textOf(ddl));
});

live("a QueryBand is set on the session of every call", async (c) => {
  const r = await c.call("base_readQuery", { sql: "SELECT GetQueryBand()" });
  assert.match(String(r.structuredContent!.rows[0][0]), /ApplicationName=tdmcp;ToolName=base_readQuery;/);
});
