/**
 * The read-only corpora run through the real SQL tool by readonly_test.ts:
 * statements that must be refused, statements that must be answered, and
 * statements the guard cannot see into (function bodies) that the engine's
 * read-only session must refuse. Every statement targets a per-run scratch
 * area, never the shared demo data.
 * @module
 */

/** Names of the per-run scratch objects a corpus statement may target. */
export interface Scratch {
  /** PostgreSQL schema (`guard_<random>`) or SQLite `main`. */
  schema: string;
  /** The scratch table, qualified as SQL needs it. */
  table: string;
  /** Its index, qualified where the dialect allows. */
  index: string;
  /** PostgreSQL: the scratch sequence. */
  sequence: string;
  /** A table name that must never come to exist, qualified. */
  newTable: string;
  /** PostgreSQL: a procedure that deletes every row (for CALL). */
  procedure: string;
  /** PostgreSQL: SQL functions whose bodies write, called as plain SELECTs. */
  writers: { insert: string; nextval: string; dynamic: string };
  /** PostgreSQL: a role name that must never come to exist. */
  role: string;
  /** Directory (initially empty, writable by the database server) that file-writing statements target. */
  dir: string;
  /** PostgreSQL: the process id of an idle session that must survive every statement (0 elsewhere). */
  victim: number;
  /** PostgreSQL: a replication slot and origin name that must never come to exist. */
  slot: string;
}

/** One corpus entry: what it tries, and the exact SQL sent. */
export type Entry = readonly [label: string, sql: string];

/** Statements both dialects must refuse. */
function refuseCommon(s: Scratch): Entry[] {
  const t = s.table;
  return [
    // more than one statement
    ["two statements", `SELECT 1; DELETE FROM ${t}`],
    ["two reads", "SELECT 1; SELECT 2"],
    ["a write first", `DELETE FROM ${t}; SELECT 1`],
    ["a second statement after an em space", `SELECT 1;\u2003DELETE FROM ${t}`],
    ["a second statement after a no-break space", `SELECT 1;\u00a0DELETE FROM ${t}`],
    ["a second statement after a line separator", `SELECT 1;\u2028DELETE FROM ${t}`],
    ["a second statement after a comment ending the first line", `SELECT 1 -- note\n; UPDATE ${t} SET qty = 0`],
    ["a second statement between block comments", `SELECT 1 /* a */; DROP TABLE ${t} /* b */`],
    ["a second statement after a string with a doubled quote", `SELECT 'a'''; DELETE FROM ${t}; --'`],
    ["two semicolons", "SELECT 1;;"],
    ["a NUL byte before a second statement", `SELECT 1\0; DELETE FROM ${t}`],
    // DML
    ["INSERT", `INSERT INTO ${t} (id, name, qty) VALUES (1000, 'x', 1)`],
    ["INSERT ... SELECT", `INSERT INTO ${t} (id, name, qty) SELECT id + 1000, name, qty FROM ${t}`],
    ["UPDATE", `UPDATE ${t} SET qty = qty + 1`],
    ["DELETE", `DELETE FROM ${t}`],
    ["lowercase delete", `delete from ${t} where id = 1`],
    ["DELETE ... RETURNING", `DELETE FROM ${t} WHERE id = 1 RETURNING id`],
    ["a DELETE behind a byte order mark", `\uFEFFDELETE FROM ${t}`],
    ["a DELETE behind a block comment", `/* report */ DELETE FROM ${t} WHERE id = 1`],
    ["an UPDATE behind a line comment", `-- cleanup\nUPDATE ${t} SET qty = 0`],
    ["an upsert", `INSERT INTO ${t} (id, name, qty) VALUES (1, 'x', 1) ON CONFLICT (id) DO UPDATE SET qty = 0`],
    // DDL
    ["CREATE TABLE", `CREATE TABLE ${s.newTable} (a INTEGER)`],
    ["CREATE TABLE AS", `CREATE TABLE ${s.newTable} AS SELECT * FROM ${t}`],
    ["CREATE TEMP TABLE", "CREATE TEMP TABLE guard_temp (a INTEGER)"],
    ["CREATE VIEW", `CREATE VIEW ${s.newTable} AS SELECT * FROM ${t}`],
    ["CREATE INDEX", `CREATE INDEX guard_new_idx ON ${t} (qty)`],
    ["ALTER TABLE ADD COLUMN", `ALTER TABLE ${t} ADD COLUMN extra INTEGER`],
    ["ALTER TABLE RENAME", `ALTER TABLE ${t} RENAME TO guard_renamed`],
    ["DROP INDEX", `DROP INDEX ${s.index}`],
    ["DROP TABLE", `DROP TABLE ${t}`],
    ["DROP TABLE behind a comment", `/* tidy up */ DROP TABLE ${t}`],
    // CTEs that contain DML
    ["WITH ... INSERT", `WITH x AS (SELECT 1 AS id) INSERT INTO ${t} (id, name, qty) SELECT id + 1000, 'x', 1 FROM x`],
    ["WITH ... DELETE", `WITH x AS (SELECT 1 AS id) DELETE FROM ${t} WHERE id IN (SELECT id FROM x)`],
    // SELECT ... INTO
    ["SELECT ... INTO", `SELECT * INTO ${s.newTable} FROM ${t}`],
    // procedures and macros
    ["CALL", `CALL ${s.procedure}()`],
    ["EXEC", `EXEC ${s.procedure}`],
    ["EXECUTE", `EXECUTE ${s.procedure}`],
    // session and transaction control
    ["BEGIN", "BEGIN"],
    ["BEGIN TRANSACTION", "BEGIN TRANSACTION"],
    ["COMMIT", "COMMIT"],
    ["ROLLBACK", "ROLLBACK"],
    ["END", "END"],
    ["SAVEPOINT", "SAVEPOINT guard"],
    ["RELEASE", "RELEASE guard"],
    // locking reads
    ["FOR UPDATE", `SELECT * FROM ${t} FOR UPDATE`],
    ["statistics", `ANALYZE ${t}`],
    ["VACUUM", "VACUUM"],
  ];
}

/** Statements PostgreSQL must refuse, on top of the common ones. */
function refusePostgres(s: Scratch): Entry[] {
  const [t, seq, dir] = [s.table, s.sequence, s.dir];
  return [
    // multi-statement forms only PostgreSQL's lexer produces
    ["a second statement after a backslash string", `SELECT '\\'; DELETE FROM ${t}; --'`],
    ["a second statement after a dollar-quoted string", `SELECT $a$ x $a$; DELETE FROM ${t}`],
    ["a second statement after an E-string", `SELECT E'\\\\'; DELETE FROM ${t}; --'`],
    // DML
    ["MERGE", `MERGE INTO ${t} AS d USING (SELECT 1 AS id) AS s ON d.id = s.id WHEN MATCHED THEN DELETE`],
    ["TRUNCATE", `TRUNCATE ${t}`],
    ["TRUNCATE TABLE ... CASCADE", `TRUNCATE TABLE ${t} RESTART IDENTITY CASCADE`],
    // DDL
    ["CREATE SCHEMA", `CREATE SCHEMA ${s.schema}_new`],
    ["CREATE FUNCTION", `CREATE FUNCTION ${s.schema}.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$`],
    ["COMMENT ON", `COMMENT ON TABLE ${t} IS 'changed'`],
    ["ALTER SEQUENCE RESTART", `ALTER SEQUENCE ${seq} RESTART WITH 1000`],
    ["DROP SEQUENCE", `DROP SEQUENCE ${seq}`],
    ["DROP SCHEMA CASCADE", `DROP SCHEMA ${s.schema} CASCADE`],
    ["CREATE EXTENSION", "CREATE EXTENSION IF NOT EXISTS pg_trgm"],
    ["REINDEX INDEX", `REINDEX INDEX ${s.index}`],
    ["REINDEX TABLE", `REINDEX TABLE ${t}`],
    ["CLUSTER", `CLUSTER ${t} USING ${s.index.split(".")[1]}`],
    ["ALTER SYSTEM", "ALTER SYSTEM SET work_mem = '1MB'"],
    // DCL
    ["GRANT", `GRANT SELECT ON ${t} TO PUBLIC`],
    ["REVOKE", `REVOKE ALL ON ${t} FROM PUBLIC`],
    ["CREATE ROLE", `CREATE ROLE ${s.role} LOGIN SUPERUSER`],
    ["ALTER ROLE", "ALTER ROLE postgres SET work_mem = '1MB'"],
    ["ALTER DEFAULT PRIVILEGES", "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC"],
    // CTEs that contain DML
    ["WITH (DELETE ... RETURNING) SELECT", `WITH d AS (DELETE FROM ${t} RETURNING *) SELECT count(*) FROM d`],
    [
      "WITH (UPDATE ... RETURNING) SELECT",
      `WITH u AS (UPDATE ${t} SET qty = qty + 1 RETURNING id) SELECT count(*) FROM u`,
    ],
    [
      "WITH (INSERT ... RETURNING) SELECT",
      `WITH i AS (INSERT INTO ${t} (id, name, qty) VALUES (1001, 'x', 1) RETURNING id) SELECT * FROM i`,
    ],
    ["WITH MATERIALIZED (DELETE)", `WITH d AS MATERIALIZED (DELETE FROM ${t} RETURNING id) SELECT * FROM d`],
    [
      "a data-modifying CTE behind a read CTE",
      `WITH a AS (SELECT 1), d AS (DELETE FROM ${t} RETURNING id) SELECT * FROM d`,
    ],
    ["a DELETE in a nested WITH", `SELECT * FROM (WITH d AS (DELETE FROM ${t} RETURNING id) SELECT id FROM d) q`],
    // SELECT ... INTO
    ["SELECT ... INTO TEMP", `SELECT * INTO TEMP guard_copy FROM ${t}`],
    ["SELECT ... INTO after a column list", `SELECT id, name INTO ${s.newTable} FROM ${t} WHERE qty > 0`],
    // EXPLAIN ANALYZE of a write
    ["EXPLAIN ANALYZE DELETE", `EXPLAIN ANALYZE DELETE FROM ${t}`],
    ["EXPLAIN (ANALYZE, BUFFERS) UPDATE", `EXPLAIN (ANALYZE, BUFFERS) UPDATE ${t} SET qty = 0`],
    ["EXPLAIN ANALYZE INSERT", `EXPLAIN ANALYZE INSERT INTO ${t} (id, name, qty) VALUES (1002, 'x', 1)`],
    ["EXPLAIN ANALYZE CREATE TABLE AS", `EXPLAIN ANALYZE CREATE TABLE ${s.newTable} AS SELECT 1`],
    [
      "EXPLAIN ANALYZE of a data-modifying CTE",
      `EXPLAIN ANALYZE WITH d AS (DELETE FROM ${t} RETURNING 1) SELECT * FROM d`,
    ],
    ["EXPLAIN ANALYZE nextval", `EXPLAIN ANALYZE SELECT nextval('${seq}')`],
    // COPY
    ["COPY table TO a file", `COPY ${t} TO '${dir}/copy.csv'`],
    ["COPY query TO a file", `COPY (SELECT * FROM ${t}) TO '${dir}/copy-query.csv' WITH (FORMAT csv)`],
    ["COPY TO PROGRAM", `COPY (SELECT 1) TO PROGRAM 'touch ${dir}/program.txt'`],
    ["COPY FROM a file", `COPY ${t} FROM '/etc/hostname'`],
    // Through psqlODBC these two never return, and SQLCancel does not free them (measured).
    ["COPY TO STDOUT", `COPY ${t} TO STDOUT`],
    ["COPY FROM STDIN", `COPY ${t} FROM STDIN`],
    ["COPY behind a comment", `/* export */ COPY ${t} TO '${dir}/copy-comment.csv'`],
    // procedures and DO blocks
    ["DO", `DO $$BEGIN DELETE FROM ${t}; END$$`],
    ["DO LANGUAGE", `DO LANGUAGE plpgsql $$BEGIN PERFORM pg_sleep(0); END$$`],
    ["PREPARE", `PREPARE guard_p AS DELETE FROM ${t}`],
    ["EXECUTE a prepared statement", "EXECUTE guard_p"],
    // session and transaction control
    ["BEGIN READ WRITE", "BEGIN READ WRITE"],
    ["START TRANSACTION READ WRITE", "START TRANSACTION READ WRITE"],
    ["SET default_transaction_read_only", "SET default_transaction_read_only = off"],
    ["SET SESSION CHARACTERISTICS ... READ WRITE", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"],
    ["SET transaction_read_only", "SET transaction_read_only = off"],
    ["RESET ALL", "RESET ALL"],
    ["SET search_path", "SET search_path = public"],
    ["SET ROLE", "SET ROLE postgres"],
    ["SET SESSION AUTHORIZATION", "SET SESSION AUTHORIZATION postgres"],
    ["set_config", "SELECT set_config('default_transaction_read_only', 'off', false)"],
    ["DISCARD", "DISCARD ALL"],
    ["LISTEN", "LISTEN guard"],
    ["NOTIFY", "NOTIFY guard"],
    ["pg_notify", "SELECT pg_notify('guard', 'x')"],
    ["DECLARE CURSOR", `DECLARE guard_c CURSOR FOR SELECT * FROM ${t}`],
    ["LOCK TABLE", `LOCK TABLE ${t} IN ACCESS EXCLUSIVE MODE`],
    ["pg_advisory_lock", "SELECT pg_advisory_lock(4242)"],
    ["pg_try_advisory_lock", "SELECT pg_try_advisory_lock(4242)"],
    ["VACUUM a table", `VACUUM FULL ${t}`],
    ["CHECKPOINT", "CHECKPOINT"],
    ["pg_terminate_backend", "SELECT pg_terminate_backend(pg_backend_pid())"],
    ["pg_reload_conf", "SELECT pg_reload_conf()"],
    ["pg_stat_reset", "SELECT pg_stat_reset()"],
    ["brin_summarize_new_values", `SELECT brin_summarize_new_values('${s.index}')`],
    ["gin_clean_pending_list", `SELECT gin_clean_pending_list('${s.index}')`],
    ["pg_current_xact_id", "SELECT pg_current_xact_id()"],
    ["EXPLAIN ANALYZE SELECT INTO", `EXPLAIN ANALYZE SELECT 1 AS a INTO ${s.newTable}`],
    ["EXPLAIN ANALYZE CREATE MATERIALIZED VIEW", `EXPLAIN ANALYZE CREATE MATERIALIZED VIEW ${s.newTable} AS SELECT 1`],
    // locking reads
    ["FOR NO KEY UPDATE", `SELECT * FROM ${t} FOR NO KEY UPDATE`],
    ["FOR SHARE", `SELECT * FROM ${t} FOR SHARE`],
    ["FOR KEY SHARE", `SELECT * FROM ${t} FOR KEY SHARE`],
    ["FOR UPDATE SKIP LOCKED", `SELECT * FROM ${t} WHERE id = 1 FOR UPDATE SKIP LOCKED`],
    ["FOR UPDATE OF ... NOWAIT", `SELECT * FROM ${t} AS i FOR UPDATE OF i NOWAIT`],
    ["FOR UPDATE in a CTE", `WITH x AS (SELECT * FROM ${t} FOR UPDATE) SELECT count(*) FROM x`],
    ["FOR UPDATE in a subquery", `SELECT * FROM (SELECT * FROM ${t} FOR UPDATE) AS q`],
    // sequence-advancing functions
    ["nextval", `SELECT nextval('${seq}')`],
    ["NEXTVAL in capitals", `SELECT NEXTVAL('${seq}')`],
    ["nextval with regclass", `SELECT nextval('${seq}'::regclass)`],
    ["pg_catalog.nextval", `SELECT pg_catalog.nextval('${seq}')`],
    ['"nextval" quoted', `SELECT "nextval"('${seq}')`],
    ["nextval before a space", `SELECT nextval ('${seq}')`],
    ["nextval between comments", `SELECT /**/nextval/**/('${seq}')`],
    ["nextval in FROM", `SELECT * FROM nextval('${seq}')`],
    ["nextval per row", `SELECT id, nextval('${seq}') FROM ${t}`],
    ["nextval in VALUES", `VALUES (nextval('${seq}'))`],
    ["nextval in a CTE", `WITH n AS (SELECT nextval('${seq}') AS v) SELECT v FROM n`],
    ["setval", `SELECT setval('${seq}', 1000)`],
    ["setval is_called false", `SELECT setval('${seq}', 1, false)`],
    // large objects (a server-side file read into the database, a file written)
    ["lo_import", "SELECT lo_import('/etc/hostname')"],
    ["lo_from_bytea", "SELECT lo_from_bytea(0, 'x')"],
    ["lo_create", "SELECT lo_create(0)"],
    ["lo_export", `SELECT lo_export(lo_from_bytea(0, 'x'), '${dir}/lo.bin')`],
    ...sqlTextPostgres(s),
    ...sideEffectsPostgres(s),
    // settings that change how SQL is read
    ["SET standard_conforming_strings", "SET standard_conforming_strings = off"],
    ["SET client_encoding", "SET client_encoding = 'SJIS'"],
    ["SET NAMES", "SET NAMES 'GBK'"],
    ["set_config of standard_conforming_strings", "SELECT set_config('standard_conforming_strings', 'off', false)"],
    ["pg_catalog.set_config of client_encoding", "SELECT pg_catalog.set_config('client_encoding', 'SJIS', false)"],
    ["ALTER SYSTEM SET standard_conforming_strings", "ALTER SYSTEM SET standard_conforming_strings = off"],
    ["UPDATE pg_settings", "UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings'"],
  ];
}

/**
 * SQL carried past the guard inside a string: every payload class of the
 * security review, through every function that runs SQL text and every
 * way to wrap it.
 */
function sqlTextPostgres(s: Scratch): Entry[] {
  const [t, seq, dir, victim, slot] = [s.table, s.sequence, s.dir, s.victim, s.slot];
  const xml = (sql: string) => `SELECT query_to_xml('${sql.replaceAll("'", "''")}', true, false, '')`;
  return [
    [
      "ts_stat running setval",
      `SELECT * FROM ts_stat('SELECT to_tsvector(''x'') FROM (SELECT setval(''${seq}'', 1000)) q')`,
    ],
    [
      "ts_rewrite running setval",
      `SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery FROM (SELECT setval(''${seq}'', 1001)) q')`,
    ],
    ["query_to_xml creating a large object", xml("SELECT lo_from_bytea(0, 'x')")],
    [
      "query_to_xmlschema sending a notification",
      "SELECT query_to_xmlschema('SELECT pg_notify(''guard'', ''x'')', true, false, '')",
    ],
    [
      "query_to_xml_and_xmlschema ending another session",
      `SELECT query_to_xml_and_xmlschema('SELECT pg_terminate_backend(${victim})', true, false, '')`,
    ],
    ["query_to_xml ending tdmcp's own session", xml("SELECT pg_terminate_backend(pg_backend_pid())")],
    ["query_to_xml cancelling another session", xml(`SELECT pg_cancel_backend(${victim})`)],
    [
      "query_to_xml changing standard_conforming_strings",
      xml("SELECT set_config('standard_conforming_strings', 'off', false)"),
    ],
    ["query_to_xml taking an advisory lock", xml("SELECT pg_advisory_lock(4243)")],
    ["query_to_xml creating a replication slot", xml(`SELECT pg_create_physical_replication_slot('${slot}')`)],
    ["query_to_xml writing a server file", xml(`SELECT lo_export(lo_from_bytea(0, 'x'), '${dir}/text.bin')`)],
    [
      "ts_stat inside ts_stat",
      `SELECT * FROM ts_stat('SELECT to_tsvector(word) FROM ts_stat(''SELECT to_tsvector(setval(''''${seq}'''', 1007)::text)'')')`,
    ],
    [
      "a dollar-quoted payload holding quotes",
      `SELECT query_to_xml($q$SELECT setval('${seq}', 1002)$q$, true, false, '')`,
    ],
    ["an E-string payload", `SELECT query_to_xml(E'SELECT setval(\\'${seq}\\', 1003)', true, false, '')`],
    [
      "a payload hiding setval in an octal escape",
      `SELECT query_to_xml(E'SELECT set\\166al(''${seq}'', 1004)', true, false, '')`,
    ],
    ["a U&'' payload", `SELECT query_to_xml(U&'SELECT set\\0076al(''${seq}'', 1005)', true, false, '')`],
    ["a payload cast to text", `SELECT query_to_xml('SELECT setval(''${seq}'', 1008)'::text, true, false, '')`],
    ["a concatenated payload", `SELECT query_to_xml('SELECT set' || 'val(''${seq}'', 1009)', true, false, '')`],
    ["a payload from a subquery", `SELECT query_to_xml((SELECT 'SELECT setval(''${seq}'', 1010)'), true, false, '')`],
    [
      "a payload through pg_catalog",
      `SELECT pg_catalog.query_to_xml('SELECT setval(''${seq}'', 1011)', true, false, '')`,
    ],
    ["a payload through a quoted name", `SELECT "query_to_xml"('SELECT setval(''${seq}'', 1012)', true, false, '')`],
    [
      "a payload in ROWS FROM",
      `SELECT * FROM ROWS FROM (ts_stat('SELECT to_tsvector(setval(''${seq}'', 1013)::text)')) AS r`,
    ],
    [
      "a payload with named arguments",
      `SELECT query_to_xml(query => 'SELECT setval(''${seq}'', 1014)', nulls => true, tableforest => false, targetns => '')`,
    ],
    ["COPY inside a string", xml(`COPY ${t} TO '${dir}/text.csv'`)],
    ["a DO block inside a string", xml(`DO $$BEGIN DELETE FROM ${t}; END$$`)],
    ["a second statement inside a string", xml(`SELECT 1; DELETE FROM ${t}`)],
  ];
}

/** Functions whose effects escape the transaction or the database, beyond those above. */
function sideEffectsPostgres(s: Scratch): Entry[] {
  return [
    ["pg_read_file", "SELECT pg_read_file('PG_VERSION')"],
    ["pg_read_binary_file", "SELECT pg_read_binary_file('PG_VERSION')"],
    ["pg_ls_dir in FROM", "SELECT * FROM pg_ls_dir('.')"],
    ["pg_stat_file", "SELECT pg_stat_file('PG_VERSION')"],
    ["pg_cancel_backend of another session", `SELECT pg_cancel_backend(${s.victim})`],
    ["pg_terminate_backend of another session", `SELECT pg_terminate_backend(${s.victim})`],
    ["a physical replication slot", `SELECT pg_create_physical_replication_slot('${s.slot}')`],
    ["a replication origin", `SELECT pg_replication_origin_create('${s.slot}')`],
    ["pg_export_snapshot", "SELECT pg_export_snapshot()"],
    ["pg_log_backend_memory_contexts", "SELECT pg_log_backend_memory_contexts(pg_backend_pid())"],
    ["pg_rotate_logfile", "SELECT pg_rotate_logfile()"],
    ["pg_create_restore_point", "SELECT pg_create_restore_point('guard')"],
    ["pg_stat_reset_shared", "SELECT pg_stat_reset_shared('bgwriter')"],
    ["pg_advisory_xact_lock", "SELECT pg_advisory_xact_lock(4244)"],
    ["setseed", "SELECT setseed(0.5)"],
    ["txid_current", "SELECT txid_current()"],
  ];
}

/** Statements SQLite must refuse, on top of the common ones. */
function refuseSqlite(s: Scratch): Entry[] {
  const [t, dir] = [s.table, s.dir];
  return [
    // multi-statement forms only SQLite's lexer produces
    ["a second statement after a bracket name", `SELECT 1 AS [x]; DELETE FROM ${t}`],
    ["a second statement after a non-nesting block comment", `/* /* */ DELETE FROM ${t}; */ SELECT 1`],
    // DML
    ["REPLACE INTO", `REPLACE INTO ${t} (id, name, qty) VALUES (1, 'x', 1)`],
    ["INSERT OR REPLACE", `INSERT OR REPLACE INTO ${t} (id, name, qty) VALUES (1, 'x', 1)`],
    ["UPDATE sqlite_sequence", "UPDATE sqlite_sequence SET seq = 1000"],
    ["WITH ... UPDATE", `WITH x AS (SELECT 1 AS id) UPDATE ${t} SET qty = 0 WHERE id IN (SELECT id FROM x)`],
    // DDL
    ["CREATE TRIGGER", `CREATE TRIGGER guard_trg AFTER INSERT ON ${t} BEGIN DELETE FROM ${t}; END`],
    ["CREATE VIRTUAL TABLE", "CREATE VIRTUAL TABLE guard_fts USING fts5(body)"],
    ["REINDEX", `REINDEX ${s.index}`],
    ["ALTER TABLE DROP COLUMN", `ALTER TABLE ${t} DROP COLUMN qty`],
    // EXPLAIN of a write
    ["EXPLAIN of a DELETE", `EXPLAIN DELETE FROM ${t}`],
    ["EXPLAIN QUERY PLAN UPDATE", `EXPLAIN QUERY PLAN UPDATE ${t} SET qty = 0`],
    ["EXPLAIN INSERT", `EXPLAIN INSERT INTO ${t} (id, name, qty) VALUES (1003, 'x', 1)`],
    // session and transaction control
    ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"],
    ["BEGIN EXCLUSIVE", "BEGIN EXCLUSIVE"],
    ["PRAGMA query_only = 0", "PRAGMA query_only = 0"],
    ["PRAGMA query_only = OFF", "PRAGMA query_only = OFF"],
    ["PRAGMA main.query_only = false", "PRAGMA main.query_only = false"],
    ["PRAGMA query_only(0)", "PRAGMA query_only(0)"],
    ["PRAGMA journal_mode = WAL", "PRAGMA journal_mode = WAL"],
    ["PRAGMA user_version = 7", "PRAGMA user_version = 7"],
    ["PRAGMA writable_schema", "PRAGMA writable_schema = ON"],
    ["PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = OFF"],
    ["PRAGMA optimize", "PRAGMA optimize"],
    ["PRAGMA wal_checkpoint", "PRAGMA wal_checkpoint(TRUNCATE)"],
    // commands that write files
    ["ATTACH", `ATTACH '${dir}/attached.db' AS guard_a`],
    ["ATTACH DATABASE with a URI", `ATTACH DATABASE 'file:${dir}/attached-uri.db?mode=rwc' AS guard_b`],
    ["ATTACH behind a comment", `-- read another file\nATTACH '${dir}/attached-comment.db' AS guard_c`],
    ["VACUUM INTO", `VACUUM INTO '${dir}/vacuum.db'`],
    ["VACUUM main INTO", `VACUUM main INTO '${dir}/vacuum-main.db'`],
    ["DETACH", "DETACH guard_a"],
    ["load_extension", `SELECT load_extension('${dir}/extension')`],
    ["a bracket-quoted load_extension", `SELECT [load_extension]('${dir}/extension')`],
    ["fts3_tokenizer, which returns a memory address", "SELECT fts3_tokenizer('simple')"],
    ["pragma_optimize, which runs ANALYZE", "SELECT * FROM pragma_optimize"],
  ];
}

/** Every statement that must come back "Refused:" on `dialect`. */
export function refuseCorpus(dialect: "postgres" | "sqlite", s: Scratch): Entry[] {
  return [...refuseCommon(s), ...(dialect === "postgres" ? refusePostgres(s) : refuseSqlite(s))];
}

/** Plain reads both dialects must answer. */
function allowCommon(s: Scratch): Entry[] {
  const t = s.table;
  return [
    ["a count", `SELECT count(*) FROM ${t}`],
    ["rows in order", `SELECT id, name, qty FROM ${t} ORDER BY id LIMIT 3`],
    ["lowercase", `select name from ${t} where id = 1`],
    ["write keywords in a string", `SELECT 'DELETE FROM ${t}; DROP TABLE ${t}' AS note`],
    ["a doubled quote and keywords in a string", "SELECT 'it''s; UPDATE x SET y = 1' AS note"],
    [
      "write keywords as quoted names",
      'SELECT 1 AS "delete", 2 AS "drop table", 3 AS "insert into", 4 AS "for update"',
    ],
    ["a quoted name from a subquery", 'SELECT "update" FROM (SELECT 1 AS "update") AS q'],
    ["a keyword in LIKE", `SELECT count(*) FROM ${t} WHERE name LIKE '%INSERT%'`],
    ["keywords in CASE results", `SELECT CASE WHEN qty > 1 THEN 'update' ELSE 'delete' END AS verb FROM ${t}`],
    ["the replace() function", `SELECT replace(name, 'a', 'b') FROM ${t}`],
    ["names that start like keywords", `SELECT qty AS updated, name AS deleted_name FROM ${t}`],
    ["a leading line comment", `-- DELETE FROM ${t}\nSELECT 1`],
    ["a leading block comment", `/* DROP TABLE ${t} */ SELECT 1`],
    ["leading comments and blank lines", "\n-- first\n/* second */\n  SELECT 1"],
    ["a trailing semicolon", "SELECT 1;"],
    ["a trailing semicolon and whitespace", "SELECT 1 ;  \n"],
    ["a trailing line comment", `SELECT 1 -- then DELETE FROM ${t}`],
    ["WITH ... SELECT", `WITH x AS (SELECT id, qty FROM ${t}) SELECT sum(qty) FROM x`],
    ["two CTEs", `WITH a AS (SELECT id FROM ${t}), b AS (SELECT id FROM a WHERE id > 2) SELECT count(*) FROM b`],
    [
      "WITH RECURSIVE",
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) FROM n",
    ],
    ["VALUES", "VALUES (1, 'a'), (2, 'b')"],
    ["EXPLAIN SELECT", `EXPLAIN SELECT * FROM ${t} WHERE id = 1`],
    ["UNION ALL", "SELECT 1 UNION ALL SELECT 2"],
    ["subqueries", `SELECT * FROM (SELECT id FROM ${t}) AS q WHERE id IN (SELECT id FROM ${t} WHERE qty > 0)`],
  ];
}

/** Reads PostgreSQL must answer, on top of the common ones. */
function allowPostgres(s: Scratch): Entry[] {
  const [t, seq] = [s.table, s.sequence];
  return [
    ["a dollar-quoted DELETE", "SELECT $$DELETE$$"],
    ...semicolonsHidden(t),
    ["a parenthesised SELECT", "(SELECT 1)"],
    ["a dollar-quoted script", `SELECT $$DELETE FROM ${t}; DROP TABLE ${t}$$ AS body`],
    ["a tagged dollar quote", "SELECT $q$;COMMIT;$q$ AS body"],
    ["an E-string hiding a semicolon", `SELECT E'\\'; DELETE FROM ${t}; --' AS s`],
    ["a nested block comment", `/* /* */ DELETE FROM ${t}; */ SELECT 1`],
    ["TABLE", `TABLE ${t}`],
    ["SHOW", "SHOW search_path"],
    ["EXPLAIN (FORMAT JSON)", `EXPLAIN (FORMAT JSON) SELECT * FROM ${t}`],
    ["EXPLAIN ANALYZE of a read", `EXPLAIN ANALYZE SELECT count(*) FROM ${t}`],
    // Without ANALYZE, PostgreSQL plans a write and runs nothing (guard_explain.ts).
    ["EXPLAIN of a DELETE", `EXPLAIN DELETE FROM ${t}`],
    ["EXPLAIN (FORMAT JSON) of an UPDATE", `EXPLAIN (FORMAT JSON) UPDATE ${t} SET qty = 0`],
    ["a sequence read", `SELECT last_value, is_called FROM ${seq}`],
    ["pg_sequences", `SELECT last_value FROM pg_sequences WHERE schemaname = '${s.schema}'`],
    ["nextval in a string", `SELECT 'nextval(''${seq}'')' AS s`],
    ["FOR UPDATE in a string", "SELECT 'SELECT 1 FOR UPDATE' AS s"],
    ["INTO as a quoted name", 'SELECT 1 AS "into"'],
  ];
}

/** Reads SQLite must answer, on top of the common ones. */
function allowSqlite(s: Scratch): Entry[] {
  const t = s.table;
  return [
    // Answered since tdmcp reads untyped columns' storage classes: it sends the statement inside its own SELECT,
    // without the comments and the trailing semicolon that sqliteodbc took for a second statement.
    ...semicolonsHidden(t),
    ["a bracket-quoted keyword", "SELECT [delete] FROM (SELECT 1 AS [delete])"],
    ["a backtick-quoted keyword", "SELECT `drop table` FROM (SELECT 1 AS `drop table`)"],
    ["PRAGMA table_info", `PRAGMA table_info(${t})`],
    ["PRAGMA main.index_list", `PRAGMA main.index_list(${t})`],
    ["EXPLAIN QUERY PLAN", `EXPLAIN QUERY PLAN SELECT * FROM ${t} WHERE name = 'x'`],
    ["sqlite_schema", "SELECT type, name FROM sqlite_schema ORDER BY name"],
    ["sqlite_sequence", "SELECT name, seq FROM sqlite_sequence"],
    ["a table-valued pragma", `SELECT name FROM pragma_table_info('${t}')`],
  ];
}

/** One read whose only semicolons sit inside comments or after the statement, or inside quoted names. */
function semicolonsHidden(t: string): Entry[] {
  return [
    ["a semicolon in a leading line comment", `-- DELETE FROM ${t};\nSELECT 1`],
    ["a semicolon in a leading block comment", `/* DROP TABLE ${t}; */ SELECT 1`],
    ["a trailing semicolon and a comment", "SELECT 1; -- done"],
    ["a semicolon in a trailing line comment", `SELECT 1 -- ; DELETE FROM ${t}`],
  ];
}

/**
 * Reads the guard allows that SQLite's ODBC driver (sqliteodbc) refuses with
 * "only one SQL statement allowed": it looks for a second statement after any
 * semicolon outside '...' and "..." — inside [names] and `names` too.
 */
export function sqliteDriverRefusals(): Entry[] {
  return [
    ["a bracket name hiding a semicolon", "SELECT [a;DELETE FROM items;] FROM (SELECT 1 AS [a;DELETE FROM items;])"],
    ["a backtick name hiding a semicolon", "SELECT `a;b` FROM (SELECT 1 AS `a;b`)"],
  ];
}

/** Every statement that must be answered on `dialect`. */
export function allowCorpus(dialect: "postgres" | "sqlite", s: Scratch): Entry[] {
  return [...allowCommon(s), ...(dialect === "postgres" ? allowPostgres(s) : allowSqlite(s))];
}

/**
 * PostgreSQL statements the guard must let through (they read as plain
 * SELECTs; the writes hide in function bodies it cannot see) and the
 * engine's read-only session must refuse with SQLSTATE 25006.
 */
export function engineOnlyCorpus(s: Scratch): Entry[] {
  return [
    ["a SQL function that inserts", `SELECT ${s.writers.insert}()`],
    ["a SQL function that calls nextval, in FROM", `SELECT * FROM ${s.writers.nextval}()`],
    ["a PL/pgSQL function running dynamic DELETE", `SELECT ${s.writers.dynamic}()`],
  ];
}
