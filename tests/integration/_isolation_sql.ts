/**
 * The shape of isolation_test.ts's payloads and the SQL building blocks an
 * attacker uses to hide a statement inside text that PostgreSQL runs.
 * @module
 */

/** What a payload tries to break (every invariant is checked anyway). */
export type Invariant =
  | "read-only" // default_transaction_read_only stays on; a later write is refused
  | "settings" // every setting (pg_settings, custom GUCs, answers' formats) as at start
  | "identity" // current_user / session_user as at start
  | "session" // no prepared statement, held cursor, LISTEN channel or temp object left
  | "advisory" // no advisory lock held after the call
  | "large objects" // no new large object
  | "sequence" // last_value / is_called unchanged
  | "data" // table checksum unchanged
  | "notify" // the listener received nothing
  | "terminations" // no backend terminated (at most `maxKilled`), victim alive
  | "files" // nothing written on the server's file system
  | "answers"; // the server still answers the next calls

/** A call of another tool than `base_readQuery`. */
export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
}

/** One attack: calls sent in order on session A (SQL text goes through `base_readQuery`). */
export interface Payload {
  cls: string;
  label: string;
  aims: Invariant;
  calls: (string | ToolCall)[];
  /** Backend terminations tolerated (default 0): a call that kills its own backend through a function tdmcp cannot see into. */
  maxKilled?: number;
}

/** Names a payload may use. */
export interface Target {
  schema: string;
  table: string;
  sequence: string;
  channel: string;
  /** application_name of a victim session of the server's own role. */
  victimApp: string;
  /** A role the server's role is a member of (SET ROLE target), or a role it is not (for the reader). */
  otherRole: string;
  dir: string;
}

/** SQL text inside a single-quoted literal. */
export function quote(sql: string): string {
  return `'${sql.replaceAll("'", "''")}'`;
}

/** `SELECT * FROM ts_stat('<inner>')`: ts_stat runs the text of its argument (which must yield one tsvector column). */
export function tsStat(inner: string): string {
  return `SELECT * FROM ts_stat(${quote(inner)})`;
}

/** `ts_stat` over a statement whose one value is cast to tsvector. */
export function hidden(expression: string): string {
  return tsStat(`SELECT (${expression})::text::tsvector`);
}

/** Base64 of a UTF-8 string (for payloads that decode their SQL at run time). */
export function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** The seed the random-seed payloads set (the test knows the first random() that follows it). */
export const SEED = 0.42;

/** The review's setting: read-only off for every later transaction of the session. */
export const RO_OFF = "set_config('default_transaction_read_only', 'off', false)";

/** `ts_stat` text that turns read-only off. */
export const RO_INNER = `SELECT ${RO_OFF}::tsvector`;

/** A call of the target schema's `run_sql(text)`: a user-defined function that runs SQL text the guard cannot see. */
export function runSql(t: Target, sql: string): string {
  return `SELECT ${t.schema}.run_sql(${quote(sql)})`;
}
