/**
 * PostgreSQL's EXPLAIN of a write without ANALYZE: it plans the write and runs nothing, so the read-only guard admits
 * it (in the call's read-only transaction), which lets a tool show a write's row estimate before the user confirms
 * it, without a write transaction. Only option lists and statements known to plan without running are admitted.
 * @module
 */
import type { Sig } from "./guard_calls.ts";
import type { CheckScope } from "./guard_calls.ts";
import { closingParen, isOp, isWord } from "./guard_read.ts";
import { words } from "./guard_words.ts";

/**
 * EXPLAIN options that only shape the plan's report (no ANALYZE, BUFFERS, WAL, TIMING...), and their values. A quoted
 * option name (`"analyze"`, which PostgreSQL reads as ANALYZE) or a number (`ANALYZE 1`) is not a word: refused.
 */
const PLAN_ONLY_OPTIONS = words("FORMAT TEXT JSON XML YAML VERBOSE COSTS SETTINGS GENERIC_PLAN TRUE FALSE ON OFF");
/** The writes EXPLAIN plans. */
const PLANNED_WRITES = words("INSERT UPDATE DELETE MERGE");

/** Whether `sig` is `EXPLAIN [VERBOSE | (plan-only options)] INSERT|UPDATE|DELETE|MERGE ...` on such a dialect. */
export function plannedWrite(sig: Sig, scope: CheckScope): boolean {
  if (!scope.syntax.explainPlansWrites || !isWord(sig[0], "EXPLAIN")) return false;
  let i = 1;
  if (isOp(sig[1], "(")) {
    const close = closingParen(sig, 1);
    if (close < 0) return false;
    for (const token of sig.slice(2, close)) {
      if (isOp(token, ",")) continue;
      if (token.kind !== "word" || !PLAN_ONLY_OPTIONS.has(token.value)) return false;
    }
    i = close + 1;
  } else if (isWord(sig[1], "VERBOSE")) {
    i = 2;
  }
  return sig[i]?.kind === "word" && PLANNED_WRITES.has(sig[i].value);
}
