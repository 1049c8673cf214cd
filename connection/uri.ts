/**
 * `DATABASE_URI` → ODBC connection string, dialect and the secrets that must
 * never be shown.
 * @module
 */
import type { Dialect } from "./types.ts";
import { teradataTarget } from "./uri_teradata.ts";

/**
 * Default ODBC driver names, overridable per database with `odbcDriver`. For Teradata this is only the fallback:
 * `main.ts` names the highest "Teradata Database ODBC Driver N.NN" registered with unixODBC (drivers.ts).
 */
export const DEFAULT_DRIVERS: Readonly<
  Record<"teradata" | "postgres" | "sqlite", string>
> = {
  teradata: "Teradata Database ODBC Driver 20.00",
  postgres: "PostgreSQL Unicode",
  sqlite: "SQLite3",
};

/** A database target, ready for the driver. */
export interface OdbcTarget {
  dialect: Dialect;
  connectionString: string;
  /** Values that must be removed from every message (passwords, tokens). */
  secrets: string[];
  /** Where the database is, safe to log: `host:port/db` or a file path. */
  display: string;
  /** For `sqlite`, the database file. */
  filePath?: string;
  /** A smaller byte budget for one fetch's bound buffers than the default, where the driver needs one. */
  fetchBytes?: number;
  /** Given as a raw ODBC string (`odbc:` or `KEY=value;...`): the engine is known only once connected. */
  raw?: boolean;
}

/** Options that shape the connection string. */
export interface UriOptions {
  /** Overrides the dialect's default driver name. */
  odbcDriver?: string;
  /** psqlODBC rows per server round trip with `UseDeclareFetch=1`. */
  fetchRows?: number;
  /** Open SQLite files read-only (`mode=ro`), a third guard behind the classifier and `query_only`. */
  readOnly?: boolean;
  /**
   * SQLite: step statements lazily as rows are fetched (`StepAPI=1`), so a
   * capped read never runs the whole query. Only for cursor reads: a plain
   * execute of some statements (e.g. `PRAGMA x = y`) then never runs them.
   */
  streaming?: boolean;
}

/**
 * Turns a `DATABASE_URI` into an ODBC target.
 *
 * @example
 * ```ts
 * const t = parseDatabaseUri("postgres://me:s3cret@db:5432/shop");
 * t.dialect; // "postgres"
 * t.display; // "db:5432/shop"
 * ```
 */
export function parseDatabaseUri(
  uri: string,
  options: UriOptions = {},
): OdbcTarget {
  const trimmed = uri.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  switch (scheme) {
    case "sqlite":
      return sqliteTarget(trimmed, options);
    case "postgres":
    case "postgresql":
      return postgresTarget(trimmed, options);
    case "teradata":
      return teradataOdbcTarget(trimmed, options);
    case "odbc":
      return rawTarget(trimmed.slice("odbc:".length));
    default:
      if (trimmed.includes("=")) return rawTarget(trimmed);
      throw new TypeError(
        `Cannot use 'DATABASE_URI' as it is neither a sqlite:, postgres://, teradata:// or odbc: URI nor an ODBC connection string: current value starts with "${
          trimmed.slice(0, 12).replace(/[:@/].*$/, "")
        }"`,
      );
  }
}

/**
 * Quotes an ODBC connection-string value with `{...}` (and `}` doubled) only
 * when it must: psqlODBC strips braces from PWD alone and would read
 * `UID={me}` as the user "{me}".
 */
export function odbcValue(value: string): string {
  return /[;{}]|^\s|\s$/.test(value) || value === "" ? `{${value.replaceAll("}", "}}")}}` : value;
}

function sqliteTarget(uri: string, options: UriOptions): OdbcTarget {
  let path = uri.slice("sqlite:".length);
  if (path.startsWith("///")) path = path.slice(2);
  else if (path.startsWith("//")) path = path.slice(2);
  path = decodeURIComponent(path.replace(/\?.*$/, ""));
  if (path === "") {
    throw new TypeError(
      "Cannot use 'DATABASE_URI' as the sqlite: URI names no file",
    );
  }
  const driver = options.odbcDriver ?? DEFAULT_DRIVERS.sqlite;
  return {
    dialect: "sqlite",
    // BigInt=1: without it the driver reports SUM()/COUNT() as 32-bit
    // integers and large values come back silently wrong. StepAPI=1 (see
    // UriOptions.streaming): without it the driver materialises the whole
    // result before the first fetch, so a capped SELECT over a million rows
    // took 1.2 s and 870 MB (measured).
    connectionString: `DRIVER=${odbcValue(driver)};Database=${
      odbcValue(options.readOnly ? readOnlyFileUri(path) : path)
    };BigInt=1;${options.streaming ? "StepAPI=1;" : ""}`,
    secrets: [],
    display: path,
    filePath: path,
    // The driver reports TEXT as 65,536 characters and fills whole bound slots: memory grew with
    // the buffer size here (+189 MB over 23 capped reads at 26 MB per fetch, +28–34 MB at 2 MB,
    // +19 MB at 1 MB; BENCHMARKS.md), while psqlODBC's did not.
    fetchBytes: 1024 * 1024,
  };
}

/** A SQLite `file:` URI that opens the database read-only. */
function readOnlyFileUri(path: string): string {
  return `file:${path.split("/").map(encodeURIComponent).join("/")}?mode=ro`;
}

/** `new URL`, but its error never echoes the text (which holds the password). */
function parseUrl(text: string, scheme: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(
      `Cannot use 'DATABASE_URI' as it is not a valid ${scheme} URL (expected ${scheme}user:password@host:port/database)`,
    );
  }
}

function postgresTarget(uri: string, options: UriOptions): OdbcTarget {
  const url = parseUrl(uri, "postgres://");
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) ||
    "postgres";
  const port = url.port || "5432";
  const parts: [string, string][] = [
    ["DRIVER", options.odbcDriver ?? DEFAULT_DRIVERS.postgres],
    ["SERVER", url.hostname.replace(/^\[|\]$/g, "")],
    ["PORT", port],
    ["DATABASE", database],
  ];
  if (user) parts.push(["UID", user]);
  if (password) parts.push(["PWD", password]);
  // psqlODBC buffers a whole result in memory unless it reads through a
  // server-side cursor in batches.
  parts.push(["UseDeclareFetch", "1"], [
    "Fetch",
    String(options.fetchRows ?? 1000),
  ]);
  for (const [key, value] of url.searchParams) parts.push([pgKey(key), value]);
  return target(
    "postgres",
    parts,
    [password],
    `${url.hostname}:${port}/${database}`,
  );
}

function pgKey(key: string): string {
  return key.toLowerCase() === "sslmode" ? "SSLmode" : key;
}

function teradataOdbcTarget(uri: string, options: UriOptions): OdbcTarget {
  const url = parseUrl(uri.replace(/^teradata:/i, "http:"), "teradata://");
  return teradataTarget(url, options.odbcDriver ?? DEFAULT_DRIVERS.teradata);
}

function target(
  dialect: Dialect,
  parts: [string, string][],
  secrets: string[],
  display: string,
): OdbcTarget {
  return {
    dialect,
    connectionString: parts.map(([k, v]) => `${k}=${k === "DRIVER" ? `{${v}}` : odbcValue(v)};`).join(""),
    secrets: secrets.filter((s) => s !== ""),
    display,
  };
}

/**
 * A raw ODBC string completed with what tdmcp's handling of an engine needs once the driver has said which engine it
 * reaches (keys the string already sets win): psqlODBC streams results through a server-side cursor instead of
 * buffering them whole; the SQLite driver reports 64-bit integers and steps statements lazily.
 */
export function completeForEngine(target: OdbcTarget, dialect: Dialect): OdbcTarget {
  const needed: Partial<Record<Dialect, [string, string][]>> = {
    postgres: [["UseDeclareFetch", "1"], ["Fetch", "1000"]],
    sqlite: [["BigInt", "1"], ["StepAPI", "1"]],
  };
  const present = new Set(parseOdbcString(target.connectionString).map(([key]) => key.toLowerCase()));
  const missing = (needed[dialect] ?? []).filter(([key]) => !present.has(key.toLowerCase()));
  const base = target.connectionString.trim();
  const connectionString = missing.length === 0
    ? target.connectionString
    : `${base}${base === "" || base.endsWith(";") ? "" : ";"}${missing.map(([k, v]) => `${k}=${v};`).join("")}`;
  return {
    ...target,
    dialect,
    connectionString,
    fetchBytes: dialect === "sqlite" ? 1024 * 1024 : target.fetchBytes,
  };
}

const SECRET_KEYS =
  /^(PWD|PASSWORD|AuthenticationParameter|MechanismKey|LOGDATA|AccessToken|Token|SecretKey|AuthenticationPassword)$/i;

/** Splits an ODBC connection string into key/value pairs (braced values kept whole). */
export function parseOdbcString(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const re = /\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)/gy;
  for (let m = re.exec(text); m !== null && m[0] !== ""; m = re.exec(text)) {
    const raw = m[2];
    const value = raw.startsWith("{") ? raw.slice(1, -1).replaceAll("}}", "}") : raw;
    pairs.push([m[1], value]);
  }
  return pairs;
}

function rawTarget(connectionString: string): OdbcTarget {
  const pairs = parseOdbcString(connectionString);
  const get = (re: RegExp) => pairs.find(([k]) => re.test(k))?.[1] ?? "";
  const driver = get(/^driver$/i).toLowerCase();
  const dsn = get(/^dsn$/i);
  const dialect: Dialect = driver.includes("teradata")
    ? "teradata"
    : driver.includes("postgres")
    ? "postgres"
    : driver.includes("sqlite")
    ? "sqlite"
    : "generic";
  const host = get(/^(server|host|dbcname|servername)$/i);
  const database = get(/^(database|dbname|defaultdatabase)$/i);
  return {
    dialect,
    raw: true,
    connectionString,
    secrets: pairs.filter(([k]) => SECRET_KEYS.test(k)).map(([, v]) => v)
      .filter((v) => v !== ""),
    display: dsn ? `DSN=${dsn}` : [host, database].filter(Boolean).join("/") || "(ODBC)",
    filePath: dialect === "sqlite" && database ? database : undefined,
  };
}
