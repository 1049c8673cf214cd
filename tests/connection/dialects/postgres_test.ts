/** The PostgreSQL dialect object: its URI, its call isolation by server version, and how it reads the role's power. */
import assert from "node:assert/strict";
import { POSTGRES } from "../../../connection/dialects/postgres.ts";

Deno.test("postgres: a URI becomes a psqlODBC string that reads through a server-side cursor", () => {
  const target = POSTGRES.uri.target!("postgres://me:pw@db:6543/shop?sslmode=require", { fetchRows: 50 });
  assert.equal(
    target.connectionString,
    "DRIVER={PostgreSQL Unicode};SERVER=db;PORT=6543;DATABASE=shop;UID=me;PWD=pw;UseDeclareFetch=1;Fetch=50;SSLmode=require;",
  );
  assert.equal(target.display, "db:6543/shop");
});

Deno.test("postgres: every read is rolled back, and servers from 13 on also get a fresh random seed", () => {
  for (const [version, reseeds] of [["12.0022", false], ["13.0001", true], ["15.0018", true], ["", false]] as const) {
    const isolation = POSTGRES.session.isolation(version);
    assert.equal(isolation.manualCommit, true);
    assert.match(isolation.endRead!, /^ROLLBACK; DEALLOCATE ALL; SELECT pg_advisory_unlock_all\(\)/);
    assert.equal(isolation.endRead!.includes("setseed("), reseeds, version);
    assert.equal(isolation.beginWrite, "SET TRANSACTION READ WRITE");
    assert.equal(isolation.endWrite, "COMMIT");
  }
});

Deno.test("postgres: the role's power is read from its row, powers worth a warning named", () => {
  const { parse } = POSTGRES.session.rolePower!;
  assert.deepEqual(parse(["reader", false, false, false, false, false, false, false, false, false, 0, 0]), {
    role: "reader",
    superuser: false,
    notes: [],
  });
  const owner = parse(["owner", "t", "t", false, false, false, true, false, false, false, "3", 2]);
  assert.equal(owner.superuser, true);
  assert.deepEqual(owner.notes, [
    "CREATEROLE",
    "pg_signal_backend (may cancel or terminate other sessions)",
    "owns 3 relations",
    "may write 2 tables",
  ]);
});
