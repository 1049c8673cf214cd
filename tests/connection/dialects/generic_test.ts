/** The generic dialect object: an unknown engine, served only on request and checked against every rule. */
import assert from "node:assert/strict";
import { GENERIC } from "../../../connection/dialects/generic.ts";
import { checkReadOnly } from "../../../connection/guard.ts";

Deno.test("generic: an unknown engine needs --allow-unknown-engine and has no session switch or probe", () => {
  assert.equal(GENERIC.engine.servedByDefault, false);
  assert.deepEqual(GENERIC.session.readOnly, []);
  assert.equal(GENERIC.session.healthProbe, null);
  assert.equal(GENERIC.uri.target, undefined, "a raw ODBC string, never a URI scheme of its own");
});

Deno.test("generic: the guard checks every dialect's rules and readings, as the server's grammar is unknown", () => {
  assert.equal(GENERIC.guard.anyServer, true);
  assert.equal(checkReadOnly("SELECT pg_terminate_backend(1)", "generic").ok, false, "a PostgreSQL function");
  assert.equal(checkReadOnly("SELECT load_extension('x')", "generic").ok, false, "a SQLite function");
  // Refused only where the server is unknown: PostgreSQL has no such statement, package or batch.
  for (const sql of ["SELECT NEXT VALUE FOR s", "SELECT 1 EXEC x", "SELECT dbms_sql.execute(1)"]) {
    assert.equal(checkReadOnly(sql, "generic").ok, false, sql);
    assert.equal(checkReadOnly(sql, "postgres").ok, true, sql);
  }
  assert.ok(GENERIC.lex.axes.length > 0);
});
