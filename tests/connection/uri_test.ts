import assert from "node:assert/strict";
import { parseDatabaseUri, parseOdbcString } from "../../connection/uri.ts";
import { redact } from "../../connection/redact.ts";
import { toDatabaseError } from "../../connection/errors.ts";

Deno.test("parseDatabaseUri maps a sqlite URI to the SQLite3 driver", () => {
  const t = parseDatabaseUri("sqlite:///var/data/shop.db");
  assert.equal(t.dialect, "sqlite");
  assert.equal(
    t.connectionString,
    "DRIVER=SQLite3;Database=/var/data/shop.db;BigInt=1;",
  );
  assert.equal(t.filePath, "/var/data/shop.db");
  assert.equal(parseDatabaseUri("sqlite:relative.db").filePath, "relative.db");
});

Deno.test("parseDatabaseUri opens SQLite read-only through a file: URI when asked", () => {
  const t = parseDatabaseUri("sqlite:///data/my shop.db", { readOnly: true, streaming: true });
  assert.equal(t.connectionString, "DRIVER=SQLite3;Database=file:/data/my%20shop.db?mode=ro;BigInt=1;StepAPI=1;");
  assert.equal(t.filePath, "/data/my shop.db");
});

Deno.test("parseDatabaseUri maps a postgres URI with declare/fetch and passes parameters through", () => {
  const t = parseDatabaseUri(
    "postgresql://me:p%40ss;w{rd}@db.example:6543/shop?sslmode=require",
  );
  assert.equal(t.dialect, "postgres");
  assert.equal(
    t.connectionString,
    "DRIVER={PostgreSQL Unicode};SERVER=db.example;PORT=6543;DATABASE=shop;UID=me;PWD={p@ss;w{rd}}};UseDeclareFetch=1;Fetch=1000;SSLmode=require;",
  );
  assert.deepEqual(t.secrets, ["p@ss;w{rd}"]);
  assert.equal(t.display, "db.example:6543/shop");
  assert.equal(
    parseDatabaseUri("postgres://u@h/d").connectionString.includes("PORT=5432"),
    true,
  );
});

Deno.test("parseDatabaseUri maps a teradata URI with LOGMECH, the default port and a UTF-8 session", () => {
  const t = parseDatabaseUri(
    "teradata://dbc:secret@tdhost/sales?LOGMECH=LDAP",
    {
      odbcDriver: "Teradata Database ODBC Driver 17.20",
    },
  );
  assert.equal(t.dialect, "teradata");
  assert.equal(
    t.connectionString,
    "DRIVER={Teradata Database ODBC Driver 17.20};DBCName=tdhost;TDMSTPortNumber=1025;UID=dbc;PWD=secret;DefaultDatabase=sales;MechanismName=LDAP;CharacterSet=UTF8;",
  );
  assert.equal(t.display, "tdhost:1025/sales");
  assert.deepEqual(t.secrets, ["secret"]);
});

Deno.test("parseDatabaseUri asks the Teradata driver for a UTF-8 session unless the URI names a character set", () => {
  const pairs = (uri: string) => new Map(parseOdbcString(parseDatabaseUri(uri).connectionString));
  assert.equal(pairs("teradata://u:p@h/db").get("CharacterSet"), "UTF8");
  // The official server's documented example (`charset=UTF8`) and the driver's own key both name it once.
  assert.equal(pairs("teradata://u:p@h/db?charset=UTF16").get("CharacterSet"), "UTF16");
  assert.equal(pairs("teradata://u:p@h/db?CharacterSet=LATIN1_0A").get("CharacterSet"), "LATIN1_0A");
  assert.equal(
    parseDatabaseUri("teradata://u:p@h/db?charset=UTF16").connectionString.match(/CharacterSet=/g)?.length,
    1,
  );
});

Deno.test("parseDatabaseUri maps the official server's encryptdata and sslmode to the Teradata driver's keys", () => {
  const t = parseDatabaseUri("teradata://u:p@h/db?encryptdata=true&sslmode=require");
  assert.equal(
    t.connectionString,
    "DRIVER={Teradata Database ODBC Driver 20.00};DBCName=h;TDMSTPortNumber=1025;UID=u;PWD=p;DefaultDatabase=db;UseDataEncryption=Yes;SSLMode=Require;CharacterSet=UTF8;",
  );
  // Nothing under the official server's names reaches the driver, which would ignore them.
  assert.doesNotMatch(t.connectionString, /encryptdata|sslmode=/);
});

Deno.test("parseDatabaseUri keeps a raw ODBC string, detects its dialect and finds its secrets", () => {
  const t = parseDatabaseUri(
    "odbc:DRIVER={PostgreSQL Unicode};SERVER=h;DATABASE=d;UID=u;PWD={a;b}",
  );
  assert.equal(t.dialect, "postgres");
  assert.deepEqual(t.secrets, ["a;b"]);
  assert.equal(
    parseDatabaseUri("DSN=warehouse;UID=x;Password=y").dialect,
    "generic",
  );
  assert.equal(
    parseDatabaseUri("DSN=warehouse;UID=x;Password=y").display,
    "DSN=warehouse",
  );
  assert.deepEqual(parseOdbcString("A=1;B={x;}}y};C = z"), [["A", "1"], [
    "B",
    "x;}y",
  ], ["C", "z"]]);
});

Deno.test("parseDatabaseUri rejects a malformed URL without echoing it", () => {
  for (const uri of ["postgres://me:hunter2@host:badport/db", "teradata://me:hunter2@[bad/db"]) {
    assert.throws(() => parseDatabaseUri(uri), (e: Error) => {
      assert.match(e.message, /Cannot use 'DATABASE_URI' as it is not a valid (postgres|teradata):\/\/ URL/);
      assert.equal(e.message.includes("hunter2"), false);
      return true;
    });
  }
});

Deno.test("parseDatabaseUri rejects text that is neither a URI nor a connection string", () => {
  assert.throws(
    () => parseDatabaseUri("mysql://root:hunter2@h/db"),
    /neither a sqlite:/,
  );
  assert.throws(
    () => parseDatabaseUri("mysql://root:hunter2@h/db"),
    (e: Error) => !e.message.includes("hunter2"),
  );
});

Deno.test("redact removes known secrets, PWD pairs and URL passwords", () => {
  assert.equal(
    redact("bad login PWD=abc;UID=x", []),
    "bad login PWD=***;UID=x",
  );
  assert.equal(redact("pwd = {a;b} end", []), "pwd = *** end");
  assert.equal(redact("MechanismKey=eyJhbGci;UID=x", []), "MechanismKey=***;UID=x");
  assert.equal(
    redact("postgres://me:hunter2@h/db failed", []),
    "postgres://me:***@h/db failed",
  );
  assert.equal(redact("token hunter2 leaked", ["hunter2"]), "token *** leaked");
});

Deno.test("toDatabaseError keeps SQLSTATE, strips driver prefixes and secrets, and classifies lost connections", () => {
  const syntax = toDatabaseError(
    {
      odbcErrors: [{
        state: "42601",
        code: 7,
        message: '[unixODBC]ERROR: syntax error at or near "selec";',
      }],
    },
    [],
  );
  assert.equal(syntax.sqlState, "42601");
  assert.equal(syntax.retryable, false);
  assert.match(syntax.message, /^ERROR: syntax error/);
  const lost = toDatabaseError(
    {
      odbcErrors: [{
        state: "08S01",
        code: 0,
        message: "Communication link failure for s3cret",
      }],
    },
    ["s3cret"],
  );
  assert.equal(lost.retryable, true);
  assert.equal(lost.message.includes("s3cret"), false);
  // A refused Teradata logon (the driver's tag and FailCode) is never a lost connection: retrying could lock the user.
  const teradata = toDatabaseError({
    odbcErrors: [{
      state: "28000",
      code: -8017,
      message: "[Teradata][ODBC Teradata Driver][Teradata Database] The UserId, Password or Account is invalid.",
    }],
  }, []);
  assert.equal(teradata.retryable, false);
  assert.equal(teradata.kind, "auth");
  const admin = toDatabaseError(
    {
      odbcErrors: [{
        state: "57P01",
        code: 0,
        message: "terminating connection due to administrator command",
      }],
    },
    [],
  );
  assert.equal(admin.retryable, true);
});
