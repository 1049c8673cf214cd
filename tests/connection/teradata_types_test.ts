// Teradata result types through a stand-in driver (the Teradata ODBC driver cannot be installed here): every Teradata
// type as the driver describes it (its ODBC SQL type, SQL_DESC_TYPE_NAME, size and digits) and sends its value as text,
// read through Database.query. Sources (ODBC Driver for Teradata User Guide): standard types map to the standard ODBC
// types; "Teradata does not return column type values of NUMERIC, REAL, or DOUBLE PRECISION. Instead, it returns
// DECIMAL, FLOAT, and FLOAT"; NUMBER(p,s) is SQL_DECIMAL and NUMBER SQL_DOUBLE, told apart by their names; periods and
// XML have driver-specific SQL types (tdsql.h, whose values the guide does not print) and read as text such as
// ('2007-05-01', '2007-06-01').
import assert from "node:assert/strict";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import type { OdbcBatch, OdbcColumn, OdbcConnection, OdbcCursor } from "../../connection/odbc.ts";

/** A driver-specific SQL type (tdsql.h's SQL_PERIOD_DATE and the like): any code the ODBC standard does not define. */
const DRIVER_SPECIFIC = -1000;

/** [Teradata type, ODBC SQL type, SQL_DESC_TYPE_NAME, size, digits, the driver's value, result type, json, value]. */
const TYPES: [string, number, string, number, number, unknown, string, string, unknown][] = [
  ["BYTEINT", -6, "BYTEINT", 3, 0, -128, "BYTEINT", "number", -128],
  ["SMALLINT", 5, "SMALLINT", 5, 0, 32767, "SMALLINT", "number", 32767],
  ["INTEGER", 4, "INTEGER", 10, 0, 42, "INTEGER", "number", 42],
  ["BIGINT", -5, "BIGINT", 19, 0, 9007199254740991n, "BIGINT", "number", 9007199254740991],
  ["DECIMAL(18,2)", 3, "DECIMAL", 18, 2, "123.45", "DECIMAL(18,2)", "number", 123.45],
  [
    "DECIMAL(38,10)",
    3,
    "DECIMAL",
    38,
    10,
    "12345678901234567890.1234567890",
    "DECIMAL(38,10)",
    "string",
    "12345678901234567890.1234567890",
  ],
  ["NUMBER(10,2)", 3, "NUMBER", 10, 2, "-0.50", "NUMBER(10,2)", "number", -0.5],
  ["NUMBER", 8, "NUMBER", 15, 0, 2.5, "NUMBER", "number", 2.5],
  ["FLOAT", 6, "FLOAT", 15, 0, 1e300, "FLOAT", "number", 1e300],
  ["CHAR(10)", 1, "CHAR", 10, 0, "abc       ", "CHAR(10)", "string", "abc       "],
  ["VARCHAR(100)", 12, "VARCHAR", 100, 0, "Grüße", "VARCHAR(100)", "string", "Grüße"],
  ["CLOB", -1, "CLOB", 2097088000, 0, "long text", "CLOB", "string", "long text"],
  ["BYTE(4)", -2, "BYTE", 4, 0, new Uint8Array([0, 1, 2, 255]).buffer, "BYTE(4)", "base64", "AAEC/w=="],
  ["VARBYTE(100)", -3, "VARBYTE", 100, 0, new Uint8Array([16]).buffer, "VARBYTE(100)", "base64", "EA=="],
  ["BLOB", -4, "BLOB", 2097088000, 0, new Uint8Array([1]).buffer, "BLOB", "base64", "AQ=="],
  ["DATE", 91, "DATE", 10, 0, "2024-01-02", "DATE", "string", "2024-01-02"],
  ["TIME(6)", 92, "TIME", 15, 6, "12:34:56.123456", "TIME(6)", "string", "12:34:56.123456"],
  [
    "TIMESTAMP(6)",
    93,
    "TIMESTAMP",
    26,
    6,
    "2024-01-02 03:04:05.123456",
    "TIMESTAMP(6)",
    "string",
    "2024-01-02T03:04:05.123456",
  ],
  [
    "TIMESTAMP(6) WITH TIME ZONE",
    93,
    "TIMESTAMP WITH TIME ZONE",
    32,
    6,
    "2024-01-02 03:04:05.123456+05:30",
    "TIMESTAMP(6) WITH TIME ZONE",
    "string",
    "2024-01-02T03:04:05.123456+05:30",
  ],
  [
    "INTERVAL DAY(2) TO SECOND(6)",
    110,
    "INTERVAL DAY TO SECOND",
    18,
    6,
    " 1 02:03:04.000000",
    "INTERVAL DAY TO SECOND",
    "string",
    " 1 02:03:04.000000",
  ],
  [
    "INTERVAL YEAR(4) TO MONTH",
    107,
    "INTERVAL YEAR TO MONTH",
    7,
    0,
    "   1-02",
    "INTERVAL YEAR TO MONTH",
    "string",
    "   1-02",
  ],
  [
    "PERIOD(DATE)",
    DRIVER_SPECIFIC,
    "PERIOD(DATE)",
    28,
    0,
    "('2007-05-01', '2007-06-01')",
    "PERIOD(DATE)",
    "string",
    "('2007-05-01', '2007-06-01')",
  ],
  [
    "PERIOD(TIMESTAMP(6) WITH TIME ZONE)",
    DRIVER_SPECIFIC,
    "PERIOD(TIMESTAMP(6) WITH TIME ZONE)",
    66,
    6,
    "('2007-07-04 22:11:43.370000+00:00', '2007-07-04 22:11:50.000000+00:00')",
    "PERIOD(TIMESTAMP(6) WITH TIME ZONE)",
    "string",
    "('2007-07-04 22:11:43.370000+00:00', '2007-07-04 22:11:50.000000+00:00')",
  ],
  ["XML", DRIVER_SPECIFIC, "XML", 2097088000, 0, "<a/>", "XML", "string", "<a/>"],
  ["JSON", -10, "JSON", 16776192, 0, '{"a":1}', "JSON", "string", '{"a":1}'],
];

/** A stand-in Teradata driver answering every statement with one row of `columns`/`values`. */
function standIn(columns: OdbcColumn[], values: unknown[]) {
  const batch = (rows: unknown[][]): OdbcBatch => Object.assign(rows, { columns });
  const connection: OdbcConnection = {
    connected: true,
    dbmsName: "Teradata",
    dbmsVersion: "17.20",
    beginTransaction: () => Promise.resolve(),
    query: ((_sql: string, _params?: unknown[] | null, options?: { cursor?: boolean }) => {
      if (!options?.cursor) return Promise.resolve(batch([values]));
      let done = false;
      const cursor: OdbcCursor = {
        get noData() {
          return done;
        },
        fetch: () => {
          const out = batch(done ? [] : [values]);
          done = true;
          return Promise.resolve(out);
        },
        close: () => Promise.resolve(),
      };
      return Promise.resolve(cursor);
    }) as OdbcConnection["query"],
    tables: () => Promise.resolve(batch([])),
    columns: () => Promise.resolve(batch([])),
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { addonPath: "(none)", connect: () => Promise.resolve(connection) };
}

Deno.test("teradata: every Teradata type reads with its own name, length, precision and scale, in its JSON form", async () => {
  const columns: OdbcColumn[] = TYPES.map(([name, dataType, typeName, columnSize, decimalDigits]) => ({
    name,
    dataType,
    dataTypeName: "",
    typeName,
    columnSize,
    decimalDigits,
    nullable: true,
  }));
  await using db = openDatabase(
    { ...DATABASE_DEFAULTS, uri: "teradata://dbc:s3cret@tdhost/sales" },
    standIn(columns, TYPES.map((t) => t[5])),
  );
  const result = await db.query("SELECT * FROM sales.all_types");
  for (const [i, [teradata, , , , , , type, json, value]] of TYPES.entries()) {
    assert.deepEqual(
      [result.columns[i].type, result.columns[i].json, result.rows[0][i]],
      [type, json, value],
      teradata,
    );
  }
});
