/**
 * The security tools against a real PostgreSQL through the MCP client: the
 * test creates its own roles, schema and grants (as the superuser, through
 * psql, never through the tools), asserts exactly those, and removes them.
 */
import assert from "node:assert/strict";
import type { Cell } from "../../connection/types.ts";
import { connectClient, demoSqlitePath, type TableContent, testDatabase, textOf } from "../_helpers.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const noPg = !pgUri();

function records(content: TableContent | undefined): Record<string, Cell>[] {
  assert.ok(content, "the result must have structured content");
  return content.rows.map((row) => Object.fromEntries(content.columns.map((c, i) => [c.name, row[i]])));
}

/** One privilege row as "object_type schema.table.column PRIVILEGE grantable". */
function grant(r: Record<string, Cell>): string {
  const where = [r.database_name, r.table_name, r.column_name].filter((p) => p !== null).join(".");
  return `${r.object_type} ${where || "-"} ${r.privilege}${Number(r.grantable) === 1 ? " (grantable)" : ""}`;
}

/** Roles `<p>_base` ⊂ `<p>_analyst` ⊂ `<p>_reader` and a schema `<p>` with known grants; dropped afterwards. */
async function withGrants(
  fn: (
    names: { base: string; analyst: string; reader: string; schema: string; database: string; admin: string },
  ) => Promise<
    void
  >,
): Promise<void> {
  const p = `tdmcp_sec_${crypto.randomUUID().slice(0, 8)}`;
  const names = {
    base: `${p}_base`,
    analyst: `${p}_analyst`,
    reader: `${p}_reader`,
    schema: p,
    database: new URL(pgUri()!).pathname.slice(1),
    admin: decodeURIComponent(new URL(pgUri()!).username),
  };
  const { base, analyst, reader, schema, database } = names;
  await pgAdmin(`CREATE ROLE ${base} NOLOGIN; CREATE ROLE ${analyst} NOLOGIN; CREATE ROLE ${reader} LOGIN;
GRANT ${base} TO ${analyst}; GRANT ${analyst} TO ${reader} WITH ADMIN OPTION;
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.t1 (id int, secret text); CREATE TABLE ${schema}.t2 (id int, note text);
CREATE TABLE ${schema}.owned (x int); ALTER TABLE ${schema}.owned OWNER TO ${analyst};
CREATE SEQUENCE ${schema}.seq1;
GRANT USAGE ON SCHEMA ${schema} TO ${analyst};
GRANT SELECT ON ${schema}.t1 TO ${analyst};
GRANT SELECT ON ${schema}.t2 TO ${base};
GRANT INSERT ON ${schema}.t1 TO ${reader} WITH GRANT OPTION;
GRANT SELECT (note), UPDATE (note) ON ${schema}.t2 TO ${reader};
GRANT USAGE ON SEQUENCE ${schema}.seq1 TO ${reader};
GRANT CONNECT ON DATABASE ${database} TO ${reader};`);
  try {
    await fn(names);
  } finally {
    await pgAdmin(`DROP SCHEMA ${schema} CASCADE; DROP OWNED BY ${reader}, ${analyst}, ${base};
DROP ROLE ${reader}; DROP ROLE ${analyst}; DROP ROLE ${base};`);
  }
}

function pgTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: noPg, fn });
}

pgTest("sec_userDbPermissions lists exactly the rights granted directly to a PostgreSQL user", async () => {
  await withGrants(async ({ reader, schema, admin }) => {
    await using db = testDatabase(pgUri()!);
    await using c = await connectClient(db);
    const r = await c.call("sec_userDbPermissions", { user_name: reader });
    assert.equal(r.isError, undefined, textOf(r));
    const rows = records(r.structuredContent);
    assert.deepEqual(rows.map(grant), [
      "database - CONNECT",
      `sequence ${schema}.seq1 USAGE`,
      `table ${schema}.t1 INSERT (grantable)`,
      `column ${schema}.t2.note SELECT`,
      `column ${schema}.t2.note UPDATE`,
    ]);
    for (const row of rows) assert.equal(row.grantor, admin);
    const inSchema = records(
      (await c.call("sec_userDbPermissions", { user_name: reader, database_name: schema }))
        .structuredContent,
    );
    assert.deepEqual(inSchema.map(grant), rows.slice(1).map(grant));
  });
});

pgTest("sec_rolePermissions lists a role's grants, ownership included, and not those of its nested roles", async () => {
  await withGrants(async ({ analyst, base, schema }) => {
    await using db = testDatabase(pgUri()!);
    await using c = await connectClient(db);
    const rows = records((await c.call("sec_rolePermissions", { role_name: analyst })).structuredContent);
    const owned = rows.filter((x) => x.table_name === "owned");
    for (const privilege of ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]) {
      assert.ok(owned.some((x) => x.privilege === privilege && x.grantor === analyst), `owner holds ${privilege}`);
    }
    assert.deepEqual(rows.filter((x) => x.table_name !== "owned").map(grant), [
      `schema ${schema} USAGE`,
      `table ${schema}.t1 SELECT`,
    ]);
    const baseRows = records((await c.call("sec_rolePermissions", { role_name: base })).structuredContent);
    assert.deepEqual(baseRows.map(grant), [`table ${schema}.t2 SELECT`]);
  });
});

pgTest("sec_userRoles follows role membership through nested roles", async () => {
  await withGrants(async ({ reader, analyst, base, admin }) => {
    await using db = testDatabase(pgUri()!);
    await using c = await connectClient(db);
    const r = await c.call("sec_userRoles", { user_name: reader });
    assert.equal(r.isError, undefined, textOf(r));
    assert.deepEqual(
      records(r.structuredContent).map((x) => [x.role_name, x.granted_via, x.grantor, Number(x.with_admin)]),
      [[analyst, null, admin, 1], [base, analyst, admin, 0]],
    );
    const none = await c.call("sec_userRoles", { user_name: base });
    assert.equal(none.isError, undefined, textOf(none));
    assert.equal(none.structuredContent!.row_count, 0);
  });
});

pgTest("the security tools name a missing role and suggest the right spelling", async () => {
  await withGrants(async ({ reader }) => {
    await using db = testDatabase(pgUri()!);
    await using c = await connectClient(db);
    for (const tool of ["sec_userDbPermissions", "sec_userRoles"]) {
      const r = await c.call(tool, { user_name: reader.toUpperCase() });
      assert.equal(r.isError, true, tool);
      assert.match(textOf(r), new RegExp(`no user or role \`${reader.toUpperCase()}\`.*similar: ${reader}`));
    }
    const r = await c.call("sec_rolePermissions", { role_name: "tdmcp_no_such_role" });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /no user or role `tdmcp_no_such_role`/);
  });
});

pgTest("sec_userDbPermissions leaves out the system schemas unless one is asked for", async () => {
  await using db = testDatabase(pgUri()!);
  await using c = await connectClient(db);
  const admin = decodeURIComponent(new URL(pgUri()!).username);
  const all = records((await c.call("sec_userDbPermissions", { user_name: admin })).structuredContent);
  assert.ok(all.length > 0);
  assert.ok(all.every((x) => !["pg_catalog", "information_schema"].includes(String(x.database_name))));
  const catalog = await c.call("sec_userDbPermissions", { user_name: admin, database_name: "pg_catalog" });
  assert.ok(records(catalog.structuredContent).some((x) => x.object_type === "schema" && x.privilege === "USAGE"));
});

Deno.test("the security tools are not offered on SQLite, which has no users or grants", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using c = await connectClient(db);
  const names = (await c.client.listTools()).tools.map((t) => t.name);
  for (const name of ["sec_userDbPermissions", "sec_userRoles", "sec_rolePermissions"]) {
    assert.ok(!names.includes(name), name);
  }
});
