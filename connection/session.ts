/**
 * How tdmcp keeps a pooled connection pristine from one call to the next:
 * the statements that prepare a new connection (the engine's own read-only
 * mode), what each call runs around its statement (a transaction that is
 * rolled back, or committed for an allowed write), what tells the engine's
 * role apart (its power, reported at start), and the Teradata QueryBand that
 * makes DBQL an audit log of tool calls.
 * @module
 */
import type { Dialect, RolePower } from "./types.ts";

/**
 * Statements that make a new connection read-only in the engine itself, the
 * second guard behind the statement classifier. Teradata and generic ODBC
 * sources have no session-wide switch; the classifier alone guards them.
 */
export function readOnlySessionStatements(dialect: Dialect): string[] {
  switch (dialect) {
    case "postgres":
      return ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"];
    case "sqlite":
      return ["PRAGMA query_only = 1"];
    default:
      return [];
  }
}

/**
 * What a dialect runs around every call so that nothing one call does is seen
 * by the next one on the same pooled connection.
 */
export interface CallIsolation {
  /**
   * The connection runs in manual-commit mode: every call is one transaction
   * that tdmcp ends itself (PostgreSQL: the driver sends BEGIN before the
   * call's first statement).
   */
  manualCommit: boolean;
  /**
   * Ends a read call: rolls its transaction back (settings made with
   * `set_config`, large objects, notifications, cursors, LISTEN vanish) and
   * drops what survives a rollback (prepared statements a function made with
   * dynamic SQL, session-level advisory locks). Also the health check of an
   * idle connection. `null`: nothing to end.
   */
  endRead: string | null;
  /** Opens a write call (`--allow-write`): lifts the session's read-only default for this transaction only. */
  beginWrite: string | null;
  /** Ends a write call. The connection is then closed, never reused: a write may leave session state behind. */
  endWrite: string | null;
}

/**
 * The per-call isolation of each dialect.
 *
 * PostgreSQL: each read runs in a READ ONLY transaction (the session default)
 * that is rolled back; `DEALLOCATE ALL`, `pg_advisory_unlock_all()` and a
 * fresh random seed then drop what a rollback leaves, in the same round trip. What still survives:
 * the name (never the value) of a custom setting a user-defined function
 * created, and whatever a function does outside any transaction (terminating
 * backends, writing server files) — the guard refuses the functions it knows. SQLite: `query_only`
 * makes the engine refuse every write, temporary objects included, so a read
 * leaves nothing to undo. Teradata and generic engines have no read-only
 * transaction: the statement guard is their only protection.
 */
export function callIsolation(dialect: Dialect, dbmsVersion = ""): CallIsolation {
  switch (dialect) {
    case "postgres":
      return {
        manualCommit: true,
        endRead: `ROLLBACK; DEALLOCATE ALL; SELECT pg_advisory_unlock_all()${
          majorVersion(dbmsVersion) >= 13 ? `, ${RESEED}` : ""
        }`,
        beginWrite: "SET TRANSACTION READ WRITE",
        endWrite: "COMMIT",
      };
    case "sqlite":
      return { manualCommit: false, endRead: null, beginWrite: "PRAGMA query_only = 0", endWrite: null };
    default:
      return { manualCommit: false, endRead: null, beginWrite: null, endWrite: null };
  }
}

/**
 * A query that reports the connected role's power, or `null` where tdmcp does not know how to ask. PostgreSQL: the role
 * attributes, membership in the predefined roles that reach beyond the database (signalling backends, server files and
 * programs), and how many relations it owns or may write.
 */
export function rolePowerQuery(dialect: Dialect): string | null {
  if (dialect !== "postgres") return null;
  return `SELECT r.rolname::text, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
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
}

/**
 * A query listing the (lowercased) names of functions defined outside the engine's own catalog, or `null` where tdmcp
 * does not ask. A user-defined function may run SQL text or leave state a rollback keeps (the name of a custom setting,
 * for one), and the guard cannot see into it: a read that calls one gets a fresh connection afterwards.
 */
export function userFunctionsQuery(dialect: Dialect): string | null {
  if (dialect !== "postgres") return null;
  return `SELECT DISTINCT lower(p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')`;
}

/** Reads the row of {@link rolePowerQuery}. */
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
 * Gives `random()` an unpredictable seed again: `setseed()` survives a rollback, so a call that seeded it (through a
 * function the guard cannot see into) would otherwise decide the next caller's random numbers. The seed comes from
 * `gen_random_uuid()` (PostgreSQL 13 and later), a strong random source `setseed` cannot touch.
 */
const RESEED = "setseed(('x' || left(md5(gen_random_uuid()::text), 8))::bit(32)::int / 2147483648.0)";

/** The major version in a `SQL_DBMS_VER` string such as `15.0018` or `9.6.24`; 0 when unknown. */
/** The major version in a `SQL_DBMS_VER` string ("15.0004" → 15); 0 when it does not start with one. */
export function majorVersion(version: string): number {
  return Number(/^\s*(\d+)/.exec(version)?.[1] ?? 0);
}

/** Who runs a statement, for audit trails. */
export interface Audit {
  tool: string;
  requestId: string;
  /** The MCP client, as its `initialize` named itself. */
  client?: { name: string; version: string };
  /** The tool profile the server runs with (`PROFILE`). */
  profile?: string;
  /** The W3C trace id of the request (from a `traceparent`), when the client sent one. */
  traceId?: string;
}

/** The application name written into every QueryBand. */
export const QUERY_BAND_APPLICATION = "tdmcp";

/** Keeps a QueryBand value to characters that cannot break out of `name=value;`. */
export function queryBandValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 128) || "_";
}

/**
 * The QueryBand of a call: what stays the same from one call of a client to the next (the application, the MCP
 * client's name and version, the profile) and the request's trace id when it has one. The tool and the request id
 * are left out, so that the band changes only when the client or the trace does: Teradata's workload rules and DBQL
 * read it, and it is sent only when it changes (see {@link queryBandStatement}).
 */
export function queryBand(audit: Audit): string {
  const pairs: [string, string | undefined][] = [
    ["ApplicationName", QUERY_BAND_APPLICATION],
    ["McpClient", audit.client?.name],
    ["McpClientVersion", audit.client?.version],
    ["McpProfile", audit.profile],
    ["TraceId", audit.traceId],
  ];
  return pairs.filter(([, value]) => value).map(([name, value]) => `${name}=${queryBandValue(value!)};`).join("");
}

/**
 * `SET QUERY_BAND = '...' FOR SESSION VOLATILE`: the band stays on the session for every later request, without the
 * dictionary write (DBC.SessionTbl) a plain `FOR SESSION` makes (Teradata SQL DDL, SET QUERY_BAND, "Query Bands and
 * Session-Level Performance"). tdmcp sends it on a pooled connection only when the band differs from the last one it
 * set there.
 *
 * @example
 * ```ts
 * queryBandStatement({ tool: "base_readQuery", requestId: "7", client: { name: "claude", version: "1.2" } });
 * // SET QUERY_BAND = 'ApplicationName=tdmcp;McpClient=claude;McpClientVersion=1.2;' FOR SESSION VOLATILE
 * ```
 */
export function queryBandStatement(audit: Audit): string {
  return `SET QUERY_BAND = '${queryBand(audit)}' FOR SESSION VOLATILE`;
}

/**
 * The dialect of the engine an ODBC driver reports (`SQLGetInfo(SQL_DBMS_NAME)`), or `generic` when tdmcp does not know
 * it. It decides the guard and the session protections, whatever the URI looked like.
 */
export function dialectOfDbms(dbmsName: string): Dialect {
  const name = dbmsName.trim().toLowerCase();
  if (name.startsWith("postgres")) return "postgres";
  if (name.startsWith("sqlite")) return "sqlite";
  if (name.startsWith("teradata")) return "teradata";
  return "generic";
}
