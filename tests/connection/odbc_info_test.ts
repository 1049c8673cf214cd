/**
 * Addon patch 6: a connection says which DBMS it reaches (`SQLGetInfo`
 * `SQL_DBMS_NAME`, `SQL_DBMS_VER`, `SQL_DRIVER_NAME`), for DSN and raw
 * `DRIVER=...` connection strings alike, on real SQLite and PostgreSQL.
 * @module
 */
import assert from "node:assert/strict";
import { loadOdbc } from "../../connection/odbc.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgAdmin, pgUri } from "../_pg.ts";

const odbc = loadOdbc();

/** Connects, reads the three values, closes. */
async function infoOf(connectionString: string): Promise<{ name?: string; version?: string; driver?: string }> {
  const connection = await odbc.connect(connectionString, 5);
  try {
    return { name: connection.dbmsName, version: connection.dbmsVersion, driver: connection.driverName };
  } finally {
    await connection.close();
  }
}

/** The SQLite ODBC driver's library, as odbcinst.ini names it for the `SQLite3` driver. */
async function sqliteDriverPath(): Promise<string> {
  const ini = await Deno.readTextFile("/etc/odbcinst.ini");
  const section = /\[SQLite3\][^[]*?^Driver=(.+)$/m.exec(ini)?.[1]?.trim();
  assert.ok(section, "odbcinst.ini has no [SQLite3] Driver= line");
  if (section.startsWith("/")) return section;
  for (const dir of ["/usr/lib/x86_64-linux-gnu/odbc", "/usr/lib/aarch64-linux-gnu/odbc", "/usr/lib/odbc"]) {
    try {
      await Deno.stat(`${dir}/${section}`);
      return `${dir}/${section}`;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(`cannot find the SQLite ODBC driver ${section}`);
}

Deno.test("a SQLite connection reports DBMS SQLite, its version and the driver file, by driver name and by raw DRIVER=<path>", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-info-" });
  try {
    const byName = await infoOf(parseDatabaseUri(`sqlite://${dir}/a.db`).connectionString);
    assert.equal(byName.name, "SQLite");
    assert.match(byName.version ?? "", /^3\.\d+\.\d+/);
    assert.match(byName.driver ?? "", /sqlite3odbc/);
    const path = await sqliteDriverPath();
    const raw = await infoOf(parseDatabaseUri(`odbc:DRIVER=${path};Database=${dir}/b.db`).connectionString);
    assert.deepEqual(raw, byName);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a PostgreSQL connection reports DBMS PostgreSQL and the server's version, by URI and by raw DRIVER= string",
  ignore: !pgUri(),
  async fn() {
    const uri = new URL(pgUri()!);
    const viaUri = await infoOf(parseDatabaseUri(uri.href).connectionString);
    assert.equal(viaUri.name, "PostgreSQL");
    const major = (await pgAdmin("SHOW server_version_num")).trim().slice(0, -4);
    assert.match(viaUri.version ?? "", new RegExp(`^${major}\\.`)); // psqlODBC writes 15.18 as "15.0.18"
    assert.match(viaUri.driver ?? "", /psqlodbc/);
    const raw = `DRIVER={PostgreSQL Unicode};Server=${uri.hostname};Port=${uri.port};Database=${
      uri.pathname.slice(1)
    };UID=${decodeURIComponent(uri.username)};PWD=${decodeURIComponent(uri.password)};`;
    assert.deepEqual(await infoOf(parseDatabaseUri(`odbc:${raw}`).connectionString), viaUri);
  },
});

Deno.test("a closed connection reports empty strings rather than throwing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-info-" });
  try {
    const connection = await odbc.connect(parseDatabaseUri(`sqlite://${dir}/c.db`).connectionString, 5);
    assert.equal(connection.dbmsName, "SQLite");
    await connection.close();
    assert.equal(connection.dbmsName, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
