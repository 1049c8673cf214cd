/**
 * `DATABASE_URI` → ODBC connection string, dialect and the secrets that must
 * never be shown. Each dialect's file (`dialects/`) names its URI schemes, turns
 * its URIs into targets and says how a raw ODBC string is completed for it.
 * @module
 */
import { DIALECT_SPEC_LIST, DIALECT_SPECS, UNKNOWN_ENGINE } from "./dialects/mod.ts";
import type { DialectSpec } from "./dialects/spec.ts";
import { type OdbcTarget, parseOdbcString, type UriOptions } from "./odbc_string.ts";
import type { Dialect } from "./types.ts";

export { type OdbcTarget, odbcValue, parseOdbcString, type UriOptions } from "./odbc_string.ts";

/**
 * Default ODBC driver names, overridable per database with `odbcDriver`. For Teradata this is only the fallback:
 * `main.ts` names the highest "Teradata Database ODBC Driver N.NN" registered with unixODBC (drivers.ts).
 */
export const DEFAULT_DRIVERS: Readonly<Partial<Record<Dialect, string>>> = Object.fromEntries(
  DIALECT_SPEC_LIST.flatMap((spec) => spec.uri.defaultDriver === null ? [] : [[spec.name, spec.uri.defaultDriver]]),
);

/** The dialect of each URI scheme (lowercase). */
const SCHEMES: ReadonlyMap<string, DialectSpec> = new Map(
  DIALECT_SPEC_LIST.flatMap((spec) => spec.uri.target ? spec.uri.schemes.map((scheme) => [scheme, spec] as const) : []),
);

/** The URI forms, as named in the error for an unknown scheme: file databases first (`sqlite:`), then by name. */
const URI_FORMS: readonly string[] = DIALECT_SPEC_LIST
  .filter((spec) => spec.uri.target && spec.uri.schemes.length > 0)
  .map(({ uri }) =>
    [uri.fileDatabase ? 0 : 1, uri.fileDatabase ? `${uri.schemes[0]}:` : `${uri.schemes[0]}://`] as const
  )
  .sort(([a, x], [b, y]) => a - b || x.localeCompare(y))
  .map(([, form]) => form);

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
  const target = scheme === undefined ? undefined : SCHEMES.get(scheme)?.uri.target;
  if (target) return target(trimmed, options);
  if (scheme === "odbc") return rawTarget(trimmed.slice("odbc:".length));
  if (trimmed.includes("=")) return rawTarget(trimmed);
  throw new TypeError(
    `Cannot use 'DATABASE_URI' as it is neither a ${
      URI_FORMS.join(", ")
    } or odbc: URI nor an ODBC connection string: current value starts with "${
      trimmed.slice(0, 12).replace(/[:@/].*$/, "")
    }"`,
  );
}

/**
 * A raw ODBC string completed with what tdmcp's handling of an engine needs once the driver has said which engine it
 * reaches (keys the string already sets win): each dialect's `uri.rawCompletion` (psqlODBC streams results through a
 * server-side cursor instead of buffering them whole; the SQLite driver reports 64-bit integers and steps statements
 * lazily).
 */
export function completeForEngine(target: OdbcTarget, dialect: Dialect): OdbcTarget {
  const spec = DIALECT_SPECS[dialect].uri;
  const present = new Set(parseOdbcString(target.connectionString).map(([key]) => key.toLowerCase()));
  const missing = spec.rawCompletion.filter(([key]) => !present.has(key.toLowerCase()));
  const base = target.connectionString.trim();
  const connectionString = missing.length === 0
    ? target.connectionString
    : `${base}${base === "" || base.endsWith(";") ? "" : ";"}${missing.map(([k, v]) => `${k}=${v};`).join("")}`;
  return {
    ...target,
    dialect,
    connectionString,
    fetchBytes: spec.fetchBytes ?? target.fetchBytes,
  };
}

const SECRET_KEYS =
  /^(PWD|PASSWORD|AuthenticationParameter|MechanismKey|LOGDATA|AccessToken|Token|SecretKey|AuthenticationPassword)$/i;

function rawTarget(connectionString: string): OdbcTarget {
  const pairs = parseOdbcString(connectionString);
  const get = (re: RegExp) => pairs.find(([k]) => re.test(k))?.[1] ?? "";
  const driver = get(/^driver$/i).toLowerCase();
  const dsn = get(/^dsn$/i);
  const spec = DIALECT_SPEC_LIST.find(({ uri }) => uri.driverMarker !== null && driver.includes(uri.driverMarker)) ??
    DIALECT_SPECS[UNKNOWN_ENGINE];
  const host = get(/^(server|host|dbcname|servername)$/i);
  const database = get(/^(database|dbname|defaultdatabase)$/i);
  return {
    dialect: spec.name,
    raw: true,
    connectionString,
    secrets: pairs.filter(([k]) => SECRET_KEYS.test(k)).map(([, v]) => v)
      .filter((v) => v !== ""),
    display: dsn ? `DSN=${dsn}` : [host, database].filter(Boolean).join("/") || "(ODBC)",
    filePath: spec.uri.fileDatabase && database ? database : undefined,
  };
}
