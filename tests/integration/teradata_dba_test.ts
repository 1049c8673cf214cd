/**
 * The DBA tools on a live Teradata: runs only when TERADATA_TEST_URI is set, e.g.
 * `TERADATA_TEST_URI=teradata://user:pass@host/db deno task test tests/integration/teradata_dba_test.ts`
 * (with the Teradata ODBC driver installed; name it with ODBC_DRIVER if needed). It only reads DBC views.
 * The DBQL and ResUsage tools may legitimately return no rows when logging is off; they must not fail.
 */
import assert from "node:assert/strict";
import type { Cell } from "../../connection/types.ts";
import { connectClient, textOf } from "../_helpers.ts";
import { liveTeradata } from "./_teradata_live.ts";

type Client = Awaited<ReturnType<typeof connectClient>>;

// One pooled connection, so base_readQuery and the tool under test share a session.
const live = liveTeradata(connectClient, { poolSize: 1 });

async function rows(c: Client, tool: string, args: Record<string, unknown> = {}) {
  const r = await c.call(tool, args);
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  const { columns, rows } = r.structuredContent!;
  return rows.map((row) => Object.fromEntries(columns.map((col, i) => [col.name, row[i]]))) as Record<string, Cell>[];
}

const trim = (v: Cell) => String(v ?? "").trim();

live("dba_databaseVersion matches DBC.DBCInfoV read with base_readQuery", async (c) => {
  const facts = Object.fromEntries((await rows(c, "dba_databaseVersion")).map((r) => [trim(r.info_key), r.info_value]));
  const [direct] = await rows(c, "base_readQuery", {
    sql: "SELECT InfoData AS v FROM DBC.DBCInfoV WHERE InfoKey = 'VERSION'",
  });
  assert.equal(trim(facts.VERSION), trim(direct.v));
});

live("dba_sessionInfo marks the session that also answers SELECT SESSION", async (c) => {
  const [{ s }] = await rows(c, "base_readQuery", { sql: "SELECT SESSION AS s" });
  const own = (await rows(c, "dba_sessionInfo")).filter((r) => r.is_current === "Y");
  assert.equal(own.length, 1);
  assert.equal(Number(own[0].session_id), Number(s));
});

live("dba_databaseSpace and dba_systemSpace agree with DBC.DiskSpaceV sums", async (c) => {
  const [dbc] = await rows(c, "dba_databaseSpace", { database_name: "DBC" });
  const [direct] = await rows(c, "base_readQuery", {
    sql: "SELECT SUM(CurrentPerm) AS used, SUM(MaxPerm) AS mx FROM DBC.DiskSpaceVX WHERE DatabaseName = 'DBC'",
  });
  assert.equal(Number(dbc.max_bytes), Number(direct.mx));
  assert.ok(Number(dbc.used_bytes) > 0);
  const [system] = await rows(c, "dba_systemSpace");
  assert.ok(Number(system.max_perm_bytes) >= Number(system.used_perm_bytes));
  assert.ok(Number(system.amps) > 0);
});

live("dba_tableSpace lists DBC tables with their per-AMP skew", async (c) => {
  const tables = await rows(c, "dba_tableSpace", { database_name: "DBC", top_n: 5 });
  assert.ok(tables.length > 0 && tables.length <= 5);
  for (const t of tables) assert.ok(Number(t.skew_pct) >= 0 && Number(t.skew_pct) <= 100, JSON.stringify(t));
  const typo = await c.call("dba_tableSpace", { database_name: "DBC", table_name: "TVMx" });
  assert.equal(typo.isError, true);
});

live("the DBQL and ResUsage tools run (rows or an explanatory note)", async (c) => {
  const [{ u }] = await rows(c, "base_readQuery", { sql: "SELECT USER AS u" });
  for (
    const [tool, args] of [
      ["dba_tableSqlList", { table_name: "DBC.DBCInfoV", days_back: 1, top_n: 5 }],
      ["dba_userSqlList", { user_name: trim(u), days_back: 1, top_n: 5 }],
      ["dba_userDelay", { days_back: 7 }],
      ["dba_featureUsage", { days_back: 1, top_n: 5 }],
      ["dba_tableUsageImpact", { database_name: "DBC", days_back: 1, top_n: 5 }],
      ["dba_flowControl", { days_back: 2 }],
      ["dba_resusageSummary", { no_days: 2 }],
      ["dba_nodeUsage", { days_back: 2 }],
    ] as const
  ) {
    const r = await c.call(tool, args);
    assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  }
});
