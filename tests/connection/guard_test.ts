import assert from "node:assert/strict";
import {
  checkReadOnly,
  type GuardDialect,
  isReadOnlyStatement,
  MAX_LEXINGS,
  splitStatements,
} from "../../connection/guard.ts";

import { verdict } from "./_verdict.ts";

type Case = readonly [why: string, sql: string, dialects: GuardDialect[]];

const ALL: GuardDialect[] = ["teradata", "postgres", "sqlite", "generic"];
const TD: GuardDialect[] = ["teradata"];
const PG: GuardDialect[] = ["postgres"];
const LITE: GuardDialect[] = ["sqlite"];
const NOT_TD: GuardDialect[] = ["postgres", "sqlite", "generic"];
const PG_GENERIC: GuardDialect[] = ["postgres", "generic"];

// Statements that must be refused, with the reason they must mention.
const REFUSE: readonly (readonly [...Case, RegExp])[] = [
  [
    "a DELETE after an em space",
    "SELECT 1;\u2003DELETE FROM t",
    ALL,
    /only one statement per call is allowed \(found 2\)/,
  ],
  ["a DELETE after a no-break space", "SELECT 1;\u00a0DELETE FROM t", ALL, /found 2/],
  ["a DELETE after a zero-width space", "SELECT 1;\u200bDELETE FROM t", ALL, /found 2/],
  ["a DELETE after a next-line character", "SELECT 1;\u0085DELETE FROM t", ALL, /found 2/],
  ["a DELETE after an ideographic space", "SELECT 1;\u3000DELETE FROM t", ALL, /found 2/],
  [
    "a DELETE behind a byte order mark",
    "\uFEFFDELETE FROM t",
    ALL,
    /DELETE is a write; tdmcp is read-only \(start it with --allow-write/,
  ],
  ["a DROP after a trailing line comment", "SELECT 1; -- x\nDROP TABLE t", ALL, /found 2/],
  ["an ODBC function escape, which the driver rewrites", "SELECT {fn pg_backend_pid()}", ALL, /ODBC escape/],
  ["an ODBC call escape", "{call pg_sleep(1)}", ALL, /ODBC escape/],
  ["an ODBC date escape", "SELECT {d '2020-01-01'}", ALL, /ODBC escape/],
  ["an ODBC LIKE escape clause", "SELECT 1 WHERE 'a' LIKE 'a' {escape '\\'}", ALL, /ODBC escape/],
  ["a DELETE after a block comment", "/* x */ DELETE FROM t", ALL, /DELETE is a write/],
  ["a DELETE after a line comment", "-- note\nDELETE FROM t", ALL, /DELETE is a write/],
  ["a DELETE on the next line after a comment ending the SELECT", "SELECT 1 -- ok\n; DELETE FROM t", ALL, /found 2/],
  ["a DELETE in a CTE", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", ALL, /DELETE is a write/],
  [
    "an INSERT in a materialized CTE",
    "WITH d AS MATERIALIZED (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM d",
    PG,
    /INSERT is a write/,
  ],
  [
    "an UPDATE in a second CTE",
    "WITH a AS (SELECT 1), b AS (UPDATE t SET x = 1 RETURNING *) SELECT * FROM b",
    PG,
    /UPDATE is a write/,
  ],
  ["a DELETE as the main statement after a CTE", "WITH a AS (SELECT 1) DELETE FROM t", ALL, /DELETE is a write/],
  ["a REPLACE INTO after a CTE", "WITH a AS (SELECT 1) REPLACE INTO t SELECT * FROM a", LITE, /REPLACE is a write/],
  [
    "a DELETE in a nested WITH",
    "WITH a AS (WITH b AS (DELETE FROM t RETURNING 1) SELECT * FROM b) SELECT * FROM a",
    PG,
    /DELETE is a write/,
  ],
  ["SELECT INTO", "SELECT * INTO new_t FROM t", ALL, /SELECT \.\.\. INTO creates a table; use a plain SELECT/],
  ["SELECT INTO OUTFILE", "SELECT * FROM t INTO OUTFILE '/tmp/x'", ["generic"], /INTO creates a table/],
  ["nextval", "SELECT nextval('s')", PG_GENERIC, /nextval\(\) advances or sets a sequence, .*read-only tdmcp/],
  ["a schema-qualified setval", "select pg_catalog.setval('s', 1)", PG_GENERIC, /setval\(\)/],
  ["a quoted nextval", "SELECT \"nextval\"('s')", PG, /nextval\(\)/],
  ["nextval with a comment before the parenthesis", "SELECT nextval /* x */ ('s')", PG, /nextval\(\)/],
  ["set_config", "SELECT set_config('search_path', 'x', false)", PG, /set_config\(\)/],
  ["pg_terminate_backend", "SELECT pg_terminate_backend(42)", PG, /pg_terminate_backend\(\)/],
  ["an advisory lock", "SELECT pg_advisory_xact_lock(1)", PG, /pg_advisory_xact_lock\(\)/],
  ["dblink_exec", "SELECT dblink_exec('dbname=x', 'DELETE FROM t')", PG, /dblink_exec\(\)/],
  ["lo_import", "SELECT lo_import('/etc/passwd')", PG, /lo_import\(\)/],
  // Each of these ran in a PostgreSQL 15 read-only session (measured): only the guard stops them.
  ["brin_summarize_new_values", "SELECT brin_summarize_new_values('i')", PG, /brin_summarize_new_values\(\)/],
  ["brin_desummarize_range", "SELECT brin_desummarize_range('i', 0)", PG, /brin_desummarize_range\(\)/],
  ["gin_clean_pending_list", "SELECT gin_clean_pending_list('i')", PG, /gin_clean_pending_list\(\)/],
  ["pg_current_xact_id, which assigns a transaction id", "SELECT pg_current_xact_id()", PG, /pg_current_xact_id\(\)/],
  ["pg_log_backend_memory_contexts", "SELECT pg_log_backend_memory_contexts(1)", PG, /pg_log_backend_memory/],
  [
    "a replication slot copy",
    "SELECT pg_copy_logical_replication_slot('a', 'b')",
    PG,
    /pg_copy_logical_replication_slot\(\)/,
  ],
  [
    "a logical slot read that consumes changes",
    "SELECT * FROM pg_logical_slot_get_changes('a', NULL, NULL)",
    PG,
    /get_changes/,
  ],
  [
    "query_to_xml, which runs the SQL it is given",
    "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, false, '')",
    PG,
    /query_to_xml\(\)/,
  ],
  ["load_extension", "SELECT load_extension('evil.so')", LITE, /load_extension\(\)/],
  ["writefile", "SELECT writefile('/tmp/x', 'y')", LITE, /writefile\(\)/],
  ["a bracket-quoted load_extension", "SELECT [load_extension]('x')", LITE, /load_extension\(\)/],
  [
    "EXPLAIN ANALYZE of a DELETE",
    "EXPLAIN ANALYZE DELETE FROM t",
    ALL,
    /EXPLAIN is allowed only for read-only statements: DELETE is a write/,
  ],
  [
    "EXPLAIN with options of an INSERT",
    "EXPLAIN (ANALYZE, BUFFERS) INSERT INTO t VALUES (1)",
    PG,
    /EXPLAIN is allowed only/,
  ],
  ["EXPLAIN ANALYZE of a SELECT calling nextval", "EXPLAIN ANALYZE SELECT nextval('s')", PG, /nextval\(\)/],
  ["EXPLAIN alone", "EXPLAIN", ALL, /EXPLAIN is allowed only/],
  ["COPY to a file", "COPY t TO '/tmp/x'", ALL, /COPY writes files/],
  ["COPY of a query", "COPY (SELECT 1) TO PROGRAM 'rm -rf /'", PG, /COPY/],
  ["ATTACH DATABASE", "ATTACH DATABASE 'x.db' AS y", ALL, /ATTACH writes files/],
  ["DETACH", "DETACH y", LITE, /DETACH/],
  ["VACUUM INTO", "VACUUM INTO '/tmp/x'", ALL, /VACUUM/],
  ["ANALYZE", "ANALYZE t", ALL, /ANALYZE writes files, statistics/],
  ["a PRAGMA assignment", "PRAGMA journal_mode = DELETE", LITE, /not on the read-only list/],
  ["a read pragma with an assignment", "PRAGMA table_info = 1", LITE, /PRAGMA name = value changes a setting/],
  ["PRAGMA outside SQLite", "PRAGMA table_info(t)", PG, /PRAGMA writes files/],
  ["SELECT FOR UPDATE", "SELECT * FROM t FOR UPDATE", ALL, /FOR UPDATE locks rows/],
  ["SELECT FOR NO KEY UPDATE", "SELECT * FROM t FOR NO KEY UPDATE", PG, /FOR NO KEY UPDATE/],
  ["SELECT FOR SHARE in a subquery", "SELECT * FROM (SELECT * FROM t FOR SHARE) s", PG, /FOR SHARE/],
  ["SELECT FOR KEY SHARE", "SELECT * FROM t FOR KEY SHARE", PG, /FOR KEY SHARE/],
  ["LOCK IN SHARE MODE", "SELECT * FROM t LOCK IN SHARE MODE", ["generic"], /LOCK IN SHARE MODE/],
  ["the INS abbreviation", "INS t(1)", TD, /INS \(INSERT\) is a write/],
  ["the UPD abbreviation", "UPD t SET a=1", TD, /UPD \(UPDATE\) is a write/],
  ["the DEL abbreviation", "DEL FROM t", TD, /DEL \(DELETE\) is a write/],
  ["BT", "BT", TD, /BT \(BEGIN TRANSACTION\) changes session or transaction state/],
  ["ET", "ET;", TD, /ET \(END TRANSACTION\)/],
  ["a Teradata macro", "EXEC m", TD, /EXEC runs a procedure or macro/],
  ["CALL", "CALL p()", ALL, /CALL runs a procedure/],
  ["EXECUTE", "EXECUTE stmt(1)", PG, /EXECUTE runs/],
  ["DO", "DO $$BEGIN DELETE FROM t; END$$", PG, /DO runs/],
  ["a NUL byte", "SELECT 'a\0'", ALL, /NUL/],
  ["a NUL byte in a comment", "SELECT 1 /* \0 */", ALL, /NUL/],
  ["a DELETE after a dollar-quoted string", "SELECT $$ x $$; DELETE FROM t", ALL, /found 2/],
  ["a DELETE after a tagged dollar-quoted string", "SELECT $a$ $$ $a$; DELETE FROM t", PG, /found 2/],
  ["an unterminated string", "SELECT 'abc", ALL, /unterminated string literal starts at offset 7; close it/],
  ["an unterminated quoted name", 'SELECT "abc', ALL, /unterminated quoted name/],
  ["an unterminated block comment", "SELECT 1 /* x", ALL, /unterminated block comment/],
  ["an unterminated dollar-quoted string", "SELECT $$ x", PG, /unterminated string literal/],
  ["an unterminated nested comment on PostgreSQL", "SELECT 1 /* a /* b */ DELETE", PG, /unterminated block comment/],
  [
    "a DELETE after a comment that nests only elsewhere",
    "SELECT 1 /* a /* b */; DELETE FROM t; /* */",
    ["sqlite"],
    /found 2/,
  ],
  ["a DELETE hidden by a nested comment where servers disagree", "SELECT 1 /* /* */ ; DELETE FROM t; /* */ */", [
    "generic",
    "teradata",
  ], /found 3/],
  [
    "a write lock",
    "LOCKING TABLE t FOR WRITE DELETE FROM t",
    TD,
    /LOCKING \.\.\. FOR WRITE takes a lock .*only LOCKING \.\.\. FOR ACCESS/,
  ],
  ["an exclusive lock before a SELECT", "LOCKING ROW FOR EXCLUSIVE SELECT * FROM t", TD, /FOR EXCLUSIVE/],
  ["a DELETE after an access lock", "LOCKING ROW FOR ACCESS DELETE FROM t", TD, /DELETE is a write/],
  ["LOCK TABLE on PostgreSQL", "LOCK TABLE t IN ACCESS EXCLUSIVE MODE", PG, /LOCK changes session/],
  ["SET ROLE", "SET ROLE x", ALL, /SET changes session/],
  ["SET SESSION", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", PG, /SET changes/],
  ["RESET", "RESET ALL", PG, /RESET changes/],
  ["BEGIN", "BEGIN", ALL, /BEGIN changes session/],
  ["COMMIT", "COMMIT", ALL, /COMMIT changes/],
  ["ROLLBACK", "ROLLBACK", ALL, /ROLLBACK changes/],
  ["START TRANSACTION", "START TRANSACTION READ WRITE", PG, /START changes/],
  ["SAVEPOINT", "SAVEPOINT a", ALL, /SAVEPOINT changes/],
  ["USE", "USE prod", ["generic"], /USE changes/],
  ["GRANT", "GRANT SELECT ON t TO public", ALL, /GRANT changes permissions/],
  ["REVOKE", "REVOKE ALL ON t FROM x", ALL, /REVOKE changes permissions/],
  ["CREATE TABLE", "CREATE TABLE t (a int)", ALL, /CREATE changes the schema/],
  ["CREATE TABLE AS SELECT", "CREATE TABLE t AS SELECT 1", ALL, /CREATE changes the schema/],
  ["ALTER", "ALTER TABLE t ADD b int", ALL, /ALTER changes the schema/],
  ["DROP", "DROP TABLE t", ALL, /DROP changes the schema/],
  ["TRUNCATE", "TRUNCATE t", ALL, /TRUNCATE is a write/],
  ["RENAME", "RENAME TABLE a TO b", TD, /RENAME changes the schema/],
  ["COMMENT ON", "COMMENT ON TABLE t IS 'x'", PG, /COMMENT changes the schema/],
  ["REPLACE VIEW", "REPLACE VIEW v AS SELECT 1", TD, /REPLACE is a write/],
  ["MERGE", "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", ALL, /MERGE is a write/],
  ["UPSERT", "UPSERT INTO t VALUES (1)", ["generic"], /UPSERT is a write/],
  ["INSERT", "INSERT INTO t VALUES (1)", ALL, /INSERT is a write/],
  ["UPDATE", "UPDATE t SET a = 1", ALL, /UPDATE is a write/],
  ["COLLECT STATISTICS", "COLLECT STATISTICS ON t COLUMN a", TD, /COLLECT writes/],
  ["LISTEN", "LISTEN ch", PG, /LISTEN/],
  ["NOTIFY", "NOTIFY ch", PG, /NOTIFY/],
  ["REFRESH MATERIALIZED VIEW", "REFRESH MATERIALIZED VIEW v", PG, /REFRESH/],
  ["REINDEX", "REINDEX TABLE t", ALL, /REINDEX/],
  ["CLUSTER", "CLUSTER t", PG, /CLUSTER/],
  ["an unknown statement", "FROBNICATE t", ALL, /statements starting with FROBNICATE are not recognised as read-only/],
  ["a long-s SELECT look-alike", "\u017Felect 1", ALL, /not recognised as read-only/],
  ["the SEL abbreviation outside Teradata", "SEL * FROM t", NOT_TD, /not recognised/],
  ["HELP outside Teradata", "HELP TABLE t", NOT_TD, /not recognised/],
  ["two semicolons", "SELECT 1;;", ALL, /at most one trailing semicolon/],
  ["a leading semicolon", "; SELECT 1", ALL, /at most one trailing semicolon/],
  ["an empty statement", "  -- nothing\n", ALL, /the statement is empty/],
  ["an empty string", "", ALL, /the statement is empty/],
  ["a statement starting with an operator", "* FROM t", ALL, /cannot start with \*/],
  ["unbalanced parentheses", "(SELECT 1", ALL, /parentheses are unbalanced/],
  ["a DELETE hidden behind an E-string backslash quote", "SELECT E'\\\\'; DELETE'", PG, /unterminated string literal/],
  ["a DELETE after an E-string ending in an escaped backslash", "SELECT E'\\\\' ; DELETE FROM t", PG, /found 2/],
  ["a DELETE after a plain string ending in a backslash", "SELECT 'a\\' ; DELETE FROM t; --'", PG, /found 2/],
  [
    "a DELETE hidden by a backslash escape on servers that use them",
    "SELECT 'x\\'' ; DELETE FROM t; -- '",
    ["generic"],
    /backslashes escape quotes.*found 2|found 2.*backslashes/,
  ],
  ["a DELETE that a mixed E-string and plain string reading exposes", "SELECT E'\\'' , '\\' ; DELETE FROM t; --'", [
    "generic",
  ], /found 2/],
  ["a DELETE after a name ending in dollars", "SELECT a$$ ; DELETE FROM t; SELECT 1 AS b$$", PG, /found 3/],
  [
    "a dollar quote glued to a non-ASCII space",
    "SELECT 1 AS x,\u2003$$ ; DELETE FROM t; SELECT 2 AS y,\u2003$$",
    PG,
    /found 3/,
  ],
  ["a DELETE hidden behind a SQLite Tcl variable", "SELECT $a(');DELETE/**/FROM/**/t;--'", LITE, /found 2/],
  [
    "a DELETE hidden by a # comment on servers that have them",
    "SELECT 1 # '\n; DELETE FROM t; -- '",
    ["generic"],
    /# starts a comment/,
  ],
  [
    "a DELETE behind --x, which MySQL does not read as a comment",
    "SELECT 1 --x\n; DELETE FROM t",
    ["generic"],
    /found 2/,
  ],
  ["a DELETE hidden by a doubled bracket", "SELECT [a]]'] ; DELETE FROM t; --'", ["generic"], /found 2/],
  [
    "a DELETE that only a nesting server sees",
    "SELECT 1 /* /* */ '; */ ; DELETE FROM t; --'",
    ["generic", "teradata"],
    /server where block comments nest;/,
  ],
  [
    "a DELETE that only a dollar-quoting server sees",
    "SELECT $$'$$; DELETE FROM t; -- '",
    ["generic"],
    /\$\$ or \$tag\$ starts a string/,
  ],
  [
    "a DELETE that only an Oracle q-quote reading sees",
    "SELECT q'[']' ; DELETE FROM t; --'",
    ["generic"],
    /q'\[\.\.\.\]' is a string/,
  ],
  [
    "a DELETE that only a server without backtick names sees",
    "SELECT 1 AS ` ; DELETE FROM t; SELECT `",
    ["generic"],
    /a backtick does not quote a name/,
  ],
  [
    "a DELETE that only a server without bracket names sees",
    "SELECT 1 AS [ ; DELETE FROM t; SELECT ]",
    ["generic"],
    /\[ does not quote a name/,
  ],
  [
    "a DROP after a SELECT without a semicolon, as SQL Server runs it",
    "SELECT * FROM t DROP TABLE t",
    ["generic"],
    /DROP would start a second statement on servers that need no semicolon/,
  ],
  [
    "an EXEC after a SELECT without a semicolon",
    "SELECT 1 EXEC('DROP TABLE t')",
    ["generic"],
    /EXEC would start a second statement/,
  ],
  ["a SHUTDOWN after a SELECT without a semicolon", "SELECT 1 SHUTDOWN", ["generic"], /SHUTDOWN would start/],
  [
    "a BACKUP after a WHERE clause",
    "SELECT * FROM t WHERE a = 1 BACKUP DATABASE d TO DISK = 'x'",
    ["generic"],
    /BACKUP would start/,
  ],
  ["a WAITFOR that dequeues a message", "SELECT 1 WAITFOR (RECEIVE * FROM q)", ["generic"], /WAITFOR would start/],
  [
    "a GRANT after a closing parenthesis",
    "SELECT * FROM (SELECT 1 AS a) s GRANT SELECT ON t TO x",
    ["generic"],
    /GRANT would start/,
  ],
  ["a statement word used as an alias without AS", "SELECT a start FROM t", ["generic"], /quote START if it is a name/],
  [
    "OPENQUERY, which runs SQL on a linked server",
    "SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')",
    ["generic"],
    /openquery\(\)/,
  ],
  ["a MariaDB executable comment", "SELECT 1 /*M! ; DELETE FROM t */", ["generic"], /comment is run as SQL/],
  ["a MySQL executable comment", "SELECT 1 /*! ; DELETE FROM t */", ALL, /\/\*! \.\.\. \*\/ comment is run as SQL/],
  ["a comment ending in a line separator", "SELECT 1 -- x\u2028; DELETE FROM t", ALL, /line break other than/],
  ["a comment with a lone carriage return", "SELECT 1 -- x\r; DELETE FROM t", ALL, /line break other than/],
  ["a Unicode-escaped function name", "SELECT U&\"nextva\\006c\"('s')", PG, /U&"\.\.\."/],
  ["a DELETE in a Teradata multi-statement request", "SEL 1; DEL FROM t;", TD, /found 2/],
  ["SHOW of a DELETE", "SHOW DELETE FROM t", TD, /DELETE inside the statement is a write/],
  ["a column named delete without quotes", "SELECT delete FROM t", PG, /quote it if it is a name/],
  // Teradata (issue 13): writes that read as queries, each with the documentation's reason.
  // DML manual, SELECT AND CONSUME: returns the oldest row of a queue table and deletes it; an empty queue waits.
  [
    "SELECT AND CONSUME, which deletes the queue row it returns",
    "SELECT AND CONSUME TOP 1 * FROM q",
    TD,
    /SELECT AND CONSUME deletes the row/,
  ],
  ["SEL AND CONSUME, the abbreviated form", "SEL AND CONSUME TOP 1 a, b FROM db.q", TD, /SELECT AND CONSUME deletes/],
  ["SELECT AND CONSUME in a derived table", "SELECT * FROM (SELECT AND CONSUME TOP 1 * FROM q) d", TD, /CONSUME/],
  // DML manual, table operator syntax: out_table_clause; the analytic function writes its output into that table.
  [
    "OUT PERMANENT TABLE, a table operator writing a table",
    "SELECT * FROM TD_XGBoost (ON t AS InputTable PARTITION BY ANY OUT PERMANENT TABLE ModelTable(db.m) USING ResponseColumn('y')) AS d",
    TD,
    /OUT PERMANENT TABLE makes the function write its output into a table/,
  ],
  [
    "OUT VOLATILE TABLE, a table operator writing a volatile table",
    "SELECT * FROM TD_KMeans (ON t AS InputTable OUT VOLATILE TABLE ModelTable(m) USING NumClusters(3)) AS d",
    TD,
    /OUT VOLATILE TABLE makes/,
  ],
  ["OUT TABLE without a kind", "SELECT * FROM f (ON t OUT TABLE ModelTable(m)) AS d", TD, /OUT TABLE makes/],
  // QueryGrid guide, SELECT from FOREIGN TABLE: a pass-through query not parsed on Teradata, run by the remote server.
  [
    "FOREIGN TABLE pass-through, run unparsed by another server",
    "SELECT * FROM FOREIGN TABLE (DELETE FROM x)@presto1 AS d",
    TD,
    /FOREIGN TABLE \(\.\.\.\) sends its text to another server/,
  ],
  // DDL manual, SET QUERY_BAND: the band workload rules and DBQL classify the session by; tdmcp sets it per call.
  [
    "SET QUERY_BAND, which tdmcp sets itself",
    "SET QUERY_BAND = 'ApplicationName=x;' FOR SESSION",
    TD,
    /SET QUERY_BAND changes the query band Teradata's workload rules/,
  ],
  ["SET QUERY_BAND for the transaction", "SET QUERY_BAND = 'a=b;' FOR TRANSACTION", TD, /SET QUERY_BAND changes/],
  // DDL manual, DATABASE: changes the session's default database, which outlives the call on a pooled session.
  [
    "DATABASE, which changes the pooled session's default database",
    "DATABASE prod",
    TD,
    /DATABASE changes the pooled session's default database/,
  ],
  // DML manual, LOCKING: only ACCESS reads without blocking writers; the FOR/IN-less forms are checked alike.
  ["a READ lock written without FOR", "LOCKING ROW READ SELECT * FROM t", TD, /LOCKING \.\.\. FOR READ takes a lock/],
  ["an EXCLUSIVE lock written without FOR", "LOCK TABLE t EXCLUSIVE SEL * FROM t", TD, /FOR EXCLUSIVE takes a lock/],
  ["a LOCKING modifier without a lock type", "LOCKING ROW SELECT 1", TD, /could not read the LOCKING modifier/],
  // Temporal Table Support: a temporal qualifier also prefixes DML, which stays a write.
  ["a temporal qualifier before a DELETE", "CURRENT VALIDTIME DELETE FROM t WHERE a = 1", TD, /DELETE is a write/],
  [
    "a temporal qualifier before an UPDATE",
    "SEQUENCED VALIDTIME PERIOD '(2020-01-01, 2021-01-01)' UPDATE t SET a = 1",
    TD,
    /UPDATE is a write/,
  ],
  ["an unreadable temporal qualifier", "CURRENT SELECT 1", TD, /could not read the temporal qualifier/],
  [
    "SEQUENCED TRANSACTIONTIME, not a query qualifier",
    "SEQUENCED TRANSACTIONTIME SELECT * FROM t",
    TD,
    /temporal qualifier/,
  ],
  // DML manual, EXPLAIN: a DYNAMIC plan executes all plan fragments but the last one.
  [
    "EXPLAIN DYNAMIC of a DELETE, which runs part of the request",
    "EXPLAIN DYNAMIC DELETE FROM t",
    TD,
    /EXPLAIN DYNAMIC runs the request's earlier plan fragments/,
  ],
  ["EXPLAIN of a CALL", "EXPLAIN CALL p()", TD, /EXPLAIN is allowed only for read-only statements: CALL runs/],
  [
    "EXPLAIN of a write calling AbortSessions",
    "EXPLAIN INSERT INTO t SELECT SYSLIB.AbortSessions(-1, '*', 0, 'Y', 'Y')",
    TD,
    /abortsessions\(\)/,
  ],
  [
    "EXPLAIN of a DELETE on SQLite and generic sources (PostgreSQL's plain EXPLAIN: guard_explain_test.ts)",
    "EXPLAIN DELETE FROM t",
    ["sqlite", "generic"],
    /EXPLAIN is allowed only for read-only statements: DELETE is a write/,
  ],
  // DDL manual, COMMENT (comment-placing form): a comment string, with or without AS/IS, writes the dictionary.
  [
    "COMMENT ... IS, which places a comment",
    "COMMENT ON TABLE db.t IS 'x'",
    TD,
    /COMMENT with a comment string changes the schema/,
  ],
  ["COMMENT ... AS, which places a comment", "COMMENT ON COLUMN db.t.c AS 'x'", TD, /COMMENT with a comment string/],
  ["COMMENT with a bare comment string", "COMMENT db.t 'x'", TD, /COMMENT with a comment string/],
  ["COMMENT ON without IS outside Teradata", "COMMENT ON TABLE t", NOT_TD, /COMMENT changes the schema/],
  ["LOCKING ROW ACCESS outside Teradata", "LOCKING ROW ACCESS SELECT 1", NOT_TD, /LOCKING changes session/],
  ["a temporal qualifier outside Teradata", "CURRENT VALIDTIME SELECT 1", NOT_TD, /not recognised as read-only/],
];

// Statements that must be allowed, with the kind the guard reports.
const ALLOW: readonly (readonly [...Case, string])[] = [
  ["a SELECT", "SELECT 1", ALL, "select"],
  ["a write keyword inside a string", "SELECT 'DELETE FROM t'", ALL, "select"],
  ["a write keyword as a quoted name", 'SELECT "delete" FROM t', ALL, "select"],
  ["a semicolon inside a string", "SELECT ';DELETE FROM t'", ALL, "select"],
  ["braces inside a string (an array literal)", "SELECT '{1,2}'", ALL, "select"],
  ["braces inside a comment", "SELECT 1 /* {fn x} */", ALL, "select"],
  ["a leading line comment", "-- note\nSELECT 1", ALL, "select"],
  ["a leading block comment", "/* DELETE */ SELECT 1", ALL, "select"],
  ["a trailing semicolon", "SELECT 1;", ALL, "select"],
  ["a trailing semicolon and comment", "SELECT 1; -- trailing", ALL, "select"],
  ["a trailing semicolon, comment and newline", "SELECT 1; -- trailing\n", ALL, "select"],
  ["a trailing semicolon and whitespace", "SELECT 1;\u2003\n", ALL, "select"],
  ["a leading byte order mark", "\uFEFFSELECT 1", ALL, "select"],
  ["Windows line endings after a comment", "-- note\r\nSELECT 1", ALL, "select"],
  ["a CTE", "WITH a AS (SELECT 1) SELECT * FROM a", ALL, "with"],
  [
    "a recursive CTE with columns",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
    ALL,
    "with",
  ],
  ["two CTEs", "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b", ALL, "with"],
  ["a NOT MATERIALIZED CTE", "WITH a AS NOT MATERIALIZED (VALUES (1)) SELECT * FROM a", PG, "with"],
  [
    "a CTE with a CYCLE clause",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n FROM r) CYCLE n SET is_cycle USING path SELECT * FROM r",
    PG,
    "with",
  ],
  ["VALUES", "VALUES (1)", NOT_TD, "values"],
  ["TABLE", "TABLE t", PG, "table"],
  ["EXPLAIN of a SELECT", "EXPLAIN SELECT 1", ALL, "explain"],
  ["EXPLAIN ANALYZE of a SELECT", "EXPLAIN ANALYZE SELECT * FROM t", PG, "explain"],
  ["EXPLAIN with options", "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1", PG, "explain"],
  ["EXPLAIN QUERY PLAN", "EXPLAIN QUERY PLAN SELECT * FROM t", LITE, "explain"],
  ["EXPLAIN of an access-locked SEL", "EXPLAIN LOCKING ROW FOR ACCESS SEL * FROM t", TD, "explain"],
  ["the SEL abbreviation", "SEL * FROM t", TD, "select"],
  ["an access lock on rows", "LOCKING ROW FOR ACCESS SELECT * FROM t", TD, "select"],
  ["an access lock on a table", "LOCKING TABLE db.t FOR ACCESS SEL * FROM db.t", TD, "select"],
  ["the LOCK abbreviation", "LOCK ROW FOR ACCESS SELECT 1", TD, "select"],
  [
    "two access locks with NOWAIT",
    "LOCKING t1 FOR ACCESS NOWAIT LOCKING TABLE t2 FOR ACCESS SELECT * FROM t1, t2",
    TD,
    "select",
  ],
  ["HELP TABLE", "HELP TABLE t", TD, "help"],
  ["HELP COLUMN", "HELP COLUMN t.*", TD, "help"],
  ["HELP DATABASE", "HELP DATABASE x", TD, "help"],
  ["SHOW TABLE", "SHOW TABLE t", TD, "show"],
  ["SHOW a setting", "SHOW search_path", PG, "show"],
  ["TOP", "SELECT TOP 5 * FROM t", TD, "select"],
  ["SAMPLE", "SELECT * FROM t SAMPLE 10", TD, "select"],
  ["a dollar-quoted DELETE", "SELECT $$DELETE$$", PG, "select"],
  ["a tagged dollar-quoted string with a semicolon", "SELECT $fn$ ; DROP TABLE t; $fn$", PG, "select"],
  ["current_setting", "select current_setting('x')", ALL, "select"],
  ["nextval inside a string", "SELECT 'nextval(1)'", ALL, "select"],
  ["pg_sleep", "SELECT pg_sleep(0.1)", PG, "select"],
  ["a column called nextval", "SELECT nextval FROM t", ALL, "select"],
  ["an E-string with an escaped quote", "SELECT E'it\\'s; DELETE'", PG, "select"],
  ["a PostgreSQL parameter", "SELECT * FROM t WHERE a = $1", PG, "select"],
  ["a read pragma", "PRAGMA table_info(t)", LITE, "pragma"],
  ["a schema-qualified read pragma", "PRAGMA main.index_list('t')", LITE, "pragma"],
  ["a pragma table function", "SELECT * FROM pragma_table_info('t')", LITE, "select"],
  ["a bracket-quoted name", "SELECT [delete] FROM t", LITE, "select"],
  ["a backtick-quoted name", "SELECT `drop` FROM t", LITE, "select"],
  ["a parenthesised union", "(SELECT 1) UNION (SELECT 2)", NOT_TD, "select"],
  ["a replace() call", "SELECT replace(a, 'x', 'y') FROM t", ALL, "select"],
  ["nested comments on PostgreSQL", "SELECT 1 /* a /* DELETE */ b */", PG, "select"],
  ["a FOR in SUBSTRING", "SELECT SUBSTRING(a FROM 1 FOR 2) FROM t", ALL, "select"],
  ["an update_log table", "SELECT * FROM update_log", ALL, "select"],
  ["non-ASCII text in a string", "SELECT 'café — 東京' AS \"naïve\"", ALL, "select"],
  ["a LIMIT", "SELECT * FROM t ORDER BY 1 LIMIT 10", NOT_TD, "select"],
  [
    "statement words as column names",
    "SELECT start, close, comment, database FROM t WHERE load > 1 ORDER BY start",
    ALL,
    "select",
  ],
  ["OFFSET ... FETCH NEXT", "SELECT * FROM t ORDER BY a OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY", ALL, "select"],
  ["a hierarchical query", "SELECT id FROM t START WITH parent IS NULL CONNECT BY PRIOR id = parent", ALL, "select"],
  ["CASE ... END", "SELECT CASE WHEN a = 1 THEN 'x' ELSE 'y' END FROM t", ALL, "select"],
  ["a MySQL index hint", "SELECT * FROM t USE INDEX (i)", ["generic"], "select"],
  [
    "MySQL functions named like statements",
    "SELECT IF(a, 1, 2), TRUNCATE(1.5, 0), INSERT('abc', 1, 1, 'x'), DATABASE() FROM t",
    ["generic"],
    "select",
  ],
  ["SHOW CREATE TABLE on a generic server", "SHOW CREATE TABLE t", ["generic"], "show"],
  ["EXPLAIN ANALYZE of a SELECT on a generic server", "EXPLAIN ANALYZE SELECT * FROM t", ["generic"], "explain"],
  ["a SELECT in parentheses after EXPLAIN", "EXPLAIN (SELECT 1)", ["sqlite", "generic"], "explain"],
  // Teradata (issue 13): reads the documentation describes, each with its reason.
  // DML manual, LOCKING request modifier: LOCKING { ROW | [TABLE] name } [FOR | IN] ACCESS [MODE] [NOWAIT].
  ["LOCKING ROW ACCESS without FOR (FOR/IN are optional)", "LOCKING ROW ACCESS SELECT * FROM t", TD, "select"],
  ["LOCK ROW ACCESS, the abbreviation without FOR", "LOCK ROW ACCESS SELECT 1", TD, "select"],
  ["LOCKING a table IN ACCESS MODE", "LOCKING TABLE db.t IN ACCESS MODE SEL * FROM db.t", TD, "select"],
  ["LOCKING a table ACCESS without FOR", "LOCKING db.t ACCESS NOWAIT SELECT * FROM db.t", TD, "select"],
  // Temporal Table Support, SELECT temporal forms: a qualifier before the outermost SELECT only picks row versions.
  ["CURRENT VALIDTIME before a SELECT", "CURRENT VALIDTIME SELECT * FROM policy", TD, "select"],
  ["NONSEQUENCED VALIDTIME before a SELECT", "NONSEQUENCED VALIDTIME SELECT * FROM policy", TD, "select"],
  [
    "NONSEQUENCED VALIDTIME with a period of applicability",
    "NONSEQUENCED VALIDTIME PERIOD '(2009-01-01, 2010-01-01)' SELECT * FROM policy",
    TD,
    "select",
  ],
  ["SEQUENCED VALIDTIME before a SELECT", "SEQUENCED VALIDTIME SELECT * FROM policy", TD, "select"],
  ["VALIDTIME AS OF a date", "VALIDTIME AS OF DATE '2020-01-01' SEL * FROM policy", TD, "select"],
  [
    "TRANSACTIONTIME AS OF a timestamp",
    "TRANSACTIONTIME AS OF TIMESTAMP '2020-01-01 00:00:00' SELECT * FROM policy",
    TD,
    "select",
  ],
  ["CURRENT TRANSACTIONTIME before a SELECT", "CURRENT TRANSACTIONTIME SELECT * FROM policy", TD, "select"],
  [
    "NONSEQUENCED TRANSACTIONTIME before a SELECT",
    "NONSEQUENCED TRANSACTIONTIME SELECT * FROM policy_types",
    TD,
    "select",
  ],
  [
    "a valid-time and a transaction-time qualifier",
    "CURRENT VALIDTIME AND NONSEQUENCED TRANSACTIONTIME SELECT * FROM p",
    TD,
    "select",
  ],
  [
    "a temporal qualifier after an access lock",
    "LOCKING ROW FOR ACCESS CURRENT VALIDTIME SELECT * FROM p",
    TD,
    "select",
  ],
  ["EXPLAIN of a temporal SELECT", "EXPLAIN VALIDTIME AS OF CURRENT_DATE - 1 SELECT * FROM p", TD, "explain"],
  // DML manual, EXPLAIN request modifier: reports the plan; the request itself is not executed (static plan).
  ["EXPLAIN of a DELETE", "EXPLAIN DELETE FROM t WHERE a = 1", TD, "explain"],
  ["EXPLAIN of an abbreviated DEL", "EXPLAIN DEL FROM t ALL", TD, "explain"],
  ["EXPLAIN of an INSERT ... SELECT", "EXPLAIN INSERT INTO t SELECT * FROM s", TD, "explain"],
  ["EXPLAIN of an UPDATE", "EXPLAIN UPDATE t SET a = 1 WHERE b = 2", TD, "explain"],
  [
    "EXPLAIN of a MERGE",
    "EXPLAIN MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET b = s.b",
    TD,
    "explain",
  ],
  ["EXPLAIN IN XML NODDLTEXT of an UPDATE", "EXPLAIN IN XML NODDLTEXT UPDATE t SET a = 1", TD, "explain"],
  ["EXPLAIN STATIC of an INS", "EXPLAIN STATIC INS t (1, 2)", TD, "explain"],
  ["EXPLAIN of a temporal DELETE", "EXPLAIN CURRENT VALIDTIME DELETE FROM t", TD, "explain"],
  ["EXPLAIN DYNAMIC of a SELECT (its fragments are reads)", "EXPLAIN DYNAMIC SELECT * FROM t", TD, "explain"],
  // DML manual, COMMENT (comment-retrieving form): without a comment string it returns the stored comment.
  ["COMMENT ON a table without a string", "COMMENT ON TABLE db.t", TD, "comment"],
  ["COMMENT ON a column without a string", "COMMENT ON COLUMN db.t.c", TD, "comment"],
  ["COMMENT without ON and kind", "COMMENT db.t;", TD, "comment"],
  ["COMMENT ON a quoted view name", 'COMMENT ON VIEW "db"."v"', TD, "comment"],
  // Teradata/teradata-mcp-server (a9362bee) base_tools.py and base_objects.yml: the HELP and SHOW forms it sends.
  [
    "the official server's HELP COLUMN over a derived table",
    'HELP COLUMN dt01.* FROM (SELECT obj.* FROM "db"."v" AS obj WHERE 1 = 0) AS dt01',
    TD,
    "help",
  ],
  ["the official server's HELP TABLE", "HELP TABLE employee;", TD, "help"],
  ["the official server's HELP COLUMN t.*", "HELP COLUMN employee.*;", TD, "help"],
  ["the official server's SHOW TABLE", "SHOW TABLE db.t", TD, "show"],
  ["the official server's SHOW VIEW", "SHOW VIEW db.v", TD, "show"],
  ["the official server's SHOW MACRO", "SHOW MACRO db.m", TD, "show"],
  ["the official server's SHOW PROCEDURE", "SHOW PROCEDURE db.p", TD, "show"],
  ["the official server's SHOW FUNCTION", "SHOW FUNCTION db.f", TD, "show"],
  // DDL manual, HELP and SHOW statements: they return dictionary and session information.
  ["HELP SESSION", "HELP SESSION", TD, "help"],
  ["HELP STATISTICS", "HELP STATISTICS db.t", TD, "help"],
  ["SHOW QUALIFIED of a SELECT", "SHOW QUALIFIED SELECT * FROM db.t", TD, "show"],
  ["SHOW IN XML TABLE", "SHOW IN XML TABLE db.t", TD, "show"],
  // Words the Teradata rules look at, used as names.
  ["a column named consume after AND", "SELECT a FROM t WHERE b AND consume = 1", TD, "select"],
  ["a column named out", "SELECT out, foreign_key FROM t", TD, "select"],
];

for (const [why, sql, dialects, reason] of REFUSE) {
  for (const dialect of dialects) {
    Deno.test(`checkReadOnly refuses ${why} (${dialect})`, () => {
      const verdict = checkReadOnly(sql, dialect);
      assert.equal(verdict.ok, false, `allowed: ${JSON.stringify(sql)}`);
      if (!verdict.ok) assert.match(verdict.reason, reason);
    });
  }
}

for (const [why, sql, dialects, kind] of ALLOW) {
  for (const dialect of dialects) {
    Deno.test(`checkReadOnly allows ${why} (${dialect})`, () => {
      assert.deepEqual(verdict(checkReadOnly(sql, dialect)), { ok: true, kind });
    });
  }
}

Deno.test("checkReadOnly gives short reasons an agent can act on", () => {
  for (const [, sql, dialects] of REFUSE) {
    for (const dialect of dialects) {
      const verdict = checkReadOnly(sql, dialect);
      if (verdict.ok) continue;
      assert.ok(verdict.reason.length < 400, verdict.reason);
      assert.doesNotMatch(verdict.reason, /undefined|\[object/);
    }
  }
});

Deno.test("checkReadOnly names the reading under which a generic statement fails", () => {
  const verdict = checkReadOnly("SELECT 'a\\' AS x", "generic");
  assert.equal(verdict.ok, false);
  if (!verdict.ok) {
    assert.match(verdict.reason, /^an unterminated string literal starts at offset 7/);
    assert.match(verdict.reason, /server where backslashes escape quotes in strings;/);
  }
});

Deno.test("checkReadOnly refuses a generic statement with too many ambiguous forms", () => {
  const sql = "SELECT a[1], `b`, $x, E'\\n', q'[x]', 'é$' # c\n/* d */ --x\n FROM t";
  const verdict = checkReadOnly(sql, "generic");
  assert.equal(verdict.ok, false);
  if (!verdict.ok) assert.match(verdict.reason, /too many dialect-specific/);
  assert.ok(MAX_LEXINGS >= 64);
});

Deno.test("checkReadOnly allows backslashes that read the same either way", () => {
  assert.deepEqual(verdict(checkReadOnly("SELECT 'C:\\temp\\x' AS p", "generic")), {
    ok: true,
    kind: "select",
  });
  assert.deepEqual(verdict(checkReadOnly("SELECT 'C:\\temp'", "postgres")), {
    ok: true,
    kind: "select",
  });
});

Deno.test("checkReadOnly handles a long statement quickly", () => {
  const sql = `SELECT ${Array.from({ length: 5000 }, (_, n) => `'v${n}'`).join(", ")}`;
  const started = performance.now();
  assert.equal(checkReadOnly(sql, "generic").ok, true);
  assert.ok(performance.now() - started < 2000);
});

Deno.test("isReadOnlyStatement mirrors checkReadOnly", () => {
  assert.equal(isReadOnlyStatement("SELECT 1", "sqlite"), true);
  assert.equal(isReadOnlyStatement("DELETE FROM t", "sqlite"), false);
});

Deno.test("splitStatements returns the raw text of each non-empty statement", () => {
  assert.deepEqual(
    splitStatements("SELECT ';' ; -- c\nDELETE FROM t;;  ", "postgres"),
    ["SELECT ';' ", " -- c\nDELETE FROM t"],
  );
  assert.deepEqual(splitStatements("SELECT $$;$$", "postgres"), ["SELECT $$;$$"]);
  assert.deepEqual(splitStatements("  -- only\n", "sqlite"), []);
});
