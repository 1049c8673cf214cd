import { z } from "zod";
import { teradataWindow } from "../lib/args.ts";
import { DBQL_EMPTY_NOTE, LOCKING, optionalName, TOP_N, topN, WINDOW_ARGS, windowOf } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// DBQL feature usage: DBC.QryLogV.FeatureUsage is a 256-byte bitmap of the features a request used;
// DBC.QryLogFeatureListV (FeatureBitpos, FeatureName) names each bit, read with GETBIT(FeatureUsage, 2047 - FeatureBitpos)
// as in Teradata's own consumption-analytics scripts (github.com/tdcoa/sql, filesets/feature_usage).
function statement(n: number, window: string, byUser: boolean): string {
  return `${LOCKING}SELECT TOP ${n} CAST(f.FeatureName AS VARCHAR(100)) AS feature_name, CAST(COUNT(*) AS BIGINT) AS requests,
  COUNT(DISTINCT q.UserName) AS users, SUM(CAST(q.AMPCPUTime AS FLOAT)) AS amp_cpu_seconds,
  MIN(q.StartTime) AS first_used, MAX(q.StartTime) AS last_used
FROM DBC.QryLogV q
JOIN DBC.QryLogFeatureListV f ON BYTES(q.FeatureUsage) = 256 AND GETBIT(q.FeatureUsage, 2047 - f.FeatureBitpos) = 1
WHERE ${window}${byUser ? " AND q.UserName = ?" : ""}
GROUP BY f.FeatureName ORDER BY requests DESC, feature_name`;
}

/** Which Teradata features requests used, from DBQL. */
export default defineTool({
  name: "dba_featureUsage",
  title: "Feature usage",
  description: `Which Teradata database features (as DBQL names them: e.g. partitioning, columnar, temporal, JSON,
in-database analytic functions) the logged requests used, most used first; use it for adoption questions or before
retiring a feature. Decodes the FeatureUsage bitmap of DBC.QryLogV against DBC.QryLogFeatureListV; needs Teradata 16.0
or later with DBQL logging on (requests not logged are not counted). amp_cpu_seconds is the whole CPU of the requests
that used the feature (a request using two features counts in both). Window: days_back (or no_days; default 7, at most
365), or start_date/end_date (YYYY-MM-DD) as the official Teradata MCP server takes them; default 100 features.
Result: columns feature_name, requests, users, amp_cpu_seconds, first_used, last_used; one row per feature used.`,
  inputSchema: {
    user_name: z.string().optional().describe("Only requests of this user; default: every user"),
    ...WINDOW_ARGS,
    top_n: TOP_N,
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(args, ctx) {
    const user = optionalName(args.user_name, "user_name");
    const n = topN(args.top_n);
    const window = teradataWindow("q.StartTime", windowOf(args));
    const params = [...window.params, ...(user === null ? [] : [user])];
    const result = await ctx.db.query(statement(n, window.sql, user !== null), {
      params,
      maxRows: n,
      signal: ctx.signal,
    });
    return tableResult(result, result.rowCount === 0 ? DBQL_EMPTY_NOTE : undefined);
  },
});
