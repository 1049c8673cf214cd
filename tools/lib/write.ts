/**
 * What a write is, for the user who confirms it: its kind (INSERT, UPDATE, DELETE, MERGE, DDL, ...) and, where the
 * engine can say, the rows its EXPLAIN expects it to change. Display only: whether a statement writes is the
 * database guard's verdict (connection/), never this file's.
 *
 * - PostgreSQL: `EXPLAIN (FORMAT JSON) <write>` plans without running (no ANALYZE; with the option list first,
 *   an `ANALYZE` in the statement is a syntax error, not an option). Each ModifyTable node reports `Plan Rows: 0`;
 *   the rows it changes are its input's (its `Outer` child).
 * - Teradata: `EXPLAIN <write>` runs nothing. The write step reads "we do an all-AMPs UPDATE from t ... The size is
 *   estimated with low confidence to be 12 rows" (DELETE, UPDATE, MERGE into, INSERT into); a MERGE from a spool
 *   without a size of its own ("MERGE into t from Spool 1 (Last Use).") changes the rows of that spool, whose
 *   size an earlier step states ("The size of Spool 1 is estimated ... to be 254,863 rows"). SQL Data Manipulation
 *   Language, "EXPLAIN Request Modifier with a DELETE Statement"; SQL Request and Transaction Processing, "EXPLAIN
 *   Request Modifier Phrase Terminology".
 * - SQLite and generic sources: no estimate.
 *
 * {@linkcode confirmedWrite} asks the user (`ctx.confirm`) and runs the statement once confirmed.
 * @module
 */
import type { Dialect, QueryResult } from "../../connection/types.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** First words of DDL, shown as `DDL (CREATE)`. */
const DDL = new Set([
  "CREATE",
  "DROP",
  "ALTER",
  "RENAME",
  "COMMENT",
  "GRANT",
  "REVOKE",
  "TRUNCATE",
  "COLLECT",
  "MODIFY",
]);
/** Teradata's abbreviations of statement words. */
const ABBREVIATED: Record<string, string> = { INS: "INSERT", UPD: "UPDATE", DEL: "DELETE", SEL: "SELECT" };
/** Data changes a WITH or LOCKING prefix can lead to. */
const DML = /\b(INSERT|INS|UPDATE|UPD|DELETE|DEL|MERGE|UPSERT)\b/i;
/** Statements whose rows EXPLAIN can estimate. */
const ESTIMATED = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "WITH"]);

/**
 * The kind of statement to show the user: `INSERT`, `UPDATE`, `DELETE`, `MERGE`, `DDL (CREATE)`, or the first word
 * (`SELECT` for a read that writes through a function). Comments, strings and quoted names are skipped.
 */
export function statementKind(sql: string): string {
  const text = withoutLiterals(sql).replace(/^[\s(]+/, "");
  const first = /^[A-Za-z_]+/.exec(text)?.[0].toUpperCase() ?? "";
  const word = ABBREVIATED[first] ?? first;
  if (DDL.has(word)) return `DDL (${word})`;
  if (word === "WITH" || word === "LOCKING" || word === "LOCK") {
    const change = DML.exec(text)?.[1].toUpperCase();
    return change ? ABBREVIATED[change] ?? change : word === "WITH" ? "WITH" : "SELECT";
  }
  return word || "statement";
}

/** The EXPLAIN that estimates a write's rows, or null where the engine cannot say (SQLite, generic, DDL). */
export function writeExplainSql(sql: string, dialect: Dialect): string | null {
  if (!ESTIMATED.has(statementKind(sql))) return null;
  if (dialect === "postgres") return `EXPLAIN (FORMAT JSON) ${sql}`;
  if (dialect === "teradata") return `EXPLAIN ${sql}`;
  return null;
}

/** The rows a write's EXPLAIN (the rows it returned) expects it to change, or null when the plan does not say. */
export function writeEstimate(rows: unknown[][], dialect: Dialect): number | null {
  const text = rows.map((row) => String(row[0] ?? "")).join("\n");
  if (dialect === "postgres") return postgresWriteRows(text);
  if (dialect === "teradata") return teradataWriteRows(text);
  return null;
}

interface PlanNode {
  "Node Type"?: string;
  "Parent Relationship"?: string;
  "Plan Rows"?: number;
  Plans?: PlanNode[];
}

/** The rows every ModifyTable node of a PostgreSQL JSON plan takes from its input, summed; null if none is found. */
export function postgresWriteRows(json: string): number | null {
  let plans: unknown;
  try {
    plans = JSON.parse(json);
  } catch {
    return null;
  }
  let total: number | null = null;
  const visit = (node: PlanNode) => {
    if (node["Node Type"] === "ModifyTable") {
      const input = node.Plans?.find((child) => child["Parent Relationship"] === "Outer");
      if (typeof input?.["Plan Rows"] === "number") total = (total ?? 0) + input["Plan Rows"];
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  if (Array.isArray(plans)) { for (const entry of plans) visit((entry as { Plan?: PlanNode }).Plan ?? {}); }
  return total;
}

/** `1,000` as 1000; `***` (too large to display) as Infinity. */
function count(text: string): number {
  return /^\*+$/.test(text) ? Infinity : Number(text.replaceAll(",", ""));
}

const SIZE = /estimated(?: with [a-z ]+? confidence)? to be (\*+|[\d,]+) rows?\b/i;
const WRITE_STEP = /\b(?:DELETE|UPDATE|MERGE(?: DELETE| UPDATE)?|INSERT|UPSERT)\s+(?:from|into|to)\b/i;

/**
 * The rows a Teradata EXPLAIN report expects the write steps to change, summed: a step's own size, else the size of
 * the spool it reads; null when no write step states either.
 */
export function teradataWriteRows(text: string): number | null {
  const flat = text.replace(/\s+/g, " ");
  const steps = flat.split(/(?:^|\s)(?=\d+\) )/).filter((step) => /^\d+\) /.test(step));
  const spools = new Map<string, number>();
  let total: number | null = null;
  for (const step of steps) {
    for (
      const m of step.matchAll(
        /size of Spool (\d+) is estimated(?: with [a-z ]+? confidence)? to be (\*+|[\d,]+) rows?/gi,
      )
    ) {
      spools.set(m[1], count(m[2]));
    }
    if (!WRITE_STEP.test(step) || !/\bwe do\b/i.test(step)) continue;
    const own = SIZE.exec(step.replace(/size of Spool \d+ is estimated/gi, ""));
    const source = /\bfrom Spool (\d+)/i.exec(step)?.[1];
    const rows = own ? count(own[1]) : source !== undefined ? spools.get(source) : undefined;
    if (rows !== undefined) total = (total ?? 0) + rows;
  }
  return total;
}

/** The SQL with comments, string literals and quoted names blanked out, so only keywords are left to read. */
function withoutLiterals(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'?|"(?:[^"]|"")*"?/g, " ");
}

/** Whether a failure is the database guard refusing a statement (`DatabaseError` of kind `refused`). */
export function isRefusal(error: unknown): boolean {
  return error instanceof Error && error.name === "DatabaseError" && (error as { kind?: unknown }).kind === "refused";
}

/**
 * Runs a statement that changes data once the user confirmed it: asks with the statement, its kind and the rows
 * EXPLAIN expects it to change (the estimate runs only when the user is about to be asked), then runs it as a write.
 */
export async function confirmedWrite(
  ctx: ToolContext,
  sql: string,
  options: { maxRows: number; timeoutMs: number },
): Promise<QueryResult> {
  // Ask only about a statement the write guard lets through: its refusal comes first, as it would without asking.
  await ctx.db.query(sql, { readOnly: false, checkOnly: true });
  const explain = writeExplainSql(sql, ctx.dialect);
  await ctx.confirm({
    title: "Run a statement that changes data",
    statement: sql,
    kind: statementKind(sql),
    estimatedRows: explain === null ? undefined : async () => {
      // A read: EXPLAIN of a write without ANALYZE plans it and runs nothing (in the call's read-only transaction).
      const planned = await ctx.db.query(explain, { maxRows: 10_000, timeoutMs: options.timeoutMs, readOnly: true });
      return writeEstimate(planned.rows, ctx.dialect);
    },
  });
  return await ctx.db.query(sql, { ...options, readOnly: false });
}
