/**
 * Column types as the database names them. The driver's `SQL_DESC_TYPE_NAME` (addon patch 9) is the engine's word for
 * the type; this module turns it into the name an engine's own SQL would print, with the length, precision and scale
 * the driver described (`NUMERIC(38,0)`, `VARCHAR(100)`, `TIMESTAMP(6) WITH TIME ZONE`), and says how the column's
 * values are written in JSON.
 *
 * Engines name types in their own vocabulary: psqlODBC reports PostgreSQL's internal names (`int4`, `bool`,
 * `timestamptz`), which {@link POSTGRES_TYPE_NAMES} maps to what `format_type()` prints; SQLite reports the declared
 * type as written (an expression has none: `varchar`); Teradata's driver reports Teradata's names (`INTEGER`,
 * `DECIMAL`, `PERIOD(DATE)`). A driver that says nothing gets the ODBC type's name.
 * @module
 */
import type { OdbcColumn } from "../odbc.ts";
import type { JsonKind } from "../types.ts";

/** ODBC SQL type codes (sql.h, sqlext.h). */
export const SQL = {
  CHAR: 1,
  NUMERIC: 2,
  DECIMAL: 3,
  INTEGER: 4,
  SMALLINT: 5,
  FLOAT: 6,
  REAL: 7,
  DOUBLE: 8,
  VARCHAR: 12,
  TYPE_DATE: 91,
  TYPE_TIME: 92,
  TYPE_TIMESTAMP: 93,
  LONGVARCHAR: -1,
  BINARY: -2,
  VARBINARY: -3,
  LONGVARBINARY: -4,
  BIGINT: -5,
  TINYINT: -6,
  BIT: -7,
  WCHAR: -8,
  WVARCHAR: -9,
  WLONGVARCHAR: -10,
  GUID: -11,
} as const;

/**
 * psqlODBC's type names (PostgreSQL's internal names) that differ from the SQL names `format_type()` prints; the
 * others (`numeric`, `varchar`, `date`, `text`, `bytea`) are the SQL names already, as SQLite's declared names are.
 * Types psqlODBC does not know it reports as `unknown` (arrays, `jsonb`, `timetz`, `bit`) or "" (`interval`): those
 * keep the ODBC name.
 */
export const POSTGRES_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ["int2", "SMALLINT"],
  ["int4", "INTEGER"],
  ["int8", "BIGINT"],
  ["float4", "REAL"],
  ["float8", "DOUBLE PRECISION"],
  ["bool", "BOOLEAN"],
  ["bpchar", "CHAR"],
  ["timestamp without time zone", "TIMESTAMP WITHOUT TIME ZONE"],
  ["timestamptz", "TIMESTAMP WITH TIME ZONE"],
]);

/** The ODBC type code of a description; hand-made descriptions name the type only (`SQL_INTEGER`). */
function typeCode(column: OdbcColumn): number | undefined {
  return column.dataType ?? (SQL as Record<string, number>)[column.dataTypeName.replace(/^SQL_/, "")];
}

/** Driver names that say nothing about the type: the ODBC name is used instead. */
const NO_NAME = new Set(["", "unknown"]);

/** Character lengths drivers report when they do not know one (psqlODBC's `MaxVarcharSize`, sqliteodbc's default). */
const UNKNOWN_LENGTH = 255;

/** The ODBC name of a type code without its `SQL_` prefix (`INTEGER`, `TYPE_TIMESTAMP` becomes `TIMESTAMP`). */
function odbcName(column: OdbcColumn): string {
  return column.dataTypeName.replace(/^SQL_(?:TYPE_)?/, "").replaceAll("_", " ");
}

/** Adds `(params)` to a type's name, before its zone words: `TIMESTAMP WITH TIME ZONE` and `6` give `TIMESTAMP(6) WITH TIME ZONE`. */
function withParams(base: string, params: string): string {
  const zone = / WITH(?:OUT)? TIME ZONE$/.exec(base);
  return zone ? `${base.slice(0, zone.index)}(${params})${zone[0]}` : `${base}(${params})`;
}

/**
 * The engine's name of a described column's type, with its length, precision and scale where the driver described
 * them: `INTEGER`, `NUMERIC(38,0)`, `CHARACTER VARYING(100)`, `TIMESTAMP(6) WITH TIME ZONE`, `PERIOD(DATE)`.
 */
export function sqlTypeName(column: OdbcColumn): string {
  const driverName = (column.typeName ?? "").trim();
  const known = POSTGRES_TYPE_NAMES.get(driverName);
  // A type the driver cannot name keeps the ODBC name, without a length the driver made up for it.
  if (NO_NAME.has(driverName.toLowerCase())) return odbcName(column);
  const base = known ?? driverName.toUpperCase();
  if (base.includes("(")) return base; // the driver named its parameters (Teradata's PERIOD(DATE), DECIMAL(18,2))
  const size = column.columnSize;
  const digits = column.decimalDigits ?? 0;
  switch (typeCode(column)) {
    case SQL.DECIMAL:
    case SQL.NUMERIC:
      return size > 0 ? withParams(base, `${size},${digits}`) : base;
    case SQL.CHAR:
    case SQL.VARCHAR:
    case SQL.WCHAR:
    case SQL.WVARCHAR:
    case SQL.BINARY:
    case SQL.VARBINARY:
      // psqlODBC and sqliteodbc report 255 for a length they do not know (so a real 255 is not shown either).
      return size > 0 && size !== UNKNOWN_LENGTH && known !== "BOOLEAN" ? withParams(base, `${size}`) : base;
    case SQL.TYPE_TIME:
    case SQL.TYPE_TIMESTAMP:
      // The fractional-second digits: psqlODBC reports them for every timestamp (timestamp(0) → 0), Teradata's driver
      // for its TIME(n) and TIMESTAMP(n); sqliteodbc reports 0 for a declared type that has none.
      return known !== undefined || digits > 0 ? withParams(base, `${digits}`) : base;
    default:
      return base;
  }
}

/** The kind of value a column holds, which decides its JSON form and how each value is converted. */
export type ValueKind = "boolean" | "integer" | "decimal" | "float" | "timestamp" | "binary" | "text";

/** The kind of a described column's values, from its ODBC type and (for text the driver sends) the engine's name. */
export function valueKind(column: OdbcColumn): ValueKind {
  switch (typeCode(column)) {
    case SQL.BIT:
      return "boolean";
    case SQL.TINYINT:
    case SQL.SMALLINT:
    case SQL.INTEGER:
    case SQL.BIGINT:
      return "integer";
    case SQL.DECIMAL:
    case SQL.NUMERIC:
      return "decimal";
    case SQL.REAL:
    case SQL.FLOAT:
    case SQL.DOUBLE:
      return "float";
    case SQL.TYPE_TIMESTAMP:
      return "timestamp";
    case SQL.BINARY:
    case SQL.VARBINARY:
    case SQL.LONGVARBINARY:
      return "binary";
    default:
      // psqlODBC sends PostgreSQL's booleans as text "1"/"0" unless BoolsAsChar=0.
      return POSTGRES_TYPE_NAMES.get(column.typeName ?? "") === "BOOLEAN" ? "boolean" : "text";
  }
}

/** The JSON form of a kind's values. */
export function jsonKind(kind: ValueKind): JsonKind {
  switch (kind) {
    case "boolean":
      return "boolean";
    case "integer":
    case "decimal":
    case "float":
      return "number";
    case "binary":
      return "base64";
    default:
      return "string";
  }
}
