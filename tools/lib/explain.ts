/**
 * `explain_first` for base_readQuery: which statements to explain, the
 * EXPLAIN text to send, reading the plan's estimates (Teradata's EXPLAIN
 * text, PostgreSQL's `EXPLAIN (FORMAT JSON)`), and the verdict against the
 * server's limits with a message that says how to narrow the query.
 *
 * Teradata builds the whole answer set in spool before the first row comes
 * back, so a row cap does not bound its work; its EXPLAIN gives estimated
 * rows per spool and estimated times. PostgreSQL gives rows and cost units,
 * not seconds: there the seconds limit is skipped (PostgreSQL streams rows
 * and stops at once on the statement timeout).
 * @module
 */
import type { Dialect } from "../../connection/types.ts";
import type { ToolLimits } from "../../plugin/tool.ts";

/** The server's explain_first setting: `auto` means on for Teradata, off elsewhere. */
export type ExplainFirst = "auto" | "on" | "off";

/** Limits used when the server names none (the defaults of EXPLAIN_FIRST, MAX_ESTIMATED_ROWS, MAX_ESTIMATED_SECONDS). */
export const EXPLAIN_DEFAULTS = Object.freeze({
  explainFirst: "auto" as ExplainFirst,
  maxEstimatedRows: 500_000,
  maxEstimatedSeconds: 60,
});

/** What a plan says the query would do. */
export interface PlanEstimate {
  /** Teradata: the largest spool's estimated rows; PostgreSQL: the rows of the plan's top node. */
  rows: number | null;
  /** Teradata: the total estimated time (or the sum of the steps' times); PostgreSQL: null. */
  seconds: number | null;
  /** PostgreSQL: the top node's Total Cost, in cost units. */
  cost: number | null;
  /** Teradata: steps that run on every AMP. */
  allAmpSteps: number;
  /** Teradata product joins, PostgreSQL Nested Loops without a join condition. */
  productJoins: number;
}

/** Dialects whose EXPLAIN tdmcp reads. */
const EXPLAINED: readonly Dialect[] = ["teradata", "postgres"];

/** First words of a query EXPLAIN can report on (Teradata abbreviations, locking and temporal prefixes included). */
const QUERY_START =
  /^(?:SELECT|SEL|WITH|VALUES|TABLE|LOCKING|LOCK|CURRENT|SEQUENCED|NONSEQUENCED|VALIDTIME|TRANSACTIONTIME)\b|^\(/i;

/** Whether this call explains first: the server's setting, or the agent asking where the server does not. */
export function explainWanted(dialect: Dialect, limits: ToolLimits, asked: boolean | undefined): boolean {
  if (!EXPLAINED.includes(dialect)) return false;
  const setting = limits.explainFirst ?? EXPLAIN_DEFAULTS.explainFirst;
  return setting === "on" || (setting === "auto" && dialect === "teradata") || asked === true;
}

/**
 * The EXPLAIN to send before `sql`, or null when `sql` is not a query (HELP,
 * SHOW, an EXPLAIN already, a write): the agent's text follows unchanged, so
 * the guard judges it as it would judge the text alone.
 */
export function explainSql(sql: string, dialect: Dialect): string | null {
  const start = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  if (!QUERY_START.test(start)) return null;
  if (dialect === "teradata") return `EXPLAIN ${sql}`;
  if (dialect === "postgres") return `EXPLAIN (FORMAT JSON) ${sql}`;
  return null;
}

/** The number in `1,000,000` or `***` (Teradata's "too large to display") as Infinity. */
function count(text: string): number {
  return /^\*+$/.test(text) ? Infinity : Number(text.replaceAll(",", ""));
}

const UNIT_SECONDS: Record<string, number> = { hour: 3600, minute: 60, second: 1 };

/** Seconds in `11.31 seconds`, `4 minutes and 27 seconds`, `3 hours and 28 minutes`, `***`. */
export function teradataSeconds(text: string): number {
  if (/^\s*\*+/.test(text)) return Infinity;
  let seconds = 0;
  for (const m of text.matchAll(/([\d,]+(?:\.\d+)?)\s+(hour|minute|second)s?/g)) {
    seconds += count(m[1]) * UNIT_SECONDS[m[2]];
  }
  return seconds;
}

const TIME = String
  .raw`((?:\*+|[\d,]+(?:\.\d+)?\s+(?:hours?|minutes?|seconds?))(?:(?:,|\s+and)?\s+[\d,]+(?:\.\d+)?\s+(?:hours?|minutes?|seconds?))*)`;

/** Reads a Teradata EXPLAIN report (the Explanation rows joined by newlines). */
export function parseTeradataExplain(text: string): PlanEstimate {
  const flat = text.replace(/\s+/g, " ");
  const rows = [...flat.matchAll(/estimated(?: with [a-z ]+? confidence)? to be (\*+|[\d,]+) rows?\b/gi)]
    .map((m) => count(m[1]));
  const total = new RegExp(`total estimated time is ${TIME}`, "i").exec(flat);
  const steps = [...flat.matchAll(new RegExp(`estimated time for this step is ${TIME}`, "gi"))];
  return {
    rows: rows.length ? Math.max(...rows) : null,
    seconds: total
      ? teradataSeconds(total[1])
      : steps.length
      ? steps.reduce((sum, m) => sum + teradataSeconds(m[1]), 0)
      : null,
    cost: null,
    allAmpSteps: flat.match(/\ball-AMPs? \w+ step/gi)?.length ?? 0,
    productJoins: flat.match(/\bproduct join/gi)?.length ?? 0,
  };
}

/**
 * Reads PostgreSQL's `EXPLAIN (FORMAT JSON)` text. The top node's keys come
 * first, so its Plan Rows and Total Cost are read even from a cut text.
 */
export function parsePostgresExplain(text: string): PlanEstimate {
  const first = (key: string) => {
    const m = new RegExp(`"${key}":\\s*(-?[\\d.eE+]+)`).exec(text);
    return m ? Number(m[1]) : null;
  };
  const loops = [...text.matchAll(/"Node Type":\s*"Nested Loop"[^{]*?(?="Plans"|$)/g)];
  return {
    rows: first("Plan Rows"),
    seconds: null,
    cost: first("Total Cost"),
    allAmpSteps: 0,
    productJoins: loops.filter((m) => !/"Join Filter"/.test(m[0])).length,
  };
}

/** Reads the rows EXPLAIN returned, for the dialect that returned them. */
export function parseExplain(rows: unknown[][], dialect: Dialect): PlanEstimate {
  const text = rows.map((row) => String(row[0] ?? "")).join("\n");
  return dialect === "teradata" ? parseTeradataExplain(text) : parsePostgresExplain(text);
}

const fmt = (n: number) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: Math.abs(n) < 100 ? 2 : 0 })
    : "too many to display";

/** One line on what the plan would do, for notes and refusals. */
export function describePlan(plan: PlanEstimate): string {
  const parts: string[] = [];
  if (plan.rows !== null) parts.push(`about ${fmt(plan.rows)} rows`);
  if (plan.seconds !== null) parts.push(`about ${fmt(plan.seconds)} s estimated`);
  if (plan.cost !== null) parts.push(`cost ${fmt(plan.cost)} (PostgreSQL cost units)`);
  if (plan.allAmpSteps) parts.push(`${plan.allAmpSteps} all-AMP step(s) (every AMP scans or moves rows)`);
  if (plan.productJoins) {
    parts.push(`${plan.productJoins} product join(s) (every row of one input paired with every row of the other)`);
  }
  return parts.join(", ") || "no estimates found in the plan";
}

/** Null when the plan is within the limits, else the refusal message. */
export function judgePlan(plan: PlanEstimate, dialect: Dialect, limits: ToolLimits): string | null {
  const maxRows = limits.maxEstimatedRows ?? EXPLAIN_DEFAULTS.maxEstimatedRows;
  const maxSeconds = limits.maxEstimatedSeconds ?? EXPLAIN_DEFAULTS.maxEstimatedSeconds;
  const over: string[] = [];
  if (plan.rows !== null && plan.rows > maxRows) {
    over.push(`${fmt(plan.rows)} estimated rows exceed MAX_ESTIMATED_ROWS (${fmt(maxRows)})`);
  }
  if (plan.seconds !== null && plan.seconds > maxSeconds) {
    over.push(`${fmt(plan.seconds)} estimated seconds exceed MAX_ESTIMATED_SECONDS (${fmt(maxSeconds)})`);
  }
  if (!over.length) return null;
  const why = dialect === "teradata"
    ? "Teradata builds the whole answer in spool before the first row comes back, so row_limit does not make it cheaper. "
    : "";
  const narrow = dialect === "teradata"
    ? "add a WHERE condition (best on the primary index), give every joined table a join condition, aggregate " +
      "(GROUP BY, COUNT) instead of listing rows, or read a sample (SAMPLE n, or TOP n without ORDER BY)"
    : "add a WHERE condition, give every joined table a join condition, aggregate (GROUP BY, COUNT) instead of " +
      "listing rows, or add LIMIT";
  return `Not run: the plan (EXPLAIN, checked first) shows ${describePlan(plan)}; ${over.join(" and ")}. ${why}` +
    `Narrow the query: ${narrow}.`;
}
