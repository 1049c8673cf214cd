/**
 * The SQL the DBA tools send to Teradata, recorded by a stand-in driver (the
 * Teradata driver cannot be installed here): the documented DBC views, TOP n,
 * LOCKING ROW FOR ACCESS, and every value bound as a parameter. The live suite
 * tests/integration/teradata_dba_test.ts runs the same tools on a real system.
 */
import assert from "node:assert/strict";
import { connectClient, textOf } from "../_helpers.ts";
import { oneLine, teradata } from "./_teradata_fake.ts";

const ALL_DBA_TOOLS = [
  "dba_databaseSpace",
  "dba_databaseVersion",
  "dba_featureUsage",
  "dba_flowControl",
  "dba_nodeUsage",
  "dba_resusageSummary",
  "dba_sessionInfo",
  "dba_systemSpace",
  "dba_tableSpace",
  "dba_tableSqlList",
  "dba_tableUsageImpact",
  "dba_userDelay",
  "dba_userSqlList",
];

/** A client over the recording driver and a helper returning the statements one call sent (QueryBand excluded). */
async function recorder(answer: (sql: string) => unknown[][] = () => [["x"]]) {
  const { db, sent } = teradata(answer);
  const c = await connectClient(db);
  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    sent.length = 0;
    const result = await c.call(tool, args);
    const statements = sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
      sql: oneLine(s.sql),
      params: s.params ?? [],
    }));
    return { result, statements };
  };
  return { c, call, [Symbol.asyncDispose]: () => c[Symbol.asyncDispose]() };
}

/** Calls a tool that must succeed and send exactly one statement; returns it. */
async function one(r: Awaited<ReturnType<typeof recorder>>, tool: string, args: Record<string, unknown> = {}) {
  const { result, statements } = await r.call(tool, args);
  assert.equal(result.isError, undefined, `${tool}: ${textOf(result)}`);
  assert.equal(statements.length, 1, `${tool} sent ${JSON.stringify(statements)}`);
  return statements[0];
}

Deno.test("teradata: all thirteen DBA tools are listed", async () => {
  await using r = await recorder();
  const { tools } = await r.c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).filter((n) => n.startsWith("dba_")).sort(), ALL_DBA_TOOLS);
  for (const tool of tools.filter((t) => t.name.startsWith("dba_"))) {
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
    assert.equal(tool.annotations?.destructiveHint, false, tool.name);
  }
});

Deno.test("teradata: dba_databaseSpace sums DBC.DiskSpaceVX over AMPs, TOP n, database bound", async () => {
  await using r = await recorder();
  const all = await one(r, "dba_databaseSpace", { top_n: 5 });
  assert.match(
    all.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 5 DatabaseName AS database_name, SUM\(CurrentPerm\) AS used_bytes, SUM\(MaxPerm\) AS max_bytes,/,
  );
  assert.match(all.sql, /NULLIFZERO\(SUM\(MaxPerm\)\)/);
  assert.match(all.sql, /FROM DBC\.DiskSpaceVX GROUP BY DatabaseName ORDER BY used_bytes DESC, database_name$/);
  assert.deepEqual(all.params, []);
  const sales = await one(r, "dba_databaseSpace", { database_name: "sales" });
  assert.match(sales.sql, /SELECT TOP 100 .* FROM DBC\.DiskSpaceVX WHERE DatabaseName = \? GROUP BY/);
  assert.deepEqual(sales.params, ["sales"]);
});

Deno.test("teradata: dba_databaseSpace says so when a database has no space row", async () => {
  await using r = await recorder(() => []);
  const { result } = await r.call("dba_databaseSpace", { database_name: "nosuch" });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /no database `nosuch` found/);
});

Deno.test("teradata: dba_tableSpace reads DBC.TableSizeVX with skew, default database DATABASE", async () => {
  await using r = await recorder();
  const current = await one(r, "dba_tableSpace", {});
  assert.match(
    current.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 100 s\.DatabaseName AS database_name, s\.TableName AS table_name,/,
  );
  assert.match(
    current.sql,
    /CAST\(100 - AVG\(s\.CurrentPerm\) \* 100\.0 \/ NULLIFZERO\(MAX\(s\.CurrentPerm\)\) AS DECIMAL\(5,2\)\) AS skew_pct/,
  );
  assert.match(
    current.sql,
    /FROM DBC\.TableSizeVX s WHERE s\.DatabaseName = DATABASE GROUP BY s\.DatabaseName, s\.TableName ORDER BY total_bytes DESC/,
  );
  assert.deepEqual(current.params, []);
  const table = await one(r, "dba_tableSpace", { database_name: "sales", table_name: "orders", top_n: 3 });
  assert.match(table.sql, /SELECT TOP 3 .* WHERE s\.DatabaseName = \? AND s\.TableName = \? GROUP BY/);
  assert.deepEqual(table.params, ["sales", "orders"]);
});

Deno.test("teradata: dba_tableSpace names similar tables when the table has no size row", async () => {
  await using r = await recorder((sql) => sql.includes("DBC.TablesVX") ? [["sales", "orders", "T", null]] : []);
  const { result, statements } = await r.call("dba_tableSpace", { database_name: "sales", table_name: "ordrs" });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /no table or view `ordrs` in `sales`; similar: orders/);
  assert.match(statements[1].sql, /FROM DBC\.TablesVX WHERE DatabaseName = \?/);
});

Deno.test("teradata: dba_sessionInfo reads DBC.SessionInfoVX and marks this session with SESSION", async () => {
  await using r = await recorder();
  const all = await one(r, "dba_sessionInfo");
  assert.match(all.sql, /^LOCKING ROW FOR ACCESS SELECT SessionNo AS session_id, UserName AS user_name,/);
  assert.match(
    all.sql,
    /CASE WHEN SessionNo = SESSION THEN 'Y' ELSE 'N' END AS is_current FROM DBC\.SessionInfoVX ORDER BY/,
  );
  const alice = await one(r, "dba_sessionInfo", { user_name: "alice'; DROP USER x;--" });
  assert.match(alice.sql, /FROM DBC\.SessionInfoVX WHERE UserName = \? ORDER BY/);
  assert.deepEqual(alice.params, ["alice'; DROP USER x;--"]);
  assert.doesNotMatch(alice.sql, /DROP/);
});

Deno.test("teradata: dba_databaseVersion reads DBC.DBCInfoV", async () => {
  await using r = await recorder();
  const version = await one(r, "dba_databaseVersion");
  assert.equal(version.sql, "SELECT InfoKey AS info_key, InfoData AS info_value FROM DBC.DBCInfoV ORDER BY InfoKey");
});

Deno.test("teradata: dba_tableSqlList joins QryLogV, QryLogSQLV and QryLogObjectsV with days and names bound", async () => {
  await using r = await recorder();
  const sql = await one(r, "dba_tableSqlList", { table_name: "sales.orders", days_back: 30 });
  assert.match(sql.sql, /^LOCKING ROW FOR ACCESS SELECT TOP 50 q\.StartTime AS start_time,/);
  assert.match(
    sql.sql,
    /COALESCE\(s\.SqlTextInfo, q\.QueryText\) AS sql_text FROM DBC\.QryLogV q LEFT JOIN DBC\.QryLogSQLV s ON s\.ProcID = q\.ProcID AND s\.QueryID = q\.QueryID AND s\.SqlRowNo = 1/,
  );
  assert.match(sql.sql, /WHERE CAST\(q\.StartTime AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\)/);
  assert.match(
    sql.sql,
    /EXISTS \(SELECT 1 FROM DBC\.QryLogObjectsV o WHERE o\.ProcID = q\.ProcID AND o\.QueryID = q\.QueryID AND o\.ObjectType IN \('Tab', 'Viw'\) AND o\.ObjectTableName = \? AND o\.ObjectDatabaseName = \?\)/,
  );
  assert.match(sql.sql, /ORDER BY q\.StartTime DESC$/);
  assert.deepEqual(sql.params, [30, "orders", "sales"]);
  const anyDb = await one(r, "dba_tableSqlList", { table_name: "orders", top_n: 7 });
  assert.match(anyDb.sql, /^LOCKING ROW FOR ACCESS SELECT TOP 7 /);
  assert.doesNotMatch(anyDb.sql, /ObjectDatabaseName/);
  assert.deepEqual(anyDb.params, [7, "orders"]);
});

Deno.test("teradata: days_back and top_n outside their bounds are refused before any SQL is sent", async () => {
  await using r = await recorder();
  for (
    const [tool, args] of [
      ["dba_tableSqlList", { table_name: "orders", days_back: 366 }],
      ["dba_userSqlList", { user_name: "alice", days_back: 0 }],
      ["dba_flowControl", { days_back: 2.5 }],
      ["dba_userDelay", { top_n: 1001 }],
      ["dba_resusageSummary", { days_back: "7; DROP" }],
      ["dba_nodeUsage", { no_days: 400 }],
      ["dba_featureUsage", { days_back: 7, start_date: "2024-01-01" }],
      ["dba_userDelay", { start_date: "2024-02-30" }],
      ["dba_flowControl", { start_date: "2024-03-01", end_date: "2024-01-01" }],
      ["dba_nodeUsage", { end_date: "2024-01-01" }],
      ["dba_userSqlList", { user_name: "alice", days_back: 30, no_days: 90 }],
    ] as const
  ) {
    const { result, statements } = await r.call(tool, args);
    assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)}`);
    assert.deepEqual(statements, [], tool);
  }
});

Deno.test("teradata: dba_userSqlList reads DBQL for one user with the user and days bound", async () => {
  await using r = await recorder();
  const sql = await one(r, "dba_userSqlList", { user_name: "alice" });
  assert.match(
    sql.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 50 q\.StartTime AS start_time, q\.UserName AS user_name, q\.SessionID AS session_id,/,
  );
  assert.match(
    sql.sql,
    /FROM DBC\.QryLogV q LEFT JOIN DBC\.QryLogSQLV s ON .* WHERE q\.UserName = \? AND CAST\(q\.StartTime AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) ORDER BY q\.StartTime DESC$/,
  );
  assert.deepEqual(sql.params, ["alice", 7]);
});

Deno.test("teradata: an empty DBQL answer comes with a note on query logging", async () => {
  await using r = await recorder(() => []);
  const { result } = await r.call("dba_userSqlList", { user_name: "alice" });
  assert.equal(result.isError, undefined);
  assert.match(textOf(result), /DBQL holds only what query logging captured/);
});

Deno.test("teradata: dba_systemSpace sums DBC.DiskSpaceV over the whole system", async () => {
  await using r = await recorder();
  const sql = await one(r, "dba_systemSpace");
  assert.match(
    sql.sql,
    /^LOCKING ROW FOR ACCESS SELECT SUM\(MaxPerm\) AS max_perm_bytes, SUM\(CurrentPerm\) AS used_perm_bytes,/,
  );
  assert.match(sql.sql, /SUM\(CurrentSpool\) AS used_spool_bytes, SUM\(CurrentTemp\) AS used_temp_bytes,/);
  assert.match(sql.sql, /FROM DBC\.DiskSpaceV$/);
  assert.deepEqual(sql.params, []);
});

Deno.test("teradata: dba_flowControl and dba_nodeUsage read ResUsage per day, casting before they sum", async () => {
  await using r = await recorder();
  const flow = await one(r, "dba_flowControl", { days_back: 14 });
  assert.match(
    flow.sql,
    /^LOCKING ROW FOR ACCESS SELECT TheDate AS log_date, SUM\(CAST\(FlowCtlCnt AS BIGINT\)\) AS flow_control_entries,/,
  );
  assert.match(flow.sql, /MIN\(AvailableMin\) AS min_free_awts, MAX\(InUseMax\) AS max_awts_in_use/);
  assert.match(
    flow.sql,
    /FROM DBC\.ResUsageSawt WHERE CAST\(TheDate AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) GROUP BY TheDate ORDER BY TheDate DESC$/,
  );
  assert.deepEqual(flow.params, [14]);
  const ranged = await one(r, "dba_flowControl", { start_date: "2024-01-01", end_date: "2024-01-31" });
  assert.match(
    ranged.sql,
    /WHERE CAST\(TheDate AS DATE\) BETWEEN CAST\(\? AS DATE FORMAT 'YYYY-MM-DD'\) AND CAST\(\? AS DATE FORMAT 'YYYY-MM-DD'\) GROUP BY/,
  );
  assert.deepEqual(ranged.params, ["2024-01-01", "2024-01-31"]);
  const node = await one(r, "dba_nodeUsage", {});
  // NCPUs and Secs are SMALLINT: their product summed over a large system overflows INTEGER unless cast first.
  assert.match(
    node.sql,
    /CAST\(SUM\(CAST\(CPUUExec AS FLOAT\) \+ CAST\(CPUUServ AS FLOAT\)\) \/ NULLIFZERO\(SUM\(CAST\(NCPUs AS FLOAT\) \* CAST\(Secs AS FLOAT\)\)\) AS DECIMAL\(7,2\)\) AS cpu_busy_pct/,
  );
  assert.doesNotMatch(node.sql, /SUM\((?!CAST)/, "every SUM casts its operand");
  assert.match(
    node.sql,
    /SUM\(CAST\(FileAcqReads AS FLOAT\) \+ CAST\(FilePreReads AS FLOAT\)\) AS physical_reads, SUM\(CAST\(FileWrites AS FLOAT\)\) AS physical_writes/,
  );
  assert.match(
    node.sql,
    /FROM DBC\.ResUsageSpma WHERE CAST\(TheDate AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) GROUP BY TheDate/,
  );
  assert.deepEqual(node.params, [7]);
  const ninety = await one(r, "dba_nodeUsage", { no_days: 90 });
  assert.deepEqual(ninety.params, [90]);
});

Deno.test("teradata: dba_featureUsage decodes the DBQL feature bitmap with QryLogFeatureListV", async () => {
  await using r = await recorder();
  const sql = await one(r, "dba_featureUsage", { user_name: "alice", days_back: 30, top_n: 20 });
  assert.match(
    sql.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 20 CAST\(f\.FeatureName AS VARCHAR\(100\)\) AS feature_name, CAST\(COUNT\(\*\) AS BIGINT\) AS requests,/,
  );
  assert.match(
    sql.sql,
    /FROM DBC\.QryLogV q JOIN DBC\.QryLogFeatureListV f ON BYTES\(q\.FeatureUsage\) = 256 AND GETBIT\(q\.FeatureUsage, 2047 - f\.FeatureBitpos\) = 1/,
  );
  assert.match(sql.sql, /AND q\.UserName = \? GROUP BY f\.FeatureName ORDER BY requests DESC/);
  assert.deepEqual(sql.params, [30, "alice"]);
});

Deno.test("teradata: dba_userDelay sums QryLogV.DelayTime per user", async () => {
  await using r = await recorder();
  const all = await one(r, "dba_userDelay");
  assert.match(
    all.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 100 UserName AS user_name, CAST\(COUNT\(\*\) AS BIGINT\) AS delayed_requests, SUM\(CAST\(DelayTime AS FLOAT\)\) AS total_delay_seconds,/,
  );
  assert.match(
    all.sql,
    /FROM DBC\.QryLogV WHERE DelayTime > 0 AND CAST\(StartTime AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) GROUP BY UserName/,
  );
  assert.deepEqual(all.params, [7]);
  const alice = await one(r, "dba_userDelay", { user_name: "alice" });
  assert.match(alice.sql, /AND UserName = \? GROUP BY UserName/);
  assert.deepEqual(alice.params, [7, "alice"]);
});

Deno.test("teradata: dba_tableUsageImpact counts requests per table and user from QryLogObjectsV", async () => {
  await using r = await recorder();
  const current = await one(r, "dba_tableUsageImpact");
  assert.match(
    current.sql,
    /^LOCKING ROW FOR ACCESS SELECT TOP 100 o\.ObjectDatabaseName AS database_name, o\.ObjectTableName AS table_name, q\.UserName AS user_name, CAST\(COUNT\(DISTINCT q\.QueryID\) AS BIGINT\) AS requests,/,
  );
  assert.match(
    current.sql,
    /FROM DBC\.QryLogObjectsV o JOIN DBC\.QryLogV q ON q\.ProcID = o\.ProcID AND q\.QueryID = o\.QueryID WHERE o\.ObjectType IN \('Tab', 'Viw'\) AND o\.ObjectColumnName IS NULL AND o\.ObjectDatabaseName = DATABASE AND/,
  );
  assert.deepEqual(current.params, [7]);
  const scoped = await one(r, "dba_tableUsageImpact", { database_name: "sales", user_name: "alice", days_back: 90 });
  assert.match(
    scoped.sql,
    /o\.ObjectDatabaseName = \? AND CAST\(q\.StartTime AS DATE\) >= CURRENT_DATE - CAST\(\? AS INTEGER\) AND q\.UserName = \? GROUP BY/,
  );
  assert.deepEqual(scoped.params, ["sales", 90, "alice"]);
});
