/**
 * The benchmark data: a throwaway PostgreSQL cluster (unless
 * TDMCP_TEST_PG_URI names a database), the demo data with its 1,000,000-row
 * `big` table on SQLite and PostgreSQL (the test fixtures), and a 1,000-row
 * `small` copy of its first rows.
 * @module
 */
import { demoPostgresUri, demoSqlitePath, PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { pgAdmin, pgCtl, pgStart, pgStop } from "../tests/_pg.ts";
import { runScript } from "../connection/script.ts";
import { say } from "./_stats.ts";

/** The PostgreSQL schema holding `small` (dropped afterwards when the database is not ours). */
export const BENCH_SCHEMA = "tdmcp_bench";

/** Where the data of one benchmark run is. */
export interface BenchData {
  /** A private copy of the SQLite demo file, with `small`. */
  sqlitePath: string;
  /** tdmcp's URI of the PostgreSQL test database (demo schema {@link PG_DEMO_SCHEMA}); "" without PostgreSQL. */
  pgUri: string;
  /** Removes what `prepareData` made. */
  cleanup(): Promise<void>;
}

/** Prepares SQLite and (with `postgres`) PostgreSQL, starting a cluster when none is given, in `work`. */
export async function prepareData(work: string, postgres = true): Promise<BenchData> {
  const pgDir = !postgres || Deno.env.get("TDMCP_TEST_PG_URI") ? undefined : await startPostgres();
  const cleanup = async () => {
    if (pgDir) {
      await pgStop("fast").catch((e) => say(`pg_ctl stop failed: ${e}`));
      await Deno.remove(pgDir, { recursive: true }).catch(() => {});
    } else if (postgres) await pgAdmin(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`).catch(() => {});
  };
  try {
    const sqlitePath = `${work}/bench.db`;
    say("preparing the SQLite and PostgreSQL demo data (the first time takes about a minute)");
    await Deno.copyFile(await demoSqlitePath(), sqlitePath);
    await runScript(`sqlite://${sqlitePath}`, [
      "CREATE TABLE small (id INTEGER PRIMARY KEY, payload TEXT, amount REAL)",
      "INSERT INTO small SELECT * FROM big WHERE id <= 1000",
    ]);
    if (!postgres) return { sqlitePath, pgUri: "", cleanup };
    const pgUri = await demoPostgresUri();
    if (!pgUri) throw new Error("no PostgreSQL");
    await pgAdmin(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE; CREATE SCHEMA ${BENCH_SCHEMA};
CREATE TABLE ${BENCH_SCHEMA}.small AS SELECT * FROM ${PG_DEMO_SCHEMA}.big WHERE id <= 1000`);
    // Leave autovacuum nothing to do on freshly loaded tables during the measurements.
    for (const table of [`${BENCH_SCHEMA}.small`, `${PG_DEMO_SCHEMA}.orders`, `${PG_DEMO_SCHEMA}.big`]) {
      await pgAdmin(`VACUUM (ANALYZE) ${table}`);
    }
    await pgAdmin("CHECKPOINT");
    return { sqlitePath, pgUri, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A throwaway cluster run as the `postgres` OS user (when root), controlled through tests/_pg.ts. */
async function startPostgres(): Promise<string> {
  const port = Number(Deno.env.get("TDMCP_BENCH_PG_PORT") ?? 55433);
  const root = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-bench-pg-" });
  const pwfile = `${dir}.pw`;
  const password = crypto.randomUUID().replaceAll("-", "");
  Deno.env.set("TDMCP_TEST_PG_DATA", dir);
  Deno.env.set("TDMCP_TEST_PG_BIN", Deno.env.get("TDMCP_TEST_PG_BIN") ?? "/usr/lib/postgresql/15/bin");
  Deno.env.set("TDMCP_TEST_PG_SUPERUSER_PREFIX", JSON.stringify(root ? ["runuser", "-u", "postgres", "--"] : []));
  const own = async (path: string) => {
    const id = (f: string) =>
      Number(new TextDecoder().decode(new Deno.Command("id", { args: [f, "postgres"] }).outputSync().stdout));
    if (root) await Deno.chown(path, id("-u"), id("-g"));
  };
  await own(dir);
  await Deno.writeTextFile(pwfile, `${password}\n`, { mode: 0o600 });
  await own(pwfile);
  try {
    const initdb = `-U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=${pwfile} --encoding=UTF8`;
    await pgCtl(["init", "-s", "-D", dir, "-o", `${initdb} --locale=C.UTF-8 --no-sync`]);
  } finally {
    await Deno.remove(pwfile);
  }
  const conf = `${dir}/postgresql.auto.conf`;
  const settings = `port = ${port}\nunix_socket_directories = '${dir}'\nlisten_addresses = '127.0.0.1'\n`;
  await Deno.writeTextFile(conf, `${settings}fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n`);
  await own(conf);
  await pgStart();
  Deno.env.set("TDMCP_TEST_PG_URI", `postgres://postgres:${password}@127.0.0.1:${port}/tdmcp_test`);
  await pgAdmin("CREATE DATABASE tdmcp_test", "postgres");
  say(`PostgreSQL on 127.0.0.1:${port} (data ${dir})`);
  return dir;
}
