/**
 * How tdmcp keeps a pooled connection pristine from one call to the next, by dialect: the statements that prepare a
 * new connection (the engine's own read-only mode), what each call runs around its statement (a transaction that is
 * rolled back, or committed for an allowed write) and which engine the driver reports. The facts live in each
 * dialect's file (`dialects/`); these functions read them.
 * @module
 */
import { DIALECT_SPEC_LIST, DIALECT_SPECS, UNKNOWN_ENGINE } from "./dialects/mod.ts";
import type { CallIsolation } from "./dialects/spec.ts";
import type { Dialect } from "./types.ts";

export type { CallIsolation } from "./dialects/spec.ts";
export { majorVersion } from "./dialects/spec.ts";
export { type Audit, queryBandStatement, queryBandValue } from "./query_band.ts";

/**
 * Statements that make a new connection read-only in the engine itself, the
 * second guard behind the statement classifier. Teradata and generic ODBC
 * sources have no session-wide switch; the classifier alone guards them.
 */
export function readOnlySessionStatements(dialect: Dialect): string[] {
  return [...DIALECT_SPECS[dialect].session.readOnly];
}

/**
 * The per-call isolation of a dialect (for PostgreSQL, of its version: `SQL_DBMS_VER`). PostgreSQL: each read runs in
 * a READ ONLY transaction that is rolled back. SQLite: `query_only` makes the engine refuse every write. Teradata and
 * generic engines have no read-only transaction: the statement guard is their only protection.
 */
export function callIsolation(dialect: Dialect, dbmsVersion = ""): CallIsolation {
  return DIALECT_SPECS[dialect].session.isolation(dbmsVersion);
}

/**
 * The dialect of the engine an ODBC driver reports (`SQLGetInfo(SQL_DBMS_NAME)`), or `generic` when tdmcp does not know
 * it. It decides the guard and the session protections, whatever the URI looked like.
 */
export function dialectOfDbms(dbmsName: string): Dialect {
  const name = dbmsName.trim().toLowerCase();
  const spec = DIALECT_SPEC_LIST.find(({ engine }) => engine.dbmsPrefix !== null && name.startsWith(engine.dbmsPrefix));
  return spec?.name ?? UNKNOWN_ENGINE;
}
