import { z } from "zod";
import { defineTool, DIALECTS, errorResult, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";
import { describePlan, explainSql, explainWanted, judgePlan, parseExplain } from "../lib/explain.ts";
import { confirmedWrite, isRefusal } from "../lib/write.ts";

/** Runs one read-only SQL statement. */
export default defineTool({
  name: "base_readQuery",
  title: "Run a read-only SQL query",
  description:
    `Run ONE read-only SQL statement (SELECT, WITH ... SELECT, VALUES, EXPLAIN, and on Teradata SEL/HELP/SHOW) and get its rows.
Use it for questions the catalog tools cannot answer: aggregates, joins, filters. Write SQL in the connected database's dialect.
Limits: writes, DDL and multiple statements are refused (unless the server runs with --allow-write; even then one statement per call,
and the user is asked to confirm each write first: the call then comes back asking for input, shows the statement, its kind and the
rows EXPLAIN expects it to change, and runs it once the user confirms);
the statement is stopped at the database after timeout_seconds; at most row_limit rows come back (default from the server, usually 1000) and
the result is cut at a size budget; "truncated": true means more rows existed — aggregate or filter instead of raising the limit.
On Teradata (and where the server or explain_first asks) the query's EXPLAIN is read first and a plan estimating more rows or
seconds than the server allows is refused with what the plan would do: narrow the query as the message says.
Result: columns (name, type), rows as arrays, row_count, truncated, truncated_by.`,
  inputSchema: {
    sql: z.string().min(1).describe(
      "One SQL statement; a trailing semicolon is fine",
    ),
    row_limit: z.number().int().min(1).optional().describe(
      "Most rows to return (default: the server's DEFAULT_ROW_LIMIT; capped at MAX_ROW_LIMIT)",
    ),
    timeout_seconds: z.number().int().min(1).optional().describe(
      "Stop the statement after this many seconds (default: the server's QUERY_TIMEOUT; capped at MAX_QUERY_TIMEOUT)",
    ),
    explain_first: z.boolean().optional().describe(
      "Read the query's EXPLAIN first and refuse a plan over the server's estimated rows/seconds limits (on by " +
        "default for Teradata; false does not turn off a check the server requires)",
    ),
    persist: z.boolean().optional().describe(
      "The official Teradata MCP server's option to keep the result in a volatile table; refused here (tdmcp does " +
        "not write): aggregate, filter or raise row_limit instead",
    ),
  },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  writeAnnotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  dialects: DIALECTS,
  async handler({ sql, row_limit, timeout_seconds, explain_first, persist }, ctx) {
    if (persist) {
      return errorResult(
        "persist: true would create a volatile table (CREATE VOLATILE TABLE ... AS (query) WITH DATA), a write tdmcp " +
          "does not make; run the query without persist, aggregating or filtering it, or raise row_limit up to the " +
          `server's maximum of ${ctx.limits.maxRows}`,
      );
    }
    const maxRows = Math.min(row_limit ?? ctx.limits.defaultRows, ctx.limits.maxRows);
    const timeoutMs = Math.min(
      timeout_seconds ? timeout_seconds * 1000 : ctx.limits.timeoutMs,
      ctx.limits.maxTimeoutMs,
    );
    const notes: string[] = [];
    const explain = explainWanted(ctx.dialect, ctx.limits, explain_first) ? explainSql(sql, ctx.dialect) : null;
    /** Reads the plan first, as the statement will run; the refusal when it is over the limits. */
    const checkPlan = async (readOnly: boolean) => {
      if (!explain) return null;
      // Guarded as the query itself is (EXPLAIN without ANALYZE runs nothing on Teradata or PostgreSQL).
      const planned = await ctx.db.query(explain, { maxRows: 10_000, timeoutMs, readOnly });
      const plan = parseExplain(planned.rows, ctx.dialect);
      const refusal = judgePlan(plan, ctx.dialect, ctx.limits);
      if (!refusal) notes.push(`plan checked first: ${describePlan(plan)}`);
      return refusal;
    };
    let result;
    try {
      // Always as a read first: the database guard, not this tool, decides what is a write.
      const refusal = await checkPlan(true);
      if (refusal) return errorResult(refusal);
      result = await ctx.db.query(sql, { maxRows, timeoutMs, readOnly: true });
    } catch (error) {
      // With --allow-write, a statement the read-only guard refuses runs as a write once the user confirms it.
      if (!ctx.db.allowWrite || !isRefusal(error)) throw error;
      await ctx.db.query(sql, { readOnly: false, checkOnly: true });
      const refusal = await checkPlan(false);
      if (refusal) return errorResult(refusal);
      result = await confirmedWrite(ctx, sql, { maxRows, timeoutMs });
      if (result.changedRows !== undefined) notes.push(`the statement changed ${result.changedRows} row(s)`);
    }
    if (row_limit !== undefined && row_limit > ctx.limits.maxRows) {
      notes.push(`row_limit was lowered to the server maximum of ${ctx.limits.maxRows}`);
    }
    if (timeout_seconds !== undefined && timeout_seconds * 1000 > ctx.limits.maxTimeoutMs) {
      notes.push(`timeout_seconds was lowered to the server maximum of ${ctx.limits.maxTimeoutMs / 1000}`);
    }
    return tableResult(result, notes.join("\n") || undefined);
  },
});
