/**
 * Runs a list of statements on one dedicated, writable connection inside one
 * transaction — for building the demo database, never for agent SQL.
 * @module
 */
import { toDatabaseError } from "./errors.ts";
import { loadOdbc, type OdbcDriver } from "./odbc.ts";
import { parseDatabaseUri } from "./uri.ts";

/**
 * Executes `statements` in order in one transaction; rolls back on the first
 * failure and throws it (secrets removed).
 *
 * @example
 * ```ts
 * await runScript("sqlite:///tmp/x.db", ["CREATE TABLE t (a INTEGER)"]);
 * ```
 */
export async function runScript(
  uri: string,
  statements: readonly string[],
  driver: OdbcDriver = loadOdbc(),
): Promise<void> {
  const target = parseDatabaseUri(uri);
  const connection = await driver.connect(target.connectionString, 30).catch(
    (error) => {
      throw toDatabaseError(error, target.secrets);
    },
  );
  try {
    await connection.query("BEGIN");
    for (const statement of statements) await connection.query(statement);
    await connection.query("COMMIT");
  } catch (error) {
    await connection.query("ROLLBACK").catch(() => {});
    throw toDatabaseError(error, target.secrets);
  } finally {
    await connection.close();
  }
}
