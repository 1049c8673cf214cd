/**
 * The attacker's payloads for isolation_test.ts: read-only calls (sent
 * through `base_readQuery`) that try to leave something behind on the pooled
 * connection or in the database. Each entry names its class, the invariant
 * it aims at, and the calls sent in order on one session. Every invariant is
 * checked after every payload, whatever the server answered. This file holds
 * the settings classes; `_isolation_effects.ts` the rest.
 * @module
 */
import {
  base64,
  hidden,
  type Payload,
  quote,
  RO_INNER,
  RO_OFF,
  runSql,
  type Target,
  tsStat,
} from "./_isolation_sql.ts";
import { effectPayloads } from "./_isolation_effects.ts";

/** The whole payload table, in the order it runs. */
export function payloads(t: Target): Payload[] {
  return [...settingPayloads(t), ...effectPayloads(t)];
}

/** Payloads that change the session's settings: read-only, formats, timeouts, custom GUCs. */
function settingPayloads(t: Target): Payload[] {
  const run = (sql: string) => runSql(t, sql);
  const roInner = RO_INNER;
  return [
    // ---------------------------------------------------------------- control
    { cls: "control", label: "a plain SELECT", aims: "settings", calls: ["SELECT 1 AS one"] },

    // ------------------------------------------- read-only off, through SQL text
    {
      cls: "read-only/hidden",
      label: "ts_stat with '' quotes (the review's payload)",
      aims: "read-only",
      calls: [tsStat(roInner)],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with a dollar-quoted body",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat($$${roInner}$$)`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with a tagged dollar quote",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat($q$${roInner}$q$)`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with an E'' string (\\' quotes, \\x5f for _)",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat(E'SELECT set\\x5fconfig(\\'default_transaction_read_only\\', \\'off\\', false)::tsvector')`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with a U&'' string (\\005f for _)",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat(U&'SELECT set\\005fconfig(''default_transaction_read_only'', ''off'', false)::tsvector')`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat schema-qualified and quoted",
      aims: "read-only",
      calls: [`SELECT * FROM pg_catalog."ts_stat"(${quote(roInner)})`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with a weights argument",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat(${quote(roInner)}, 'a')`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat in the select list",
      aims: "read-only",
      calls: [`SELECT ts_stat(${quote(roInner)})`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat nested in ts_stat",
      aims: "read-only",
      calls: [tsStat(`SELECT word::tsvector FROM ts_stat(${quote(roInner)})`)],
    },
    {
      cls: "read-only/hidden",
      label: "ts_rewrite runs its second argument",
      aims: "read-only",
      calls: [`SELECT ts_rewrite('a'::tsquery, ${quote(`SELECT ${RO_OFF}::tsquery, 'b'::tsquery`)})`],
    },
    {
      cls: "read-only/hidden",
      label: "query_to_xml",
      aims: "read-only",
      calls: [`SELECT query_to_xml(${quote(`SELECT ${RO_OFF}`)}, true, false, '')`],
    },
    {
      cls: "read-only/hidden",
      label: "query_to_xmlschema",
      aims: "read-only",
      calls: [`SELECT query_to_xmlschema(${quote(`SELECT ${RO_OFF}`)}, true, false, '')`],
    },
    {
      cls: "read-only/hidden",
      label: "query_to_xml inside ts_stat",
      aims: "read-only",
      calls: [hidden(`length(query_to_xml(${quote(`SELECT ${RO_OFF}`)}, true, false, '')::text)`)],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat over a WITH query",
      aims: "read-only",
      calls: [tsStat(`WITH x AS MATERIALIZED (SELECT ${RO_OFF} AS v) SELECT v::tsvector FROM x`)],
    },
    {
      cls: "read-only/hidden",
      label: "ts_rewrite inside ts_stat",
      aims: "read-only",
      calls: [hidden(`ts_rewrite('a'::tsquery, ${quote(`SELECT ${RO_OFF}::tsquery, 'b'::tsquery`)})`)],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat in ROWS FROM",
      aims: "read-only",
      calls: [`SELECT * FROM ROWS FROM (ts_stat(${quote(roInner)}))`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat sets transaction_read_only (too late in the transaction)",
      aims: "read-only",
      calls: [hidden("set_config('transaction_read_only', 'off', false)")],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of concatenated text",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat('SELECT set_' || 'config(''default_transaction_read_only'', ''off'', false)::tsvector')`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of replace()d text",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat(replace(${quote(roInner.replace("set_config", "sXt_config"))}, 'sXt', 'set'))`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of base64-decoded text",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat(convert_from(decode('${base64(roInner)}', 'base64'), 'UTF8'))`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of format()",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat(format('SELECT %s(%L, %L, false)::tsvector', 'set_config', 'default_transaction_read_only', 'off'))`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of a column value",
      aims: "read-only",
      calls: [`SELECT s.* FROM (VALUES (${quote(roInner)})) AS v(q), LATERAL ts_stat(v.q) AS s`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of chr()-built text",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat('SELECT set' || chr(95) || 'config(''default_transaction_read_only'', ''off'', false)::tsvector')`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of two literals joined across a newline (SQL's string continuation)",
      aims: "read-only",
      calls: [
        `SELECT * FROM ts_stat('SELECT set_'\n'config(''default_transaction_read_only'', ''off'', false)::tsvector')`,
      ],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with a named argument",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat(query => ${quote(roInner)})`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat of a literal cast to text",
      aims: "read-only",
      calls: [`SELECT * FROM ts_stat(CAST(${quote(roInner)} AS text))`],
    },
    {
      cls: "read-only/hidden",
      label: "ts_stat with nested block comments around set_config",
      aims: "read-only",
      calls: [tsStat(`SELECT /* /* */ 1 /* */ */ ${RO_OFF}::tsvector`)],
    },

    // ------------------------------------------- read-only off, in plain sight
    {
      cls: "read-only/plain",
      label: "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
      aims: "read-only",
      calls: ["SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"],
    },
    {
      cls: "read-only/plain",
      label: "SET default_transaction_read_only = off",
      aims: "read-only",
      calls: ["SET default_transaction_read_only = off"],
    },
    { cls: "read-only/plain", label: "RESET ALL", aims: "read-only", calls: ["RESET ALL"] },
    { cls: "read-only/plain", label: "DISCARD ALL", aims: "read-only", calls: ["DISCARD ALL"] },
    { cls: "read-only/plain", label: "SELECT set_config(...)", aims: "read-only", calls: [`SELECT ${RO_OFF}`] },
    {
      cls: "read-only/plain",
      label: 'pg_catalog."set_config" in FROM',
      aims: "read-only",
      calls: [`SELECT * FROM pg_catalog."set_config"('default_transaction_read_only', 'off', false)`],
    },
    {
      cls: "read-only/plain",
      label: 'U&"set\\005fconfig"',
      aims: "read-only",
      calls: [`SELECT U&"set\\005fconfig"('default_transaction_read_only', 'off', false)`],
    },
    {
      cls: "read-only/plain",
      label: "EXPLAIN ANALYZE runs set_config",
      aims: "read-only",
      calls: [`EXPLAIN ANALYZE SELECT ${RO_OFF}`],
    },
    {
      cls: "read-only/plain",
      label: "ODBC escape {call set_config(...)}",
      aims: "read-only",
      calls: [`{call set_config('default_transaction_read_only', 'off', false)}`],
    },
    {
      cls: "read-only/plain",
      label: "ODBC escape {fn set_config(...)} inside a SELECT",
      aims: "read-only",
      calls: [`SELECT {fn set_config('default_transaction_read_only', 'off', false)}`],
    },
    {
      cls: "read-only/plain",
      label: "UPDATE pg_settings inside ts_stat",
      aims: "read-only",
      calls: [
        tsStat(
          "UPDATE pg_settings SET setting = 'off' WHERE name = 'default_transaction_read_only' RETURNING setting::tsvector",
        ),
      ],
    },
    {
      cls: "read-only/udf",
      label: "run_sql('SET SESSION CHARACTERISTICS ... READ WRITE')",
      aims: "read-only",
      calls: [run("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")],
    },
    { cls: "read-only/udf", label: "run_sql('RESET ALL')", aims: "read-only", calls: [run("RESET ALL")] },

    // ------------------------------------------------------ other settings
    ...([
      ["DateStyle", "SQL, DMY"],
      ["TimeZone", "Pacific/Kiritimati"],
      ["extra_float_digits", "-15"],
      ["search_path", "nowhere"],
      ["statement_timeout", "1"],
      ["lock_timeout", "1"],
      ["idle_in_transaction_session_timeout", "1"],
      ["client_encoding", "LATIN1"],
      ["standard_conforming_strings", "off"],
      ["bytea_output", "escape"],
      ["IntervalStyle", "sql_standard"],
      ["transform_null_equals", "on"],
      ["application_name", "spoofed"],
      ["work_mem", "64"],
      ["default_text_search_config", "pg_catalog.simple"],
      ["default_transaction_isolation", "serializable"],
      ["row_security", "off"],
      ["lc_monetary", "C"],
      ["xmloption", "document"],
      ["session_replication_role", "replica"],
    ] as const).map(([name, value]): Payload => ({
      cls: "settings/hidden",
      label: `ts_stat sets ${name} = ${value}`,
      aims: "settings",
      calls: [hidden(`set_config('${name}', '${value}', false)`)],
    })),
    { cls: "settings/plain", label: "SET DateStyle", aims: "settings", calls: ["SET DateStyle = 'SQL, DMY'"] },
    {
      cls: "settings/plain",
      label: "SELECT set_config('extra_float_digits')",
      aims: "settings",
      calls: ["SELECT set_config('extra_float_digits', '-15', false)"],
    },
    { cls: "settings/plain", label: "SET TimeZone", aims: "settings", calls: ["SET TIME ZONE 'Pacific/Kiritimati'"] },
    {
      cls: "settings/udf",
      label: "run_sql('SET DateStyle ...')",
      aims: "settings",
      calls: [run("SET DateStyle = 'SQL, DMY'")],
    },
    {
      cls: "settings/udf",
      label: "run_sql('SET statement_timeout = 1')",
      aims: "answers",
      calls: [run("SET statement_timeout = 1")],
    },
    {
      cls: "settings/udf",
      label: "run_sql('SET search_path ...')",
      aims: "settings",
      calls: [run("SET search_path = nowhere")],
    },

    // --------------------------------------------- custom GUCs: a hidden channel
    {
      cls: "custom GUC",
      label: "ts_stat sets my.flag",
      aims: "settings",
      calls: [hidden("set_config('my.flag', 'secret-from-a', false)")],
    },
    {
      cls: "custom GUC",
      label: "query_to_xml sets tdmcp.flag",
      aims: "settings",
      calls: [`SELECT query_to_xml('SELECT set_config(''tdmcp.flag'', ''x'', false)', true, false, '')`],
    },
    { cls: "custom GUC", label: "SET my.flag", aims: "settings", calls: ["SET my.flag = 'secret'"] },
    { cls: "custom GUC", label: "run_sql sets my.flag", aims: "settings", calls: [run("SET my.flag = 'secret'")] },
    {
      cls: "custom GUC",
      label: "a transaction-local set_config leaves a placeholder",
      aims: "settings",
      calls: [hidden("set_config('my.flag', 'local', true)")],
    },
  ];
}
