import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import { DatabaseError } from "../../connection/errors.ts";
import { runScript } from "../../connection/script.ts";
import type { Database } from "../../connection/types.ts";
import { ConfirmationNeeded, ConfirmationRefused } from "../../server/confirm.ts";
import { type CallConfirmation, confirmForCall, openWriteConfirmation } from "../../server/confirm_call.ts";

/** Runs again would add a second row (no key collides), so a count shows how often it ran. */
const SQL = "INSERT INTO items (v) VALUES ('a')";
const CALL = { tool: "base_readQuery", args: { sql: SQL } };
const REQUEST = { title: "Run a statement that changes data", statement: SQL, kind: "INSERT" };
const YES = { action: "accept" as const, content: { confirm: true } };

/** A writable SQLite file with a data table and a ledger. */
async function withDatabase(fn: (db: Database, keyFile: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-confirm-" });
  const uri = `sqlite://${dir}/c.db`;
  await runScript(uri, [
    "CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL)",
    "CREATE TABLE ledger (token text PRIMARY KEY, used_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)",
  ]);
  await Deno.writeFile(`${dir}/confirm.key`, crypto.getRandomValues(new Uint8Array(32)));
  const db = openDatabase({ ...DATABASE_DEFAULTS, allowWrite: true, uri });
  try {
    await fn(db, `${dir}/confirm.key`);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const first = (): CallConfirmation => ({ call: CALL, requestState: undefined, answer: undefined, cannotAsk: null });
const count = async (db: Database) => Number((await db.query("SELECT count(*) FROM items")).rows[0][0]);

Deno.test("a first call is asked with the estimate; the retried call with the answer runs the write once", async () => {
  await withDatabase(async (db, keyFile) => {
    const confirmation = await openWriteConfirmation({ writes: "confirm", confirmKeyFile: keyFile });
    const asking = confirmForCall(confirmation, first(), db);
    const needed = await asking.confirm({ ...REQUEST, estimatedRows: () => Promise.resolve(1) }).then(
      () => null,
      (e) => e,
    );
    assert.ok(needed instanceof ConfirmationNeeded);
    assert.match(
      needed.question.message,
      /\(INSERT\):\n\nINSERT INTO items \(v\) VALUES \('a'\)\n\nRows affected: about 1 /,
    );
    const retry = confirmForCall(confirmation, { ...first(), requestState: needed.requestState, answer: YES }, db);
    await retry.confirm(REQUEST);
    await retry.db.query(SQL, { readOnly: false });
    assert.equal(await count(db), 1);
  });
});

Deno.test("with a ledger, a confirmation replayed to another replica (same key) runs nothing", async () => {
  await withDatabase(async (db, keyFile) => {
    const options = { writes: "confirm" as const, confirmKeyFile: keyFile, confirmLedgerTable: "ledger" };
    const [replicaA, replicaB] = [await openWriteConfirmation(options), await openWriteConfirmation(options)];
    const needed = await confirmForCall(replicaA, first(), db).confirm(REQUEST).catch((e) => e);
    const answered = { ...first(), requestState: needed.requestState, answer: YES };
    const onA = confirmForCall(replicaA, answered, db);
    await onA.confirm(REQUEST);
    await onA.db.query(SQL, { readOnly: false });
    // Replica B never saw it: its memory lets it through, the ledger does not.
    const onB = confirmForCall(replicaB, answered, db);
    await onB.confirm(REQUEST);
    const error = await onB.db.query(SQL, { readOnly: false }).catch((e) => e);
    assert.ok(error instanceof DatabaseError);
    assert.match(error.message, /run already/);
    assert.equal(await count(db), 1);
    // And replica A refuses it from memory, before the database.
    await assert.rejects(() => confirmForCall(replicaA, answered, db).confirm(REQUEST), /used already/);
  });
});

Deno.test("a client that cannot be asked gets an error that says how to proceed, and nothing is estimated", async () => {
  await withDatabase(async (db) => {
    const confirmation = await openWriteConfirmation({ writes: "confirm" });
    const input = { ...first(), cannotAsk: "the client did not declare the elicitation capability" };
    let estimated = false;
    const error = await confirmForCall(confirmation, input, db).confirm({
      ...REQUEST,
      estimatedRows: () => Promise.resolve((estimated = true, 1)),
    }).catch((e) => e);
    assert.ok(error instanceof ConfirmationRefused);
    assert.match(
      error.message,
      /^this INSERT statement needs the user's confirmation, and the client did not/,
    );
    assert.match(error.message, /ALLOW_WRITE=unconfirmed/);
    assert.equal(estimated, false);
  });
});

Deno.test("ALLOW_WRITE=unconfirmed confirms at once; writes off refuse", async () => {
  await withDatabase(async (db) => {
    const unconfirmed = await openWriteConfirmation({ writes: "unconfirmed" });
    await confirmForCall(unconfirmed, { ...first(), cannotAsk: "stateless" }, db).confirm(REQUEST);
    const off = await openWriteConfirmation({ writes: "off" });
    await assert.rejects(() => confirmForCall(off, first(), db).confirm(REQUEST), /read-only/);
  });
});

Deno.test("a key file that is short or missing (whatever the write mode), or a ledger name that is not plain, stops the server", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/short.key`, "too short");
    await assert.rejects(
      () => openWriteConfirmation({ writes: "confirm", confirmKeyFile: `${dir}/short.key` }),
      /'CONFIRM_KEY_FILE' must hold at least 32 random bytes: ".*short.key" holds 9/,
    );
    await assert.rejects(
      () => openWriteConfirmation({ writes: "confirm", confirmKeyFile: `${dir}/none.key` }),
      /'CONFIRM_KEY_FILE' cannot be read/,
    );
    await assert.rejects(
      () => openWriteConfirmation({ writes: "confirm", confirmLedgerTable: "ledger; DROP TABLE x" }),
      /'CONFIRM_LEDGER_TABLE' is not usable/,
    );
    // The key seals every input request (ctx.input.ask), not only confirmations: read-only servers read it too.
    await assert.rejects(
      () => openWriteConfirmation({ writes: "off", confirmKeyFile: `${dir}/none.key` }),
      /'CONFIRM_KEY_FILE' cannot be read/,
    );
    const off = await openWriteConfirmation({ writes: "off" });
    assert.equal(off.gate, undefined);
    assert.ok(off.seal, "a read-only server still seals input requests");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an answer without a sealed state is asked anew, and a call confirms one statement only", async () => {
  await withDatabase(async (db) => {
    const confirmation = await openWriteConfirmation({ writes: "confirm" });
    const forged = confirmForCall(confirmation, { ...first(), answer: YES }, db);
    assert.ok(await forged.confirm(REQUEST).catch((e) => e) instanceof ConfirmationNeeded);
    const needed = await confirmForCall(confirmation, first(), db).confirm(REQUEST).catch((e) => e);
    const answered = confirmForCall(confirmation, { ...first(), requestState: needed.requestState, answer: YES }, db);
    await answered.confirm(REQUEST);
    await answered.confirm(REQUEST);
    await assert.rejects(() => answered.confirm({ ...REQUEST, statement: "DELETE FROM items" }), /one statement/);
    // The state binds the statement the user saw, not only the call's arguments.
    const other = confirmForCall(confirmation, { ...first(), requestState: needed.requestState, answer: YES }, db);
    await assert.rejects(() => other.confirm({ ...REQUEST, statement: "DELETE FROM items" }), /different call/);
  });
});
