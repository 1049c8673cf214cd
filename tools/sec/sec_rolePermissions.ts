import { z } from "zod";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { decodeColumn, postgresGrantsSql, postgresRoleMissing, TERADATA_RIGHTS } from "../lib/sec.ts";
import { checkIdentifier } from "../lib/sql.ts";

/** Lists the rights granted to one role. */
export default defineTool({
  name: "sec_rolePermissions",
  title: "Role permissions",
  description: `List the rights granted to one role on databases, tables and columns: what its members may do where.
Rights of roles granted to this role (nested roles) are not included: list those with sec_userRoles(user_name = the role).
Teradata reads DBC.AllRoleRightsV (needs SELECT on it): access_right is the two-letter AccessRight code and privilege its
meaning (R = SELECT, I = INSERT, ...); table_name 'All' means the whole database, column_name 'All' the whole table.
PostgreSQL reads the ACLs of the current database, schemas, tables, views, sequences and columns (a role is a user there, so
this is the same list as sec_userDbPermissions); object_type says what the right is on; database_name is the schema.
Result: database_name, table_name, column_name, privilege, grantor (+ Teradata access_right, granted_at; + PostgreSQL object_type, grantable).`,
  inputSchema: {
    role_name: z.string().min(1).describe("Role whose rights to list; matched exactly"),
    database_name: z.string().optional().describe("Only rights on this database (PostgreSQL: schema); default: all"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler({ role_name, database_name }, ctx) {
    const role = checkIdentifier(role_name.trim(), "role_name");
    const database = database_name?.trim() ? checkIdentifier(database_name.trim(), "database_name") : null;
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const params = database === null ? [role] : [role, database];
    if (ctx.dialect === "postgres") {
      const missing = await postgresRoleMissing(ctx, role);
      if (missing) return errorResult(missing);
      return tableResult(await ctx.db.query(postgresGrantsSql(database !== null), { ...options, params }));
    }
    // DBC.AllRoleRightsV: RoleName, DatabaseName, TableName, ColumnName, AccessRight, GrantorName, CreateTimeStamp.
    const result = await ctx.db.query(
      `LOCKING ROW FOR ACCESS
SELECT DatabaseName AS database_name, TableName AS table_name, ColumnName AS column_name, AccessRight AS access_right,
  GrantorName AS grantor, CreateTimeStamp AS granted_at
FROM DBC.AllRoleRightsV WHERE RoleName = ?${database === null ? "" : " AND DatabaseName = ?"}
ORDER BY DatabaseName, TableName, ColumnName, AccessRight`,
      { ...options, params },
    );
    return tableResult(
      decodeColumn(result, "access_right", "privilege", TERADATA_RIGHTS),
      result.rowCount === 0
        ? `no rights granted to role \`${role}\`${
          database ? ` on \`${database}\`` : ""
        }; check the name (DBC.RoleInfoV lists roles) or its nested roles with sec_userRoles`
        : undefined,
    );
  },
});
