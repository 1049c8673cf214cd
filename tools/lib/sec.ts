/**
 * Helpers for the security tools and the table-structure tools (indexes,
 * relations, usage): Teradata code lists, decoded result columns, the
 * PostgreSQL privilege query and existence checks.
 * @module
 */
import { z } from "zod";
import type { QueryResult } from "../../connection/types.ts";
import { listTables } from "./catalog.ts";
import type { TableRef } from "./sql.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/**
 * Teradata AccessRight codes as documented for DBC.AllRightsV, DBC.AllRoleRightsV
 * and DBC.UserRightsV ("SQL Data Control Language", Privilege Dictionary; the
 * AllUserRights macro in "Determining Privileges for a User"; DATASET codes
 * from "Privileges Required for Creating and Using DATASET Schemas").
 */
export const TERADATA_RIGHTS: Readonly<Record<string, string>> = Object.freeze({
  AE: "ALTER EXTERNAL PROCEDURE",
  AF: "ALTER FUNCTION",
  AP: "ALTER PROCEDURE",
  AS: "ABORT SESSION",
  C1: "CREATE DATASET SCHEMA",
  CA: "CREATE AUTHORIZATION",
  CD: "CREATE DATABASE",
  CE: "CREATE EXTERNAL PROCEDURE",
  CF: "CREATE FUNCTION",
  CG: "CREATE TRIGGER",
  CM: "CREATE MACRO",
  CO: "CREATE PROFILE",
  CP: "CHECKPOINT",
  CR: "CREATE ROLE",
  CT: "CREATE TABLE",
  CU: "CREATE USER",
  CV: "CREATE VIEW",
  CZ: "CREATE ZONE",
  D: "DELETE",
  D1: "DROP DATASET SCHEMA",
  DA: "DROP AUTHORIZATION",
  DD: "DROP DATABASE",
  DF: "DROP FUNCTION",
  DG: "DROP TRIGGER",
  DM: "DROP MACRO",
  DO: "DROP PROFILE",
  DP: "DUMP",
  DR: "DROP ROLE",
  DT: "DROP TABLE",
  DU: "DROP USER",
  DV: "DROP VIEW",
  DZ: "DROP ZONE",
  E: "EXECUTE",
  EF: "EXECUTE FUNCTION",
  GC: "CREATE GLOP",
  GD: "DROP GLOP",
  GM: "GLOP MEMBER",
  I: "INSERT",
  IX: "INDEX",
  MR: "MONITOR RESOURCE",
  MS: "MONITOR SESSION",
  NT: "NONTEMPORAL",
  OD: "OVERRIDE DELETE POLICY",
  OI: "OVERRIDE INSERT POLICY",
  OP: "CREATE OWNER PROCEDURE",
  OS: "OVERRIDE SELECT POLICY",
  OU: "OVERRIDE UPDATE POLICY",
  PC: "CREATE PROCEDURE",
  PD: "DROP PROCEDURE",
  PE: "EXECUTE PROCEDURE",
  R: "SELECT",
  RF: "REFERENCES",
  RO: "REPLCONTROL",
  RS: "RESTORE",
  SA: "SECURITY CONSTRAINT ASSIGNMENT",
  SD: "SECURITY CONSTRAINT DEFINITION",
  SH: "SHOW",
  SR: "SET RESOURCE RATE",
  SS: "SET SESSION RATE",
  ST: "STATISTICS",
  TH: "CTCONTROL",
  U: "UPDATE",
  UM: "UDT METHOD",
  UT: "UDT TYPE",
  UU: "UDT USAGE",
  ZO: "ZONE OVERRIDE",
});

/** Teradata IndexType codes of DBC.IndicesV[X] ("Data Dictionary", IndicesV[X] usage notes). */
export const TERADATA_INDEX_TYPES: Readonly<Record<string, string>> = Object.freeze({
  P: "primary index",
  Q: "partitioned primary index",
  A: "primary AMP index",
  S: "secondary index",
  J: "join index",
  N: "hash index",
  K: "primary key",
  U: "unique constraint",
  V: "value-ordered secondary index",
  H: "hash-ordered ALL covering secondary index",
  O: "value-ordered ALL covering secondary index",
  I: "ordering column of a composite secondary index",
  "1": "first field of a join or hash index",
  "2": "second field of a join or hash index",
  G: "geospatial secondary index",
});

/**
 * Adds a column `name` right after the column `after`, holding the word for
 * each code (`code ?` when the code is not in `words`).
 */
export function decodeColumn(
  result: QueryResult,
  after: string,
  name: string,
  words: Readonly<Record<string, string>>,
): QueryResult {
  const at = result.columns.findIndex((c) => c.name.toLowerCase() === after.toLowerCase());
  if (at < 0) return result;
  const columns = [...result.columns];
  columns.splice(at + 1, 0, { name, type: "VARCHAR", nullable: true });
  const rows = result.rows.map((row) => {
    const code = row[at] === null ? null : String(row[at]).trim();
    const copy = [...row];
    copy.splice(at + 1, 0, code === null ? null : words[code] ?? `${code} ?`);
    return copy;
  });
  return { ...result, columns, rows };
}

/** The `days` argument of the DBQL tools. */
export const DAYS_ARG = z.number().int().min(1).max(3650).optional().describe(
  "Look back this many days in the query log (default 30)",
);

/** Whether the table or view exists (exact name; case-insensitive on Teradata). */
export async function tableExists(ctx: ToolContext, ref: TableRef): Promise<boolean> {
  const found = await listTables(ctx, ref.database, ref.table, 50);
  const nameAt = found.columns.findIndex((c) => /^table_name$/i.test(c.name));
  const same = ctx.dialect === "teradata"
    ? (name: string) => name.trim().toLowerCase() === ref.table.toLowerCase()
    : (name: string) => name === ref.table;
  return found.rows.some((r) => same(String(r[nameAt < 0 ? 1 : nameAt])));
}

/** Schemas left out of privilege lists unless asked for by name. */
const PG_SYSTEM_SCHEMAS =
  `('pg_catalog', 'information_schema') AND acl.database_name NOT LIKE 'pg\\_toast%' AND acl.database_name NOT LIKE 'pg\\_temp%'`;

/**
 * Privileges granted directly to one PostgreSQL role, read from the ACLs in
 * pg_database, pg_namespace, pg_class and pg_attribute (visible to every role,
 * unlike information_schema.role_table_grants, which shows only the grants of
 * the current user's roles). A NULL ACL means the defaults (`acldefault`),
 * which give the owner every privilege. Binds the role name, then the schema
 * when `bySchema`.
 */
export function postgresGrantsSql(bySchema: boolean): string {
  return `WITH acl AS (
  SELECT 'database' AS object_type, NULL::name AS database_name, NULL::name AS table_name, NULL::name AS column_name, x.*
  FROM pg_database d, LATERAL aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) x WHERE d.datname = current_database()
  UNION ALL
  SELECT 'schema', n.nspname, NULL, NULL, x.*
  FROM pg_namespace n, LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) x
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
    WHEN 'f' THEN 'foreign table' ELSE 'table' END, n.nspname, c.relname, NULL, x.*
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
    LATERAL aclexplode(COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) x
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  UNION ALL
  SELECT 'column', n.nspname, c.relname, a.attname, x.*
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
    LATERAL aclexplode(a.attacl) x
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
)
SELECT acl.object_type, acl.database_name, acl.table_name, acl.column_name, acl.privilege_type AS privilege,
  acl.is_grantable AS grantable, pg_get_userbyid(acl.grantor) AS grantor
FROM acl JOIN pg_roles r ON r.oid = acl.grantee
WHERE r.rolname = ? AND ${
    bySchema ? "acl.database_name = ?" : `(acl.database_name IS NULL OR acl.database_name NOT IN ${PG_SYSTEM_SCHEMAS})`
  }
ORDER BY acl.database_name NULLS FIRST, acl.table_name NULLS FIRST, acl.column_name NULLS FIRST, acl.privilege_type`;
}

/** A "no such role" message for PostgreSQL, or null when the role exists. */
export async function postgresRoleMissing(ctx: ToolContext, name: string): Promise<string | null> {
  const found = await ctx.db.query(
    `SELECT rolname FROM pg_roles WHERE rolname = ? OR lower(rolname) = lower(?) ORDER BY rolname = ? DESC, rolname`,
    { params: [name, name, name], maxRows: 5, signal: ctx.signal },
  );
  if (found.rows.some((r) => r[0] === name)) return null;
  const similar = found.rows.map((r) => String(r[0]));
  return `no user or role \`${name}\` (names are case-sensitive)${
    similar.length > 0
      ? `; similar: ${similar.join(", ")}`
      : "; list them with base_readQuery: SELECT rolname FROM pg_roles"
  }`;
}
