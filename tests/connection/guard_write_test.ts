import assert from "node:assert/strict";
import { checkWrite, type GuardDialect, splitStatements } from "../../connection/guard.ts";

import { verdict } from "./_verdict.ts";

type Case = readonly [why: string, sql: string, dialects: GuardDialect[]];

const ALL: GuardDialect[] = ["teradata", "postgres", "sqlite", "generic"];
const PG: GuardDialect[] = ["postgres"];
const PG_GENERIC: GuardDialect[] = ["postgres", "generic"];
const LITE: GuardDialect[] = ["sqlite"];
const TD: GuardDialect[] = ["teradata"];
const GENERIC: GuardDialect[] = ["generic"];
const TRANSACTION = /would open or end a transaction, but tdmcp runs each call as one transaction/;
const SESSION = /tdmcp keeps each pooled session as it prepared it/;
const LEXING = /a setting that changes how the server reads SQL text/;

// What --allow-write must refuse, with the reason it must give.
const REFUSE: readonly (readonly [...Case, RegExp])[] = [
  // more or other statements than the one it looks like
  [
    "two statements",
    "INSERT INTO t VALUES (1); DELETE FROM t",
    ALL,
    /only one statement per call is allowed \(found 2\)/,
  ],
  ["a second statement after an em space", "UPDATE t SET a = 1;\u2003DELETE FROM t", ALL, /found 2/],
  [
    "a DELETE that a server without standard_conforming_strings runs as a second statement",
    "UPDATE t SET v = 'a\\'' ; DELETE FROM t WHERE id = 5; --'",
    PG_GENERIC,
    /found 2\) \(read as by a server where backslashes escape quotes in strings/,
  ],
  [
    "an UPDATE whose WHERE a server without standard_conforming_strings reads as part of a string",
    "UPDATE t SET v = 'x\\' WHERE id = 1 -- '",
    PG_GENERIC,
    /reads differently on a server where backslashes escape quotes in strings/,
  ],
  [
    "an UPDATE whose WHERE a nesting server reads as a comment",
    "UPDATE t SET v = 1 /* /* */ WHERE id = 1 -- */",
    ["teradata", "generic"],
    /reads differently on a server where block comments nest/,
  ],
  ["an unterminated string", "INSERT INTO t VALUES ('a)", ALL, /unterminated string literal/],
  ["a NUL byte", "DELETE FROM t WHERE a = '\0'", ALL, /NUL/],
  ["an empty statement", " -- nothing\n", ALL, /empty/],
  ["an executable comment", "UPDATE t SET a = 1 /*! , b = 2 */", ALL, /comment is run as SQL/],
  ["a Unicode-escaped name", "SELECT U&\"set\\005fconfig\"('a.b', 'c', false)", PG, /U&"\.\.\."/],
  // transaction control
  ...["BEGIN", "BEGIN TRANSACTION", "START TRANSACTION READ WRITE", "COMMIT", "END", "ROLLBACK", "ABORT"].map((
    sql,
  ): readonly [...Case, RegExp] => [sql, sql, PG, TRANSACTION]),
  ["SAVEPOINT", "SAVEPOINT a", ALL, TRANSACTION],
  ["RELEASE SAVEPOINT", "RELEASE SAVEPOINT a", PG, TRANSACTION],
  ["ROLLBACK TO SAVEPOINT", "ROLLBACK TO SAVEPOINT a", PG, TRANSACTION],
  ["COMMIT PREPARED", "COMMIT PREPARED 'x'", PG, TRANSACTION],
  [
    "PREPARE TRANSACTION",
    "PREPARE TRANSACTION 'x'",
    PG,
    /PREPARE creates a prepared statement or prepared transaction/,
  ],
  ["BT", "BT", TD, /BT \(BEGIN TRANSACTION\) would open or end a transaction/],
  ["ET", "ET", TD, TRANSACTION],
  ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE", LITE, TRANSACTION],
  // session state
  ["SET ROLE", "SET ROLE postgres", PG, SESSION],
  ["SET SESSION AUTHORIZATION", "SET SESSION AUTHORIZATION postgres", PG, SESSION],
  ["SET search_path", "SET search_path = public", PG, SESSION],
  ["SET LOCAL", "SET LOCAL work_mem = '1MB'", PG, SESSION],
  ["SET TRANSACTION", "SET TRANSACTION READ ONLY", PG, SESSION],
  ["SET SESSION CHARACTERISTICS", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", PG, SESSION],
  [
    "SET QUERY_BAND, which tdmcp sets itself",
    "SET QUERY_BAND = 'a=b;' FOR SESSION",
    TD,
    /SET QUERY_BAND changes the query band Teradata's workload rules/,
  ],
  ["RESET ALL", "RESET ALL", PG, SESSION],
  ["DISCARD ALL", "DISCARD ALL", PG, SESSION],
  ["LISTEN", "LISTEN c", PG, SESSION],
  ["UNLISTEN", "UNLISTEN *", PG, SESSION],
  ["PREPARE", "PREPARE p AS DELETE FROM t", PG, SESSION],
  ["DEALLOCATE", "DEALLOCATE ALL", PG, SESSION],
  ["DECLARE ... WITH HOLD", "DECLARE c CURSOR WITH HOLD FOR SELECT 1", PG, /cursors, which belong to the driver/],
  ["FETCH", "FETCH ALL FROM c", PG, /cursors/],
  ["MOVE", "MOVE LAST IN c", PG, /cursors/],
  ["CLOSE", "CLOSE c", PG, /cursors/],
  ["USE", "USE master", GENERIC, /changes the session's default database/],
  ["DATABASE", "DATABASE prod", TD, /DATABASE changes the pooled session's default database/],
  // Teradata: what the read guard refuses and --allow-write still refuses (guard_teradata.ts)
  [
    "SELECT AND CONSUME, which waits on an empty queue table (DML manual: a delay state until a row is inserted)",
    "SELECT AND CONSUME TOP 1 * FROM q",
    TD,
    /waits while the queue table is empty/,
  ],
  [
    "FOREIGN TABLE pass-through (QueryGrid: the text is not parsed on Teradata)",
    "SELECT * FROM FOREIGN TABLE (SELECT * FROM x)@presto1 AS d",
    TD,
    /FOREIGN TABLE \(\.\.\.\) sends its text to another server/,
  ],
  [
    "a table operator's OUT VOLATILE TABLE, a table of this session only",
    "SELECT * FROM TD_KMeans (ON t AS InputTable OUT VOLATILE TABLE ModelTable(m) USING NumClusters(3)) AS d",
    TD,
    /OUT VOLATILE TABLE creates a volatile table/,
  ],
  ["LOAD of a server library", "LOAD 'auto_explain'", PG, /loads a server library/],
  ["LOAD DATA LOCAL", "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t", GENERIC, /LOAD DATA LOCAL/],
  ["ATTACH", "ATTACH '/tmp/x.db' AS x", LITE, /attaches a database file to this connection only/],
  ["DETACH", "DETACH x", LITE, /detaches/],
  ["CREATE TEMP TABLE", "CREATE TEMP TABLE x (a int)", ["postgres", "sqlite", "generic"], /temporary \(or volatile\)/],
  ["CREATE TEMPORARY TABLE AS", "CREATE TEMPORARY TABLE x AS SELECT 1", PG, /temporary/],
  ["CREATE LOCAL TEMP TABLE", "CREATE LOCAL TEMP TABLE x (a int)", PG, /temporary/],
  ["CREATE GLOBAL TEMPORARY TABLE", "CREATE GLOBAL TEMPORARY TABLE x (a int)", PG, /temporary/],
  ["CREATE TEMP VIEW", "CREATE TEMP VIEW v AS SELECT 1", ["postgres", "sqlite"], /temporary/],
  ["CREATE VOLATILE TABLE", "CREATE VOLATILE TABLE x (a INT) ON COMMIT PRESERVE ROWS", TD, /volatile/],
  ["SELECT INTO TEMP", "SELECT * INTO TEMP x FROM t", PG, /temporary/],
  ["SELECT INTO TEMPORARY TABLE", "SELECT * INTO TEMPORARY TABLE x FROM t", PG, /temporary/],
  ["PRAGMA query_only = 0", "PRAGMA query_only = 0", LITE, /changes a setting of this connection only/],
  ["PRAGMA writable_schema", "PRAGMA writable_schema = ON", LITE, /this connection only/],
  ["PRAGMA main.foreign_keys", "PRAGMA main.foreign_keys = OFF", LITE, /this connection only/],
  ["PRAGMA journal_mode", "PRAGMA journal_mode = MEMORY", LITE, /this connection only/],
  ["UPDATE pg_settings", "UPDATE pg_settings SET setting = '1MB' WHERE name = 'work_mem'", PG, /writing pg_settings/],
  [
    "UPDATE pg_catalog.pg_settings",
    "UPDATE pg_catalog.pg_settings SET setting = 'x' WHERE name = 'y'",
    PG,
    /pg_settings/,
  ],
  // COPY through the client protocol
  ["COPY FROM STDIN", "COPY t FROM STDIN", PG, /COPY \.\.\. FROM STDIN \/ TO STDOUT cannot run through ODBC/],
  ["COPY TO STDOUT", "COPY t TO STDOUT", PG, /cannot run through ODBC/],
  ["lowercase copy from stdin", "copy t from stdin with (format csv)", PG, /cannot run through ODBC/],
  ["COPY of a query TO STDOUT", "COPY (SELECT 1) TO STDOUT WITH (FORMAT csv)", PG, /cannot run through ODBC/],
  ["COPY TO STDOUT behind a comment", "/* export */ COPY t TO STDOUT", PG, /cannot run through ODBC/],
  // functions that reach past the call or the database
  ["set_config", "SELECT set_config('search_path', 'x', false)", PG, /set_config\(\) .*even with --allow-write/],
  ["a session-level advisory lock", "SELECT pg_advisory_lock(1)", PG, /pg_advisory_lock\(\) takes a session-level/],
  ["a session-level try lock", "SELECT pg_try_advisory_lock_shared(1)", PG, /session-level/],
  ["dblink_exec", "SELECT dblink_exec('dbname=x', 'DELETE FROM t')", PG, /dblink_exec\(\) opens another connection/],
  ["dblink_connect", "SELECT dblink_connect('c', 'dbname=x')", PG, /dblink_connect\(\)/],
  ["load_extension", "SELECT load_extension('/tmp/x')", LITE, /load_extension\(\) loads native code/],
  ["fts3_tokenizer", "SELECT fts3_tokenizer('simple', x'00')", LITE, /fts3_tokenizer\(\)/],
  ["writefile", "SELECT writefile('/tmp/x', 'y')", LITE, /writefile\(\)/],
  [
    "OPENQUERY",
    "INSERT INTO t SELECT * FROM OPENQUERY(srv, 'SELECT 1')",
    GENERIC,
    /openquery\(\) runs SQL on another server/,
  ],
  ["GET_LOCK", "SELECT GET_LOCK('x', 1)", GENERIC, /get_lock\(\)/],
  [
    "query_to_xml running a SET",
    "SELECT query_to_xml('SET standard_conforming_strings = off', true, false, '')",
    PG,
    /query_to_xml\(\) would run SQL that is not allowed: SET changes a session setting/,
  ],
  [
    "query_to_xml with SQL text tdmcp cannot check",
    "SELECT query_to_xml('SELECT ' || 'set_config(1)', true, false, '')",
    PG,
    /one string literal/,
  ],
  // settings that change how SQL is read, in every form
  ["SET standard_conforming_strings", "SET standard_conforming_strings = off", PG, SESSION],
  [
    "set_config of standard_conforming_strings",
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    PG,
    /set_config\(\)/,
  ],
  ["ALTER SYSTEM SET standard_conforming_strings", "ALTER SYSTEM SET standard_conforming_strings = off", PG, LEXING],
  ["ALTER DATABASE SET client_encoding", "ALTER DATABASE d SET client_encoding = 'SJIS'", PG, LEXING],
  ["ALTER ROLE SET backslash_quote", "ALTER ROLE r IN DATABASE d SET backslash_quote = on", PG, LEXING],
  ["a quoted setting name", 'ALTER ROLE r SET "standard_conforming_strings" = off', PG, LEXING],
  [
    "a function that sets it when called",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'",
    PG,
    LEXING,
  ],
  [
    "a function body that sets it",
    "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$SET client_encoding = 'SJIS'$$",
    PG,
    LEXING,
  ],
  [
    "a DO block with the name hidden in an octal escape",
    "DO $$BEGIN EXECUTE E'SET standard\\137conforming_strings = off'; END$$",
    PG,
    /names standard_conforming_strings/,
  ],
  ["SET NAMES inside a DO block", "DO $$BEGIN EXECUTE 'SET NAMES ''SJIS'''; END$$", PG, /SET NAMES/],
  ["sql_mode on MySQL", "UPDATE t SET a = @@sql_mode", GENERIC, LEXING],
  ["SET NAMES on MySQL", "SET NAMES gbk", GENERIC, SESSION],
  // T-SQL runs a second statement without a semicolon
  [
    "a COMMIT after an UPDATE",
    "UPDATE t SET a = 1 WHERE b = 2 COMMIT",
    GENERIC,
    /COMMIT would start a second statement/,
  ],
  ["a BEGIN TRAN after a DELETE", "DELETE FROM t WHERE a = 1 BEGIN TRAN", GENERIC, /BEGIN would start/],
  ["a USE after an INSERT", "INSERT INTO t VALUES (1) USE master", GENERIC, /USE would start/],
  ["a second SET clause", "UPDATE t SET a = 1 SET IMPLICIT_TRANSACTIONS ON", GENERIC, /SET would start/],
  ["an EXEC after an UPDATE", "UPDATE t SET a = 1 EXEC sp_x", GENERIC, /EXEC would start/],
  ["a second DELETE", "DELETE FROM t WHERE a IN (SELECT 1) DELETE FROM u", GENERIC, /DELETE would start/],
];

// What --allow-write must accept, with the kind it reports.
const ALLOW: readonly (readonly [...Case, string])[] = [
  ["an INSERT", "INSERT INTO t (a) VALUES (1)", ALL, "insert"],
  ["an UPDATE", "UPDATE t SET a = 1 WHERE b = 2", ALL, "update"],
  ["a DELETE", "DELETE FROM t WHERE a = 1", ALL, "delete"],
  ["a trailing semicolon and comment", "DELETE FROM t WHERE a = 1; -- done\n", ALL, "delete"],
  ["a leading comment", "-- tidy\nDELETE FROM t WHERE a = 1", ALL, "delete"],
  ["a read", "SELECT * FROM t", ALL, "select"],
  ["a CTE that reads", "WITH x AS (SELECT 1) SELECT * FROM x", ALL, "with"],
  ["a CREATE TABLE", "CREATE TABLE t (a int, b text)", ALL, "create"],
  ["a DROP TABLE", "DROP TABLE t", ALL, "drop"],
  ["a GRANT", "GRANT SELECT ON t TO u", ALL, "grant"],
  [
    "a MERGE",
    "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET b = 1 WHEN NOT MATCHED THEN INSERT (a) VALUES (s.a)",
    ["postgres", "generic"],
    "merge",
  ],
  ["a data-modifying CTE", "WITH d AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM d", PG, "with"],
  [
    "an upsert",
    "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 2",
    ["postgres", "sqlite", "generic"],
    "insert",
  ],
  [
    "an upsert that does nothing",
    "INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING",
    ["postgres", "generic"],
    "insert",
  ],
  ["MySQL's ON DUPLICATE KEY UPDATE", "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE b = 2", GENERIC, "insert"],
  ["an UPDATE with a join", "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.a", GENERIC, "update"],
  ["ALTER TABLE ... DROP COLUMN", "ALTER TABLE t DROP COLUMN b", ALL, "alter"],
  ["ALTER TABLE ... ALTER COLUMN ... SET DEFAULT", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", [
    "postgres",
    "generic",
  ], "alter"],
  [
    "a foreign key with ON DELETE SET NULL",
    "CREATE TABLE t (a int REFERENCES u (a) ON DELETE SET NULL ON UPDATE CASCADE)",
    ALL,
    "create",
  ],
  [
    "a T-SQL procedure whose body holds several statements",
    "CREATE PROCEDURE p AS BEGIN UPDATE t SET a = 1 COMMIT END",
    GENERIC,
    "create",
  ],
  [
    "a function with a dollar-quoted body",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
    PG,
    "create",
  ],
  ["a DO block", "DO $$BEGIN UPDATE t SET a = 1; END$$", PG, "do"],
  ["CALL", "CALL p(1)", ["postgres", "teradata", "generic"], "call"],
  ["a macro", "EXEC m(1)", TD, "exec"],
  ["Teradata abbreviations", "UPD t SET a = 1", TD, "update"],
  ["a write lock", "LOCKING TABLE t FOR WRITE DELETE FROM t", TD, "locking"],
  ["COLLECT STATISTICS", "COLLECT STATISTICS ON t COLUMN a", TD, "collect"],
  ["BEGIN QUERY LOGGING, which is not a transaction", "BEGIN QUERY LOGGING WITH SQL ON u", TD, "begin"],
  ["END QUERY LOGGING", "END QUERY LOGGING ON u", TD, "end"],
  [
    "a table operator writing its model to OUT PERMANENT TABLE",
    "SELECT * FROM TD_KMeans (ON t AS InputTable OUT PERMANENT TABLE ModelTable(db.m) USING NumClusters(3)) AS d",
    TD,
    "select",
  ],
  ["EXPLAIN of a write on Teradata", "EXPLAIN DELETE FROM t WHERE a = 1", TD, "explain"],
  ["COPY to a server file", "COPY t TO '/tmp/t.csv'", PG, "copy"],
  ["COPY from a server file named stdin", "COPY t FROM '/tmp/stdin'", PG, "copy"],
  ["nextval", "SELECT nextval('s')", PG, "select"],
  ["setval", "SELECT setval('s', 10)", PG, "select"],
  ["pg_notify", "SELECT pg_notify('c', 'x')", PG, "select"],
  ["a transaction-level advisory lock", "SELECT pg_advisory_xact_lock(1)", PG, "select"],
  ["an E-string with escaped backslashes", "INSERT INTO t VALUES (E'C:\\\\temp\\\\x')", PG, "insert"],
  ["backslashes that read the same either way", "INSERT INTO t VALUES ('C:\\temp\\x')", PG, "insert"],
  ["a table named temp", "INSERT INTO temp VALUES (1)", ALL, "insert"],
  ["INSERT INTO temp ... SELECT", "INSERT INTO temp SELECT * FROM t", ALL, "insert"],
  ["REPLACE INTO", "REPLACE INTO t (a) VALUES (1)", LITE, "replace"],
  ["PRAGMA user_version", "PRAGMA user_version = 3", LITE, "pragma"],
  ["PRAGMA wal_checkpoint", "PRAGMA wal_checkpoint(TRUNCATE)", LITE, "pragma"],
  ["reading a pragma", "PRAGMA foreign_keys", LITE, "pragma"],
  ["VACUUM", "VACUUM", LITE, "vacuum"],
  ["ALTER SYSTEM of another setting", "ALTER SYSTEM SET work_mem = '8MB'", PG, "alter"],
  ["SHOW of a lexing setting", "SHOW standard_conforming_strings", PG, "show"],
  ["reading a lexing setting", "SELECT current_setting('client_encoding')", PG, "select"],
  ["query_to_xml of a read", "SELECT query_to_xml('SELECT 1', true, false, '')", PG, "select"],
];

for (const [why, sql, dialects, reason] of REFUSE) {
  for (const dialect of dialects) {
    Deno.test(`checkWrite refuses ${why} (${dialect})`, () => {
      const verdict = checkWrite(sql, dialect);
      assert.equal(verdict.ok, false, `allowed: ${JSON.stringify(sql)}`);
      if (!verdict.ok) assert.match(verdict.reason, reason);
    });
  }
}

for (const [why, sql, dialects, kind] of ALLOW) {
  for (const dialect of dialects) {
    Deno.test(`checkWrite allows ${why} (${dialect})`, () => {
      assert.deepEqual(verdict(checkWrite(sql, dialect)), { ok: true, kind });
    });
  }
}

Deno.test("checkWrite refuses texts splitStatements sees as one statement but another reading splits", () => {
  for (const sql of ["UPDATE t SET v = 'a\\'' ; DELETE FROM t; --'", "UPDATE t SET v = 'x\\' WHERE id = 1 -- '"]) {
    assert.equal(splitStatements(sql, "postgres").length, 1, sql);
    assert.equal(checkWrite(sql, "postgres").ok, false, sql);
  }
});

Deno.test("checkWrite gives short reasons an agent can act on", () => {
  for (const [, sql, dialects] of REFUSE) {
    for (const dialect of dialects) {
      const verdict = checkWrite(sql, dialect);
      if (verdict.ok) continue;
      assert.ok(verdict.reason.length < 420, verdict.reason);
      assert.doesNotMatch(verdict.reason, /undefined|\[object/);
    }
  }
});
