import assert from "node:assert/strict";
import { checkReadOnly, type GuardDialect, MAX_SQL_TEXT_DEPTH } from "../../connection/guard.ts";
import { FUNCTION_RULES, functionRule } from "../../connection/guard_functions.ts";

type Case = readonly [why: string, sql: string, dialects: GuardDialect[], reason: RegExp];

const PG: GuardDialect[] = ["postgres", "generic"];
const PG_ONLY: GuardDialect[] = ["postgres"];
const LITE: GuardDialect[] = ["sqlite", "generic"];
const TD: GuardDialect[] = ["teradata", "generic"];
const GENERIC: GuardDialect[] = ["generic"];

// SQL text carried past the guard inside a string: every payload class of the review, and the ways to wrap it.
const SQL_TEXT: readonly Case[] = [
  [
    "ts_stat running setval",
    "SELECT * FROM ts_stat('SELECT to_tsvector(''x'') FROM (SELECT setval(''s'', 1)) q')",
    PG,
    /ts_stat\(\) would run SQL that is not a plain read: setval\(\)/,
  ],
  [
    "ts_rewrite running nextval",
    "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery FROM (SELECT nextval(''s'')) q')",
    PG,
    /ts_rewrite\(\) would run .*nextval\(\)/,
  ],
  [
    "query_to_xml creating a large object",
    "SELECT query_to_xml('SELECT lo_from_bytea(0, ''x'')', true, false, '')",
    PG,
    /lo_from_bytea\(\)/,
  ],
  [
    "query_to_xmlschema sending a notification",
    "SELECT query_to_xmlschema('SELECT pg_notify(''c'', ''x'')', true, false, '')",
    PG,
    /pg_notify\(\)/,
  ],
  [
    "query_to_xml_and_xmlschema ending other sessions",
    "SELECT query_to_xml_and_xmlschema('SELECT pg_terminate_backend(pid) FROM pg_stat_activity', true, false, '')",
    PG,
    /pg_terminate_backend\(\)/,
  ],
  [
    "query_to_xml ending tdmcp's own session",
    "SELECT query_to_xml('SELECT pg_terminate_backend(pg_backend_pid())', true, false, '')",
    PG,
    /pg_terminate_backend\(\)/,
  ],
  [
    "query_to_xml changing a setting",
    "SELECT query_to_xml('SELECT set_config(''standard_conforming_strings'', ''off'', false)', true, false, '')",
    PG,
    /set_config\(\)/,
  ],
  [
    "query_to_xml taking an advisory lock",
    "SELECT query_to_xml('SELECT pg_advisory_lock(1)', true, false, '')",
    PG,
    /pg_advisory_lock\(\)/,
  ],
  [
    "query_to_xml cancelling a backend",
    "SELECT query_to_xml('SELECT pg_cancel_backend(1)', true, false, '')",
    PG,
    /pg_cancel_backend\(\)/,
  ],
  [
    "ts_stat nested in ts_stat",
    "SELECT * FROM ts_stat('SELECT * FROM ts_stat(''SELECT pg_notify(''''c'''', ''''x'''')'')')",
    PG,
    /ts_stat\(\) would run .*ts_stat\(\) would run .*pg_notify\(\)/,
  ],
  [
    "a dollar-quoted payload containing quotes",
    "SELECT query_to_xml($q$SELECT setval('s', 1)$q$, true, false, '')",
    PG_ONLY,
    /setval\(\)/,
  ],
  ["a $$ payload", "SELECT * FROM ts_stat($$SELECT to_tsvector(nextval('s')::text)$$)", PG_ONLY, /nextval\(\)/],
  [
    "an E-string payload with escaped quotes",
    "SELECT query_to_xml(E'SELECT setval(\\'s\\', 1)', true, false, '')",
    PG_ONLY,
    /setval\(\)/,
  ],
  [
    "an E-string hiding the name in an octal escape",
    "SELECT query_to_xml(E'SELECT set\\166al(''s'', 1)', true, false, '')",
    PG_ONLY,
    /setval\(\)/,
  ],
  [
    "an E-string hiding the name in a hex escape",
    "SELECT query_to_xml(E'SELECT pg_notif\\x79(''c'', ''x'')', true, false, '')",
    PG_ONLY,
    /pg_notify\(\)/,
  ],
  [
    "an E-string hiding the name in a Unicode escape",
    "SELECT query_to_xml(E'SELECT lo_from_byte\\u0061(0, ''x'')', true, false, '')",
    PG_ONLY,
    /lo_from_bytea\(\)/,
  ],
  [
    "an E-string escape PostgreSQL rejects",
    "SELECT query_to_xml(E'SELECT \\u12', true, false, '')",
    PG_ONLY,
    /cannot read that literal exactly/,
  ],
  [
    "an E-string payload on a generic source, which may not know E-strings",
    "SELECT query_to_xml(E'SELECT 1', true, false, '')",
    GENERIC,
    /one string literal/,
  ],
  [
    "a plain string whose escapes work only without standard_conforming_strings",
    "SELECT query_to_xml('SELECT set\\166al(''s'', 1)', true, false, '')",
    PG_ONLY,
    /setval\(\).*backslashes escape quotes in strings/,
  ],
  ["a U&'' string", "SELECT query_to_xml(U&'SELECT set\\0076al(''s'', 1)', true, false, '')", PG, /one string literal/],
  ["a cast to text", "SELECT query_to_xml('SELECT setval(''s'', 1)'::text, true, false, '')", PG, /not a cast/],
  ["a CAST(... AS text)", "SELECT query_to_xml(CAST('SELECT 1' AS text), true, false, '')", PG, /one string literal/],
  [
    "a concatenation",
    "SELECT query_to_xml('SELECT set' || 'val(''s'', 1)', true, false, '')",
    PG,
    /not a concatenation/,
  ],
  ["a column", "SELECT query_to_xml(q, true, false, '') FROM (SELECT 'SELECT 1' AS q) s", PG, /not an expression/],
  ["a parameter", "SELECT query_to_xml($1, true, false, '')", PG_ONLY, /not a parameter/],
  ["a subquery", "SELECT query_to_xml((SELECT 'SELECT 1'), true, false, '')", PG, /subquery/],
  ["a parenthesised literal", "SELECT query_to_xml(('SELECT 1'), true, false, '')", PG, /one string literal/],
  ["a typed literal", "SELECT query_to_xml(text 'SELECT 1', true, false, '')", PG, /one string literal/],
  [
    "two literals continued over a newline",
    "SELECT query_to_xml('SELECT set'\n'val(''s'', 1)', true, false, '')",
    PG,
    /one string literal/,
  ],
  [
    "named arguments",
    "SELECT query_to_xml(query => 'SELECT setval(''s'', 1)', nulls => true, tableforest => false, targetns => '')",
    PG,
    /by position/,
  ],
  ["named arguments with :=", "SELECT * FROM ts_stat(query := 'SELECT 1')", PG, /by position/],
  [
    "a schema-qualified call",
    "SELECT pg_catalog.query_to_xml('SELECT nextval(''s'')', true, false, '')",
    PG,
    /nextval\(\)/,
  ],
  ["a quoted name", "SELECT \"query_to_xml\"('SELECT nextval(''s'')', true, false, '')", PG, /nextval\(\)/],
  ["a quoted, schema-qualified name", "SELECT \"pg_catalog\".\"ts_stat\"('SELECT nextval(''s'')')", PG, /nextval\(\)/],
  ["ROWS FROM", "SELECT * FROM ROWS FROM (ts_stat('SELECT setval(''s'', 1)')) AS r", PG, /setval\(\)/],
  ["a LATERAL table function", "SELECT * FROM t, LATERAL ts_stat('SELECT setval(''s'', 1)') AS r", PG, /setval\(\)/],
  [
    "a comment between name and parenthesis",
    "SELECT query_to_xml /* x */ ('SELECT nextval(''s'')', true, false, '')",
    PG,
    /nextval\(\)/,
  ],
  ["COPY inside a string", "SELECT query_to_xml('COPY t TO ''/tmp/x''', true, false, '')", PG, /COPY writes files/],
  [
    "a DO block inside a string",
    "SELECT query_to_xml('DO $$BEGIN DELETE FROM t; END$$', true, false, '')",
    PG_ONLY,
    /DO runs a procedure/,
  ],
  [
    "two statements inside a string",
    "SELECT query_to_xml('SELECT 1; SELECT setval(''s'', 1)', true, false, '')",
    PG,
    /found 2/,
  ],
  [
    "a DELETE inside a string",
    "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, false, '')",
    PG,
    /DELETE is a write/,
  ],
  [
    "SELECT INTO inside a string",
    "SELECT query_to_xml('SELECT * INTO t2 FROM t', true, false, '')",
    PG,
    /INTO creates a table/,
  ],
  [
    "SET inside a string",
    "SELECT query_to_xml('SET standard_conforming_strings = off', true, false, '')",
    PG,
    /SET changes session/,
  ],
  [
    "crosstab running a write",
    "SELECT * FROM crosstab('SELECT nextval(''s''), 1, 2') AS c(a int, b int)",
    PG,
    /crosstab\(\) would run/,
  ],
  [
    "crosstab's second query",
    "SELECT * FROM crosstab('SELECT 1, 2, 3', 'SELECT setval(''s'', 1)') AS c(a int, b int)",
    PG,
    /setval\(\)/,
  ],
  [
    "connectby, which builds its query from pieces",
    "SELECT * FROM connectby('t', 'id', 'parent', '1', 0) AS c(id int, p int, l int)",
    PG,
    /builds a query from its text arguments/,
  ],
  [
    "xpath_table, which builds its query from pieces",
    "SELECT * FROM xpath_table('id', 'doc', 't', '/a', 'true; DELETE') AS x(id int, a text)",
    PG,
    /builds a query/,
  ],
  ["the eval extension in SQLite", "SELECT eval('DELETE FROM t')", LITE, /eval\(\) would run/],
  ["SysExecSQL on Teradata", "CALL DBC.SysExecSQL('DELETE FROM t')", ["teradata"], /CALL runs/],
];

const UNCLOSED: Case = ["an unclosed SQL-text call", "SELECT * FROM ts_stat('SELECT nextval(''s'')'", PG, /unbalanced/];

// Functions whose effects escape the transaction or the database, one or more per family.
const SIDE_EFFECTS: readonly Case[] = [
  ...[
    "nextval('s')",
    "setval('s', 1)",
    "lo_import('/etc/hostname')",
    "lo_from_bytea(0, 'x')",
    "lo_put(1, 0, 'x')",
    "lo_unlink(1)",
    "lowrite(0, 'x')",
    "pg_notify('c', 'x')",
    "pg_cancel_backend(1)",
    "pg_terminate_backend(1)",
    "pg_advisory_lock(1)",
    "pg_try_advisory_xact_lock(1)",
    "pg_advisory_unlock_all()",
    "set_config('a.b', 'c', false)",
    "pg_read_file('/etc/passwd')",
    "pg_read_binary_file('x')",
    "pg_ls_dir('.')",
    "pg_ls_waldir()",
    "pg_stat_file('x')",
    "pg_file_write('x', 'y', false)",
    "pg_create_logical_replication_slot('s', 'test_decoding')",
    "pg_logical_slot_peek_changes('s', NULL, NULL)",
    "pg_replication_origin_create('o')",
    "pg_drop_replication_slot('s')",
    "pg_stat_reset()",
    "pg_stat_reset_shared('bgwriter')",
    "pg_stat_statements_reset()",
    "pg_switch_wal()",
    "pg_backup_start('x')",
    "pg_create_restore_point('x')",
    "pg_promote()",
    "pg_wal_replay_pause()",
    "pg_reload_conf()",
    "pg_rotate_logfile()",
    "pg_log_backend_memory_contexts(1)",
    "dblink('dbname=x', 'SELECT 1')",
    "dblink_exec('DELETE FROM t')",
    "dblink_connect('c', 'dbname=x')",
    "txid_current()",
    "pg_current_xact_id()",
    "brin_summarize_range('i', 0)",
    "gin_clean_pending_list('i')",
    "pg_import_system_collations('pg_catalog')",
    "binary_upgrade_set_next_pg_type_oid(1)",
    "pg_nextoid('t', 'a', 'i')",
    "pg_export_snapshot()",
    "heap_force_kill('t', ARRAY['(0,1)']::tid[])",
    "pg_truncate_visibility_map('t')",
    "postgres_fdw_disconnect_all()",
    "cursor_to_xml('c', 1, true, false, '')",
  ].map((
    call,
  ): Case => [call, `SELECT ${call}`, PG, new RegExp(`${call.slice(0, call.indexOf("("))}\\(\\) .*read-only`)]),
  ["pg_catalog.set_config", "SELECT pg_catalog.set_config('a.b', 'c', false)", PG, /set_config\(\)/],
  ['"set_config" quoted', "SELECT \"set_config\"('a.b', 'c', false)", PG, /set_config\(\)/],
  ["a large-object function in FROM", "SELECT * FROM lo_from_bytea(0, 'x')", PG, /lo_from_bytea\(\)/],
  ["pg_ls_dir in ROWS FROM", "SELECT * FROM ROWS FROM (pg_ls_dir('.')) AS d", PG, /pg_ls_dir\(\)/],
  ["load_extension", "SELECT load_extension('/tmp/x')", LITE, /load_extension\(\) loads native code/],
  ["writefile", "SELECT writefile('/tmp/x', 'y')", LITE, /writefile\(\)/],
  ["readfile", "SELECT readfile('/etc/passwd')", LITE, /readfile\(\)/],
  ["edit", "SELECT edit('x', 'vi')", LITE, /edit\(\)/],
  ["fts3_tokenizer", "SELECT fts3_tokenizer('simple')", LITE, /fts3_tokenizer\(\)/],
  ["fsdir as a table", "SELECT name FROM fsdir", ["sqlite"], /fsdir lists files/],
  ["fsdir with an argument", "SELECT name FROM fsdir('/')", LITE, /fsdir\(\)/],
  ["pragma_optimize as a table", "SELECT * FROM pragma_optimize", ["sqlite"], /pragma_optimize runs ANALYZE/],
  ["SYSLIB.AbortSessions", "SELECT SYSLIB.AbortSessions(-1, '*', 0, 'Y', 'Y')", TD, /abortsessions\(\) aborts/],
  ["AbortSessions unqualified", "SEL AbortSessions(-1, 'x', 0, 'N', 'N')", ["teradata"], /abortsessions\(\)/],
  [
    "AbortListSessions as a table function",
    "SELECT * FROM TABLE (SYSLIB.AbortListSessions(-1, '*', 0, 'Y', 'Y')) AS t",
    TD,
    /abortlistsessions\(\)/,
  ],
  [
    "TD_SYSFNLIB.WRITE_NOS",
    "SELECT * FROM TD_SYSFNLIB.WRITE_NOS (ON (SELECT * FROM t) USING LOCATION('/s3/b/')) AS d",
    TD,
    /write_nos\(\) writes data to external object storage/,
  ],
  [
    "WRITE_NOS unqualified",
    "SEL * FROM WRITE_NOS (ON (SEL * FROM t) USING LOCATION('/s3/b/')) AS d",
    ["teradata"],
    /write_nos\(\)/,
  ],
  [
    "AbortListSessions unqualified",
    "SELECT * FROM TABLE (AbortListSessions(-1, '*', 0, 'Y', 'Y')) AS t",
    ["teradata"],
    /abortlistsessions\(\) aborts/,
  ],
  ["AbortSessions with quoted names", `SELECT "SYSLIB"."AbortSessions"(-1, '*', 0, 'Y', 'Y')`, TD, /abortsessions\(\)/],
  [
    "WRITE_NOS in lowercase",
    "SELECT * FROM td_sysfnlib.write_nos (ON (SELECT 1 AS a) USING LOCATION('/s3/b/')) AS d",
    TD,
    /write_nos\(\)/,
  ],
  ["SetSessionAccount", "SELECT SYSLIB.SetSessionAccount(-1, 1, 'acct', 'Y', 'N')", TD, /setsessionaccount\(\)/],
  ["a TDWM function", "SELECT TDWM.TDWMEventControl(1)", TD, /tdwmeventcontrol\(\) calls the workload-management API/],
  ["SCRIPT", "SELECT * FROM SCRIPT (ON t SCRIPT_COMMAND('sh ./x.sh')) AS d", TD, /script\(\) runs a program/],
  ["GET_LOCK", "SELECT GET_LOCK('x', 10)", GENERIC, /get_lock\(\)/],
  ["LOAD_FILE", "SELECT LOAD_FILE('/etc/passwd')", GENERIC, /load_file\(\)/],
  [
    "an Oracle package",
    "SELECT DBMS_XMLGEN.GETXML('DELETE FROM t') FROM dual",
    GENERIC,
    /dbms_xmlgen\.getxml\(\) belongs to a package/,
  ],
  ["UTL_HTTP", "SELECT utl_http.request('http://x') FROM dual", GENERIC, /utl_http\.request\(\)/],
  ["NEXT VALUE FOR", "SELECT NEXT VALUE FOR s", GENERIC, /NEXT VALUE FOR advances a sequence/],
  ["Oracle's .NEXTVAL", "SELECT s.NEXTVAL FROM dual", GENERIC, /\.NEXTVAL advances/],
];

// Settings that change how SQL is read, in every form read-only mode might see them.
const LEXING_SETTINGS: readonly Case[] = [
  ["SET standard_conforming_strings", "SET standard_conforming_strings = off", PG, /SET changes session/],
  ["SET client_encoding", "SET client_encoding = 'SJIS'", PG, /SET changes session/],
  ["SET NAMES", "SET NAMES 'GBK'", PG, /SET changes session/],
  ["set_config of client_encoding", "SELECT set_config('client_encoding', 'SJIS', false)", PG, /set_config\(\)/],
  ["ALTER SYSTEM", "ALTER SYSTEM SET standard_conforming_strings = off", PG, /ALTER changes the schema/],
  [
    "UPDATE pg_settings",
    "UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings'",
    PG,
    /UPDATE is a write/,
  ],
  ["RESET", "RESET standard_conforming_strings", PG, /RESET changes/],
];

// Reads that name classified functions or run SQL text that is itself a plain read.
const ALLOW: readonly (readonly [why: string, sql: string, dialects: GuardDialect[]])[] = [
  ["ts_stat over a read", "SELECT * FROM ts_stat('SELECT tsv FROM docs')", PG],
  ["ts_stat with weights", "SELECT * FROM ts_stat('SELECT tsv FROM docs', 'ab')", PG],
  [
    "ts_stat with a dollar-quoted read holding quotes",
    "SELECT * FROM ts_stat($q$SELECT tsv FROM docs WHERE k = 'a;b'$q$)",
    PG_ONLY,
  ],
  ["ts_stat with an E-string read", "SELECT * FROM ts_stat(E'SELECT tsv FROM docs WHERE k = \\'a\\'')", PG_ONLY],
  [
    "ts_stat nested in ts_stat, both reads",
    "SELECT * FROM ts_stat('SELECT to_tsvector(word) FROM ts_stat(''SELECT tsv FROM docs'')')",
    PG,
  ],
  ["ts_rewrite with a rewrite query", "SELECT ts_rewrite('a & b'::tsquery, 'SELECT t, s FROM aliases')", PG],
  ["ts_rewrite's three-tsquery form", "SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'c'::tsquery)", PG],
  ["query_to_xml of a read", "SELECT query_to_xml('SELECT * FROM t WHERE name = ''x''', true, false, '')", PG],
  ["pg_catalog.query_to_xml of a read", "SELECT pg_catalog.query_to_xml('SELECT 1', true, false, '')", PG],
  [
    "crosstab of reads with a column count",
    "SELECT * FROM crosstab('SELECT a, b, c FROM t ORDER BY 1', 3) AS c(a int, b int)",
    PG,
  ],
  ["table_to_xml, which reads a named table", "SELECT table_to_xml('t', true, false, '')", PG],
  ["current_setting of a lexing setting", "SELECT current_setting('standard_conforming_strings')", PG],
  ["SHOW client_encoding", "SHOW client_encoding", PG],
  ["pg_settings read", "SELECT setting FROM pg_settings WHERE name = 'client_encoding'", PG],
  ["currval and lastval, which only read", "SELECT currval('s'), lastval()", PG],
  ["pg_sleep", "SELECT pg_sleep(0)", PG],
  ["a column named like a function", "SELECT nextval, set_config, script FROM t", ["postgres", "teradata", "generic"]],
  ["nextval on a server without sequences", "SELECT nextval('s')", ["sqlite", "teradata"]],
  ["a pragma table function that reads", "SELECT * FROM pragma_table_info('t')", LITE],
  ["a bare pragma table that reads", "SELECT * FROM pragma_query_only", ["sqlite"]],
  ["READ_NOS, a read of object storage", "SELECT * FROM READ_NOS (USING LOCATION('/s3/b/')) AS d", ["teradata"]],
  ["an Oracle package name that is not risky", "SELECT my_pkg.f(1) FROM dual", GENERIC],
];

for (const [why, sql, dialects, reason] of [...SQL_TEXT, UNCLOSED, ...SIDE_EFFECTS, ...LEXING_SETTINGS]) {
  for (const dialect of dialects) {
    Deno.test(`checkReadOnly refuses ${why} (${dialect})`, () => {
      const verdict = checkReadOnly(sql, dialect);
      assert.equal(verdict.ok, false, `allowed: ${JSON.stringify(sql)}`);
      if (!verdict.ok) assert.match(verdict.reason, reason);
    });
  }
}

for (const [why, sql, dialects] of ALLOW) {
  for (const dialect of dialects) {
    Deno.test(`checkReadOnly allows ${why} (${dialect})`, () => {
      const verdict = checkReadOnly(sql, dialect);
      assert.equal(verdict.ok, true, verdict.ok ? "" : verdict.reason);
    });
  }
}

Deno.test("checkReadOnly follows SQL text only so deep", () => {
  let sql = "SELECT 1";
  for (let level = 0; level <= MAX_SQL_TEXT_DEPTH; level++) {
    sql = `SELECT * FROM ts_stat('${sql.replaceAll("'", "''")}')`;
  }
  const verdict = checkReadOnly(sql, "postgres");
  assert.equal(verdict.ok, false);
  if (!verdict.ok) assert.match(verdict.reason, /nests inside SQL text too deeply/);
  const shallow = `SELECT * FROM ts_stat('SELECT * FROM ts_stat(''SELECT 1'')')`;
  assert.equal(checkReadOnly(shallow, "postgres").ok, true);
});

Deno.test("every function rule has names, dialects and a one-line reason", () => {
  for (const rule of FUNCTION_RULES) {
    assert.ok(rule.names.length > 0 && rule.dialects.length > 0, rule.why);
    assert.match(rule.why, /^[a-z][^\n]{10,110}$/, rule.why);
    for (const name of rule.names) assert.match(name, /^[a-z][a-z0-9_]*\*?$/, name);
    if (rule.kind === "runs-sql") assert.ok(rule.sqlArguments, `${rule.names} needs sqlArguments`);
  }
});

Deno.test("no function name belongs to two rules of one dialect", () => {
  for (const dialect of ["postgres", "sqlite", "teradata", "generic"] as const) {
    const seen = new Map<string, string>();
    for (const rule of FUNCTION_RULES) {
      if (dialect !== "generic" && !rule.dialects.includes(dialect)) continue;
      for (const name of rule.names) {
        assert.ok(!seen.has(name), `${name} is in two rules for ${dialect}`);
        seen.set(name, rule.why);
      }
    }
  }
});

Deno.test("functionRule prefers an exact name to a prefix", () => {
  assert.equal(functionRule("pg_advisory_lock", "postgres")?.always, true);
  assert.equal(functionRule("pg_advisory_xact_lock", "postgres")?.always, false);
  assert.equal(functionRule("lo_get", "postgres")?.kind, "side-effect");
  assert.equal(functionRule("lower", "postgres"), undefined);
});

Deno.test("functionRule keeps each dialect's functions to its own servers, and generic gets them all", () => {
  assert.equal(functionRule("nextval", "sqlite"), undefined);
  assert.equal(functionRule("load_extension", "postgres"), undefined);
  for (const name of ["nextval", "load_extension", "abortsessions", "openquery", "ts_stat"]) {
    assert.ok(functionRule(name, "generic"), name);
  }
  assert.equal(functionRule("fsdir", "sqlite", false)?.bare, true);
  assert.equal(functionRule("nextval", "postgres", false), undefined);
});

Deno.test("the PostgreSQL classification covers the functions the security review named", () => {
  const runsSql = ["ts_stat", "ts_rewrite", "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema"];
  for (const name of runsSql) assert.equal(functionRule(name, "postgres")?.kind, "runs-sql", name);
  const effects = [
    "cursor_to_xml",
    "dblink",
    "dblink_exec",
    "nextval",
    "setval",
    "lo_create",
    "lo_import",
    "lo_export",
    "pg_notify",
    "pg_cancel_backend",
    "pg_terminate_backend",
    "pg_advisory_lock",
    "set_config",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_file_write",
    "pg_create_physical_replication_slot",
    "pg_stat_reset",
    "pg_switch_wal",
    "pg_backup_start",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_log_backend_memory_contexts",
  ];
  for (const name of effects) assert.equal(functionRule(name, "postgres")?.kind, "side-effect", name);
});
