/**
 * The SQL the security, index, relation, usage and affinity tools send to
 * Teradata, recorded by a stand-in driver (the Teradata driver cannot be
 * installed here): the documented DBC views, bound parameters, the LOCKING
 * prefix, and the decoding of AccessRight and IndexType codes. The live suite
 * is tests/integration/teradata_sec_test.ts.
 */
import assert from "node:assert/strict";
import { TERADATA_INDEX_TYPES, TERADATA_RIGHTS } from "../../tools/lib/sec.ts";
import { connectClient, textOf } from "../_helpers.ts";
import { run, teradata } from "./_teradata_named.ts";

const TOOLS = [
  "sec_userDbPermissions",
  "sec_rolePermissions",
  "sec_userRoles",
  "base_indexList",
  "base_tableRelations",
  "base_tableUsage",
  "base_tableAffinity",
];

Deno.test("teradata: all seven tools are offered", async () => {
  const { db } = teradata();
  await using c = await connectClient(db);
  const names = (await c.client.listTools()).tools.map((t) => t.name);
  for (const name of TOOLS) assert.ok(names.includes(name), name);
});

Deno.test("teradata: sec_userDbPermissions reads DBC.AllRightsV with bound names and decodes AccessRight", async () => {
  const columns = ["database_name", "table_name", "column_name", "access_right", "grantable", "grantor", "granted_at"];
  const { db, sent } = teradata((sql) =>
    sql.includes("AllRightsV")
      ? {
        columns,
        rows: [
          ["sales", "All", "All", "R ", "N", "dbc", "2024-01-01 00:00:00"],
          ["sales", "orders", "All", "CT", "Y", "dbc", "2024-01-01 00:00:00"],
          ["sales", "orders", "All", "Q9", "N", "dbc", "2024-01-01 00:00:00"],
        ],
      }
      : undefined
  );
  await using c = await connectClient(db);
  const { result, statements } = await run(c, sent, "sec_userDbPermissions", {
    user_name: "alice",
    database_name: "sales",
  });
  assert.equal(result.isError, undefined, textOf(result));
  assert.equal(statements.length, 1);
  assert.match(
    statements[0].sql,
    /^LOCKING ROW FOR ACCESS SELECT DatabaseName AS database_name, .*AccessRight AS access_right, .* FROM DBC\.AllRightsV WHERE UserName = \? AND DatabaseName = \? ORDER BY/,
  );
  assert.deepEqual(statements[0].params, ["alice", "sales"]);
  const content = result.structuredContent!;
  assert.deepEqual(content.columns.map((c) => c.name), [...columns.slice(0, 4), "privilege", ...columns.slice(4)]);
  assert.deepEqual(content.rows.map((r) => r[4]), [TERADATA_RIGHTS.R, TERADATA_RIGHTS.CT, "Q9 ?"]);
  assert.deepEqual([TERADATA_RIGHTS.R, TERADATA_RIGHTS.CT], ["SELECT", "CREATE TABLE"]);
  const all = await run(c, sent, "sec_userDbPermissions", { user_name: "x' OR '1'='1" });
  assert.doesNotMatch(all.statements[0].sql, /DatabaseName = \?|OR '1'/);
  assert.deepEqual(all.statements[0].params, ["x' OR '1'='1"]);
});

Deno.test("teradata: sec_rolePermissions reads DBC.AllRoleRightsV for the role and decodes AccessRight", async () => {
  const columns = ["database_name", "table_name", "column_name", "access_right", "grantor", "granted_at"];
  const { db, sent } = teradata((sql) =>
    sql.includes("AllRoleRightsV") && !sql.includes("DatabaseName = ?")
      ? { columns, rows: [["sales", "All", "All", "I ", "dbc", null]] }
      : undefined
  );
  await using c = await connectClient(db);
  const { result, statements } = await run(c, sent, "sec_rolePermissions", { role_name: "analysts" });
  assert.equal(statements.length, 1);
  assert.match(
    statements[0].sql,
    /^LOCKING ROW FOR ACCESS SELECT .* FROM DBC\.AllRoleRightsV WHERE RoleName = \? ORDER BY DatabaseName, TableName, ColumnName, AccessRight$/,
  );
  assert.deepEqual(statements[0].params, ["analysts"]);
  assert.equal(result.structuredContent!.rows[0][4], "INSERT");
  const empty = await run(c, sent, "sec_rolePermissions", { role_name: "nobody", database_name: "hr" });
  assert.deepEqual(empty.statements[0].params, ["nobody", "hr"]);
  assert.match(textOf(empty.result), /no rights granted to role `nobody` on `hr`/);
});

Deno.test("teradata: sec_userRoles reads DBC.RoleMembersV for direct and nested roles", async () => {
  const { db, sent } = teradata();
  await using c = await connectClient(db);
  const { result, statements } = await run(c, sent, "sec_userRoles", { user_name: "alice" });
  assert.equal(result.isError, undefined, textOf(result));
  assert.equal(statements.length, 1);
  const sql = statements[0].sql;
  assert.match(sql, /^LOCKING ROW FOR ACCESS SELECT m\.RoleName AS role_name, /);
  assert.match(sql, /FROM DBC\.RoleMembersV m WHERE m\.Grantee = \? UNION ALL /);
  assert.match(
    sql,
    /FROM DBC\.RoleMembersV m JOIN DBC\.RoleMembersV n ON n\.Grantee = m\.RoleName WHERE m\.Grantee = \?/,
  );
  assert.deepEqual(statements[0].params, ["alice", "alice"]);
  assert.match(textOf(result), /no roles granted to `alice`/);
});

Deno.test("teradata: base_indexList reads DBC.IndicesVX, decodes IndexType and checks a table with no index exists", async () => {
  const columns = ["index_number", "index_name", "index_type", "is_unique", "column_name", "column_position"];
  // No index rows at all; the catalog knows one table, nopi.
  const { db, sent } = teradata((sql) =>
    sql.includes("DBC.TablesVX")
      ? { columns: ["database_name", "table_name", "kind"], rows: [["sales", "nopi", "O"]] }
      : undefined
  );
  await using c = await connectClient(db);
  const none = await run(c, sent, "base_indexList", { table_name: "nopi", database_name: "sales" });
  assert.match(
    none.statements[0].sql,
    /^LOCKING ROW FOR ACCESS SELECT IndexNumber AS index_number, .* FROM DBC\.IndicesVX WHERE TableName = \? AND DatabaseName = \? ORDER BY IndexNumber, ColumnPosition$/,
  );
  assert.deepEqual(none.statements[0].params, ["nopi", "sales"]);
  assert.match(none.statements[1].sql, /FROM DBC\.TablesVX WHERE DatabaseName = \? .* AND TableName LIKE \?/);
  assert.equal(none.result.isError, undefined, textOf(none.result));
  assert.match(textOf(none.result), /`nopi` has no indexes/);
  const missing = await run(c, sent, "base_indexList", { table_name: "nopj", database_name: "sales" });
  assert.equal(missing.result.isError, true);
  assert.match(textOf(missing.result), /no table or view `nopj` in `sales`; similar: nopi/);

  const indexed = teradata((sql) =>
    sql.includes("IndicesVX")
      ? { columns, rows: [[1, null, "P", "N", "order_id", 1], [4, "ix_date", "S", "N", "order_date", 1]] }
      : undefined
  );
  await using c2 = await connectClient(indexed.db);
  const r = await run(c2, indexed.sent, "base_indexList", { table_name: "orders" });
  assert.match(r.statements[0].sql, /WHERE TableName = \? AND DatabaseName = DATABASE ORDER BY/);
  assert.deepEqual(r.statements[0].params, ["orders"]);
  assert.equal(r.statements.length, 1);
  assert.deepEqual(r.result.structuredContent!.rows.map((row) => row[3]), [
    TERADATA_INDEX_TYPES.P,
    TERADATA_INDEX_TYPES.S,
  ]);
});

Deno.test("teradata: base_tableRelations reads both DBC RI views with the table bound twice", async () => {
  const { db, sent } = teradata((sql) =>
    sql.includes("All_RI_")
      ? {
        columns: ["direction", "constraint_name", "child_database", "child_table", "child_column"],
        rows: [["outgoing", "fk_cust", "sales", "orders", "customer_id"]],
      }
      : undefined
  );
  await using c = await connectClient(db);
  const named = await run(c, sent, "base_tableRelations", { table_name: "sales.orders" });
  assert.equal(named.statements.length, 1);
  assert.match(
    named.statements[0].sql,
    /^LOCKING ROW FOR ACCESS SELECT 'outgoing' AS direction, IndexName AS constraint_name, .* FROM DBC\.All_RI_ChildrenVX WHERE ChildTable = \? AND ChildDB = \? UNION ALL SELECT 'incoming', .* FROM DBC\.All_RI_ParentsVX WHERE ParentTable = \? AND ParentDB = \? ORDER BY/,
  );
  assert.deepEqual(named.statements[0].params, ["orders", "sales", "orders", "sales"]);
  const current = await run(c, sent, "base_tableRelations", { table_name: "orders" });
  assert.match(current.statements[0].sql, /ChildDB = DATABASE .* ParentDB = DATABASE/);
  assert.deepEqual(current.statements[0].params, ["orders", "orders"]);
});

Deno.test("teradata: base_tableUsage counts DBQL queries per table over a bound days-back window", async () => {
  const { db, sent } = teradata();
  await using c = await connectClient(db);
  const r = await run(c, sent, "base_tableUsage", { database_name: "sales", days: 7 });
  assert.equal(r.statements.length, 1);
  const sql = r.statements[0].sql;
  assert.match(
    sql,
    /^LOCKING ROW FOR ACCESS SELECT o\.ObjectDatabaseName AS database_name, o\.ObjectTableName AS table_name/,
  );
  assert.match(
    sql,
    /FROM DBC\.QryLogObjectsV o JOIN DBC\.QryLogV q ON q\.ProcID = o\.ProcID AND q\.QueryID = o\.QueryID/,
  );
  assert.match(sql, /o\.ObjectType IN \('Tab', 'Viw'\) AND o\.ObjectColumnName IS NULL AND o\.ObjectDatabaseName = \?/);
  assert.match(sql, /o\.CollectTimeStamp >= CAST\(CURRENT_DATE - CAST\(\? AS INTEGER\) AS TIMESTAMP\(0\)\)/);
  assert.deepEqual(r.statements[0].params, ["sales", 7]);
  assert.match(textOf(r.result), /no logged query .* in the last 7 days; DBQL object logging may be off/);
  const everywhere = await run(c, sent, "base_tableUsage", {});
  assert.doesNotMatch(everywhere.statements[0].sql, /ObjectDatabaseName =/, "no database_name: every database");
  assert.deepEqual(everywhere.statements[0].params, [30]);
});

Deno.test("teradata: base_tableAffinity pairs DBQL objects by query and bounds the window", async () => {
  const { db, sent } = teradata((sql) =>
    sql.includes("DBC.TablesVX") ? { columns: ["database_name", "table_name"], rows: [["sales", "orders"]] } : undefined
  );
  await using c = await connectClient(db);
  const r = await run(c, sent, "base_tableAffinity", { table_name: "orders", database_name: "sales", days: 90 });
  const sql = r.statements[0].sql;
  assert.match(
    sql,
    /FROM DBC\.QryLogObjectsV o1 JOIN DBC\.QryLogObjectsV o2 ON o2\.ProcID = o1\.ProcID AND o2\.QueryID = o1\.QueryID/,
  );
  assert.match(sql, /o1\.ObjectTableName = \? AND o1\.ObjectDatabaseName = \?/);
  assert.match(
    sql,
    /NOT \(o2\.ObjectDatabaseName = o1\.ObjectDatabaseName AND o2\.ObjectTableName = o1\.ObjectTableName\)/,
  );
  assert.match(sql, /GROUP BY 1, 2 ORDER BY shared_queries DESC/);
  assert.deepEqual(r.statements[0].params, ["orders", "sales", 90]);
  assert.equal(r.result.isError, undefined, textOf(r.result));
  assert.match(textOf(r.result), /no logged query in the last 90 days used `orders`/);
  const missing = await run(c, sent, "base_tableAffinity", { table_name: "ordrs", database_name: "sales" });
  assert.equal(missing.result.isError, true);
  assert.match(textOf(missing.result), /similar: orders/);
});

Deno.test("teradata: names with control characters are refused before any SQL is sent", async () => {
  const { db, sent } = teradata();
  await using c = await connectClient(db);
  for (
    const [tool, args] of [
      ["sec_userDbPermissions", { user_name: "a\u0000b" }],
      ["sec_userRoles", { user_name: "a\nb" }],
      ["sec_rolePermissions", { role_name: "r\u0007" }],
      ["base_indexList", { table_name: "t\u0001" }],
    ] as const
  ) {
    const r = await run(c, sent, tool, args);
    assert.equal(r.result.isError, true, tool);
    assert.match(textOf(r.result), /must not contain control characters/, tool);
    assert.deepEqual(r.statements, [], tool);
  }
});
