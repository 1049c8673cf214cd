import assert from "node:assert/strict";
import { columnReader, MISFIT, toDecimal } from "../../connection/cells.ts";
import { sqlTypeName } from "../../connection/dialects/types.ts";
import type { OdbcColumn } from "../../connection/odbc.ts";

function col(dataTypeName: string, dataType: number, typeName: string, columnSize = 0, decimalDigits = 0): OdbcColumn {
  return { name: "c", dataType, dataTypeName, typeName, columnSize, decimalDigits, nullable: true };
}

Deno.test("psqlODBC's type names become PostgreSQL's SQL names with precision and scale", () => {
  assert.equal(sqlTypeName(col("SQL_INTEGER", 4, "int4", 10)), "INTEGER");
  assert.equal(sqlTypeName(col("SQL_VARCHAR", 12, "bool", 5)), "BOOLEAN");
  assert.equal(sqlTypeName(col("SQL_NUMERIC", 2, "numeric", 38, 0)), "NUMERIC(38,0)");
  assert.equal(sqlTypeName(col("SQL_TYPE_TIMESTAMP", 93, "timestamptz", 26, 6)), "TIMESTAMP(6) WITH TIME ZONE");
  assert.equal(sqlTypeName(col("SQL_VARCHAR", 12, "varchar", 100)), "VARCHAR(100)");
  assert.equal(sqlTypeName(col("SQL_VARCHAR", 12, "varchar", 255)), "VARCHAR");
  assert.equal(sqlTypeName(col("SQL_VARCHAR", 12, "unknown", 255)), "VARCHAR");
  assert.equal(sqlTypeName(col("SQL_LONGVARBINARY", -4, "bytea")), "BYTEA");
});

Deno.test("a driver's type name that carries its parameters is kept as the driver wrote it", () => {
  assert.equal(sqlTypeName(col("SQL_VARCHAR", 12, "PERIOD(DATE)", 28)), "PERIOD(DATE)");
});

Deno.test("integers are numbers within ±(2^53−1) and misfits beyond", () => {
  const reader = columnReader(col("SQL_BIGINT", -5, "int8", 19));
  assert.equal(reader.column.json, "number");
  assert.equal(reader.convert(9007199254740991n), 9007199254740991);
  assert.equal(reader.convert(-9007199254740991n), -9007199254740991);
  assert.equal(reader.convert(9007199254740992n), MISFIT);
  assert.equal(reader.convert(null), null);
});

Deno.test("exact decimals are numbers only when a double holds their value", () => {
  assert.equal(toDecimal("1.50"), 1.5);
  assert.equal(toDecimal("-0.10"), -0.1);
  assert.equal(toDecimal("123456789012.345"), 123456789012.345);
  assert.equal(toDecimal("1234567890123.4567"), MISFIT);
  assert.equal(toDecimal("12345678901234567890"), MISFIT);
  assert.equal(toDecimal("9007199254740991"), 9007199254740991);
  assert.equal(toDecimal("NaN"), MISFIT);
  assert.equal(toDecimal(""), MISFIT);
});

Deno.test("booleans sent as text by psqlODBC become JSON booleans", () => {
  const reader = columnReader(col("SQL_VARCHAR", 12, "bool", 5));
  assert.equal(reader.column.json, "boolean");
  assert.equal(reader.convert("1"), true);
  assert.equal(reader.convert("0"), false);
  assert.equal(reader.convert("maybe"), MISFIT);
});

Deno.test("timestamps become ISO 8601 and bytes base64", () => {
  const ts = columnReader(col("SQL_TYPE_TIMESTAMP", 93, "timestamp without time zone", 26, 6));
  assert.equal(ts.convert("2026-12-02 11:50:50.968428"), "2026-12-02T11:50:50.968428");
  const bin = columnReader(col("SQL_LONGVARBINARY", -4, "bytea"));
  assert.equal(bin.column.json, "base64");
  assert.equal(bin.convert(new Uint8Array([1, 2]).buffer), "AQI=");
});

Deno.test("a DECIMAL of at most 15 digits is always a number; a wider one only when a double holds the value", () => {
  const short = columnReader(col("SQL_DECIMAL", 3, "DECIMAL", 15, 2));
  assert.equal(short.convert("1234567890123.45"), 1234567890123.45);
  assert.equal(short.convert("NaN"), MISFIT);
  const wide = columnReader(col("SQL_DECIMAL", 3, "DECIMAL", 38, 10));
  assert.equal(wide.convert("100.0000000000"), 100);
  assert.equal(wide.convert("0.0001000000"), 0.0001);
  assert.equal(wide.convert("1000000000000.0000000001"), MISFIT);
  assert.equal(wide.convert("-123456789012345.0000000000"), -123456789012345);
  assert.equal(toDecimal("1.2.3"), MISFIT);
  assert.equal(toDecimal("-"), MISFIT);
});
