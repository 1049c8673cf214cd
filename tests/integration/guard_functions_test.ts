/**
 * The guard's function classification and literal decoding, held against a
 * real PostgreSQL 15: the catalog must not hold a volatile function or a
 * SQL-text function the classification has not reviewed, its names must
 * exist, and string literals must decode exactly as the server reads them
 * under both settings of standard_conforming_strings.
 * @module
 */
import assert from "node:assert/strict";
import { FUNCTION_RULES, functionRule } from "../../connection/guard_functions.ts";
import { literalValue } from "../../connection/guard_literals.ts";
import { loadOdbc } from "../../connection/odbc.ts";
import { DIALECT_LEX_OPTIONS, type LexOptions, tokenize } from "../../connection/sql_tokens.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { toDatabaseError } from "../../connection/errors.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const ignore = !pgUri();

/**
 * Volatile functions of pg_catalog reviewed as plain (class c): they read
 * state or act only on the caller's own view of it.
 */
const REVIEWED_PLAIN = new Set([
  // reads of sizes, positions, status, configuration files and statistics
  ..."pg_database_size pg_indexes_size pg_relation_size pg_table_size pg_tablespace_size pg_total_relation_size".split(
    " ",
  ),
  ..."pg_current_wal_flush_lsn pg_current_wal_insert_lsn pg_current_wal_lsn pg_last_wal_receive_lsn".split(" "),
  ..."pg_last_wal_replay_lsn pg_last_xact_replay_timestamp pg_last_committed_xact pg_is_in_recovery".split(" "),
  ..."pg_is_wal_replay_paused pg_get_wal_replay_pause_state pg_get_wal_resource_managers pg_control_checkpoint".split(
    " ",
  ),
  ..."pg_control_init pg_control_recovery pg_control_system pg_current_logfile pg_hba_file_rules".split(" "),
  ..."pg_ident_file_mappings pg_show_all_file_settings pg_show_replication_origin_status pg_lock_status".split(" "),
  ..."pg_blocking_pids pg_safe_snapshot_blocking_pids pg_isolation_test_session_is_blocked pg_prepared_xact".split(" "),
  ..."pg_get_backend_memory_contexts pg_get_multixact_members pg_get_shmem_allocations pg_notification_queue_usage"
    .split(" "),
  ..."pg_partition_ancestors pg_partition_tree pg_sequence_last_value pg_xact_commit_timestamp".split(" "),
  ..."pg_xact_commit_timestamp_origin pg_xact_status txid_status pg_stat_get_recovery_prefetch pg_stat_have_stats"
    .split(" "),
  ..."pg_collation_actual_version pg_database_collation_actual_version pg_jit_available current_query".split(" "),
  ..."currval lastval currtid2 amvalidate".split(" "),
  // the caller's own transaction statistics and snapshot of them
  ..."pg_stat_clear_snapshot pg_stat_force_next_flush".split(" "),
  // PL/pgSQL's entry points (the inline handler takes an internal argument; the validator only checks a body)
  ..."plpgsql_inline_handler plpgsql_validator".split(" "),
  // values only: time, randomness, waiting (bounded by the call's timeout)
  ..."clock_timestamp timeofday random gen_random_uuid pg_sleep pg_sleep_for pg_sleep_until".split(" "),
]);

/** Classified names that a stock PostgreSQL 15 catalog lacks: contrib extensions and earlier versions' names. */
const NOT_IN_CORE = new Set(
  ("crosstab crosstab2 crosstab3 crosstab4 connectby xpath_table pg_stat_statements_reset heap_force_kill " +
    "heap_force_freeze pg_truncate_visibility_map autoprewarm_start_worker autoprewarm_dump_now pg_logdir_ls " +
    "pg_switch_xlog pg_xlog_replay_pause pg_xlog_replay_resume pg_start_backup pg_stop_backup")
    .split(" "),
);

async function catalogNames(where: string): Promise<string[]> {
  const out = await pgAdmin(`SELECT DISTINCT p.proname FROM pg_proc p WHERE ${where} ORDER BY 1`);
  return out.split("\n").filter(Boolean);
}

const CORE = "p.pronamespace = 'pg_catalog'::regnamespace";

Deno.test({
  name: "every volatile PostgreSQL catalog function is classified or reviewed as plain",
  ignore,
  async fn() {
    const handlers = "'trigger', 'internal', 'event_trigger', 'language_handler', 'index_am_handler', " +
      "'table_am_handler', 'tsm_handler', 'fdw_handler'";
    const names = await catalogNames(
      `${CORE} AND p.provolatile = 'v' AND p.prorettype::regtype::text NOT IN (${handlers})`,
    );
    assert.ok(names.length > 100, `only ${names.length} volatile functions found`);
    const reviewed = (name: string) => REVIEWED_PLAIN.has(name) || name.startsWith("pg_stat_get_"); // statistics reads
    const unreviewed = names.filter((name) => !functionRule(name, "postgres") && !reviewed(name));
    assert.deepEqual(unreviewed, [], "classify these in guard_functions.ts or review them as plain here");
    const stale = [...REVIEWED_PLAIN].filter((name) => !names.includes(name));
    assert.deepEqual(stale, [], "reviewed names no longer volatile (or gone)");
  },
});

Deno.test({
  name: "every PostgreSQL function with a SQL-text argument is classified as running SQL",
  ignore,
  async fn() {
    const names = await catalogNames(
      `EXISTS (SELECT 1 FROM unnest(p.proargnames, p.proargmodes) AS a(name, mode)
        WHERE coalesce(a.mode, 'i') IN ('i', 'b', 'v') AND a.name ~* '^(sql|query|sqlquery|statement|stmt|command|cmd)$')`,
    );
    assert.ok(names.includes("ts_stat"), names.join(" "));
    const missing = names.filter((name) => functionRule(name, "postgres")?.kind !== "runs-sql");
    assert.deepEqual(missing, [], "these take SQL text: classify them as runs-sql");
  },
});

Deno.test({
  name: "every PostgreSQL function the guard names exactly exists in the catalog or in a contrib extension",
  ignore,
  async fn() {
    const names = new Set(await catalogNames(CORE));
    const missing = FUNCTION_RULES.filter((rule) => rule.dialects.includes("postgres"))
      .flatMap((rule) => rule.names)
      .filter((name) => !name.endsWith("*") && !names.has(name) && !NOT_IN_CORE.has(name));
    assert.deepEqual(missing, [], "misspelt, or add them to NOT_IN_CORE with their extension");
  },
});

/** Literals and, for each reading, whether tdmcp decodes them; the server is the judge. */
const LITERALS = [
  "'plain'",
  "'it''s'",
  "'C:\\temp\\new'",
  "'a\\'b'",
  "E'\\b\\f\\n\\r\\t\\v\\q\\\\'",
  "E'set\\166al \\1010 \\x41z \\x4 \\xg'",
  "E'\\303\\251 \\u00e9 \\U0001F600 \\uD83D\\uDE00'",
  "E'\\303'",
  "E'\\777'",
  "E'\\u12'",
  "E'\\uD83D'",
  "E'\\uDE00'",
  "E'\\'; '' \\''",
  "$$it's \\n$$",
  "$q$ $$ 'x' $q$",
  "'é😀'",
];

Deno.test({
  name: "string literals decode exactly as PostgreSQL reads them, with and without standard_conforming_strings",
  ignore,
  async fn() {
    const odbc = loadOdbc();
    const connection = await odbc.connect(parseDatabaseUri(pgUri()!).connectionString, 10);
    const wrong: string[] = [];
    let compared = 0;
    try {
      for (const conforming of ["on", "off"]) {
        await connection.query(`SET standard_conforming_strings = ${conforming}`);
        const options: LexOptions = {
          ...DIALECT_LEX_OPTIONS.postgres,
          backslash: conforming === "on" ? "e-strings" : "strings",
        };
        for (const literal of LITERALS) {
          const tokens = tokenize(literal, "postgres", options);
          if (tokens.length !== 1) continue; // not one literal under this reading
          const ours = literalValue(tokens[0], options, "postgres");
          let server: string | undefined;
          try {
            const rows = await connection.query(`SELECT encode(convert_to(${literal}, 'UTF8'), 'hex')`);
            server = new TextDecoder().decode(hexBytes(String(rows[0][0])));
          } catch (error) {
            toDatabaseError(error, []); // a literal the server refuses
          }
          compared++;
          if (ours !== server) {
            wrong.push(`${conforming}: ${literal} → tdmcp ${JSON.stringify(ours)}, server ${JSON.stringify(server)}`);
          }
        }
      }
    } finally {
      await connection.close();
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared >= 2 * LITERALS.length - 4, `only ${compared} literals compared`);
  },
});

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}
