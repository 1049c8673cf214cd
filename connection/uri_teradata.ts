/**
 * `teradata://` URIs → connection strings for the ODBC Driver for Teradata. The query options are the official
 * Teradata MCP server's (it hands them to teradatasql as connection parameters), each mapped to the ODBC driver's own
 * key; the session is UTF-8 unless the URI names another character set.
 *
 * Sources of the ODBC keys (ODBC Driver for Teradata User Guide, B035-2526): "Teradata DSN Options" and "Keywords
 * for SQLDriverConnect()" (CharacterSet/Charset, default ASCII; AccountStr/Account; DefaultDatabase/Database;
 * DBCName), "TLS WebSocket" (SSLMode, SSLProtocol, SSLCA, SSLCAPath, HTTPS_PORT default 443, TdmstPortNumber default
 * 1025); the driver's odbc.ini template (`SessionMode=System Default`, `UseDataEncryption=0`, `MechanismName=`); the
 * Simba Teradata ODBC connector guide the driver is built from (AuthenticationParameter or MechanismKey). The
 * teradatasql names and values: Teradata/python-driver README, "Connection Parameters".
 * @module
 */
import type { OdbcTarget } from "./odbc_string.ts";

/** A `teradata://` query option, the ODBC Driver for Teradata key it becomes and how its value is translated. */
export interface TeradataUriOption {
  /** Names accepted in the query, compared without case: the teradatasql parameter first, then ODBC synonyms. */
  names: readonly string[];
  /** The driver's key written to the connection string. */
  odbcKey: string;
  /** The driver's value for a URI value; throws a TypeError naming the accepted values. */
  value: (raw: string, name: string) => string;
  /** A credential: its value is kept out of every message. */
  secret?: boolean;
}

/** The Teradata port of a URI that names none (teradatasql `dbs_port`, ODBC `TdmstPortNumber`). */
export const TERADATA_DEFAULT_PORT = 1025;

/** The session character set sent unless the URI names one: the odbc addon sends and decodes UTF-8. */
export const TERADATA_DEFAULT_CHARSET = "UTF8";

function text(raw: string): string {
  return raw;
}

function oneOf(values: Record<string, string>): (raw: string, name: string) => string {
  return (raw, name) => {
    const value = values[raw.toLowerCase()];
    if (value === undefined) {
      throw new TypeError(
        `Cannot use 'DATABASE_URI' as its option '${name}' must be one of ${Object.keys(values).join(", ")}`,
      );
    }
    return value;
  };
}

function port(raw: string, name: string): string {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 65535)) {
    throw new TypeError(`Cannot use 'DATABASE_URI' as its option '${name}' must be a port number from 1 to 65535`);
  }
  return String(n);
}

/** Every query option a `teradata://` URI may carry; any other is refused (see README, "Teradata"). */
export const TERADATA_URI_OPTIONS: readonly TeradataUriOption[] = [
  { names: ["logmech", "MechanismName"], odbcKey: "MechanismName", value: text },
  {
    names: ["logdata", "AuthenticationParameter", "MechanismKey"],
    odbcKey: "AuthenticationParameter",
    value: text,
    secret: true,
  },
  {
    names: ["encryptdata", "UseDataEncryption"],
    odbcKey: "UseDataEncryption",
    value: oneOf({ true: "Yes", false: "No", yes: "Yes", no: "No" }),
  },
  {
    names: ["sslmode"],
    odbcKey: "SSLMode",
    value: oneOf({
      disable: "Disable",
      allow: "Allow",
      prefer: "Prefer",
      require: "Require",
      "verify-ca": "Verify-CA",
      "verify-full": "Verify-Full",
    }),
  },
  { names: ["sslca"], odbcKey: "SSLCA", value: text },
  { names: ["sslcapath"], odbcKey: "SSLCAPath", value: text },
  { names: ["sslprotocol"], odbcKey: "SSLProtocol", value: text },
  {
    names: ["tmode", "SessionMode"],
    odbcKey: "SessionMode",
    value: oneOf({
      ansi: "ANSI",
      tera: "Teradata",
      teradata: "Teradata",
      default: "System Default",
      "system default": "System Default",
    }),
  },
  { names: ["https_port"], odbcKey: "HTTPS_PORT", value: port },
  { names: ["dbs_port", "TdmstPortNumber"], odbcKey: "TDMSTPortNumber", value: port },
  { names: ["database", "DefaultDatabase"], odbcKey: "DefaultDatabase", value: text },
  { names: ["account", "AccountStr"], odbcKey: "AccountStr", value: text },
  { names: ["charset", "CharacterSet"], odbcKey: "CharacterSet", value: text },
];

const BY_NAME: ReadonlyMap<string, TeradataUriOption> = new Map(
  TERADATA_URI_OPTIONS.flatMap((o) => o.names.map((n) => [n.toLowerCase(), o] as const)),
);

/**
 * Quotes a value for the ODBC Driver for Teradata: braces around anything holding a character the ODBC grammar
 * reserves (`[]{}(),;?*=!@`) or edge spaces. The driver's braced values "cannot have the } character" (Keywords for
 * SQLDriverConnect()), so a `}` cannot be passed at all and is refused, naming only where it was.
 */
export function teradataValue(value: string, where: string): string {
  if (value.includes("}")) {
    throw new TypeError(
      `Cannot use 'DATABASE_URI' as ${where} holds a '}', which the Teradata ODBC driver cannot take in a connection string (its braced values have no escape for it): change it`,
    );
  }
  return /[[\]{}(),;?*=!@]|^\s|\s$/.test(value) || value === "" ? `{${value}}` : value;
}

/** Names an option for a message: its own name when it looks like one, never a value that may be a secret. */
function optionLabel(key: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(key) ? `option '${key}'` : "an option";
}

/**
 * The connection string of a parsed `teradata://` URL for the named driver.
 *
 * @example
 * ```ts
 * const t = teradataTarget(new URL("http://me:pw@td/sales?sslmode=require"), "Teradata Database ODBC Driver 20.00");
 * t.connectionString; // "DRIVER={...};DBCName=td;TDMSTPortNumber=1025;UID=me;PWD=pw;DefaultDatabase=sales;SSLMode=Require;CharacterSet=UTF8;"
 * ```
 */
export function teradataTarget(url: URL, driver: string): OdbcTarget {
  if (driver.includes("}")) teradataValue(driver, "the ODBC driver name");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const secrets = [password];
  // Each driver key once, with where it came from (for the message when two parts of the URI set it).
  const set = new Map<string, { value: string; from: string }>();
  if (url.port) set.set("TDMSTPortNumber", { value: url.port, from: "the URL's port" });
  if (path) set.set("DefaultDatabase", { value: path, from: "the URL's path" });
  const options: string[] = [];
  for (const [key, raw] of url.searchParams) {
    const option = BY_NAME.get(key.toLowerCase());
    if (!option) {
      throw new TypeError(
        `Cannot use 'DATABASE_URI' as ${optionLabel(key)} is not one tdmcp knows for teradata://: use ${
          TERADATA_URI_OPTIONS.map((o) => o.names[0]).join(", ")
        } (README, "Teradata"), or give a whole ODBC connection string as odbc:DRIVER={...};DBCName=...;KEY=value`,
      );
    }
    if (option.secret) secrets.push(raw);
    if (raw === "") throw new TypeError(`Cannot use 'DATABASE_URI' as its ${optionLabel(key)} is empty`);
    const earlier = set.get(option.odbcKey);
    if (earlier) {
      throw new TypeError(
        `Cannot use 'DATABASE_URI' as ${optionLabel(key)} sets ${option.odbcKey}, which ${earlier.from} already sets`,
      );
    }
    set.set(option.odbcKey, { value: option.value(raw, key), from: optionLabel(key) });
    if (!["TDMSTPortNumber", "DefaultDatabase", "CharacterSet"].includes(option.odbcKey)) options.push(option.odbcKey);
  }
  const port = set.get("TDMSTPortNumber")?.value ?? String(TERADATA_DEFAULT_PORT);
  const database = set.get("DefaultDatabase")?.value ?? "";
  const parts: [string, string, string][] = [
    ["DBCName", host, "the host"],
    ["TDMSTPortNumber", port, "the port"],
  ];
  if (user) parts.push(["UID", user, "the user name"]);
  if (password) parts.push(["PWD", password, "the password"]);
  if (database) parts.push(["DefaultDatabase", database, "the database"]);
  for (const key of options) parts.push([key, set.get(key)!.value, set.get(key)!.from]);
  parts.push(["CharacterSet", set.get("CharacterSet")?.value ?? TERADATA_DEFAULT_CHARSET, "option 'charset'"]);
  return {
    dialect: "teradata",
    connectionString: `DRIVER={${driver}};${parts.map(([k, v, where]) => `${k}=${teradataValue(v, where)};`).join("")}`,
    secrets: secrets.filter((s) => s !== ""),
    display: `${url.hostname}:${port}/${database || "(default)"}`,
  };
}
