/** The SQLite dialect object: its file URIs, the engine's own read-only switch, and its small fetch buffers. */
import assert from "node:assert/strict";
import { SQLITE } from "../../../connection/dialects/sqlite.ts";

Deno.test("sqlite: a file URI opens the file read-only on request, and fetches into small buffers", () => {
  const target = SQLITE.uri.target!("sqlite:///data/shop.db", { readOnly: true });
  assert.equal(target.connectionString, "DRIVER=SQLite3;Database=file:/data/shop.db?mode=ro;BigInt=1;");
  assert.equal(target.filePath, "/data/shop.db");
  assert.equal(target.fetchBytes, SQLITE.uri.fetchBytes);
  assert.throws(() => SQLITE.uri.target!("sqlite:", {}), /names no file/);
});

Deno.test("sqlite: sessions are query_only, and only a write call lifts it", () => {
  assert.deepEqual(SQLITE.session.readOnly, ["PRAGMA query_only = 1"]);
  const isolation = SQLITE.session.isolation("3.40.1");
  assert.equal(isolation.beginWrite, "PRAGMA query_only = 0");
  assert.equal(isolation.endRead, null, "a read leaves nothing to undo");
  assert.throws(() => {
    (isolation as { endRead: string | null }).endRead = "x";
  }, TypeError);
});
