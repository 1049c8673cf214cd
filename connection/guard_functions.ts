/**
 * The statement guard's classification of functions, per dialect:
 *
 * - (a) `runs-sql`: functions that run SQL text given as an argument. The
 *   guard lets one through only when every SQL-text argument is a string
 *   literal whose decoded text passes the guard itself (recursively, in the
 *   same mode); a concatenation, column, parameter or subquery is refused.
 * - (b) `side-effect`: functions whose effect escapes the statement's
 *   transaction or the database (sequences, large objects, notifications,
 *   signals, locks, settings, files, replication, WAL, other connections).
 *   Read-only mode refuses them all; write mode refuses those marked
 *   `always` (session state that outlives the call, another server, tdmcp's
 *   own machine or process).
 * - (c) everything else: plain functions.
 *
 * Names are lowercase; a trailing `*` matches every name with that prefix.
 * A dialect whose server's grammar is unknown (`guard.anyServer`: generic) uses every rule of every dialect.
 * Sources: PostgreSQL 15 `pg_proc` (volatile functions of pg_catalog and the
 * contrib extensions shipped with it, read on the test server), the SQLite
 * 3.40 function list of the ODBC driver, Teradata's Open API reference.
 *
 * @module
 */

import { DIALECT_SPECS } from "./dialects/mod.ts";
import type { GuardDialect } from "./guard.ts";
import { DIALECTS } from "./types.ts";

/** What a listed function does that a plain read does not. */
export type FunctionKind = "runs-sql" | "side-effect";

/** One classified function or family of functions. */
export interface FunctionRule {
  kind: FunctionKind;
  /** Lowercase names; a trailing `*` is a prefix match. */
  names: readonly string[];
  /** Dialects whose servers have it (generic always applies every rule). */
  dialects: readonly GuardDialect[];
  /** runs-sql: the 0-based arguments holding SQL text, by argument count; `undefined`: the SQL cannot be checked. */
  sqlArguments?: (count: number) => readonly number[] | undefined;
  /** side-effect: refused in write mode too. */
  always?: boolean;
  /** Also matches a bare name without parentheses (SQLite table-valued functions in FROM). */
  bare?: boolean;
  /** Why it is classified so, completing "name() ...". */
  why: string;
}

const PG = ["postgres"] as const;
const LITE = ["sqlite"] as const;
const TD = ["teradata"] as const;
const GENERIC = ["generic"] as const;

const first = () => [0];

/** Every classified function. Order does not matter; a name belongs to one rule. */
export const FUNCTION_RULES: readonly FunctionRule[] = [
  // (a) functions that run SQL text
  runsSql(PG, "ts_stat", first, "runs its first argument as a query"),
  runsSql(PG, "ts_rewrite", (n) => n === 2 ? [1] : [], "runs its second argument as a query (two-argument form)"),
  runsSql(
    PG,
    "query_to_xml query_to_xmlschema query_to_xml_and_xmlschema",
    first,
    "runs its first argument as a query",
  ),
  runsSql(PG, "crosstab", (n) => n === 2 ? [0, 1] : [0], "runs its text arguments as queries (tablefunc)"),
  runsSql(PG, "crosstab2 crosstab3 crosstab4", first, "runs its first argument as a query (tablefunc)"),
  runsSql(
    PG,
    "connectby xpath_table",
    () => undefined,
    "builds a query from its text arguments, which cannot be checked",
  ),
  runsSql(LITE, "eval", first, "runs its argument as SQL (the eval extension)"),
  runsSql(TD, "sysexecsql", first, "runs its argument as a statement"),
  // (b) side effects outside the transaction, PostgreSQL
  sideEffect(PG, "nextval setval", "advances or sets a sequence, which a rollback does not undo"),
  sideEffect(PG, "lo_* loread lowrite", "reads or writes large objects and server files (lo_import, lo_export)"),
  sideEffect(PG, "pg_notify", "sends a notification to other sessions"),
  sideEffect(PG, "pg_cancel_backend pg_terminate_backend", "cancels or ends other sessions (or tdmcp's own)"),
  sideEffect(
    PG,
    "pg_advisory_lock pg_advisory_lock_shared pg_try_advisory_lock pg_try_advisory_lock_shared",
    "takes a session-level advisory lock, which outlives the call and blocks other sessions",
    true,
  ),
  sideEffect(PG, "pg_advisory_* pg_try_advisory_*", "takes or releases advisory locks other sessions wait on"),
  sideEffect(PG, "set_config", "changes a setting for the whole session (some change how SQL is read)", true),
  sideEffect(
    PG,
    "pg_read_file pg_read_binary_file pg_read_file_old pg_stat_file pg_ls_* pg_file_* pg_logdir_ls",
    "reads, lists or writes files on the database server",
  ),
  sideEffect(
    PG,
    "pg_create_physical_replication_slot pg_create_logical_replication_slot pg_drop_replication_slot " +
      "pg_copy_physical_replication_slot pg_copy_logical_replication_slot pg_replication_slot_advance " +
      "pg_logical_* pg_replication_origin_*",
    "creates, drops or consumes replication slots and origins, or writes WAL messages",
  ),
  sideEffect(PG, "pg_stat_reset* pg_stat_statements_reset", "resets statistics other sessions rely on"),
  sideEffect(
    PG,
    "pg_switch_wal pg_switch_xlog pg_create_restore_point pg_backup_start pg_backup_stop pg_start_backup " +
      "pg_stop_backup pg_wal_replay_pause pg_wal_replay_resume pg_xlog_replay_pause pg_xlog_replay_resume pg_promote",
    "controls WAL, backups or recovery",
  ),
  sideEffect(
    PG,
    "pg_reload_conf pg_rotate_logfile pg_rotate_logfile_old pg_log_backend_memory_contexts",
    "acts on server processes: reloads the configuration or writes the server log",
  ),
  sideEffect(
    PG,
    "dblink*",
    "opens another connection, outside this transaction and its read-only session, and runs SQL there",
    true,
  ),
  sideEffect(PG, "postgres_fdw_disconnect*", "closes connections other queries of the session use"),
  sideEffect(PG, "txid_current pg_current_xact_id", "assigns a transaction id, a write even in a read-only session"),
  sideEffect(
    PG,
    "brin_summarize_new_values brin_summarize_range brin_desummarize_range gin_clean_pending_list",
    "changes an index",
  ),
  sideEffect(
    PG,
    "pg_import_system_collations pg_nextoid pg_stop_making_pinned_objects pg_extension_config_dump binary_upgrade_*",
    "changes the system catalogs (maintenance and upgrade functions)",
  ),
  sideEffect(PG, "pg_export_snapshot", "writes a snapshot file other sessions can import"),
  sideEffect(PG, "heap_force_kill heap_force_freeze pg_truncate_visibility_map", "changes table pages directly"),
  sideEffect(PG, "cursor_to_xml cursor_to_xmlschema", "fetches from (moves) an open cursor, possibly the driver's own"),
  sideEffect(PG, "autoprewarm_start_worker autoprewarm_dump_now", "starts a background worker or writes a file"),
  sideEffect(PG, "setseed", "sets the session's random seed, which outlives the call", true),
  // (b) SQLite: the driver runs inside tdmcp's own process
  sideEffect(LITE, "load_extension", "loads native code into tdmcp's own process", true),
  sideEffect(LITE, "fts3_tokenizer", "reads or replaces a tokenizer's memory address", true),
  sideEffect(LITE, "writefile readfile edit zipfile", "reads or writes files on tdmcp's own machine", true),
  { ...sideEffect(LITE, "fsdir", "lists files on tdmcp's own machine", true), bare: true },
  { ...sideEffect(LITE, "pragma_optimize", "runs ANALYZE, which writes statistics"), bare: true },
  // (b) Teradata: open APIs do not follow transaction rules
  sideEffect(TD, "abortsessions abortlistsessions", "aborts, and can log off, other sessions"),
  sideEffect(TD, "setresourcerate setsessionrate setsessionaccount", "changes monitoring rates or a session's account"),
  sideEffect(TD, "tdwm*", "calls the workload-management API, which changes TASM rules and state"),
  sideEffect(TD, "write_nos", "writes data to external object storage"),
  sideEffect(TD, "script", "runs a program on the database nodes"),
  // (b) other servers reached through a generic ODBC source
  sideEffect(GENERIC, "openquery openrowset opendatasource", "runs SQL on another server", true),
  sideEffect(GENERIC, "get_lock release_lock release_all_locks", "takes or releases a session-level named lock", true),
  sideEffect(GENERIC, "load_file", "reads a file on the database server"),
  sideEffect(GENERIC, "sys_exec sys_eval", "runs an operating-system command", true),
];

/** Package prefixes (Oracle) whose procedures run dynamic SQL, take locks or reach files and the network. */
export const RISKY_PACKAGES: readonly string[] = ["dbms_", "utl_"];

/** Rules by exact name, prefix rules, and rules that match a bare name, for one dialect. */
interface RuleIndex {
  exact: ReadonlyMap<string, FunctionRule>;
  prefixes: readonly (readonly [string, FunctionRule])[];
  bare: ReadonlyMap<string, FunctionRule>;
  /** The bare names, ASCII-uppercased like the tokenizer's words. */
  bareWords: ReadonlySet<string>;
}

const INDEX: Readonly<Record<GuardDialect, RuleIndex>> = Object.fromEntries(
  DIALECTS.map((dialect) => [dialect, indexRules(dialect)]),
) as Record<GuardDialect, RuleIndex>;

/**
 * The rule classifying `name` (lowercase) on `dialect`, or undefined for a
 * plain function (class c). With `called` false (no parenthesis follows),
 * only rules that match a bare name apply.
 */
export function functionRule(name: string, dialect: GuardDialect, called = true): FunctionRule | undefined {
  const index = INDEX[dialect];
  if (!called) return index.bare.size === 0 ? undefined : index.bare.get(name);
  const exact = index.exact.get(name);
  if (exact) return exact;
  for (const [prefix, rule] of index.prefixes) {
    if (name.startsWith(prefix)) return rule;
  }
  return undefined;
}

/** Whether `word` (as the tokenizer's value: uppercase for words) may name a table-valued function used bare. */
export function mayBeBareFunction(word: string, dialect: GuardDialect): boolean {
  const { bareWords } = INDEX[dialect];
  return bareWords.size > 0 && bareWords.has(word.toUpperCase());
}

/** The rules of `dialect`; a dialect whose server's grammar is unknown (`guard.anyServer`) takes every rule. */
function indexRules(dialect: GuardDialect): RuleIndex {
  const anyServer = DIALECT_SPECS[dialect].guard.anyServer;
  const exact = new Map<string, FunctionRule>();
  const prefixes: [string, FunctionRule][] = [];
  const bare = new Map<string, FunctionRule>();
  for (const rule of FUNCTION_RULES) {
    if (!anyServer && !rule.dialects.includes(dialect)) continue;
    for (const name of rule.names) {
      if (name.endsWith("*")) prefixes.push([name.slice(0, -1), rule]);
      else if (!exact.has(name)) exact.set(name, rule);
      if (rule.bare) bare.set(name, rule);
    }
  }
  return { exact, prefixes, bare, bareWords: new Set([...bare.keys()].map((name) => name.toUpperCase())) };
}

function runsSql(
  dialects: readonly GuardDialect[],
  names: string,
  sqlArguments: (count: number) => readonly number[] | undefined,
  why: string,
): FunctionRule {
  return { kind: "runs-sql", names: names.split(" "), dialects, sqlArguments, why };
}

function sideEffect(dialects: readonly GuardDialect[], names: string, why: string, always = false): FunctionRule {
  return { kind: "side-effect", names: names.split(" "), dialects, always, why };
}
