/**
 * The live Teradata suites' one wrapper: each test runs only when
 * TERADATA_TEST_URI is set (ODBC_DRIVER names the driver), on its own
 * Database and client.
 * @module
 */
import assert from "node:assert/strict";
import type { DatabaseConfig } from "../../connection/database.ts";
import type { Database } from "../../connection/types.ts";
import { testDatabase } from "../_helpers.ts";

const uri = Deno.env.get("TERADATA_TEST_URI");
const odbcDriver = Deno.env.get("ODBC_DRIVER");

/** Returns `live(name, fn)`: a test against the live Teradata through the client `connect` builds. */
export function liveTeradata<C extends AsyncDisposable>(
  connect: (db: Database) => Promise<C>,
  overrides: Partial<DatabaseConfig> = {},
): (name: string, fn: (c: C) => Promise<void>) => void {
  return (name, fn) =>
    Deno.test({
      name: `teradata (live): ${name}`,
      ignore: !uri,
      async fn() {
        await using db = testDatabase(uri!, { ...overrides, ...(odbcDriver ? { odbcDriver } : {}) });
        assert.equal(db.dialect, "teradata");
        await using c = await connect(db);
        await fn(c);
      },
    });
}
