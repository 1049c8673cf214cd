/**
 * The shared Teradata stand-in driver (./_teradata_fake.ts) with named result
 * columns, as the Teradata ODBC driver names them (the shared fake names them
 * c0, c1, ...), an odbc-addon-shaped Teradata error to throw from an answer,
 * and a helper that calls a tool and returns the statements it sent.
 * @module
 */
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import type { OdbcBatch, OdbcConnection, OdbcCursor, OdbcDriver } from "../../connection/odbc.ts";
import type { connectClient } from "../_helpers.ts";
import { oneLine, recordingDriver, type Sent } from "./_teradata_fake.ts";

/** An answer to one statement: result column names and rows. */
export interface Answer {
  columns: string[];
  rows: unknown[][];
}

/** Gives the stand-in's batches the column names of `answer` (the shared fake names them c0, c1, ...). */
function named(driver: OdbcDriver, answer: (sql: string) => Answer | undefined): OdbcDriver {
  const rename = (sql: string, batch: OdbcBatch) => {
    const names = answer(sql)?.columns;
    batch.columns?.forEach((c, i) => c.name = names?.[i] ?? c.name);
    return batch;
  };
  return {
    addonPath: driver.addonPath,
    async connect(connectionString, timeout) {
      const conn = await driver.connect(connectionString, timeout);
      const query = (async (sql: string, params?: unknown[] | null, options?: { cursor: true; fetchSize: number }) => {
        if (!options) return rename(sql, await conn.query(sql, params));
        const cursor = await conn.query(sql, params ?? null, options);
        const wrapped: OdbcCursor = {
          get noData() {
            return cursor.noData;
          },
          fetch: async () => rename(sql, await cursor.fetch()),
          close: () => cursor.close(),
        };
        return wrapped;
      }) as OdbcConnection["query"];
      return {
        get connected() {
          return conn.connected;
        },
        query,
        tables: (...a) => conn.tables(...a),
        beginTransaction: () => conn.beginTransaction(),
        columns: (...a) => conn.columns(...a),
        cancel: () => conn.cancel(),
        close: () => conn.close(),
      };
    },
  };
}

/** A Teradata Database over the recording driver, answering with `answer`. */
export function teradata(answer: (sql: string) => Answer | undefined = () => undefined) {
  const recording = recordingDriver((sql) => answer(sql)?.rows ?? []);
  const db = openDatabase(
    { ...DATABASE_DEFAULTS, uri: "teradata://dbc:s3cret@tdhost/sales?LOGMECH=LDAP" },
    named(recording.driver, answer),
  );
  return { db, sent: recording.sent };
}

/** Calls a tool and returns its result and the statements it sent (QueryBand left out, whitespace collapsed). */
export async function run(
  c: Awaited<ReturnType<typeof connectClient>>,
  sent: Sent[],
  tool: string,
  args: Record<string, unknown>,
) {
  sent.length = 0;
  const result = await c.call(tool, args);
  const statements = sent.filter((s) => !s.sql.startsWith("SET QUERY_BAND")).map((s) => ({
    sql: oneLine(s.sql),
    params: s.params,
  }));
  return { result, statements };
}

/**
 * What the odbc addon throws for a Teradata Database error: the driver reports the code as a negative native code
 * and tags its message `[Teradata Database]` (connection/errors.ts reads both).
 */
export function teradataError(code: number, message: string, state = "42000"): Error {
  return Object.assign(new Error("[odbc] Error executing the sql statement"), {
    odbcErrors: [{
      state,
      code: -code,
      message: `[Teradata][ODBC Teradata Driver][Teradata Database] (-${code})${message}`,
    }],
  });
}

/** The columns of Teradata's `HELP COLUMN` answer that the tools read. */
export const HELP_COLUMNS = [
  "Column Name",
  "Type",
  "Nullable",
  "Format",
  "Max Length",
  "Decimal Total Digits",
  "Decimal Fractional Digits",
  "Char Type",
];
