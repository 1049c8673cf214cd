/**
 * The guard's Teradata rules, each from Teradata's SQL documentation:
 *
 * - reads the generic rules would refuse: temporal qualifiers before a
 *   query (`CURRENT VALIDTIME`, `NONSEQUENCED TRANSACTIONTIME`,
 *   `VALIDTIME AS OF ...`; Temporal Table Support), `EXPLAIN` of a write
 *   (the EXPLAIN request modifier reports the plan without executing the
 *   request; only a DYNAMIC plan runs part of it), and the comment-retrieving
 *   form of `COMMENT` (no comment string: it returns the comment);
 * - writes hidden in a read: `SELECT AND CONSUME` (it deletes the row it
 *   returns from a queue table and waits on an empty queue), a table
 *   operator's `OUT [PERMANENT | VOLATILE] TABLE` clause (the function
 *   writes its output into a table) and `FOREIGN TABLE (...)` (QueryGrid
 *   sends its text to another server without parsing it);
 * - Teradata-specific reasons for `SET QUERY_BAND` and `DATABASE`.
 *
 * @module
 */

import type { Sig } from "./guard_calls.ts";
import { words, WRITE_HINT } from "./guard_words.ts";
import type { Token } from "./sql_tokens.ts";

/** Words that start a temporal qualifier. */
export const TEMPORAL_STARTS = words("CURRENT NONSEQUENCED SEQUENCED VALIDTIME TRANSACTIONTIME");
const DIMENSIONS = words("VALIDTIME TRANSACTIONTIME");
/** Words of a period or AS OF value outside parentheses (PERIOD '(...)', DATE '...', CURRENT_DATE - 1, ...). */
const VALUE_WORDS = words(
  "PERIOD DATE TIMESTAMP TIME CURRENT_DATE CURRENT_TIMESTAMP CURRENT_TIME INTERVAL DAY MONTH YEAR HOUR MINUTE SECOND TO",
);
/** The writes EXPLAIN may report on (Teradata abbreviations included). */
const EXPLAINED_WRITES = words("INSERT INS UPDATE UPD DELETE DEL MERGE UPSERT");
/** Teradata's EXPLAIN options; DYNAMIC is left out on purpose: it runs the request's earlier plan fragments. */
const STATIC_EXPLAIN_OPTIONS = words("IN XML NODDLTEXT STATIC");
/** Object kinds of COMMENT [ON] kind name. */
const COMMENT_KINDS = words(
  "COLUMN FUNCTION GROUP MACRO METHOD PROCEDURE PROFILE ROLE TRIGGER TYPE VIEW DATABASE TABLE USER FILE",
);
/** Words whose meaning the per-token check in {@linkcode teradataHiddenWrite} looks at. */
export const TERADATA_TRIGGERS = words("CONSUME OUT FOREIGN");

/**
 * The index after the temporal qualifier(s) starting at `start`
 * (`CURRENT VALIDTIME`, `SEQUENCED VALIDTIME PERIOD '(...)'`,
 * `VALIDTIME AS OF DATE '...' AND NONSEQUENCED TRANSACTIONTIME`, ...),
 * or -1 when the words there are not one.
 */
export function temporalQualifierEnd(sig: Sig, start: number): number {
  let i = start;
  for (;;) {
    const word = wordAt(sig, i);
    if (word === "CURRENT" || word === "NONSEQUENCED" || word === "SEQUENCED") i++;
    if (!DIMENSIONS.has(wordAt(sig, i))) return -1;
    if (word === "SEQUENCED" && wordAt(sig, i) !== "VALIDTIME") return -1;
    i++;
    if (wordAt(sig, i) === "AS" && wordAt(sig, i + 1) === "OF") i += 2;
    i = valueEnd(sig, i);
    if (i < 0) return -1;
    if (wordAt(sig, i) !== "AND" || !TEMPORAL_STARTS.has(wordAt(sig, i + 1))) return i;
    i++;
  }
}

/**
 * Where the write explained by a Teradata `EXPLAIN [IN XML [NODDLTEXT]]
 * [STATIC] write` starts (after an optional temporal qualifier), or -1 when
 * `sig` is not one. EXPLAIN reports the plan of a static request without
 * executing it; `EXPLAIN DYNAMIC` runs all plan fragments but the last, so
 * it is not accepted for a write.
 */
export function explainedWriteStart(sig: Sig): number {
  if (wordAt(sig, 0) !== "EXPLAIN") return -1;
  let i = 1;
  while (STATIC_EXPLAIN_OPTIONS.has(wordAt(sig, i))) i++;
  if (TEMPORAL_STARTS.has(wordAt(sig, i))) i = temporalQualifierEnd(sig, i);
  return i >= 0 && EXPLAINED_WRITES.has(wordAt(sig, i)) ? i : -1;
}

/** Whether `sig` is the comment-retrieving form `COMMENT [ON] [kind] [db.]name` (no comment string). */
export function isCommentRead(sig: Sig): boolean {
  let i = wordAt(sig, 1) === "ON" ? 2 : 1;
  if (wordAt(sig, i) === "GLOP" && wordAt(sig, i + 1) === "SET") i += 2;
  else if (COMMENT_KINDS.has(wordAt(sig, i)) && isName(sig[i + 1])) i++;
  if (!isName(sig[i])) return false;
  i++;
  while (isOp(sig[i], ".") && isName(sig[i + 1])) i += 2;
  return i === sig.length;
}

/** Why the word at `n` writes, on Teradata, inside a statement that reads as a query; undefined when it does not. */
export function teradataHiddenWrite(sig: Sig, n: number): string | undefined {
  const word = sig[n].value;
  if (word === "CONSUME" && isConsume(sig, n)) {
    return `SELECT AND CONSUME deletes the row it returns from a queue table (and waits while the queue is empty); read the queue with a plain SELECT; ${WRITE_HINT}`;
  }
  const out = outTable(sig, n);
  if (out) {
    return `${out} makes the function write its output into a table; remove the OUT TABLE clause to get the rows back instead; ${WRITE_HINT}`;
  }
  if (word === "FOREIGN" && wordAt(sig, n + 1) === "TABLE") return FOREIGN_TABLE;
  return undefined;
}

/**
 * What `--allow-write` still refuses on Teradata: a consuming SELECT (it
 * waits on an empty queue, holding the pooled session), FOREIGN TABLE
 * pass-through, and an OUT TABLE clause that creates a volatile table.
 */
export function teradataWriteProblem(sig: Sig): string | undefined {
  for (const [n, token] of sig.entries()) {
    if (token.kind !== "word" || !TERADATA_TRIGGERS.has(token.value)) continue;
    if (token.value === "CONSUME" && isConsume(sig, n)) {
      return "SELECT AND CONSUME waits while the queue table is empty, holding the pooled session until another session inserts a row; consume with DELETE ... WHERE on the queue table instead";
    }
    if (token.value === "FOREIGN" && wordAt(sig, n + 1) === "TABLE") return FOREIGN_TABLE;
    const out = outTable(sig, n);
    if (out && out !== "OUT PERMANENT TABLE") {
      const creates = out === "OUT TABLE" ? "may create" : "creates";
      return `${out} ${creates} a volatile table, which lives only in this call's session; write OUT PERMANENT TABLE or create a regular table`;
    }
  }
  return undefined;
}

/** A Teradata-specific reason to refuse the session statement at `start` (SET QUERY_BAND, DATABASE), or undefined. */
export function teradataSessionReason(sig: Sig, start: number): string | undefined {
  const word = wordAt(sig, start);
  if (word === "SET" && wordAt(sig, start + 1) === "QUERY_BAND") {
    return "SET QUERY_BAND changes the query band Teradata's workload rules and query logging classify this session by, which tdmcp sets itself for each call; send only the query";
  }
  if (word === "DATABASE") {
    return "DATABASE changes the pooled session's default database, which tdmcp's tools and the next calls rely on; qualify names instead (database.table)";
  }
  return undefined;
}

const FOREIGN_TABLE =
  "FOREIGN TABLE (...) sends its text to another server through QueryGrid without Teradata parsing it, so tdmcp cannot check what runs there; remove it";

/** SELECT AND CONSUME (or SEL AND CONSUME) with CONSUME at `n`. */
function isConsume(sig: Sig, n: number): boolean {
  const select = wordAt(sig, n - 2);
  return wordAt(sig, n - 1) === "AND" && (select === "SELECT" || select === "SEL");
}

/** "OUT [PERMANENT | VOLATILE] TABLE" at `n`, as written, or undefined. */
function outTable(sig: Sig, n: number): string | undefined {
  if (wordAt(sig, n) !== "OUT") return undefined;
  if (wordAt(sig, n + 1) === "TABLE") return "OUT TABLE";
  const kind = wordAt(sig, n + 1);
  return (kind === "PERMANENT" || kind === "VOLATILE") && wordAt(sig, n + 2) === "TABLE"
    ? `OUT ${kind} TABLE`
    : undefined;
}

/** The index after a period or AS OF value at `i` (literals, operators, value words, parenthesised groups); -1 if unbalanced. */
function valueEnd(sig: Sig, i: number): number {
  while (i < sig.length) {
    const token = sig[i];
    if (isOp(token, "(")) {
      let depth = 0;
      for (; i < sig.length; i++) {
        if (isOp(sig[i], "(")) depth++;
        else if (isOp(sig[i], ")") && --depth === 0) break;
      }
      if (i === sig.length) return -1;
      i++;
    } else if (
      token.kind === "string" || token.kind === "number" || (token.kind === "operator" && token.text !== ")") ||
      (token.kind === "word" && VALUE_WORDS.has(token.value))
    ) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

function wordAt(sig: Sig, n: number): string {
  const token = sig[n];
  return token?.kind === "word" ? token.value : "";
}

function isName(token: Token | undefined): boolean {
  return token?.kind === "word" || token?.kind === "quoted";
}

function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "operator" && token.text === text;
}
