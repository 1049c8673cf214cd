/**
 * The live Teradata suite for the security, index, relation, usage and
 * affinity tools: runs only when TERADATA_TEST_URI is set, e.g.
 * `TERADATA_TEST_URI=teradata://user:pass@host/db deno task test tests/integration/teradata_sec_test.ts`
 * (with the Teradata ODBC driver installed; name it with ODBC_DRIVER if needed).
 * It only reads the DBC dictionary and the DBQL views. The connecting user may
 * lack SELECT on DBC.AllRightsV or the DBQL views: such a call must then fail
 * with Teradata's access error (3523), which the tests accept and report.
 */
import assert from "node:assert/strict";
import { connectClient, note, textOf } from "../_helpers.ts";
import { liveTeradata } from "./_teradata_live.ts";

type Client = Awaited<ReturnType<typeof connectClient>>;

const live = liveTeradata(connectClient);

/** Calls a tool; a result is fine, so is Teradata's "no access" error (reported, not hidden). */
async function callAllowingNoAccess(c: Client, tool: string, args: Record<string, unknown>) {
  const r = await c.call(tool, args);
  if (r.isError && /\b3523\b|does not have .* access/i.test(textOf(r))) {
    note(`${tool}: the test user lacks access: ${textOf(r).slice(0, 200)}`);
    return undefined;
  }
  assert.equal(r.isError, undefined, `${tool}: ${textOf(r)}`);
  return r;
}

async function currentUser(c: Client): Promise<string> {
  const r = await c.call("base_readQuery", { sql: "SELECT USER" });
  return String(r.structuredContent!.rows[0][0]).trim();
}

live("sec_userDbPermissions and sec_userRoles answer for the connected user", async (c) => {
  const user = await currentUser(c);
  const rights = await callAllowingNoAccess(c, "sec_userDbPermissions", { user_name: user });
  if (rights) {
    const names = rights.structuredContent!.columns.map((col) => col.name);
    assert.deepEqual(names.slice(3, 5), ["access_right", "privilege"]);
  }
  await callAllowingNoAccess(c, "sec_userRoles", { user_name: user });
});

live("sec_rolePermissions answers for a role the dictionary lists", async (c) => {
  const roles = await c.call("base_readQuery", { sql: "SELECT TOP 1 RoleName FROM DBC.RoleInfoV ORDER BY 1" });
  if (roles.isError || roles.structuredContent!.row_count === 0) {
    note("no role visible in DBC.RoleInfoV; sec_rolePermissions checked with a made-up name only");
  }
  const role = roles.isError || roles.structuredContent!.row_count === 0
    ? "tdmcp_no_such_role"
    : String(roles.structuredContent!.rows[0][0]).trim();
  await callAllowingNoAccess(c, "sec_rolePermissions", { role_name: role });
});

live("base_indexList and base_tableRelations describe a DBC table", async (c) => {
  const idx = await c.call("base_indexList", { table_name: "Dbase", database_name: "DBC" });
  assert.equal(idx.isError, undefined, textOf(idx));
  for (const row of idx.structuredContent!.rows) assert.doesNotMatch(String(row[3]), /\?$/, textOf(idx));
  const rel = await c.call("base_tableRelations", { table_name: "Dbase", database_name: "DBC" });
  assert.equal(rel.isError, undefined, textOf(rel));
  const missing = await c.call("base_indexList", { table_name: "DbaseX_tdmcp", database_name: "DBC" });
  assert.equal(missing.isError, true);
});

live("base_tableUsage and base_tableAffinity read DBQL for the default database", async (c) => {
  const usage = await callAllowingNoAccess(c, "base_tableUsage", { days: 7 });
  if (usage) note(`base_tableUsage: ${usage.structuredContent!.row_count} tables used in the last 7 days`);
  const affinity = await callAllowingNoAccess(c, "base_tableAffinity", {
    table_name: "DatabasesVX",
    database_name: "DBC",
    days: 1,
  });
  if (affinity) assert.equal(affinity.structuredContent!.row_count, 0, "DBQL does not log DBC objects");
});
