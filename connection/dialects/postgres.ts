/**
 * PostgreSQL through psqlODBC: `postgres://` URIs with a server-side cursor (`UseDeclareFetch=1`), read-only sessions
 * whose every call is a transaction that is rolled back, the role's power checked at start, and the SQLSTATEs and
 * libpq messages of a lost connection or a refused logon.
 * @module
 */
import { type OdbcTarget, odbcTarget, parseUrl, type UriOptions } from "../odbc_string.ts";
import type { RolePower } from "../types.ts";
import { type CallIsolation, type DialectSpec, lexOptions, majorVersion } from "./spec.ts";

/** The psqlODBC driver name used unless one is named. */
export const POSTGRES_DEFAULT_DRIVER = "PostgreSQL Unicode";

/** Rows psqlODBC reads per server round trip through its server-side cursor (`Fetch`), unless the URI says otherwise. */
export const PSQLODBC_FETCH_ROWS = 1000;

function postgresTarget(uri: string, options: UriOptions): OdbcTarget {
  const url = parseUrl(uri, "postgres://");
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) ||
    "postgres";
  const port = url.port || "5432";
  const parts: [string, string][] = [
    ["DRIVER", options.odbcDriver ?? POSTGRES_DEFAULT_DRIVER],
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
    String(options.fetchRows ?? PSQLODBC_FETCH_ROWS),
  ]);
  for (const [key, value] of url.searchParams) parts.push([pgKey(key), value]);
  return odbcTarget(
    "postgres",
    parts,
    [password],
    `${url.hostname}:${port}/${database}`,
  );
}

function pgKey(key: string): string {
  return key.toLowerCase() === "sslmode" ? "SSLmode" : key;
}

/**
 * The per-call isolation on PostgreSQL: each read runs in a READ ONLY transaction (the session default)
 * that is rolled back; `DEALLOCATE ALL`, `pg_advisory_unlock_all()` and a
 * fresh random seed then drop what a rollback leaves, in the same round trip. What still survives:
 * the name (never the value) of a custom setting a user-defined function
 * created, and whatever a function does outside any transaction (terminating
 * backends, writing server files) — the guard refuses the functions it knows.
 */
function postgresIsolation(dbmsVersion: string): CallIsolation {
  return {
    manualCommit: true,
    endRead: `ROLLBACK; DEALLOCATE ALL; SELECT pg_advisory_unlock_all()${
      majorVersion(dbmsVersion) >= 13 ? `, ${RESEED}` : ""
    }`,
    beginWrite: "SET TRANSACTION READ WRITE",
    endWrite: "COMMIT",
  };
}

/**
 * Gives `random()` an unpredictable seed again: `setseed()` survives a rollback, so a call that seeded it (through a
 * function the guard cannot see into) would otherwise decide the next caller's random numbers. The seed comes from
 * `gen_random_uuid()` (PostgreSQL 13 and later), a strong random source `setseed` cannot touch.
 */
const RESEED = "setseed(('x' || left(md5(gen_random_uuid()::text), 8))::bit(32)::int / 2147483648.0)";

/**
 * The role attributes, membership in the predefined roles that reach beyond the database (signalling backends, server
 * files and programs), and how many relations the role owns or may write.
 */
const ROLE_POWER_SQL =
  `SELECT r.rolname::text, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
  pg_has_role(r.oid, 'pg_signal_backend', 'MEMBER'),
  pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER'),
  pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER'),
  pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER'),
  (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace NOT IN
    (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema') OR nspname LIKE 'pg_toast%'))::int,
  (SELECT count(*) FROM pg_class c WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN
    (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema') OR nspname LIKE 'pg_toast%')
    AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
FROM pg_roles r WHERE r.rolname = current_user`;

/** Reads the row of {@link ROLE_POWER_SQL}. */
export function parseRolePower(row: readonly unknown[]): RolePower {
  const [
    role,
    superuser,
    createRole,
    createDb,
    replication,
    bypassRls,
    signal,
    readFiles,
    writeFiles,
    program,
    owned,
    writable,
  ] = row;
  const yes = (value: unknown) => value === true || value === 1 || value === "1" || value === "t";
  const notes: string[] = [];
  if (yes(createRole)) notes.push("CREATEROLE");
  if (yes(createDb)) notes.push("CREATEDB");
  if (yes(replication)) notes.push("REPLICATION");
  if (yes(bypassRls)) notes.push("BYPASSRLS");
  if (yes(signal)) notes.push("pg_signal_backend (may cancel or terminate other sessions)");
  if (yes(readFiles)) notes.push("pg_read_server_files");
  if (yes(writeFiles)) notes.push("pg_write_server_files");
  if (yes(program)) notes.push("pg_execute_server_program");
  if (Number(owned) > 0) notes.push(`owns ${Number(owned)} relations`);
  if (Number(writable) > 0) notes.push(`may write ${Number(writable)} tables`);
  return { role: String(role ?? ""), superuser: yes(superuser), notes };
}

/**
 * Functions defined outside the engine's own catalog. A user-defined function may run SQL text or leave state a
 * rollback keeps (the name of a custom setting, for one), and the guard cannot see into it: a read that calls one gets
 * a fresh connection afterwards.
 */
const USER_FUNCTIONS_SQL =
  `SELECT DISTINCT lower(p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')`;

/** PostgreSQL. */
export const POSTGRES: DialectSpec = {
  name: "postgres",
  uri: {
    schemes: ["postgres", "postgresql"],
    target: postgresTarget,
    defaultDriver: POSTGRES_DEFAULT_DRIVER,
    driverMarker: "postgres",
    // psqlODBC streams results through a server-side cursor instead of buffering them whole.
    rawCompletion: [["UseDeclareFetch", "1"], ["Fetch", "1000"]],
    fileDatabase: false,
  },
  engine: { dbmsPrefix: "postgres", servedByDefault: true, serverCut: true },
  session: {
    readOnly: ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"],
    isolation: postgresIsolation,
    healthProbe: "SELECT 1",
    rolePower: { sql: ROLE_POWER_SQL, parse: parseRolePower },
    userFunctionsSql: USER_FUNCTIONS_SQL,
    auditStatement: null,
  },
  lex: {
    options: lexOptions({ backslash: "e-strings", nestedComments: true, dollarQuotes: true, nonAsciiIsIdent: true }),
    axes: [[/\\/, [[{ backslash: "strings" }, "backslashes escape quotes in strings"]]]],
  },
  guard: {
    reads: "SELECT, WITH, VALUES, TABLE, EXPLAIN or SHOW",
    readWords: new Map([["TABLE", "table"], ["SHOW", "show"]]),
    anyServer: false,
    teradataSql: false,
    pragmas: false,
    postgresEscapes: true,
    explainPlansWrites: true,
  },
  errors: {
    // Backends shut down or going away (class 08 is every driver's lost connection).
    lostStates: ["57P01", "57P02", "57P03"],
    // A deadlock broken by the engine (40001, a serialization failure, is the SQL standard's: generic.ts).
    transientStates: ["40P01"],
    lostText: [
      "server closed the connection",
      "could not send data",
      "no connection to the server",
      "terminating connection",
      "connection to server .* failed",
      "SSL SYSCALL",
      "the database system is (?:starting up|shutting down|in recovery mode)",
    ],
    // Every authentication method's "... authentication failed for user", pg_hba.conf, an unknown role or one that
    // may not log in (28P01, 28000), the CONNECT privilege (42501 at connect), libpq's missing password.
    authText: [
      "authentication failed for user",
      "no pg_hba\\.conf entry",
      "pg_hba\\.conf rejects connection",
      'role "[^"]*" does not exist',
      'role "[^"]*" is not permitted to log in',
      "permission denied for database",
      "does not have CONNECT privilege",
      "no password supplied",
    ],
    notAcceptingText: [
      "starting up",
      "shutting down",
      "in recovery",
      "could not translate host name",
      "too many clients",
      "too many connections for (?:role|database)",
    ],
    // PostgreSQL checks the database after the password: not a logon refusal, but retrying cannot create it.
    noDatabaseText: ['database "[^"]*" does not exist'],
  },
};
