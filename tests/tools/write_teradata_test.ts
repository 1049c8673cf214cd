/**
 * A confirmed write on Teradata, through the stand-in driver (no Teradata system is reachable here): the question
 * carries the rows of the write step of `EXPLAIN <write>` (the manual's DELETE example), and once confirmed the
 * connection leaves autocommit, inserts the ledger token, runs the write and commits, in that order.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import type { OdbcConnection } from "../../connection/odbc.ts";
import { openWriteConfirmation } from "../../server/confirm_call.ts";
import { createServer } from "../../server/create.ts";
import type { Tool } from "../../plugin/tool.ts";
import readQuery from "../../tools/base/base_readQuery.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";
import { oneLine, recordingDriver } from "./_teradata_fake.ts";

/** SQL Data Manipulation Language, "EXPLAIN Request Modifier with a DELETE Statement" (Teradata Vantage 17.20). */
const DOC_DELETE = `  1) First, we do a single-AMP DELETE from RS.rls_tbl by way of the
     primary index "RS.rls_tbl.col1 = 2" with a residual condition of (
     "((SYSLIB.DELETELEVEL (RS.rls_tbl.levels ))= 'T')").  The size is estimated with no confidence to be 2 rows.
     The estimated time for this step is 0.01 seconds.
  -> No rows are returned to the user as the result of statement 1.
     The total estimated time is 0.01 seconds.`;

Deno.test("teradata: the user is asked with EXPLAIN's rows; the confirmed DELETE runs after its ledger token", async () => {
  const events: string[] = [];
  const recording = recordingDriver((sql) => sql.startsWith("EXPLAIN") ? DOC_DELETE.split("\n").map((l) => [l]) : []);
  const driver = {
    ...recording.driver,
    connect: async (text: string, seconds: number) => {
      const connection: OdbcConnection = await recording.driver.connect(text, seconds);
      return {
        ...connection,
        query: ((sql: string, ...rest: unknown[]) => {
          events.push(oneLine(sql));
          return (connection.query as (...a: unknown[]) => unknown)(sql, ...rest);
        }) as OdbcConnection["query"],
        beginTransaction: () => (events.push("<autocommit off>"), Promise.resolve()),
        commit: () => (events.push("<commit>"), Promise.resolve()),
      };
    },
  };
  const db = openDatabase(
    { ...DATABASE_DEFAULTS, uri: "teradata://dbc:s3cret@tdhost/RS?LOGMECH=LDAP", allowWrite: true },
    driver,
  );
  const confirmation = await openWriteConfirmation({
    writes: "confirm",
    confirmLedgerTable: "ops.tdmcp_confirmations",
  });
  const limits = { defaultRows: 100, maxRows: 1000, timeoutMs: 30_000, maxTimeoutMs: 60_000, writes: "confirm" };
  const deps = { db, tools: [readQuery as Tool], limits, log: getLogger(["tdmcp", "test"]), confirmation };
  const server = createServer(deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "t", version: "0" }, { capabilities: { elicitation: { form: {} } } });
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", (request) => {
    asked.push((request.params as { message: string }).message);
    events.push("<asked>");
    return { action: "accept", content: { confirm: true } };
  });
  await client.connect(clientSide);
  try {
    const sql = "DELETE FROM RS.rls_tbl WHERE col1 = 2";
    const result = await client.callTool({ name: "base_readQuery", arguments: { sql } }) as CallToolResult;
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    assert.equal(asked.length, 1);
    assert.match(
      asked[0],
      /^Run a statement that changes data \(DELETE\):\n\nDELETE FROM RS\.rls_tbl WHERE col1 = 2\n/,
    );
    assert.match(asked[0], /Rows affected: about 2 \(the database's EXPLAIN estimate, not a count\)/);
    const relevant = events.filter((e) => /^(EXPLAIN|DELETE|INSERT INTO ops)|^</.test(e));
    assert.equal(relevant.length, 6, relevant.join("\n"));
    assert.deepEqual(relevant.slice(0, 2), [`EXPLAIN ${sql}`, "<asked>"]);
    assert.equal(relevant[2], "<autocommit off>");
    assert.match(relevant[3], /^INSERT INTO ops\.tdmcp_confirmations \(token\) VALUES \('[0-9a-f]{32}'\)$/);
    assert.deepEqual(relevant.slice(4), [sql, "<commit>"]);
  } finally {
    await client.close();
    await server.close();
    await db.close();
  }
});
