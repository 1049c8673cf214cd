/**
 * The world isolation_test.ts attacks, built and read as the PostgreSQL
 * superuser through psql (pgAdmin), never through the system under test:
 * a per-run schema with a table, a sequence and writing functions; an owner
 * role and a SELECT-only role; a psql session LISTENing for notifications;
 * a psql "victim" session of each role for the terminate payloads; and a
 * directory file-writing payloads aim at.
 * @module
 */
import { pgAdmin, pgUri } from "../_pg.ts";

/** Rows in the table at start. */
export const ROWS = 20;

/** The channel the listener watches (payloads notify it). */
export const CHANNEL = "iso_ch";

/**
 * The exact rights of the SELECT-only role (besides LOGIN), as the README
 * recommends them. `{db}`, `{schema}` and `{role}` are filled in.
 */
export const SELECT_ONLY_GRANTS = [
  "GRANT CONNECT ON DATABASE {db} TO {role}",
  "GRANT USAGE ON SCHEMA {schema} TO {role}",
  "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
] as const;

/** A login role the server connects as. */
export interface Role {
  kind: "owner" | "reader";
  name: string;
  password: string;
  /** application_name of this role's victim session. */
  victimApp: string;
}

/** Names of the per-run objects. */
export interface Fixture {
  schema: string;
  table: string;
  sequence: string;
  owner: Role;
  reader: Role;
  /** Directory (empty, writable by the database server) that COPY/lo_export payloads aim at. */
  dir: string;
  /** An odbc.ini (for `ODBCINI`) defining a DSN named like the schema. */
  odbcIni: string;
  database: string;
  host: string;
  port: string;
}

/** Everything outside the server's own session that a payload could have changed. */
export interface WorldState {
  /** Advisory locks held by anyone. */
  advisoryLocks: number;
  largeObjects: number;
  sequence: string;
  checksum: string;
  /** Relations in any temporary schema. */
  tempRelations: number;
  /** Server backends (of the fixture's roles, not victims) idle inside an open transaction. */
  openTransactions: number;
  /** Per-role or per-database settings stored in the catalog. */
  roleSettings: string;
  /** Sessions terminated by pg_terminate_backend (cumulative, all databases). */
  sessionsKilled: number;
  /** Victim sessions still connected, by role kind. */
  victims: string;
  /** Files in the target directory. */
  files: string[];
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Creates the schema, its objects and both roles. */
export async function createFixture(): Promise<Fixture> {
  const uri = new URL(pgUri()!);
  const id = randomHex(4);
  const schema = `iso_${id}`;
  const role = (kind: Role["kind"]): Role => ({
    kind,
    name: `${schema}_${kind}`,
    password: randomHex(12),
    victimApp: `${schema}_victim_${kind}`,
  });
  const owner = role("owner");
  const reader = role("reader");
  const database = decodeURIComponent(uri.pathname.slice(1));
  const t = `${schema}.items`;
  const seq = `${schema}.items_seq`;
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-isolation-" });
  await Deno.chmod(dir, 0o777);
  const odbcIni = await Deno.makeTempFile({ prefix: "tdmcp-isolation-odbc-", suffix: ".ini" });
  await Deno.writeTextFile(
    odbcIni,
    `[${schema}]\nDriver=PostgreSQL Unicode\nServername=${uri.hostname}\nPort=${
      uri.port || "5432"
    }\nDatabase=${database}\n`,
  );
  const fill = (s: string) =>
    s.replaceAll("{db}", database).replaceAll("{schema}", schema).replaceAll("{role}", reader.name);
  await pgAdmin([
    `CREATE ROLE ${owner.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${owner.password}'`,
    `CREATE ROLE ${reader.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${reader.password}'`,
    `GRANT CONNECT ON DATABASE ${database} TO ${owner.name}`,
    `CREATE SCHEMA ${schema} AUTHORIZATION ${owner.name}`,
    `SET ROLE ${owner.name}`,
    `CREATE TABLE ${t} (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL)`,
    `INSERT INTO ${t} SELECT g, 'item ' || g, g % 7 FROM generate_series(1, ${ROWS}) AS g`,
    `CREATE SEQUENCE ${seq}`,
    `SELECT setval('${seq}', ${ROWS})`,
    // A plain writing function: the engine's read-only transaction is all that stops it.
    `CREATE FUNCTION ${schema}.bump() RETURNS integer LANGUAGE sql
      AS $$ INSERT INTO ${t} SELECT 1000 + count(*), 'bump', 0 FROM ${t} RETURNING id $$`,
    // Dynamic SQL: the guard cannot see the UPDATE.
    `CREATE FUNCTION ${schema}.bump_dyn() RETURNS integer LANGUAGE plpgsql
      AS $$ BEGIN EXECUTE 'UPDATE ${t} SET qty = qty + 1'; RETURN 1; END $$`,
    // SECURITY DEFINER, executable by PUBLIC (PostgreSQL's default): a SELECT-only caller writes as the owner.
    `CREATE FUNCTION ${schema}.definer_bump() RETURNS bigint LANGUAGE sql SECURITY DEFINER
      AS $$ INSERT INTO ${t} SELECT 2000 + nextval('${seq}'), 'definer', 0 RETURNING id $$`,
    // A helper that runs SQL text, as many databases have: the guard cannot see its argument's effect.
    `CREATE FUNCTION ${schema}.run_sql(q text) RETURNS text LANGUAGE plpgsql
      AS $$ DECLARE r text; BEGIN
        IF q ~* '^\\s*SELECT' THEN EXECUTE q INTO r; ELSE EXECUTE q; END IF;
        RETURN coalesce(r, 'done');
      END $$`,
    "RESET ROLE",
    ...SELECT_ONLY_GRANTS.map(fill),
    // The owner may SET ROLE to the reader (a role it is a member of), so identity payloads have somewhere to go.
    `GRANT ${reader.name} TO ${owner.name}`,
  ].join(";\n"));
  return {
    schema,
    table: t,
    sequence: seq,
    owner,
    reader,
    dir,
    odbcIni,
    database,
    host: uri.hostname,
    port: uri.port || "5432",
  };
}

/** Drops everything the fixture made (terminating the roles' sessions first). */
export async function dropFixture(f: Fixture): Promise<void> {
  const roles = `'${f.owner.name}', '${f.reader.name}'`;
  await pgAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN (${roles})`);
  await pgAdmin([
    `SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE lomowner IN (SELECT oid FROM pg_roles WHERE rolname IN (${roles}))`,
    `DROP SCHEMA IF EXISTS ${f.schema} CASCADE`,
    `REVOKE ALL ON DATABASE ${f.database} FROM ${f.owner.name}, ${f.reader.name}`,
    `DROP ROLE IF EXISTS ${f.owner.name}`,
    `DROP ROLE IF EXISTS ${f.reader.name}`,
  ].join(";\n"));
  await Deno.remove(f.dir, { recursive: true });
  await Deno.remove(f.odbcIni);
}

/** Reads the world's state as the superuser. */
export async function worldState(f: Fixture): Promise<WorldState> {
  const roles = `'${f.owner.name}', '${f.reader.name}'`;
  const victims = `'${f.owner.victimApp}', '${f.reader.victimApp}'`;
  const out = await pgAdmin(`SELECT json_build_object(
    'advisoryLocks', (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'),
    'largeObjects', (SELECT count(*) FROM pg_largeobject_metadata),
    'sequence', (SELECT last_value || '/' || is_called FROM ${f.sequence}),
    'checksum', (SELECT count(*) || ':' || md5(coalesce(string_agg(i::text, '|' ORDER BY id), '')) FROM ${f.table} AS i),
    'tempRelations', (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname LIKE 'pg\\_temp\\_%'),
    'openTransactions', (SELECT count(*) FROM pg_stat_activity WHERE usename IN (${roles})
      AND application_name NOT IN (${victims}) AND state LIKE 'idle in transaction%'),
    'roleSettings', (SELECT coalesce(string_agg(setrole::regrole || '@' || setdatabase || '=' || setconfig::text, ','), '')
      FROM pg_db_role_setting),
    'sessionsKilled', (SELECT sum(sessions_killed) FROM pg_stat_database),
    'victims', (SELECT coalesce(string_agg(application_name, ',' ORDER BY application_name), '') FROM pg_stat_activity
      WHERE application_name IN (${victims})))`);
  const state = JSON.parse(out) as Omit<WorldState, "files">;
  const files: string[] = [];
  for await (const entry of Deno.readDir(f.dir)) files.push(entry.name);
  return { ...state, sessionsKilled: Number(state.sessionsKilled), files: files.sort() };
}

/**
 * Puts the world back after a payload broke it: the role's server backends
 * are terminated (the server reconnects, so its next connection starts
 * clean), rows and large objects the payloads made are removed, the
 * sequence is set back.
 */
export async function resetWorld(f: Fixture, role: Role): Promise<void> {
  const roles = `'${f.owner.name}', '${f.reader.name}'`;
  await terminateServer(f, role);
  await pgAdmin([
    `DELETE FROM ${f.table} WHERE id > ${ROWS}`,
    `UPDATE ${f.table} SET qty = id % 7, name = 'item ' || id WHERE qty <> id % 7 OR name <> 'item ' || id`,
    `SELECT setval('${f.sequence}', ${ROWS})`,
    `SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE lomowner IN (SELECT oid FROM pg_roles WHERE rolname IN (${roles}))`,
    `ALTER ROLE ${role.name} RESET ALL`,
  ].join(";\n"));
  for await (const entry of Deno.readDir(f.dir)) await Deno.remove(`${f.dir}/${entry.name}`, { recursive: true });
}

/** Terminates the server's backends (those of `role` that are not the victim session); returns how many. */
export async function terminateServer(f: Fixture, role: Role): Promise<number> {
  const out = await pgAdmin(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE usename = '${role.name}' AND application_name NOT IN ('${f.owner.victimApp}', '${f.reader.victimApp}')`);
  return Number(out.trim());
}

/** The psql binary of the test cluster. */
function psqlPath(): string {
  const bin = Deno.env.get("TDMCP_TEST_PG_BIN");
  return bin ? `${bin}/psql` : "psql";
}

/** A long-lived psql session fed through stdin. */
class PsqlSession implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffered = "";
  #syncs = 0;

  constructor(uri: string) {
    this.#child = new Deno.Command(psqlPath(), {
      args: ["-X", "-q", "-A", "-t", "-d", uri],
      cwd: "/",
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.getReader();
  }

  /** Sends SQL and returns everything psql printed until it finished (notifications included). */
  async send(sql: string): Promise<string> {
    const n = ++this.#syncs;
    // Two markers: psql prints notifications after the result of the query during which they arrived.
    await this.#writer.write(new TextEncoder().encode(`${sql}\nSELECT 'sync-${n}';\nSELECT 'end-${n}';\n`));
    const decoder = new TextDecoder();
    while (!this.#buffered.includes(`end-${n}\n`)) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("psql ended");
      this.#buffered += decoder.decode(value, { stream: true });
    }
    const out = this.#buffered;
    this.#buffered = "";
    return out;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#reader.cancel().catch(() => {});
    await this.#child.status;
  }
}

/** A superuser psql session LISTENing on {@linkcode CHANNEL}; `take()` returns the notifications seen since. */
export async function openListener(): Promise<{ take(): Promise<string[]> } & AsyncDisposable> {
  const session = new PsqlSession(pgUri()!);
  await session.send(`LISTEN ${CHANNEL};`);
  return {
    async take() {
      const out = await session.send("SELECT 1;");
      return out.split("\n").filter((line) => line.startsWith("Asynchronous notification"));
    },
    [Symbol.asyncDispose]: () => session[Symbol.asyncDispose](),
  };
}

/** An idle psql session as `role` (application_name = role.victimApp), for terminate payloads to aim at. */
export async function openVictim(role: Role): Promise<AsyncDisposable> {
  const uri = new URL(pgUri()!);
  uri.username = role.name;
  uri.password = role.password;
  uri.searchParams.set("application_name", role.victimApp);
  const session = new PsqlSession(uri.href);
  await session.send("SELECT 1;");
  return session;
}

/** The ways a user may name the same PostgreSQL database: a URI, two raw ODBC strings and a DSN from an odbc.ini. */
export function uriForms(f: Fixture, role: Role): Record<string, { uri: string; env?: Record<string, string> }> {
  const keys = `Server=${f.host};Port=${f.port};Database=${f.database};UID=${role.name};PWD=${role.password};`;
  return {
    "postgres://": {
      uri: `postgres://${role.name}:${role.password}@${f.host}:${f.port}/${f.database}`,
    },
    "odbc:DRIVER=PostgreSQL Unicode": { uri: `odbc:DRIVER={PostgreSQL Unicode};${keys}` },
    "DRIVER=<path to psqlodbcw.so>": { uri: `DRIVER=${psqlodbcPath()};${keys}` },
    "odbc:DSN=<name> (odbc.ini)": {
      uri: `odbc:DSN=${f.schema};UID=${role.name};PWD=${role.password};`,
      env: { ODBCINI: f.odbcIni },
    },
  };
}

/** The real path of the psqlODBC Unicode driver, read from /etc/odbcinst.ini (relative names resolved as unixODBC does). */
export function psqlodbcPath(): string {
  const ini = Deno.readTextFileSync("/etc/odbcinst.ini");
  const section = /\[PostgreSQL Unicode\]([^[]*)/.exec(ini)?.[1] ?? "";
  const driver = /^\s*Driver\s*=\s*(.+?)\s*$/m.exec(section)?.[1] ?? "psqlodbcw.so";
  if (driver.startsWith("/")) return driver;
  for (
    const dir of ["/usr/lib/x86_64-linux-gnu/odbc", "/usr/lib/aarch64-linux-gnu/odbc", "/usr/lib/odbc", "/usr/lib"]
  ) {
    try {
      if (Deno.statSync(`${dir}/${driver}`).isFile) return `${dir}/${driver}`;
    } catch { /* not here */ }
  }
  return driver;
}
