// How connection/errors.ts sorts driver error records: refused logons (never
// retried), transient statement failures (retried, session kept), lost
// connections (retried on a new one) and plain SQL errors. The records are
// written the way each driver reports them.
import assert from "node:assert/strict";
import { classifyError, TERADATA_CODES, teradataCode, toDatabaseError } from "../../connection/errors.ts";

/** A statement error as the Teradata ODBC driver reports it: the code as a negative native code. */
const teradataRecord = (code: number, text: string) => ({
  state: "HY000",
  code: -code,
  message: `[Teradata][ODBC Teradata Driver][Teradata Database](-${code}) ${text}`,
});

Deno.test("errors: every Teradata code in the table is classified as the table says, by its code alone", () => {
  const expected = { auth: "auth", refusing: "connection", transient: "transient" } as const;
  for (const [code, { class: cls, wording }] of TERADATA_CODES) {
    // HY000 and a wording the text rules do not know: only the code can decide.
    const r = teradataRecord(code, `(wording withheld: ${wording.length} chars)`);
    const verdict = classifyError(r.state, r.code, r.message);
    assert.equal(verdict.kind, expected[cls], `${code} (${wording})`);
    assert.equal(
      verdict.retryable,
      cls === "refusing",
      `${code}: only a refusing logon is retried on a new connection`,
    );
  }
});

Deno.test("errors: a Teradata logon refusal is read from `FailCode = -NNNN` when the driver reports native code 210", () => {
  const message =
    "[Teradata][ODBC Teradata Driver][Teradata Database] (210) The UserId, Password or Account is invalid. " +
    "FailCode = -8017";
  assert.equal(teradataCode(210, message), 8017);
  assert.deepEqual(classifyError("S1000", 210, message), { kind: "auth", retryable: false });
  const disabled = "[Teradata][ODBC Teradata Driver][Teradata Database] (210) Logons are only enabled for user DBC. " +
    "FailCode = -3055";
  assert.deepEqual(classifyError("S1000", 210, disabled), { kind: "connection", retryable: true });
});

Deno.test("errors: a deadlock (2631, SQLSTATE 40001/40P01) is transient: retried, but it does not discard the session", () => {
  const td = teradataRecord(2631, "Transaction ABORTed due to deadlock.");
  assert.deepEqual(classifyError("40001", td.code, td.message), { kind: "transient", retryable: false });
  assert.deepEqual(classifyError(td.state, td.code, td.message), { kind: "transient", retryable: false });
  assert.deepEqual(classifyError("40P01", 7, "ERROR: deadlock detected"), { kind: "transient", retryable: false });
});

Deno.test("errors: codes once listed as 'session lost' but absent from Teradata's manual are plain statement errors", () => {
  for (const code of [3126, 3127, 8018, 8019, 8030]) {
    const r = teradataRecord(code, "some message");
    assert.deepEqual(classifyError(r.state, r.code, r.message), { kind: "sql", retryable: false }, String(code));
  }
});

Deno.test("errors: another driver's native code that collides with a Teradata code is not read as one", () => {
  // MySQL's 3032 is "running with the --read-only option", not Teradata's expired password.
  const mysql = "[MySQL][ODBC 8.0(w) Driver][mysqld-8.0.36]The MySQL server is running with the --read-only option";
  assert.equal(teradataCode(3032, mysql), 0);
  assert.deepEqual(classifyError("HY000", 3032, mysql), { kind: "sql", retryable: false });
});

Deno.test("errors: PostgreSQL logon refusals are auth, whether psqlODBC says 08001 or the SQLSTATE is class 28", () => {
  const at = 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  ';
  for (
    const text of [
      'password authentication failed for user "reader"',
      'no pg_hba.conf entry for host "10.0.0.9", user "reader", database "shop", no encryption',
      'pg_hba.conf rejects connection for host "10.0.0.9", user "reader", database "shop", no encryption',
      'role "nobody" does not exist',
      'role "reader" is not permitted to log in',
      'permission denied for database "shop"\nDETAIL:  User does not have CONNECT privilege.',
      'LDAP authentication failed for user "reader"',
    ]
  ) {
    assert.deepEqual(classifyError("08001", 101, at + text), { kind: "auth", retryable: false }, text);
  }
  assert.deepEqual(classifyError("08001", 101, "fe_sendauth: no password supplied"), {
    kind: "auth",
    retryable: false,
  });
  assert.deepEqual(classifyError("28P01", 1, "FATAL: password authentication failed"), {
    kind: "auth",
    retryable: false,
  });
  assert.deepEqual(classifyError("28000", 1, "FATAL: anything at all"), { kind: "auth", retryable: false });
});

Deno.test("errors: other drivers' login failures and the ODBC spec's 28000 are auth", () => {
  assert.equal(
    classifyError("28000", 18456, "[Microsoft][ODBC Driver 18 for SQL Server]Login failed for user 'x'.").kind,
    "auth",
  );
  assert.equal(
    classifyError("28000", 1045, "Access denied for user 'x'@'10.0.0.9' (using password: YES)").kind,
    "auth",
  );
  assert.equal(classifyError("28000", 0, "[unixODBC]Invalid authorization specification").kind, "auth");
  assert.equal(
    classifyError("HY000", 0, "[Microsoft][ODBC Driver 18 for SQL Server]Login failed for user 'x'.").kind,
    "auth",
  );
});

Deno.test("errors: a statement's own SQLSTATE is never mistaken for a logon ('role does not exist' in a GRANT)", () => {
  assert.deepEqual(classifyError("42704", 7, 'ERROR: role "nobody" does not exist'), { kind: "sql", retryable: false });
  assert.deepEqual(classifyError("42501", 7, 'ERROR: permission denied for database "shop"'), {
    kind: "sql",
    retryable: false,
  });
});

Deno.test("errors: PostgreSQL's 'database does not exist' at connect is not retried, and is not auth", () => {
  const text = 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "shpo" does not exist';
  assert.deepEqual(classifyError("08001", 101, text), { kind: "sql", retryable: false });
  assert.deepEqual(classifyError("3D000", 1, 'FATAL: database "shpo" does not exist'), {
    kind: "sql",
    retryable: false,
  });
});

Deno.test("errors: a server that refuses or drops connections is still retryable", () => {
  const refused = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused';
  assert.deepEqual(classifyError("08001", 101, refused), { kind: "connection", retryable: true });
  assert.deepEqual(classifyError("57P01", 7, "FATAL: terminating connection due to administrator command"), {
    kind: "connection",
    retryable: true,
  });
  assert.deepEqual(classifyError("08S01", 0, "Communication link failure"), { kind: "connection", retryable: true });
  const circuits = teradataRecord(8024, "All virtual circuits are currently in use.");
  assert.deepEqual(classifyError(circuits.state, circuits.code, circuits.message), {
    kind: "connection",
    retryable: true,
  });
});

Deno.test("errors: a refused logon's message says what the database said and what fixes it, never the password", () => {
  const error = toDatabaseError(
    Object.assign(new Error("[odbc] Error connecting to the database"), {
      odbcErrors: [{
        state: "08001",
        code: 101,
        message: 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for ' +
          'user "reader" (PWD=hunter2)\n',
      }],
    }),
    ["hunter2"],
  );
  assert.equal(error.kind, "auth");
  assert.equal(error.retryable, false);
  assert.equal(error.sqlState, "08001");
  assert.match(error.message, /^the database refused the logon \(.*password authentication failed for user "reader"/);
  assert.match(error.message, /user name, password, account or logon mechanism/);
  assert.equal(error.message.includes("hunter2"), false);
});
