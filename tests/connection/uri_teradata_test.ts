import assert from "node:assert/strict";
import { parseDatabaseUri, parseOdbcString } from "../../connection/uri.ts";
import { TERADATA_URI_OPTIONS, teradataValue } from "../../connection/uri_teradata.ts";
import { redact } from "../../connection/redact.ts";

/** The driver's keys for a URI, as the driver will read them. */
function keys(uri: string): Map<string, string> {
  return new Map(parseOdbcString(parseDatabaseUri(uri).connectionString));
}

/** The message a refused URI gives. */
function refusal(uri: string): string {
  try {
    parseDatabaseUri(uri);
  } catch (error) {
    assert.ok(error instanceof TypeError);
    return error.message;
  }
  throw new Error(`not refused: ${uri}`);
}

Deno.test("teradata URI options become the ODBC Driver for Teradata's keys and values", () => {
  // [URI option as the official server's users write it, the driver key, the driver value]
  const table: [string, string, string][] = [
    ["LOGMECH=LDAP", "MechanismName", "LDAP"],
    ["logmech=JWT", "MechanismName", "JWT"],
    ["encryptdata=true", "UseDataEncryption", "Yes"],
    ["encryptdata=false", "UseDataEncryption", "No"],
    ["sslmode=disable", "SSLMode", "Disable"],
    ["sslmode=allow", "SSLMode", "Allow"],
    ["sslmode=prefer", "SSLMode", "Prefer"],
    ["SSLMODE=REQUIRE", "SSLMode", "Require"],
    ["sslmode=verify-ca", "SSLMode", "Verify-CA"],
    ["sslmode=Verify-Full", "SSLMode", "Verify-Full"],
    ["sslca=/etc/ssl/td-ca.pem", "SSLCA", "/etc/ssl/td-ca.pem"],
    ["sslcapath=/etc/ssl/certs", "SSLCAPath", "/etc/ssl/certs"],
    ["sslprotocol=TLSv1.2", "SSLProtocol", "TLSv1.2"],
    ["tmode=ANSI", "SessionMode", "ANSI"],
    ["tmode=TERA", "SessionMode", "Teradata"],
    ["tmode=DEFAULT", "SessionMode", "System Default"],
    ["https_port=8443", "HTTPS_PORT", "8443"],
    ["account=%24M_P0", "AccountStr", "$M_P0"],
    ["charset=UTF16", "CharacterSet", "UTF16"],
  ];
  for (const [query, key, value] of table) {
    assert.equal(keys(`teradata://u:p@td.example/sales?${query}`).get(key), value, query);
  }
  // teradatasql's own names for the port and the database, when the URL does not give them.
  assert.equal(keys("teradata://u:p@td?dbs_port=1026").get("TDMSTPortNumber"), "1026");
  assert.equal(keys("teradata://u:p@td?database=sales").get("DefaultDatabase"), "sales");
  assert.equal(parseDatabaseUri("teradata://u:p@td?database=sales&dbs_port=1026").display, "td:1026/sales");
});

Deno.test("teradata URIs also accept the driver's own key names for the same options", () => {
  const k = keys(
    "teradata://u:p@td?MechanismName=TD2&UseDataEncryption=yes&SessionMode=Teradata&TdmstPortNumber=1027&CharacterSet=ASCII",
  );
  assert.equal(k.get("MechanismName"), "TD2");
  assert.equal(k.get("UseDataEncryption"), "Yes");
  assert.equal(k.get("SessionMode"), "Teradata");
  assert.equal(k.get("TDMSTPortNumber"), "1027");
  assert.equal(k.get("CharacterSet"), "ASCII");
});

Deno.test("teradata URI: the official server's documented example maps to MechanismName and CharacterSet", () => {
  // docs/server_guide/CONFIGURATION.md of Teradata/teradata-mcp-server.
  const t = parseDatabaseUri("teradata://user:pass@host:1025/db?LOGMECH=TD2&charset=UTF8");
  assert.equal(
    t.connectionString,
    "DRIVER={Teradata Database ODBC Driver 20.00};DBCName=host;TDMSTPortNumber=1025;UID=user;PWD=pass;DefaultDatabase=db;MechanismName=TD2;CharacterSet=UTF8;",
  );
});

Deno.test("teradata URI: LOGDATA and the password are secrets, braced when the ODBC grammar needs it", () => {
  const t = parseDatabaseUri("teradata://svc:p%40ss%3Bword@td/?logmech=JWT&logdata=token%3DeyJ.a.b");
  const k = new Map(parseOdbcString(t.connectionString));
  assert.equal(k.get("PWD"), "p@ss;word");
  assert.equal(k.get("AuthenticationParameter"), "token=eyJ.a.b");
  assert.match(t.connectionString, /PWD=\{p@ss;word\};/);
  assert.match(t.connectionString, /AuthenticationParameter=\{token=eyJ\.a\.b\};/);
  assert.deepEqual(t.secrets, ["p@ss;word", "token=eyJ.a.b"]);
  const leaked = `logon failed for ${t.connectionString}`;
  assert.equal(redact(leaked, t.secrets).includes("eyJ"), false);
  assert.equal(redact(leaked, t.secrets).includes("p@ss"), false);
});

Deno.test("teradata URI: unknown options are refused with the accepted ones named, never a value", () => {
  const message = refusal("teradata://u:hunter2@td/db?encryptdat=true&logdata=s3cret");
  assert.match(message, /option 'encryptdat' is not one tdmcp knows/);
  for (const o of TERADATA_URI_OPTIONS) assert.ok(message.includes(o.names[0]), o.names[0]);
  assert.match(message, /odbc:DRIVER=/);
  assert.equal(/hunter2|s3cret/.test(message), false);
  // A teradatasql parameter with no ODBC counterpart here is refused too, rather than silently ignored by the driver.
  assert.match(refusal("teradata://u:p@td/db?cop=false"), /option 'cop' is not one/);
});

Deno.test("teradata URI: bad values, empty values and options given twice are refused", () => {
  assert.match(refusal("teradata://u:p@td/db?sslmode=on"), /'sslmode' must be one of disable, allow, prefer/);
  assert.match(refusal("teradata://u:p@td/db?encryptdata=maybe"), /'encryptdata' must be one of true, false/);
  assert.match(refusal("teradata://u:p@td/db?tmode=BTET"), /'tmode' must be one of ansi, tera/);
  assert.match(refusal("teradata://u:p@td/db?https_port=0"), /'https_port' must be a port number/);
  assert.match(refusal("teradata://u:p@td/db?https_port=44x"), /'https_port' must be a port number/);
  assert.match(refusal("teradata://u:p@td/db?sslca="), /option 'sslca' is empty/);
  assert.match(refusal("teradata://u:p@td/db?logdata="), /option 'logdata' is empty/);
  assert.match(
    refusal("teradata://u:p@td/db?sslmode=require&SSLMode=allow"),
    /option 'SSLMode' sets SSLMode, which option 'sslmode' already sets/,
  );
  assert.match(refusal("teradata://u:p@td/db?database=x"), /which the URL's path already sets/);
  assert.match(refusal("teradata://u:p@td:1025/db?dbs_port=1026"), /which the URL's port already sets/);
  assert.match(refusal("teradata://u:p@td/db?charset=UTF8&CharacterSet=ASCII"), /already sets/);
});

Deno.test("teradata URI: a '}' the driver cannot take is refused, naming where it is but not the value", () => {
  const message = refusal("teradata://u:pa%7Dss@td/db");
  assert.match(message, /the password holds a '\}'/);
  assert.equal(message.includes("pa}ss"), false);
  assert.match(refusal("teradata://u:p@td/db?sslca=%2Fca%7D.pem"), /option 'sslca' holds a '\}'/);
  assert.throws(() => teradataValue("a}b", "the user name"), /the user name holds/);
  assert.equal(teradataValue("plain", "x"), "plain");
  assert.equal(teradataValue("has space", "x"), "has space");
  assert.equal(teradataValue(" edge", "x"), "{ edge}");
  assert.equal(teradataValue("", "x"), "{}");
  for (const c of "[]{(),;?*=!@") assert.equal(teradataValue(`a${c}b`, "x"), `{a${c}b}`);
});

Deno.test("teradata URI: an IPv6 host and a URI without user or database", () => {
  const t = parseDatabaseUri("teradata://[::1]:1026");
  assert.equal(
    t.connectionString,
    "DRIVER={Teradata Database ODBC Driver 20.00};DBCName=::1;TDMSTPortNumber=1026;CharacterSet=UTF8;",
  );
  assert.equal(t.display, "[::1]:1026/(default)");
  assert.deepEqual(t.secrets, []);
});
