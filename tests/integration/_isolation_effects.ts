/**
 * isolation_test.ts payloads with effects beyond settings: advisory locks,
 * sequences, large objects, notifications, terminations, session objects,
 * identity, writes, files, and held-out sequences of calls (chains).
 * @module
 */
import { hidden, type Payload, quote, RO_INNER, runSql, SEED, type Target, tsStat } from "./_isolation_sql.ts";

/** Payloads whose effect is not a setting. */
export function effectPayloads(t: Target): Payload[] {
  const s = t.schema;
  const run = (sql: string) => runSql(t, sql);
  const victim = `(SELECT pid FROM pg_stat_activity WHERE application_name = '${t.victimApp}' LIMIT 1)`;
  const roInner = RO_INNER;
  return [
    // ------------------------------------------------------- advisory locks
    { cls: "advisory", label: "pg_advisory_lock", aims: "advisory", calls: ["SELECT pg_advisory_lock(42)"] },
    { cls: "advisory", label: "pg_try_advisory_lock", aims: "advisory", calls: ["SELECT pg_try_advisory_lock(42)"] },
    {
      cls: "advisory",
      label: "pg_advisory_lock_shared (two keys)",
      aims: "advisory",
      calls: ["SELECT pg_advisory_lock_shared(4, 2)"],
    },
    {
      cls: "advisory",
      label: "ts_stat hides pg_advisory_lock",
      aims: "advisory",
      calls: [hidden("pg_advisory_lock(42)")],
    },
    {
      cls: "advisory",
      label: "ts_stat hides pg_try_advisory_lock",
      aims: "advisory",
      calls: [hidden("pg_try_advisory_lock(43)")],
    },
    {
      cls: "advisory",
      label: 'U&"pg\\005fadvisory\\005flock"',
      aims: "advisory",
      calls: [`SELECT U&"pg\\005fadvisory\\005flock"(44)`],
    },
    {
      cls: "advisory",
      label: "run_sql takes a session lock",
      aims: "advisory",
      calls: [run("SELECT pg_advisory_lock(45)::text")],
    },

    // ---------------------------------------------------------- sequences
    { cls: "sequence", label: "nextval", aims: "sequence", calls: [`SELECT nextval('${t.sequence}')`] },
    { cls: "sequence", label: "setval", aims: "sequence", calls: [`SELECT setval('${t.sequence}', 999)`] },
    { cls: "sequence", label: "ts_stat hides nextval", aims: "sequence", calls: [hidden(`nextval('${t.sequence}')`)] },
    {
      cls: "sequence",
      label: "ts_stat hides setval",
      aims: "sequence",
      calls: [hidden(`setval('${t.sequence}', 999)`)],
    },
    {
      cls: "sequence",
      label: "run_sql calls setval",
      aims: "sequence",
      calls: [run(`SELECT setval('${t.sequence}', 999)::text`)],
    },

    // ------------------------------------------------------- large objects
    { cls: "large object", label: "lo_create(0)", aims: "large objects", calls: ["SELECT lo_create(0)"] },
    {
      cls: "large object",
      label: "lo_from_bytea",
      aims: "large objects",
      calls: ["SELECT lo_from_bytea(0, '\\x41'::bytea)"],
    },
    { cls: "large object", label: "ts_stat hides lo_create", aims: "large objects", calls: [hidden("lo_create(0)")] },
    {
      cls: "large object",
      label: "ts_stat hides lo_from_bytea",
      aims: "large objects",
      calls: [hidden("lo_from_bytea(0, 'x'::bytea)")],
    },
    {
      cls: "large object",
      label: "ts_stat hides lo_creat(-1)",
      aims: "large objects",
      calls: [hidden("lo_creat(-1)")],
    },
    {
      cls: "large object",
      label: "run_sql calls lo_create",
      aims: "large objects",
      calls: [run("SELECT lo_create(0)::text")],
    },
    {
      cls: "large object",
      label: "lo_import of a server file",
      aims: "large objects",
      calls: [hidden("lo_import('/etc/hostname')")],
    },

    // ------------------------------------------------------------- notify
    // --------------------------------------------------------- random seed
    { cls: "random seed", label: "setseed", aims: "session", calls: [`SELECT setseed(${SEED})`] },
    { cls: "random seed", label: "ts_stat hides setseed", aims: "session", calls: [hidden(`setseed(${SEED})`)] },
    {
      cls: "random seed",
      label: "run_sql calls setseed",
      aims: "session",
      calls: [run(`SELECT setseed(${SEED})::text`)],
    },

    // ------------------------------------------------------------- notify
    { cls: "notify", label: "pg_notify", aims: "notify", calls: [`SELECT pg_notify('${t.channel}', 'plain')`] },
    {
      cls: "notify",
      label: "ts_stat hides pg_notify",
      aims: "notify",
      calls: [hidden(`pg_notify('${t.channel}', 'hidden')`)],
    },
    { cls: "notify", label: "NOTIFY statement", aims: "notify", calls: [`NOTIFY ${t.channel}, 'statement'`] },
    { cls: "notify", label: "run_sql NOTIFY", aims: "notify", calls: [run(`NOTIFY ${t.channel}, 'udf'`)] },

    // -------------------------------------------------------- terminations
    {
      cls: "terminate",
      label: "pg_terminate_backend(pg_backend_pid())",
      aims: "terminations",
      calls: ["SELECT pg_terminate_backend(pg_backend_pid())"],
    },
    {
      cls: "terminate",
      label: "ts_stat hides terminating its own backend",
      aims: "terminations",
      calls: [hidden("pg_terminate_backend(pg_backend_pid())")],
    },
    {
      cls: "terminate",
      label: "pg_terminate_backend of another session",
      aims: "terminations",
      calls: [`SELECT pg_terminate_backend(${victim})`],
    },
    {
      cls: "terminate",
      label: "ts_stat hides terminating another session",
      aims: "terminations",
      calls: [hidden(`pg_terminate_backend(${victim})`)],
    },
    {
      cls: "terminate",
      label: "pg_cancel_backend of another session",
      aims: "terminations",
      calls: [hidden(`pg_cancel_backend(${victim})`)],
    },
    {
      cls: "terminate",
      label: "run_sql terminates its own backend (tolerated: the pooled session and three opened by retries)",
      aims: "terminations",
      calls: [run("SELECT pg_terminate_backend(pg_backend_pid())::text")],
      maxKilled: 4,
    },
    {
      cls: "terminate",
      label: "ts_stat of concatenated text terminates another session",
      aims: "terminations",
      calls: [
        `SELECT * FROM ts_stat('SELECT pg_terminate' || '_backend(${victim.replaceAll("'", "''")})::text::tsvector')`,
      ],
    },

    // ------------------------------------------ session objects and identity
    { cls: "session", label: "PREPARE", aims: "session", calls: ["PREPARE iso_p AS SELECT 1"] },
    { cls: "session", label: "run_sql PREPAREs", aims: "session", calls: [run("PREPARE iso_p AS SELECT 1")] },
    { cls: "session", label: "CREATE TEMP TABLE", aims: "session", calls: ["CREATE TEMP TABLE iso_t (a int)"] },
    { cls: "session", label: "SELECT INTO TEMP", aims: "session", calls: ["SELECT 1 AS a INTO TEMP iso_t"] },
    {
      cls: "session",
      label: "run_sql creates a temp table",
      aims: "session",
      calls: [run("CREATE TEMP TABLE iso_t (a int)")],
    },
    { cls: "session", label: "LISTEN", aims: "session", calls: [`LISTEN ${t.channel}`] },
    { cls: "session", label: "run_sql LISTENs", aims: "session", calls: [run(`LISTEN ${t.channel}`)] },
    {
      cls: "session",
      label: "DECLARE ... WITH HOLD",
      aims: "session",
      calls: ["DECLARE iso_c CURSOR WITH HOLD FOR SELECT 1"],
    },
    {
      cls: "session",
      label: "run_sql declares a held cursor",
      aims: "session",
      calls: [run("DECLARE iso_c CURSOR WITH HOLD FOR SELECT 1")],
    },
    { cls: "identity", label: "SET ROLE", aims: "identity", calls: [`SET ROLE ${t.otherRole}`] },
    {
      cls: "identity",
      label: "ts_stat sets role",
      aims: "identity",
      calls: [hidden(`set_config('role', '${t.otherRole}', false)`)],
    },
    { cls: "identity", label: "run_sql SET ROLE", aims: "identity", calls: [run(`SET ROLE ${t.otherRole}`)] },
    {
      cls: "identity",
      label: "SET SESSION AUTHORIZATION",
      aims: "identity",
      calls: [`SET SESSION AUTHORIZATION ${t.otherRole}`],
    },
    {
      cls: "identity",
      label: "ts_stat sets session_authorization",
      aims: "identity",
      calls: [hidden(`set_config('session_authorization', '${t.otherRole}', false)`)],
    },

    // ------------------------------------------------------ writing functions
    { cls: "write", label: "a SQL function that inserts", aims: "data", calls: [`SELECT ${s}.bump()`] },
    {
      cls: "write",
      label: "a PL/pgSQL function running dynamic UPDATE",
      aims: "data",
      calls: [`SELECT ${s}.bump_dyn()`],
    },
    {
      cls: "write",
      label: "a SECURITY DEFINER function that inserts and calls nextval",
      aims: "data",
      calls: [`SELECT ${s}.definer_bump()`],
    },
    { cls: "write", label: "ts_stat hides the writing function", aims: "data", calls: [hidden(`${s}.bump()`)] },
    {
      cls: "write",
      label: "the writing function in FROM, inside a CTE",
      aims: "data",
      calls: [`WITH w AS MATERIALIZED (SELECT * FROM ${s}.bump()) SELECT * FROM w`],
    },
    {
      cls: "write",
      label: "run_sql INSERTs",
      aims: "data",
      calls: [run(`INSERT INTO ${t.table} VALUES (3000, 'run_sql', 0) RETURNING id::text`)],
    },

    // ---------------------------------------------------------------- files
    {
      cls: "files",
      label: "COPY TO PROGRAM",
      aims: "files",
      calls: [`COPY (SELECT 1) TO PROGRAM 'touch ${t.dir}/program'`],
    },
    { cls: "files", label: "COPY TO a file", aims: "files", calls: [`COPY ${t.table} TO '${t.dir}/copy.csv'`] },
    {
      cls: "files",
      label: "run_sql COPY TO PROGRAM",
      aims: "files",
      calls: [run(`COPY (SELECT 1) TO PROGRAM 'touch ${t.dir}/udf'`)],
    },
    {
      cls: "files",
      label: "ts_stat runs COPY",
      aims: "files",
      calls: [tsStat(`COPY (SELECT 'a'::tsvector) TO '${t.dir}/ts_stat.csv'`)],
    },
    {
      cls: "files",
      label: "lo_export of a new large object",
      aims: "files",
      calls: [hidden(`lo_export(lo_from_bytea(0, 'x'), '${t.dir}/lo')`)],
    },

    // ------------------------------------------- held-out sequences (chains)
    {
      cls: "chain",
      label: "read-only off, then the writing functions",
      aims: "data",
      calls: [tsStat(roInner), `SELECT ${s}.definer_bump()`, `SELECT ${s}.bump_dyn()`],
    },
    {
      cls: "chain",
      label: "read-only off, then a temp table, a large object and a sequence through ts_stat",
      aims: "large objects",
      calls: [
        tsStat(roInner),
        "SELECT 1 AS a INTO TEMP iso_t",
        hidden("lo_create(0)"),
        hidden(`setval('${t.sequence}', 999)`),
      ],
    },
    {
      cls: "chain",
      label: "standard_conforming_strings off, then a backslash-quoted second statement",
      aims: "data",
      calls: [
        hidden("set_config('standard_conforming_strings', 'off', false)"),
        `SELECT 'a\\'; DELETE FROM ${t.table}; --'`,
      ],
    },
    {
      cls: "chain",
      label: "standard_conforming_strings off, then a backslash and a quote in a bound tool argument",
      aims: "settings",
      calls: [
        hidden("set_config('standard_conforming_strings', 'off', false)"),
        {
          tool: "base_tableList",
          args: { database_name: `x\\' UNION SELECT set_config('my.flag', 'injected', false), 'a', 'b' --` },
        },
      ],
    },
    {
      cls: "chain",
      label: "a custom GUC carries SQL from one call to ts_stat in the next",
      aims: "read-only",
      calls: [
        hidden(`length(set_config('my.sql', ${quote(roInner)}, false))`),
        "SELECT * FROM ts_stat(current_setting('my.sql'))",
      ],
    },
  ];
}
