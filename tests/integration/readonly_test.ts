/**
 * Read-only by default, enforced twice — proven on real databases.
 *
 * 1. The guard: a refuse corpus sent through the real SQL tool
 *    (base_readQuery) on PostgreSQL and SQLite comes back "Refused:", and
 *    the data, the catalog, the sequence and the targeted files are
 *    unchanged; an allow corpus is answered.
 * 2. The engine: writes the guard cannot see (function bodies) are refused
 *    by the read-only session the product sets up, and a raw connection
 *    prepared with the product's own session statements refuses writes.
 * 3. The map of what only the guard stops: statements a read-only session
 *    lets through on these engines (COPY TO a file, large objects,
 *    transaction control, ATTACH, PRAGMA), each refused by the guard.
 *
 * Everything runs on per-run scratch objects (a `guard_<random>` schema, a
 * SQLite file in a temp directory), never on the shared demo data.
 * @module
 */
import assert from "node:assert/strict";
import { toDatabaseError } from "../../connection/errors.ts";
import { checkReadOnly } from "../../connection/guard.ts";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { runScript } from "../../connection/script.ts";
import { readOnlySessionStatements } from "../../connection/session.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { connectClient, testDatabase, textOf } from "../_helpers.ts";
import { pgUri } from "../_pg.ts";
import {
  allowCorpus,
  engineOnlyCorpus,
  type Entry,
  refuseCorpus,
  type Scratch,
  sqliteDriverRefusals,
} from "./_corpus.ts";

type Dialect = "postgres" | "sqlite";

/** A per-run scratch area on one database. */
interface Area {
  dialect: Dialect;
  /** The URI the product's Database opens. */
  uri: string;
  scratch: Scratch;
  /** Everything a refused statement could have changed, read outside the system under test. */
  snapshot(): Promise<Record<string, unknown>>;
  /** A raw connection (no session preparation: writable). */
  connect(): Promise<OdbcConnection>;
  cleanup(): Promise<void>;
}

const ROWS = 50;
const odbc = loadOdbc();

async function postgresArea(uri: string): Promise<Area> {
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const schema = `guard_${id}`;
  const t = `${schema}.items`;
  const seq = `${schema}.items_seq`;
  const root = await Deno.makeTempDir({ prefix: "tdmcp-guard-pg-" });
  const dir = `${root}/out`;
  await Deno.mkdir(dir);
  // The server runs as another OS user: let it reach the directory, so a write that got through would show.
  await Deno.chmod(root, 0o755);
  await Deno.chmod(dir, 0o777);
  await runScript(uri, [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${t} (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL)`,
    `CREATE INDEX items_name_idx ON ${t} (name)`,
    `CREATE SEQUENCE ${seq}`,
    `INSERT INTO ${t} SELECT g, 'item ' || g, g % 7 FROM generate_series(1, ${ROWS}) AS g`,
    `SELECT setval('${seq}', ${ROWS})`,
    `CREATE FUNCTION ${schema}.add_item() RETURNS integer LANGUAGE sql
      AS $$ INSERT INTO ${t} VALUES (5000, 'from a function', 1) RETURNING id $$`,
    `CREATE FUNCTION ${schema}.take_id() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('${seq}') $$`,
    `CREATE FUNCTION ${schema}.wipe() RETURNS integer LANGUAGE plpgsql
      AS $$ BEGIN EXECUTE 'DELETE FROM ${t}'; RETURN 0; END $$`,
    `CREATE PROCEDURE ${schema}.wipe_all() LANGUAGE sql AS $$ DELETE FROM ${t} $$`,
  ]);
  const connect = () => odbc.connect(parseDatabaseUri(uri).connectionString, 10);
  // An idle session the corpus tries to cancel and terminate: it must survive.
  const victimConnection = await connect();
  const victim = Number((await victimConnection.query("SELECT pg_backend_pid()"))[0][0]);
  const scratch: Scratch = {
    schema,
    table: t,
    index: `${schema}.items_name_idx`,
    sequence: seq,
    newTable: `${schema}.created`,
    procedure: `${schema}.wipe_all`,
    writers: { insert: `${schema}.add_item`, nextval: `${schema}.take_id`, dynamic: `${schema}.wipe` },
    role: `${schema}_role`,
    dir,
    victim,
    slot: `${schema}_slot`,
  };
  const notSystem = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";
  const queries: Record<string, string> = {
    rows: `SELECT id, name, qty FROM ${t} ORDER BY id`,
    checksum: `SELECT count(*), md5(coalesce(string_agg(i::text, '|' ORDER BY id), '')) FROM ${t} AS i`,
    columns: `SELECT attname, atttypid, attisdropped FROM pg_attribute WHERE attrelid = '${t}'::regclass AND attnum > 0
      ORDER BY attnum`,
    relations: `SELECT n.nspname, c.relname, c.relkind, coalesce(c.relacl::text, '') FROM pg_class AS c
      JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE ${notSystem} ORDER BY 1, 2`,
    schemas: "SELECT nspname FROM pg_namespace ORDER BY 1",
    functions: `SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
      WHERE ${notSystem} ORDER BY 1`,
    roles: "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles ORDER BY 1",
    roleSettings: "SELECT setdatabase, setrole, setconfig::text FROM pg_db_role_setting ORDER BY 1, 2",
    defaultPrivileges: "SELECT count(*) FROM pg_default_acl",
    extensions: "SELECT extname FROM pg_extension ORDER BY 1",
    comments: `SELECT count(*) FROM pg_description WHERE objoid = '${t}'::regclass`,
    sequence: `SELECT last_value, is_called FROM ${seq}`,
    pgSequences: `SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = '${schema}'`,
    largeObjects: "SELECT count(*) FROM pg_largeobject_metadata",
    advisoryLocks: "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
    maintenance: `SELECT vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relid = '${t}'::regclass`,
    victim: `SELECT count(*) FROM pg_stat_activity WHERE pid = ${victim}`,
    slots: "SELECT slot_name FROM pg_replication_slots ORDER BY 1",
    origins: "SELECT roname FROM pg_replication_origin ORDER BY 1",
  };
  return {
    dialect: "postgres",
    uri,
    scratch,
    connect,
    async snapshot() {
      const connection = await connect();
      try {
        const shot: Record<string, unknown> = await readAll(connection, queries);
        shot.files = await listFiles(dir);
        const data = Deno.env.get("TDMCP_TEST_PG_DATA");
        if (data) shot.autoConf = await sha256(`${data}/postgresql.auto.conf`).catch(() => "unreadable");
        return shot;
      } finally {
        await connection.close();
      }
    },
    async cleanup() {
      await victimConnection.close().catch(() => {});
      await runScript(uri, [`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `DROP ROLE IF EXISTS ${scratch.role}`]);
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function sqliteArea(): Promise<Area> {
  const root = await Deno.makeTempDir({ prefix: "tdmcp-guard-sqlite-" });
  const dir = `${root}/out`;
  const dbDir = `${root}/db`;
  await Deno.mkdir(dir);
  await Deno.mkdir(dbDir);
  const file = `${dbDir}/guard.db`;
  const uri = `sqlite://${file}`;
  await runScript(uri, [
    "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, qty INTEGER NOT NULL)",
    "CREATE INDEX items_name_idx ON items (name)",
    `INSERT INTO items (name, qty) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
      SELECT 'item ' || i, i % 7 FROM n`,
  ]);
  const scratch: Scratch = {
    schema: "main",
    table: "items",
    index: "items_name_idx",
    sequence: "",
    newTable: "created",
    procedure: "guard_proc",
    writers: { insert: "", nextval: "", dynamic: "" },
    role: "",
    dir,
    victim: 0,
    slot: "",
  };
  const connect = () => odbc.connect(parseDatabaseUri(uri).connectionString, 10);
  const queries: Record<string, string> = {
    rows: "SELECT id, name, qty FROM items ORDER BY id",
    schema: "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY name",
    sequence: "SELECT name, seq FROM sqlite_sequence ORDER BY name",
    userVersion: "PRAGMA user_version",
    journalMode: "PRAGMA journal_mode",
  };
  return {
    dialect: "sqlite",
    uri,
    scratch,
    connect,
    async snapshot() {
      // Hash the file before any connection of ours touches it.
      const fileSha256 = await sha256(file);
      const connection = await connect();
      try {
        const shot: Record<string, unknown> = await readAll(connection, queries);
        shot.checksum = await sha256Text(JSON.stringify(shot.rows));
        shot.fileSha256 = fileSha256;
        shot.files = { out: await listFiles(dir), db: await listFiles(dbDir) };
        return shot;
      } finally {
        await connection.close();
      }
    },
    async cleanup() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function readAll(connection: OdbcConnection, queries: Record<string, string>): Promise<Record<string, unknown>> {
  const shot: Record<string, unknown> = {};
  for (const [key, sql] of Object.entries(queries)) {
    const rows = await connection.query(sql);
    shot[key] = JSON.parse(JSON.stringify([...rows], (_k, v) => typeof v === "bigint" ? String(v) : v));
  }
  return shot;
}

async function listFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function sha256(path: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
}

async function sha256Text(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

function openArea(dialect: Dialect): Promise<Area> {
  if (dialect === "sqlite") return sqliteArea();
  const uri = pgUri();
  assert.ok(uri, "TDMCP_TEST_PG_URI must be set");
  return postgresArea(uri);
}

function areaTest(dialect: Dialect, name: string, fn: (area: Area) => Promise<void>): void {
  Deno.test({
    name: `${dialect}: ${name}`,
    ignore: dialect === "postgres" && !pgUri(),
    async fn() {
      const area = await openArea(dialect);
      try {
        await fn(area);
      } finally {
        await area.cleanup();
      }
    },
  });
}

/** Runs `sql` on a raw connection and returns the error it raised (as the product sees it), or undefined. */
async function failure(connection: OdbcConnection, sql: string) {
  try {
    await connection.query(sql);
    return undefined;
  } catch (error) {
    return toDatabaseError(error, []);
  }
}

function describe([label, sql]: Entry, text: string): string {
  return `${label}: ${JSON.stringify(sql)} → ${text.slice(0, 240)}`;
}

for (const dialect of ["postgres", "sqlite"] as const) {
  areaTest(dialect, "the refuse corpus is refused through base_readQuery and nothing changes", async (area) => {
    const corpus = refuseCorpus(dialect, area.scratch);
    assert.equal(new Set(corpus.map(([, sql]) => sql)).size, corpus.length, "the corpus holds duplicates");
    const before = await area.snapshot();
    await using db = testDatabase(area.uri);
    await using client = await connectClient(db);
    const wrong: string[] = [];
    for (const entry of corpus) {
      const result = await client.call("base_readQuery", { sql: entry[1] });
      const text = textOf(result);
      if (result.isError !== true || !text.startsWith("Refused:")) {
        wrong.push(describe(entry, `${result.isError ? "" : "ANSWERED: "}${text}`));
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${corpus.length} statements were not refused`);
    assert.deepEqual(await area.snapshot(), before);
  });

  areaTest(dialect, "the allow corpus is answered through base_readQuery and nothing changes", async (area) => {
    const corpus = allowCorpus(dialect, area.scratch);
    const before = await area.snapshot();
    await using db = testDatabase(area.uri);
    await using client = await connectClient(db);
    const wrong: string[] = [];
    for (const entry of corpus) {
      const result = await client.call("base_readQuery", { sql: entry[1] });
      if (result.isError === true) wrong.push(describe(entry, textOf(result)));
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${corpus.length} statements were not answered`);
    assert.deepEqual(await area.snapshot(), before);
  });

  if (dialect === "postgres") {
    areaTest(
      dialect,
      "through a driver-path ODBC string both corpora answer exactly as through postgres://",
      async (area) => {
        const url = new URL(area.uri);
        const raw = `odbc:DRIVER=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Server=${url.hostname};Port=${url.port};` +
          `Database=${decodeURIComponent(url.pathname.slice(1))};UID=${decodeURIComponent(url.username)};` +
          `PWD=${decodeURIComponent(url.password)};`;
        const before = await area.snapshot();
        const answers = async (uri: string) => {
          await using db = testDatabase(uri);
          assert.equal((await db.identify()).dialect, "postgres", "the engine is asked, as main.ts does at start");
          await using client = await connectClient(db);
          const out: string[] = [];
          for (const [, sql] of [...refuseCorpus(dialect, area.scratch), ...allowCorpus(dialect, area.scratch)]) {
            const result = await client.call("base_readQuery", { sql });
            // Refusals and errors word for word; answers by their row count (EXPLAIN ANALYZE's timings differ).
            out.push(result.isError === true ? `error ${textOf(result)}` : `ok ${result.structuredContent?.row_count}`);
          }
          return out;
        };
        const viaUri = await answers(area.uri);
        assert.deepEqual(await answers(raw), viaUri);
        assert.deepEqual(await area.snapshot(), before);
      },
    );
  }

  areaTest(dialect, "the product's connections are read-only in the engine too", async (area) => {
    await using db = testDatabase(area.uri);
    await using client = await connectClient(db);
    const sql = dialect === "postgres" ? "SHOW transaction_read_only" : "SELECT * FROM pragma_query_only";
    const result = await client.call("base_readQuery", { sql });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(String(result.structuredContent?.rows[0][0]), dialect === "postgres" ? "on" : "1");
  });

  areaTest(dialect, "a raw connection prepared with the product's session statements refuses writes", async (area) => {
    const before = await area.snapshot();
    const statements = readOnlySessionStatements(dialect);
    assert.ok(statements.length > 0, `no read-only session statements for ${dialect}`);
    const connection = await area.connect();
    try {
      for (const statement of statements) await connection.query(statement);
      const { table: t, sequence: seq } = area.scratch;
      const writes = dialect === "postgres"
        ? [
          `INSERT INTO ${t} VALUES (1000, 'x', 1)`,
          `UPDATE ${t} SET qty = 0`,
          `DELETE FROM ${t}`,
          `CREATE TABLE ${area.scratch.newTable} (a int)`,
          `DROP TABLE ${t}`,
          `TRUNCATE ${t}`,
          `SELECT * INTO ${area.scratch.newTable} FROM ${t}`,
          `SELECT nextval('${seq}')`,
          `SELECT setval('${seq}', 1000)`,
          `SELECT * FROM ${t} FOR UPDATE`,
          `WITH d AS (DELETE FROM ${t} RETURNING 1) SELECT count(*) FROM d`,
          `SELECT 1; DELETE FROM ${t}`,
          `SELECT ${area.scratch.writers.insert}()`,
        ]
        : [
          `INSERT INTO ${t} (name, qty) VALUES ('x', 1)`,
          `UPDATE ${t} SET qty = 0`,
          `DELETE FROM ${t}`,
          `CREATE TABLE ${area.scratch.newTable} (a INTEGER)`,
          "CREATE TEMP TABLE guard_temp (a INTEGER)",
          `DROP TABLE ${t}`,
          `REPLACE INTO ${t} (id, name, qty) VALUES (1, 'x', 1)`,
          "PRAGMA user_version = 7",
          "VACUUM",
        ];
      // psqlODBC (UseDeclareFetch=1) wraps a WITH ... SELECT in DECLARE CURSOR, which PostgreSQL refuses (0A000)
      // for a data-modifying CTE before the read-only check (25006) is reached.
      const expected = dialect === "postgres"
        ? /^(25006|0A000) .*(read-only transaction|DECLARE CURSOR must not contain data-modifying statements)/
        : /^HY000 attempt to write a readonly database$/;
      const wrong: string[] = [];
      for (const sql of writes) {
        const error = await failure(connection, sql);
        const ok = error && expected.test(`${error.sqlState} ${error.message}`);
        if (!ok) wrong.push(`${JSON.stringify(sql)} → ${error ? `${error.sqlState} ${error.message}` : "it ran"}`);
      }
      assert.deepEqual(wrong, [], "the engine let writes through a read-only session");
    } finally {
      await connection.close();
    }
    assert.deepEqual(await area.snapshot(), before);
  });
}

areaTest("postgres", "writes hidden in function bodies pass the guard and are refused by the engine", async (area) => {
  const before = await area.snapshot();
  await using db = testDatabase(area.uri);
  await using client = await connectClient(db);
  const wrong: string[] = [];
  for (const entry of engineOnlyCorpus(area.scratch)) {
    assert.equal(checkReadOnly(entry[1], "postgres").ok, true, `the guard now refuses ${entry[0]}; move it`);
    const result = await client.call("base_readQuery", { sql: entry[1] });
    const text = textOf(result);
    if (result.isError !== true || !text.includes("SQLSTATE 25006")) wrong.push(describe(entry, text));
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(await area.snapshot(), before);
});

areaTest(
  "sqlite",
  "reads with semicolons in [names] pass the guard and the driver refuses them",
  async (area) => {
    const before = await area.snapshot();
    await using db = testDatabase(area.uri);
    await using client = await connectClient(db);
    const wrong: string[] = [];
    for (const entry of sqliteDriverRefusals()) {
      assert.equal(checkReadOnly(entry[1], "sqlite").ok, true, `the guard now refuses ${entry[0]}; move it`);
      const result = await client.call("base_readQuery", { sql: entry[1] });
      const text = textOf(result);
      if (result.isError !== true || !text.includes("only one SQL statement allowed")) {
        wrong.push(
          describe(entry, text),
        );
      }
    }
    assert.deepEqual(wrong, [], "sqliteodbc now answers these: move them to the allow corpus");
    assert.deepEqual(await area.snapshot(), before);
  },
);

/**
 * What a read-only session does NOT stop on these engines, so the guard is
 * the only defence: each statement runs on a raw session prepared with the
 * product's statements and changes something, and the guard refuses it.
 * Should an engine start refusing one, the test says which to update.
 */
areaTest(
  "postgres",
  "only the guard stops COPY TO a file, large objects, EXPLAIN ANALYZE CREATE TABLE AS, BEGIN READ WRITE and set_config",
  async (area) => {
    const { table: t, dir, newTable } = area.scratch;
    const connection = await area.connect();
    const admin = await area.connect();
    const gap = async (sql: string) => {
      assert.equal(checkReadOnly(sql, "postgres").ok, false, `the guard must refuse ${sql}`);
      try {
        return await connection.query(sql);
      } catch (error) {
        throw new Error(`the engine now refuses ${sql} (${toDatabaseError(error, []).message}); update this test`);
      }
    };
    let largeObject: unknown;
    try {
      for (const statement of readOnlySessionStatements("postgres")) await connection.query(statement);
      assert.ok(await failure(connection, `CREATE TABLE ${newTable} (a int)`), "the session must start read-only");

      await gap(`COPY ${t} TO '${dir}/gap.csv'`);
      assert.deepEqual(await listFiles(dir), ["gap.csv"], "COPY TO wrote a server-side file");

      largeObject = (await gap("SELECT lo_from_bytea(0, 'written in a read-only session')"))[0][0];
      const stored = await admin.query(
        `SELECT count(*) FROM pg_largeobject_metadata WHERE oid = ${Number(largeObject)}`,
      );
      assert.equal(Number(stored[0][0]), 1, "a large object was created and committed");

      // PostgreSQL 15 runs EXPLAIN ANALYZE of CREATE TABLE AS in a read-only transaction (its docs say it must not).
      await gap(`EXPLAIN ANALYZE CREATE TABLE ${newTable} AS SELECT 1 AS a`);
      const created = await admin.query(`SELECT count(*) FROM ${newTable}`);
      assert.equal(Number(created[0][0]), 1, "EXPLAIN ANALYZE CREATE TABLE AS created a table");
      await admin.query(`DROP TABLE ${newTable}`);

      await gap("BEGIN READ WRITE");
      assert.equal(
        await failure(connection, `CREATE TABLE ${newTable} (a int)`),
        undefined,
        "BEGIN READ WRITE allows DDL",
      );
      await connection.query("ROLLBACK");

      await gap("SELECT set_config('default_transaction_read_only', 'off', false)");
      assert.equal(
        await failure(connection, `CREATE TABLE ${newTable} (a int)`),
        undefined,
        "set_config re-enabled writes",
      );
    } finally {
      if (largeObject !== undefined) await admin.query(`SELECT lo_unlink(${Number(largeObject)})`).catch(() => {});
      await connection.close();
      await admin.close();
    }
  },
);

areaTest(
  "sqlite",
  "only the guard stops journal_mode, ATTACH, VACUUM INTO leftovers and query_only = 0",
  async (area) => {
    const { table: t, dir } = area.scratch;
    const connection = await area.connect();
    const guardRefuses = (sql: string) =>
      assert.equal(checkReadOnly(sql, "sqlite").ok, false, `the guard must refuse ${sql}`);
    try {
      for (const statement of readOnlySessionStatements("sqlite")) await connection.query(statement);
      assert.ok(await failure(connection, `DELETE FROM ${t}`), "the session must start read-only");
      const before = (await area.snapshot()).fileSha256;

      guardRefuses("PRAGMA journal_mode = WAL");
      assert.equal(await failure(connection, "PRAGMA journal_mode = WAL"), undefined);
      assert.notEqual((await area.snapshot()).fileSha256, before, "journal_mode rewrote the database header");

      guardRefuses(`ATTACH '${dir}/gap.db' AS gap`);
      assert.equal(await failure(connection, `ATTACH '${dir}/gap.db' AS gap`), undefined);
      assert.deepEqual(await listFiles(dir), ["gap.db"], "ATTACH created a file");

      guardRefuses(`VACUUM INTO '${dir}/gap-vacuum.db'`);
      assert.ok(await failure(connection, `VACUUM INTO '${dir}/gap-vacuum.db'`), "VACUUM INTO is refused...");
      assert.deepEqual(await listFiles(dir), ["gap-vacuum.db", "gap.db"], "...but leaves its file behind");

      guardRefuses("PRAGMA query_only = 0");
      assert.equal(await failure(connection, "PRAGMA query_only = 0"), undefined);
      assert.equal(await failure(connection, `DELETE FROM ${t}`), undefined, "query_only = 0 re-enabled writes");
    } finally {
      await connection.close();
    }
  },
);

/**
 * SQL text run by functions (query_to_xml, ts_stat) inside a read-only
 * session: the engine lets side effects outside the transaction through, so
 * only the guard's classification stops them.
 */
areaTest(
  "postgres",
  "only the guard stops side effects run as SQL text by query_to_xml and ts_stat",
  async (area) => {
    const connection = await area.connect();
    const admin = await area.connect();
    const victim = await area.connect();
    let largeObject: unknown;
    const gap = async (sql: string) => {
      assert.equal(checkReadOnly(sql, "postgres").ok, false, `the guard must refuse ${sql}`);
      try {
        return await connection.query(sql);
      } catch (error) {
        throw new Error(`the engine now refuses ${sql} (${toDatabaseError(error, []).message}); update this test`);
      }
    };
    try {
      for (const statement of readOnlySessionStatements("postgres")) await connection.query(statement);
      assert.ok(await failure(connection, `DELETE FROM ${area.scratch.table}`), "the session must start read-only");

      const xml = await gap(
        "SELECT query_to_xml('SELECT lo_from_bytea(0, ''through SQL text'') AS oid', true, true, '')",
      );
      largeObject = /<oid>(\d+)<\/oid>/.exec(String(xml[0][0]))?.[1];
      const stored = await admin.query(`SELECT count(*) FROM pg_largeobject_metadata WHERE oid = ${largeObject}`);
      assert.equal(Number(stored[0][0]), 1, "query_to_xml created and committed a large object");

      await gap(
        "SELECT * FROM ts_stat('SELECT to_tsvector(set_config(''standard_conforming_strings'', ''off'', false))')",
      );
      const setting = await connection.query("SHOW standard_conforming_strings");
      assert.equal(setting[0][0], "off", "ts_stat changed how the session reads SQL");

      const pid = Number((await victim.query("SELECT pg_backend_pid()"))[0][0]);
      await gap(`SELECT query_to_xml('SELECT pg_terminate_backend(${pid})', true, false, '')`);
      let alive = 1;
      for (let tries = 0; tries < 100 && alive > 0; tries++) { // the backend exits shortly after the signal
        alive = Number((await admin.query(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${pid}`))[0][0]);
        if (alive > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(alive, 0, "query_to_xml ended another session");
    } finally {
      if (largeObject !== undefined) await admin.query(`SELECT lo_unlink(${largeObject})`).catch(() => {});
      await victim.close().catch(() => {}); // terminated above: nothing left to close
      await connection.close();
      await admin.close();
    }
  },
);
