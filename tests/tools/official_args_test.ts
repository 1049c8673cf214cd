/**
 * tdmcp's tools that share a name with a tool of the official Teradata MCP server accept that tool's argument
 * names with their meanings. OFFICIAL_ARGS is taken from the official server's source, repository
 * Teradata/teradata-mcp-server at commit a9362bee4f17e873b6d2fbe9bc30e8db012b043f (2026-08-21):
 * src/teradata_mcp_server/tools/base/base_objects.yml, base/base_tools.py (handle_base_readQuery,
 * handle_base_columnMetadata: the parameters the MCP wrapper exposes, conn and tool_name removed),
 * dba/dba_objects.yml, sec/sec_objects.yml, qlty/qlty_objects.yml. Each tool is called with those arguments through
 * the stand-in Teradata driver, and on SQLite and PostgreSQL where it runs there.
 */
import assert from "node:assert/strict";
import { connectClient, demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA, testDatabase, textOf } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import { oneLine, teradata } from "./_teradata_fake.ts";

/** Per shared tool: the official server's arguments, each with a value of the kind it takes. */
const OFFICIAL_ARGS: Record<string, Record<string, unknown>> = {
  // base/base_tools.py handle_base_readQuery(conn, sql, tool_name, persist, row_limit)
  base_readQuery: { sql: "SELECT 1", persist: false, row_limit: 10 },
  // base/base_objects.yml
  base_databaseList: { scope: "all" },
  base_tableList: { database_name: "" },
  base_tableDDL: { table_name: "orders", database_name: "sales" },
  base_columnDescription: { database_name: "%", table_name: "%" },
  base_tablePreview: { table_name: "orders", database_name: "" },
  base_tableAffinity: { database_name: "sales", table_name: "orders" },
  base_tableUsage: { database_name: "" },
  // base/base_tools.py handle_base_columnMetadata
  base_columnMetadata: {
    database_name: "sales",
    object_name: "orders,stores",
    table_kind: "T,V",
    max_workers: 8,
    fields: "data_type,nullable",
    exclude_objects: "tmp%",
    max_payload_kb: 900,
    max_execution_seconds: 180,
  },
  // dba/dba_objects.yml
  dba_tableSpace: { database_name: "sales", table_name: "", top_n: 0, exclude_system: "N" },
  dba_tableSqlList: { table_name: "orders", no_days: 90 },
  dba_userSqlList: { user_name: "alice", no_days: 90 },
  dba_databaseSpace: { database_name: "sales" },
  dba_tableUsageImpact: { database_name: "sales", user_name: "" },
  dba_resusageSummary: {
    user_name: "",
    LogDate: "",
    dayOfWeek: "",
    hourOfDay: "",
    workloadType: "",
    workloadComplexity: "",
    AppID: "",
    no_days: 7,
  },
  dba_databaseVersion: {},
  dba_flowControl: { start_date: "2024-01-01", end_date: "2024-01-31" },
  dba_featureUsage: { start_date: "2024-01-01", end_date: "2024-01-31" },
  dba_userDelay: { start_date: "2024-01-01", end_date: "2024-01-31" },
  dba_sessionInfo: { user_name: "*" },
  dba_systemSpace: {},
  // sec/sec_objects.yml
  sec_userDbPermissions: { user_name: "alice" },
  sec_rolePermissions: { role_name: "analyst" },
  sec_userRoles: { user_name: "alice" },
  // qlty/qlty_objects.yml
  qlty_missingValues: { database_name: "", table_name: "orders" },
  qlty_negativeValues: { database_name: "", table_name: "orders" },
  qlty_distinctCategories: { database_name: "", table_name: "orders", column_name: "status" },
  qlty_standardDeviation: { database_name: "", table_name: "orders", column_name: "amount" },
  qlty_columnSummary: { database_name: "", table_name: "orders" },
  qlty_univariateStatistics: { database_name: "", table_name: "orders", column_name: "amount" },
  qlty_rowsWithMissingValues: { database_name: "", table_name: "orders", column_name: "status" },
};

/** DBC.ColumnsVX rows of orders: name, ColumnType, ColumnLength, CharType, digits, fraction, ColumnUDTName. */
const ORDER_COLUMNS = [
  ["order_id", "I ", 4, null, null, null, null],
  ["amount", "D ", 8, null, 18, 2, null],
  ["status", "CV", 40, 2, null, null, null],
];

/** Answers every statement the shared tools send with something a tool can read. */
function answer(sql: string): unknown[][] {
  if (sql.includes("TableKind FROM DBC.TablesVX")) return [["T"]];
  if (/FROM DBC\.ColumnsVX WHERE TableName = \?/.test(sql) && !sql.includes("AS column_name")) return ORDER_COLUMNS;
  if (sql.startsWith("HELP COLUMN")) return ORDER_COLUMNS.map(([name, code]) => [name, code, "Y"]);
  return [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
}

Deno.test("every shared tool declares the official server's argument names", async () => {
  const { db } = teradata(answer);
  await using c = await connectClient(db);
  const { tools } = await c.client.listTools();
  for (const [name, args] of Object.entries(OFFICIAL_ARGS)) {
    const tool = tools.find((t) => t.name === name);
    assert.ok(tool, `${name} is offered on Teradata`);
    const properties = Object.keys(tool.inputSchema.properties ?? {});
    for (const arg of Object.keys(args)) assert.ok(properties.includes(arg), `${name} takes ${arg}`);
  }
});

Deno.test("teradata: every shared tool runs with the official server's arguments", async () => {
  const { db, sent } = teradata(answer);
  await using c = await connectClient(db);
  for (const [name, args] of Object.entries(OFFICIAL_ARGS)) {
    sent.length = 0;
    const r = await c.call(name, args);
    assert.equal(r.isError, undefined, `${name}(${JSON.stringify(args)}): ${textOf(r)}`);
    assert.ok(sent.some((s) => !s.sql.startsWith("SET QUERY_BAND")), `${name} sent SQL`);
  }
});

/** Calls a tool on the stand-in and returns the statements it sent (QueryBand left out), whitespace collapsed. */
async function sql(tool: string, args: Record<string, unknown>, answers = answer) {
  const { db, sent } = teradata(answers);
  await using c = await connectClient(db);
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  return sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
    sql: oneLine(s.sql),
    params: s.params,
  }));
}

Deno.test("teradata: the official arguments mean what they mean there", async () => {
  // no_days: 90 reads 90 days (it used to be dropped, and 7 days were read).
  const [users] = await sql("dba_userSqlList", { user_name: "alice", no_days: 90 });
  assert.deepEqual(users.params, ["alice", 90]);
  const [tables] = await sql("dba_tableSqlList", { table_name: "orders", no_days: 90 });
  assert.deepEqual(tables.params, [90, "orders"]);
  // start_date / end_date bound as text read with an explicit FORMAT.
  const [delay] = await sql("dba_userDelay", { start_date: "2024-01-01", end_date: "2024-01-31" });
  assert.match(
    delay.sql,
    /CAST\(StartTime AS DATE\) BETWEEN CAST\(\? AS DATE FORMAT 'YYYY-MM-DD'\) AND CAST\(\? AS DATE FORMAT 'YYYY-MM-DD'\)/,
  );
  assert.deepEqual(delay.params, ["2024-01-01", "2024-01-31"]);
  // base_tableList without a database (or with '') lists every database.
  const [all] = await sql("base_tableList", { database_name: "" });
  assert.equal(
    all.sql,
    `SELECT DatabaseName AS database_name, TableName AS table_name, TableKind AS kind, CommentString AS "comment" ` +
      `FROM DBC.TablesVX WHERE TableKind IN ('T', 'V', 'O', 'Q') ORDER BY DatabaseName, TableName`,
  );
  // base_databaseList scope: 'user' (the default) leaves out the system databases, 'all' does not.
  const [user] = await sql("base_databaseList", {});
  assert.match(user.sql, /WHERE DatabaseName NOT IN \('DBC', 'SYSLIB', .*'val'\) AND DatabaseName NOT LIKE 'TDaaS%'/);
  const [every] = await sql("base_databaseList", { scope: "all" });
  assert.doesNotMatch(every.sql, /WHERE/);
  // base_columnDescription takes % patterns, as the official server does (default '%' for both).
  const [pattern] = await sql("base_columnDescription", { database_name: "sal%", table_name: "ord%" });
  assert.match(
    pattern.sql,
    /FROM DBC\.ColumnsVX WHERE UPPER\(TableName\) LIKE UPPER\(\?\) AND UPPER\(DatabaseName\) LIKE UPPER\(\?\)/,
  );
  assert.deepEqual(pattern.params, ["ord%", "sal%"]);
  const [everything] = await sql("base_columnDescription", { table_name: "%", database_name: "%" });
  assert.match(everything.sql, /FROM DBC\.ColumnsVX WHERE 1 = 1 ORDER BY DatabaseName, TableName, ColumnId$/);
  // dba_tableSpace: top_n 0 means no limit (up to the server's maximum); exclude_system 'Y' keeps user tables only.
  const [space] = await sql("dba_tableSpace", { database_name: "sales", top_n: 0, exclude_system: "Y" });
  assert.match(space.sql, /^LOCKING ROW FOR ACCESS SELECT TOP 50000 /);
  assert.match(space.sql, /AND s\.DatabaseName NOT IN \('DBC', .*\) AND s\.DatabaseName NOT LIKE 'TDaaS%'/);
  assert.match(space.sql, /EXISTS \(SELECT 1 FROM DBC\.TablesVX t WHERE .* AND t\.TableKind IN \('T', 'O', 'Q'\)\)/);
  // dba_sessionInfo: '*' is every user.
  const [sessions] = await sql("dba_sessionInfo", { user_name: "*" });
  assert.doesNotMatch(sessions.sql, /WHERE/);
  // qlty_rowsWithMissingValues: column_name is the one column checked.
  const missing = await sql("qlty_rowsWithMissingValues", { table_name: "orders", column_name: "status" });
  assert.match(missing[1].sql, /COUNT\(CASE WHEN "status" IS NULL THEN 1 END\)/);
  assert.doesNotMatch(missing[1].sql, /"order_id" IS NULL/);
});

Deno.test("teradata: dba_resusageSummary is the official workload summary, with its filters bound", async () => {
  const [defaults] = await sql("dba_resusageSummary", OFFICIAL_ARGS.dba_resusageSummary);
  assert.match(
    defaults.sql,
    /FROM DBC\.QryLogV q JOIN Sys_Calendar\.CALENDAR c ON c\.calendar_date = CAST\(q\.StartTime AS DATE\)/,
  );
  assert.match(
    defaults.sql,
    /WHERE q\.StartTime IS NOT NULL AND CAST\(q\.StartTime AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) \) d GROUP BY 1, 2, 3, 4, 5, 6, 7/,
  );
  assert.deepEqual(defaults.params, [7], "empty strings are the official 'no filter'");
  assert.match(defaults.sql, /CAST\(COUNT\(\*\) AS BIGINT\) AS request_count, SUM\(amp_cpu_seconds\)/);
  assert.match(defaults.sql, /CAST\(q\.AMPCPUTime AS FLOAT\) AS amp_cpu_seconds/);
  const [filtered] = await sql("dba_resusageSummary", {
    user_name: "alice",
    AppID: "BTEQ",
    dayOfWeek: "2",
    hourOfDay: "14",
    workloadType: "query",
    workloadComplexity: "answers",
    no_days: 30,
  });
  assert.match(
    filtered.sql,
    /\) d WHERE user_name = \? AND app_id = \? AND day_of_week = \? AND hour_of_day = \? AND workload_type = \? AND workload_complexity = \? GROUP BY/,
  );
  assert.deepEqual(filtered.params, [30, "alice", "BTEQ", "Monday", 14, "QUERY", "Answers"]);
  const [day] = await sql("dba_resusageSummary", { LogDate: "2024-05-06" });
  assert.deepEqual(day.params, ["2024-05-06", "2024-05-06", "2024-05-06"], "LogDate narrows the window to that day");
  const { db } = teradata(answer);
  await using c = await connectClient(db);
  const bad = await c.call("dba_resusageSummary", { workloadType: "Batch" });
  assert.match(textOf(bad), /workloadType must be one of LOAD, ETL\/ELT, EXPORT, QUERY, ADMIN, OTHER/);
});

Deno.test("teradata: base_columnMetadata takes the official arguments: names, kinds, exclusions, fields", async () => {
  const statements = await sql("base_columnMetadata", OFFICIAL_ARGS.base_columnMetadata);
  assert.match(
    statements[0].sql,
    /WHERE c\.DatabaseName = \? AND t\.TableKind IN \('T', 'V'\) AND c\.TableName IN \(\?, \?\) AND c\.TableName NOT LIKE \? ORDER BY/,
  );
  assert.deepEqual(statements[0].params, ["sales", "orders", "stores", "tmp%"]);
  const { db } = teradata(answer);
  await using c = await connectClient(db);
  const kept = await c.call("base_columnMetadata", { database_name: "sales", fields: "data_type" });
  assert.deepEqual(kept.structuredContent!.columns.map((col) => col.name), [
    "database_name",
    "table_name",
    "column_name",
    "data_type",
  ]);
  // The official server's field names (from its own docstring example) map to the columns holding the same facts.
  const official = await c.call("base_columnMetadata", {
    database_name: "sales",
    fields: "ColumnName,ColumnType,ColumnLength,CharType,UpperCase,Nullable,Indexed?,Primary?,Unique?",
  });
  assert.deepEqual(official.structuredContent!.columns.map((col) => col.name), [
    "database_name",
    "table_name",
    "column_name",
    "data_type",
    "nullable",
    "type_code",
    "char_set",
    "index_type",
  ]);
  assert.match(textOf(official), /fields UpperCase: not reported by tdmcp, left out/);
  const unknown = await c.call("base_columnMetadata", { database_name: "sales", fields: "Colour" });
  assert.match(textOf(unknown), /fields 'Colour' unknown; available: database_name, .*index_type/);
  const kind = await c.call("base_columnMetadata", { table_kind: "M" });
  assert.match(textOf(kind), /table_kind 'M' is not listed here/);
});

Deno.test("an alias given with another value than its original, or a window given twice, is an error", async () => {
  const { db, sent } = teradata(answer);
  await using c = await connectClient(db);
  sent.length = 0;
  const both = await c.call("dba_userSqlList", { user_name: "alice", days_back: 7, no_days: 90 });
  assert.match(textOf(both), /days_back and no_days mean the same thing and were given different values/);
  const same = await c.call("dba_userSqlList", { user_name: "alice", days_back: 30, no_days: 30 });
  assert.equal(same.isError, undefined, textOf(same));
  const mixed = await c.call("dba_flowControl", { no_days: 7, start_date: "2024-01-01" });
  assert.match(textOf(mixed), /give days_back \(or no_days\) or start_date\/end_date, not both/);
  const badDate = await c.call("dba_featureUsage", { start_date: "2024-02-30", end_date: "2024-03-01" });
  assert.match(textOf(badDate), /start_date must be a calendar date as YYYY-MM-DD: current value is "2024-02-30"/);
  const persist = await c.call("base_readQuery", { sql: "SELECT 1", persist: true });
  assert.match(textOf(persist), /persist: true would create a volatile table/);
});

Deno.test("sqlite: the shared tools that run on SQLite take the official arguments", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const names = (await c.client.listTools()).tools.map((t) => t.name);
  const demo = (args: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(args).map(([k, v]) => [
        k,
        k === "database_name" && v === "sales" ? "main" : k === "column_name" && v === "amount" ? "order_id" : v,
      ]),
    );
  let ran = 0;
  for (const [name, args] of Object.entries(OFFICIAL_ARGS)) {
    if (!names.includes(name)) continue;
    const r = await c.call(name, demo(args));
    assert.equal(r.isError, undefined, `${name}: ${textOf(r)}`);
    ran++;
  }
  assert.ok(ran >= 16, `ran ${ran} tools`);
  const all = await c.call("base_columnDescription", { table_name: "%" });
  const tables = new Set(all.structuredContent!.rows.map((r) => r[6]));
  assert.ok(tables.has("orders") && tables.has("order_items") && tables.has("v_daily_sales"), [...tables].join());
  const pattern = await c.call("base_columnDescription", { table_name: "order%", database_name: "main" });
  assert.deepEqual([...new Set(pattern.structuredContent!.rows.map((r) => r[6]))].sort(), ["order_items", "orders"]);
});

Deno.test({
  name: "postgres: the shared tools that run on PostgreSQL take the official arguments",
  ignore: pgUri() === undefined,
  async fn() {
    const uri = await demoPostgresUri();
    await using db = testDatabase(uri!);
    await using c = await connectClient(db);
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    const [user, database] = (await c.call("base_readQuery", { sql: "SELECT current_user, current_database()" }))
      .structuredContent!.rows[0].map(String);
    const demo = (args: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(args).map(([k, v]) => [
          k,
          k === "database_name" && (v === "sales" || v === "")
            ? PG_DEMO_SCHEMA
            : k === "user_name" && v !== "*"
            ? user
            : k === "role_name"
            ? user
            : k === "column_name" && v === "amount"
            ? "order_id"
            : v,
        ]),
      );
    let ran = 0;
    for (const [name, args] of Object.entries(OFFICIAL_ARGS)) {
      if (!names.includes(name)) continue;
      // dba_databaseSpace sizes PostgreSQL databases, not schemas.
      const r = await c.call(name, name === "dba_databaseSpace" ? { database_name: database } : demo(args));
      assert.equal(r.isError, undefined, `${name}: ${textOf(r)}`);
      ran++;
    }
    assert.ok(ran >= 20, `ran ${ran} tools`);
    const everywhere = await c.call("base_tableList", {});
    const schemas = new Set(everywhere.structuredContent!.rows.map((r) => r[0]));
    assert.ok(schemas.has(PG_DEMO_SCHEMA), [...schemas].join());
    assert.ok(!schemas.has("pg_catalog") && !schemas.has("information_schema"));
    const databases = await c.call("base_databaseList", { scope: "all" });
    assert.ok(databases.structuredContent!.rows.some((r) => r[0] === "pg_catalog"), "scope all lists pg_catalog");
    const userOnly = await c.call("base_databaseList", {});
    assert.ok(!userOnly.structuredContent!.rows.some((r) => r[0] === "pg_catalog"), "scope user does not");
  },
});
