import { z } from "zod";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { decodeColumn, postgresGrantsSql, postgresRoleMissing, TERADATA_RIGHTS } from "../lib/sec.ts";
import { checkIdentifier } from "../lib/sql.ts";

/** Lists the rights granted directly to one user. */
export default defineTool({
  name: "sec_userDbPermissions",
  title: "User permissions",
  description:
    `List the rights granted DIRECTLY to one user on databases, tables and columns: what the user may do where.
Rights that come through roles are not included: call sec_userRoles, then sec_rolePermissions for each role.
Teradata reads DBC.AllRightsV (needs SELECT on it): access_right is the two-letter AccessRight code and privilege its meaning
(R = SELECT, I = INSERT, CT = CREATE TABLE, ...); table_name 'All' means the whole database, column_name 'All' the whole table;
grantable is GrantAuthority (Y/N). PostgreSQL reads the ACLs of the current database, its schemas, tables, views, sequences and
columns (owners hold every privilege by default and are listed too; PUBLIC grants and functions are not); object_type says what
the right is on; database_name is the schema. Without database_name, PostgreSQL system schemas are left out.
Result: database_name, table_name, column_name, privilege, grantable, grantor (+ Teradata access_right, granted_at; + PostgreSQL object_type).`,
  inputSchema: {
    user_name: z.string().min(1).describe("User (PostgreSQL: role) whose rights to list; matched exactly"),
    database_name: z.string().optional().describe("Only rights on this database (PostgreSQL: schema); default: all"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler({ user_name, database_name }, ctx) {
    const user = checkIdentifier(user_name.trim(), "user_name");
    const database = database_name?.trim() ? checkIdentifier(database_name.trim(), "database_name") : null;
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    const params = database === null ? [user] : [user, database];
    if (ctx.dialect === "postgres") {
      const missing = await postgresRoleMissing(ctx, user);
      if (missing) return errorResult(missing);
      return tableResult(await ctx.db.query(postgresGrantsSql(database !== null), { ...options, params }));
    }
    // DBC.AllRightsV: UserName, DatabaseName, TableName, ColumnName, AccessRight, GrantAuthority, GrantorName,
    // CreateTimeStamp. The X variants would show only the requesting user's rights, so the V view is used.
    const result = await ctx.db.query(
      `LOCKING ROW FOR ACCESS
SELECT DatabaseName AS database_name, TableName AS table_name, ColumnName AS column_name, AccessRight AS access_right,
  GrantAuthority AS grantable, GrantorName AS grantor, CreateTimeStamp AS granted_at
FROM DBC.AllRightsV WHERE UserName = ?${database === null ? "" : " AND DatabaseName = ?"}
ORDER BY DatabaseName, TableName, ColumnName, AccessRight`,
      { ...options, params },
    );
    return tableResult(
      decodeColumn(result, "access_right", "privilege", TERADATA_RIGHTS),
      result.rowCount === 0
        ? `no rights granted directly to \`${user}\`${
          database ? ` on \`${database}\`` : ""
        }; check the name, or look at its roles with sec_userRoles`
        : undefined,
    );
  },
});
