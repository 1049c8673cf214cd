import { z } from "zod";
import { defineTool, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { postgresRoleMissing } from "../lib/sec.ts";
import { checkIdentifier } from "../lib/sql.ts";

/** PostgreSQL: every role the user is a member of, directly or through other roles. */
const POSTGRES = `WITH RECURSIVE granted(roleid, via, grantor, admin_option, depth) AS (
  SELECT m.roleid, NULL::oid, m.grantor, m.admin_option, 1
  FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ?
  UNION ALL
  SELECT m.roleid, g.roleid, m.grantor, m.admin_option, g.depth + 1
  FROM pg_auth_members m JOIN granted g ON m.member = g.roleid WHERE g.depth < 50
)
SELECT r.rolname AS role_name, v.rolname AS granted_via, pg_get_userbyid(g.grantor) AS grantor,
  g.admin_option AS with_admin, r.rolcanlogin AS role_can_login
FROM granted g JOIN pg_roles r ON r.oid = g.roleid LEFT JOIN pg_roles v ON v.oid = g.via
ORDER BY g.depth, r.rolname, v.rolname`;

/**
 * Teradata DBC.RoleMembersV (RoleName, Grantor, Grantee, WhenGranted, DefaultRole, WithAdmin):
 * roles granted to the user, then roles granted to those roles (Teradata nests one level).
 */
const TERADATA = `LOCKING ROW FOR ACCESS
SELECT m.RoleName AS role_name, CAST(NULL AS VARCHAR(128) CHARACTER SET UNICODE) AS granted_via, m.Grantor AS grantor,
  m.WhenGranted AS when_granted, m.DefaultRole AS default_role, m.WithAdmin AS with_admin
FROM DBC.RoleMembersV m WHERE m.Grantee = ?
UNION ALL
SELECT n.RoleName, n.Grantee, n.Grantor, n.WhenGranted, n.DefaultRole, n.WithAdmin
FROM DBC.RoleMembersV m JOIN DBC.RoleMembersV n ON n.Grantee = m.RoleName WHERE m.Grantee = ?
ORDER BY 2, 1`;

/** Lists the roles granted to one user. */
export default defineTool({
  name: "sec_userRoles",
  title: "User roles",
  description: `List the roles granted to one user (or to a role), including roles it holds through other roles.
Use it to see where a user's rights come from; then call sec_rolePermissions for a role's rights.
granted_via is empty for a role granted directly and names the role it came through otherwise.
Teradata reads DBC.RoleMembersV (roles nest one level there; default_role Y marks the logon role, with_admin Y means the user
may grant the role on). PostgreSQL follows pg_auth_members to any depth (with_admin: granted WITH ADMIN OPTION).
Result: role_name, granted_via, grantor, with_admin (+ Teradata when_granted, default_role; + PostgreSQL role_can_login).`,
  inputSchema: {
    user_name: z.string().min(1).describe("User or role whose roles to list; matched exactly"),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata", "postgres"],
  async handler({ user_name }, ctx) {
    const user = checkIdentifier(user_name.trim(), "user_name");
    const options = { maxRows: ctx.limits.maxRows, signal: ctx.signal };
    if (ctx.dialect === "postgres") {
      const missing = await postgresRoleMissing(ctx, user);
      if (missing) return errorResult(missing);
      return tableResult(await ctx.db.query(POSTGRES, { ...options, params: [user] }));
    }
    const result = await ctx.db.query(TERADATA, { ...options, params: [user, user] });
    return tableResult(
      result,
      result.rowCount === 0
        ? `no roles granted to \`${user}\`; check the name (roles are in DBC.RoleInfoV)`
        : undefined,
    );
  },
});
