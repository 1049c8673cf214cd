/**
 * A stand-in Teradata driver for tool tests: the Teradata ODBC driver cannot be
 * installed here, so tests check the SQL each tool sends by recording what
 * reaches this driver. Copied from tests/connection/teradata_sql_test.ts (where
 * it is not exported) so every tool family can share one copy.
 * @module
 */
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import type { OdbcBatch, OdbcConnection, OdbcCursor, OdbcDriver } from "../../connection/odbc.ts";

/** One statement as the driver received it. */
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

/** A Database with the teradata dialect over the recording driver. */
export function teradata(answer?: (sql: string) => unknown[][]) {
  const recording = recordingDriver(answer);
  const db = openDatabase(
    { ...DATABASE_DEFAULTS, uri: "teradata://dbc:s3cret@tdhost/sales?LOGMECH=LDAP" },
    recording.driver,
  );
  return { db, ...recording };
}

/** Collapses whitespace so SQL can be matched on one line. */
export const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

/** The statements a tool sent, without the QueryBand statement every call starts with. */
export function toolStatements(sent: Sent[]): Sent[] {
  return sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
    sql: oneLine(s.sql),
    params: s.params,
  }));
}
