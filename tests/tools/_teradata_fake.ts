/**
 * A stand-in ODBC driver that records every statement, for tests of the SQL
 * tools send to Teradata (whose driver cannot be installed here), shared by
 * every Teradata SQL test.
 * @module
 */
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import type { OdbcBatch, OdbcConnection, OdbcCursor, OdbcDriver } from "../../connection/odbc.ts";

/** One statement as it reached the driver. */
export interface Sent {
  sql: string;
  params: unknown[] | null;
}

/** A stand-in driver that records every statement and answers with `answer(sql)`. */
export function recordingDriver(
  answer: (sql: string) => unknown[][] = () => [],
): { driver: OdbcDriver; sent: Sent[]; connects: string[] } {
  const sent: Sent[] = [];
  const connects: string[] = [];
  const batch = (rows: unknown[][]): OdbcBatch =>
    Object.assign(rows, {
      columns: (rows[0] ?? ["x"]).map((_, i) => ({
        name: `c${i}`,
        dataTypeName: "SQL_VARCHAR",
        columnSize: 30,
        nullable: true,
      })),
    });
  const connection: OdbcConnection = {
    connected: true,
    beginTransaction: () => Promise.resolve(),
    // deno-lint-ignore require-await
    query: (async (sql: string, params?: unknown[] | null, options?: { cursor?: boolean }) => {
      sent.push({ sql, params: params ?? null });
      const rows = answer(sql);
      if (!options?.cursor) return batch(rows);
      let done = false;
      const cursor: OdbcCursor = {
        get noData() {
          return done;
        },
        fetch: () => {
          const out = done ? batch([]) : batch(rows);
          done = true;
          return Promise.resolve(out);
        },
        close: () => Promise.resolve(),
      };
      return cursor;
    }) as OdbcConnection["query"],
    tables: () => Promise.resolve(batch([])),
    columns: () => Promise.resolve(batch([])),
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return {
    sent,
    connects,
    driver: {
      addonPath: "(none)",
      connect: (connectionString) => {
        connects.push(connectionString);
        return Promise.resolve(connection);
      },
    },
  };
}

/** A Teradata Database over the recording driver (nothing leaves the process). */
export function teradata(answer?: (sql: string) => unknown[][]) {
  const recording = recordingDriver(answer);
  const db = openDatabase(
    { ...DATABASE_DEFAULTS, uri: "teradata://dbc:s3cret@tdhost/sales?LOGMECH=LDAP" },
    recording.driver,
  );
  return { db, ...recording };
}

/** SQL with its whitespace collapsed, for readable assertions. */
export const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();
