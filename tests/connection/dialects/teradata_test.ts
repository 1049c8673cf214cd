/** The Teradata dialect object: its URI, the QueryBand as its audit statement, and its engine codes. */
import assert from "node:assert/strict";
import { TERADATA, TERADATA_DEFAULT_DRIVER } from "../../../connection/dialects/teradata.ts";

Deno.test("teradata: a URI names the default driver unless another is given, and keeps the password secret", () => {
  const target = TERADATA.uri.target!("teradata://me:s3cret@tdhost/sales", {});
  assert.match(target.connectionString, new RegExp(`^DRIVER=\\{${TERADATA_DEFAULT_DRIVER}\\};DBCName=tdhost;`));
  assert.deepEqual(target.secrets, ["s3cret"]);
  assert.match(
    TERADATA.uri.target!("teradata://tdhost", { odbcDriver: "TD 17" }).connectionString,
    /^DRIVER=\{TD 17\};/,
  );
});

Deno.test("teradata: the audit statement is a volatile session QueryBand naming the client", () => {
  const statement = TERADATA.session.auditStatement!({
    tool: "t",
    requestId: "1",
    client: { name: "c", version: "2" },
  });
  assert.equal(
    statement,
    "SET QUERY_BAND = 'ApplicationName=tdmcp;McpClient=c;McpClientVersion=2;' FOR SESSION VOLATILE",
  );
});

Deno.test("teradata: engine codes are read only from Teradata's messages, and 2646 carries a hint", () => {
  const { engineCode, codes, hints } = TERADATA.errors;
  assert.equal(engineCode!(-2631, "[Teradata][ODBC Teradata Driver] Transaction ABORTed due to deadlock."), 2631);
  assert.equal(engineCode!(3032, "[MySQL] Error 3032"), 0);
  assert.equal(codes!.get(8017)?.class, "auth");
  assert.match(hints!.get(2646)!, /spool/);
});
