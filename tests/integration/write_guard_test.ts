/**
 * What `checkWrite` stops, proven on real engines: each statement below does
 * something other than what the usual reading of its text says once a
 * session setting that changes lexing is off its default (the hazards of
 * the security review, reproduced through psqlODBC), and checkWrite refuses
 * both the statement and every way to change the setting. Statements it
 * accepts run as the one statement they read as.
 * @module
 */
import assert from "node:assert/strict";
import { checkReadOnly, checkWrite, splitStatements } from "../../connection/guard.ts";
import { toDatabaseError } from "../../connection/errors.ts";
import { loadOdbc, type OdbcConnection } from "../../connection/odbc.ts";
import { runScript } from "../../connection/script.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";
import { pgUri } from "../_pg.ts";

import { verdict } from "../connection/_verdict.ts";

const odbc = loadOdbc();

/** Runs `fn` with a raw (writable) PostgreSQL connection and a scratch table of five rows, `id` 1 to 5. */
async function withTable(fn: (connection: OdbcConnection, table: string) => Promise<void>): Promise<void> {
  const uri = pgUri()!;
  const schema = `wguard_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const table = `${schema}.rows`;
  await runScript(uri, [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${table} (id integer PRIMARY KEY, v text NOT NULL)`,
    `INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(1, 5) AS g`,
  ]);
  const connection = await odbc.connect(parseDatabaseUri(uri).connectionString, 10);
  try {
    await fn(connection, table);
  } finally {
    await connection.close();
    await runScript(uri, [`DROP SCHEMA ${schema} CASCADE`]);
  }
}

async function rows(connection: OdbcConnection, table: string): Promise<string[]> {
  return [...await connection.query(`SELECT id || ':' || v FROM ${table} ORDER BY id`)].map((row) => String(row[0]));
}

function refused(sql: string): void {
  const verdict = checkWrite(sql, "postgres");
  assert.equal(verdict.ok, false, `checkWrite allowed ${JSON.stringify(sql)}`);
}

Deno.test({
  name:
    "without standard_conforming_strings a DELETE hidden after a backslash-quoted string runs, and checkWrite refuses it",
  ignore: !pgUri(),
  fn: () =>
    withTable(async (connection, table) => {
      const sql = `UPDATE ${table} SET v = 'a\\'' ; DELETE FROM ${table} WHERE id = 5; --'`;
      assert.equal(splitStatements(sql, "postgres").length, 1, "the usual reading sees one statement");
      refused(sql);
      await connection.query("SET standard_conforming_strings = off");
      await connection.query(sql);
      assert.deepEqual(await rows(connection, table), ["1:a'", "2:a'", "3:a'", "4:a'"], "the DELETE ran");
      for (const change of ["SET standard_conforming_strings = off", "RESET standard_conforming_strings"]) {
        refused(change);
      }
      refused("SELECT set_config('standard_conforming_strings', 'off', false)");
      refused("ALTER ROLE CURRENT_USER SET standard_conforming_strings = off");
    }),
});

Deno.test({
  name:
    "without standard_conforming_strings an UPDATE's WHERE ends up inside a string and every row changes, and checkWrite refuses it",
  ignore: !pgUri(),
  fn: () =>
    withTable(async (connection, table) => {
      const sql = `UPDATE ${table} SET v = 'x\\' WHERE id = 1 -- '`;
      refused(sql);
      await connection.query("SET standard_conforming_strings = off");
      await connection.query(sql);
      assert.equal(new Set(await rows(connection, table)).size, 5);
      assert.ok((await rows(connection, table)).every((row) => row.endsWith(":x' WHERE id = 1 -- ")), "all rows");
    }),
});

Deno.test({
  name:
    "under client_encoding SJIS psqlODBC's UTF-8 lets a DELETE out of an E-string, and checkWrite refuses every way to set it",
  ignore: !pgUri(),
  fn: () =>
    withTable(async (connection, table) => {
      const sql = `UPDATE ${table} SET v = E'Á\\'; DELETE FROM ${table} WHERE id = 4; --'`;
      assert.equal(splitStatements(sql, "postgres").length, 1);
      assert.deepEqual(
        verdict(checkWrite(sql, "postgres")),
        { ok: true, kind: "update" },
        "every reading tdmcp knows agrees",
      );
      await connection.query("SET client_encoding = 'SJIS'");
      await connection.query(sql);
      assert.deepEqual((await rows(connection, table)).map((row) => row.split(":")[0]), ["1", "2", "3", "5"]);
      for (
        const change of [
          "SET client_encoding = 'SJIS'",
          "SET NAMES 'GBK'",
          "SET SESSION client_encoding TO 'BIG5'",
          "SELECT set_config('client_encoding', 'SJIS', false)",
          "SELECT pg_catalog.set_config('client_encoding', 'SJIS', true)",
          "ALTER ROLE CURRENT_USER SET client_encoding = 'SJIS'",
          "ALTER DATABASE tdmcp_test SET client_encoding = 'SJIS'",
          "UPDATE pg_settings SET setting = 'SJIS' WHERE name = 'client_encoding'",
          "DO $$BEGIN PERFORM set_config('client_encoding', 'SJIS', false); END$$",
          "DO $$BEGIN EXECUTE E'SET client\\137encoding = ''SJIS'''; END$$",
          "SELECT query_to_xml('SELECT set_config(''client_encoding'', ''SJIS'', false)', true, false, '')",
        ]
      ) {
        refused(change);
        assert.equal(checkReadOnly(change, "postgres").ok, false, change);
      }
    }),
});

Deno.test({
  name: "statements checkWrite accepts run on PostgreSQL as the one statement they read as",
  ignore: !pgUri(),
  fn: () =>
    withTable(async (connection, table) => {
      const accepted = [
        `UPDATE ${table} SET v = E'C:\\\\temp\\\\x' WHERE id = 1`,
        `UPDATE ${table} SET v = 'C:\\temp' WHERE id = 2 -- note`,
        `UPDATE ${table} SET v = $$it's; DELETE FROM ${table}$$ WHERE id = 3;`,
        `DELETE FROM ${table} WHERE id = 5 /* ; DELETE FROM ${table} */`,
      ];
      for (const sql of accepted) {
        assert.equal(checkWrite(sql, "postgres").ok, true, sql);
        await connection.query(sql.endsWith(" -- note") ? `${sql}\n` : sql);
      }
      assert.deepEqual(await rows(connection, table), [
        "1:C:\\temp\\x",
        "2:C:\\temp",
        `3:it's; DELETE FROM ${table}`,
        "4:v4",
      ]);
    }),
});

Deno.test("SQLite's driver runs load_extension, and neither mode lets it through", async () => {
  const root = await Deno.makeTempDir({ prefix: "tdmcp-wguard-" });
  const connection = await odbc.connect(parseDatabaseUri(`sqlite://${root}/x.db`).connectionString, 10);
  try {
    const sql = `SELECT load_extension('${root}/missing')`;
    let message = "";
    try {
      await connection.query(sql);
    } catch (error) {
      message = toDatabaseError(error, []).message;
    }
    assert.match(message, /missing\.so: cannot open shared object file/, "the driver tried to load the file");
    assert.equal(checkWrite(sql, "sqlite").ok, false);
    assert.equal(checkReadOnly(sql, "sqlite").ok, false);
  } finally {
    await connection.close();
    await Deno.remove(root, { recursive: true });
  }
});
