/**
 * The Teradata driver cannot be installed here, so these tests check the SQL
 * tdmcp generates for Teradata by recording what reaches a stand-in driver.
 * The live suite (tests/integration/teradata_test.ts) runs the same tools on a
 * real Teradata when TERADATA_TEST_URI is set.
 */
import assert from "node:assert/strict";
import { oneLine, teradata } from "../tools/_teradata_fake.ts";
import { queryBandStatement, queryBandValue } from "../../connection/session.ts";
import { connectClient, textOf } from "../_helpers.ts";

Deno.test("teradata: every call sets a QueryBand naming the application, the tool and the request", async () => {
  const { db, sent, connects } = teradata(() => [["1"]]);
  await using c = await connectClient(db);
  const r = await c.call("base_readQuery", { sql: "SEL TOP 5 * FROM sales.orders" });
  assert.equal(r.isError, undefined, textOf(r));
  assert.equal(sent.length, 2);
  assert.match(
    sent[0].sql,
    /^SET QUERY_BAND = 'ApplicationName=tdmcp;ToolName=base_readQuery;RequestId=\d+;' FOR SESSION$/,
  );
  assert.equal(sent[1].sql, "SEL TOP 5 * FROM sales.orders");
  assert.match(
    connects[0],
    /DBCName=tdhost;TDMSTPortNumber=1025;UID=dbc;PWD=s3cret;DefaultDatabase=sales;MechanismName=LDAP;/,
  );
});

Deno.test("teradata: QueryBand values cannot break out of name=value pairs", () => {
  assert.equal(queryBandValue("x';DROP TABLE t;--"), "x__DROP_TABLE_t_--");
  assert.equal(
    queryBandStatement({ tool: "a=b;c", requestId: "1" }),
    "SET QUERY_BAND = 'ApplicationName=tdmcp;ToolName=a_b_c;RequestId=1;' FOR SESSION",
  );
});

Deno.test("teradata: catalog tools read the access-controlled DBC views with bound values", async () => {
  const { db, sent } = teradata((sql) => sql.includes("TableKind FROM") ? [["T"]] : [["orders", "x"]]);
  await using c = await connectClient(db);
  const statements = async (tool: string, args: Record<string, unknown>) => {
    sent.length = 0;
    const r = await c.call(tool, args);
    assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
    return sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
      sql: oneLine(s.sql),
      params: s.params,
    }));
  };
  const [databases] = await statements("base_databaseList", {});
  assert.match(
    databases.sql,
    /FROM DBC\.DatabasesVX WHERE DatabaseName NOT IN \('DBC', .*\) AND DatabaseName NOT LIKE 'TDaaS%' ORDER BY DatabaseName$/,
  );
  const [tables] = await statements("base_tableList", { database_name: "sales", name_filter: "%ord%" });
  assert.match(
    tables.sql,
    /FROM DBC\.TablesVX WHERE DatabaseName = \? AND TableKind IN \('T', 'V', 'O', 'Q'\) AND TableName LIKE \?/,
  );
  assert.deepEqual(tables.params, ["sales", "%ord%"]);
  const [defaultTables] = await statements("base_tableList", {});
  assert.match(
    defaultTables.sql,
    /FROM DBC\.TablesVX WHERE TableKind IN \('T', 'V', 'O', 'Q'\) ORDER BY DatabaseName, TableName$/,
  );
  const [columns] = await statements("base_columnDescription", { table_name: "sales.orders" });
  assert.match(columns.sql, /FROM DBC\.ColumnsVX WHERE TableName = \? AND DatabaseName = \? ORDER BY ColumnId$/);
  assert.deepEqual(columns.params, ["orders", "sales"]);
  const [preview] = await statements("base_tablePreview", { table_name: "orders", database_name: "sales", rows: 3 });
  assert.equal(preview.sql, `SELECT TOP 3 * FROM "sales"."orders"`);
  const ddl = await statements("base_tableDDL", { table_name: "orders", database_name: "sales" });
  assert.match(ddl[0].sql, /SELECT TableKind FROM DBC\.TablesVX WHERE TableName = \? AND DatabaseName = \?/);
  assert.equal(ddl[1].sql, `SHOW TABLE "sales"."orders"`);
});

Deno.test("teradata: a view's DDL comes from SHOW VIEW and quoted names stay quoted", async () => {
  const { db, sent } = teradata((sql) => sql.includes("TableKind FROM") ? [["V"]] : [["CREATE VIEW ..."]]);
  await using c = await connectClient(db);
  await c.call("base_tableDDL", { table_name: `we"ird`, database_name: "sales" });
  assert.equal(sent.at(-1)!.sql, `SHOW VIEW "sales"."we""ird"`);
});

Deno.test("teradata: abbreviations and LOCKING prefixes pass the guard, writes never reach the driver", async () => {
  const { db, sent } = teradata(() => [["1"]]);
  await using c = await connectClient(db);
  for (const sql of ["LOCKING ROW FOR ACCESS SEL * FROM t", "HELP TABLE sales.orders", "SHOW TABLE sales.orders"]) {
    const r = await c.call("base_readQuery", { sql });
    assert.equal(r.isError, undefined, `${sql}: ${textOf(r)}`);
  }
  sent.length = 0;
  for (
    const sql of ["DEL FROM t", "INS t (1)", "UPD t SET a = 1", "BT", "EXEC m", "LOCKING TABLE t FOR WRITE DEL FROM t"]
  ) {
    const r = await c.call("base_readQuery", { sql });
    assert.match(textOf(r), /^Refused: /, sql);
  }
  assert.deepEqual(sent, []);
});
