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

Deno.test("teradata: the QueryBand names the application and the MCP client, and is sent once per session", async () => {
  const { db, sent, connects } = teradata(() => [["1"]]);
  await using c = await connectClient(db);
  const r = await c.call("base_readQuery", { sql: "SEL TOP 5 * FROM sales.orders" });
  assert.equal(r.isError, undefined, textOf(r));
  assert.equal(sent.length, 3);
  assert.equal(
    sent[0].sql,
    "SET QUERY_BAND = 'ApplicationName=tdmcp;McpClient=tdmcp-test;McpClientVersion=0;' FOR SESSION VOLATILE",
  );
  // explain_first (on by default for Teradata) reads the plan before the query runs.
  assert.equal(sent[1].sql, "EXPLAIN SEL TOP 5 * FROM sales.orders");
  assert.equal(sent[2].sql, "SEL TOP 5 * FROM sales.orders");
  await c.call("base_readQuery", { sql: "SEL 1" });
  await c.call("base_tableList", { database_name: "sales" });
  assert.equal(sent.filter((s) => s.sql.startsWith("SET QUERY_BAND")).length, 1, "one SET for three calls");
  assert.match(
    connects[0],
    /DBCName=tdhost;TDMSTPortNumber=1025;UID=dbc;PWD=s3cret;DefaultDatabase=sales;MechanismName=LDAP;/,
  );
});

Deno.test("teradata: a QueryBand Teradata refuses is logged, the reads go on, and it is not sent again on that session", async () => {
  const { db, sent } = teradata((sql) => {
    if (sql.startsWith("SET QUERY_BAND")) {
      throw Object.assign(new Error("odbc"), {
        odbcErrors: [{ state: "HY000", code: -5536, message: "[Teradata Database] Invalid query band." }],
      });
    }
    return [["1"]];
  });
  await using c = await connectClient(db);
  const r = await c.call("base_readQuery", { sql: "SEL 1" });
  assert.equal(r.isError, undefined, textOf(r));
  await c.call("base_readQuery", { sql: "SEL 2" });
  assert.equal(sent.filter((s) => s.sql.startsWith("SET QUERY_BAND")).length, 1, "a refused band is not sent again");
  assert.ok(sent.some((s) => s.sql === "SEL 2"), "the reads went on");
});

Deno.test("teradata: QueryBand values cannot break out of name=value pairs; the profile and a trace id are added", () => {
  assert.equal(queryBandValue("x';DROP TABLE t;--"), "x__DROP_TABLE_t_--");
  assert.equal(
    queryBandStatement({
      tool: "a",
      requestId: "1",
      client: { name: "a=b;c'", version: "1.0" },
      profile: "dba",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    }),
    "SET QUERY_BAND = 'ApplicationName=tdmcp;McpClient=a_b_c_;McpClientVersion=1.0;McpProfile=dba;" +
      "TraceId=4bf92f3577b34da6a3ce929d0e0e4736;' FOR SESSION VOLATILE",
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
