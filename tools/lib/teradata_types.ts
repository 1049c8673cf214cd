/**
 * Teradata column types as SQL: the two-letter ColumnType code of
 * DBC.ColumnsV[X] (HELP COLUMN "Type") with its length, character set and
 * digits, decoded the way SHOW TABLE would spell the type, e.g.
 * `VARCHAR(100) CHARACTER SET UNICODE`, `DECIMAL(18,2)`, `TIMESTAMP(6)`.
 *
 * Sources: Teradata Vantage Data Dictionary (B035-1092), ColumnsV[X]: ColumnType CHAR(2) (codes padded with a
 * blank: `D `, `I `, `F `), ColumnLength INTEGER (TVFields.MaxLength, bytes), CharType, DecimalTotalDigits and
 * DecimalFractionalDigits SMALLINT, Nullable Y/N, ColumnUDTName; SQL Data Definition Language Detailed Topics
 * (B035-1184), HELP COLUMN Attributes ("Max Length: maximum amount of storage in bytes", "Char Type");
 * International Character Set Support (B035-1125): LATIN, UNICODE and GRAPHIC lengths are declared in characters,
 * UNICODE and GRAPHIC store two bytes a character, KANJISJIS and KANJI1 are declared in bytes.
 * CharType codes: 1 LATIN, 2 UNICODE, 3 KANJISJIS, 4 GRAPHIC, 5 KANJI1.
 * @module
 */
import type { Cell } from "../../connection/types.ts";

/** CharType codes of DBC.ColumnsV[X] and HELP COLUMN ("Char Type"). */
export const TERADATA_CHARSETS: Readonly<Record<number, string>> = Object.freeze({
  1: "LATIN",
  2: "UNICODE",
  3: "KANJISJIS",
  4: "GRAPHIC",
  5: "KANJI1",
});

/** Character sets whose declared length counts characters of two bytes each (the catalog counts bytes). */
const TWO_BYTE_CHARSETS = new Set([2, 4]);

/** Types whose name alone is the whole type. */
// deno-fmt-ignore
const PLAIN: Readonly<Record<string, string>> = Object.freeze({
  I1: "BYTEINT", I2: "SMALLINT", I: "INTEGER", I8: "BIGINT", F: "FLOAT", DA: "DATE", JN: "JSON", XM: "XML",
  PD: "PERIOD(DATE)", DT: "DATASET", "++": "TD_ANYTYPE", UT: "UDT", A1: "ARRAY", AN: "ARRAY",
});

/** Interval types: `{p}` is DecimalTotalDigits (leading precision), `{s}` DecimalFractionalDigits (seconds). */
// deno-fmt-ignore
const INTERVALS: Readonly<Record<string, string>> = Object.freeze({
  YR: "INTERVAL YEAR({p})", YM: "INTERVAL YEAR({p}) TO MONTH", MO: "INTERVAL MONTH({p})",
  DY: "INTERVAL DAY({p})", DH: "INTERVAL DAY({p}) TO HOUR", DM: "INTERVAL DAY({p}) TO MINUTE",
  DS: "INTERVAL DAY({p}) TO SECOND({s})", HR: "INTERVAL HOUR({p})", HM: "INTERVAL HOUR({p}) TO MINUTE",
  HS: "INTERVAL HOUR({p}) TO SECOND({s})", MI: "INTERVAL MINUTE({p})", MS: "INTERVAL MINUTE({p}) TO SECOND({s})",
  SC: "INTERVAL SECOND({p},{s})",
});

/** Time types: `{s}` is DecimalFractionalDigits (fractional seconds, 0-6). */
// deno-fmt-ignore
const TIMES: Readonly<Record<string, string>> = Object.freeze({
  AT: "TIME({s})", TS: "TIMESTAMP({s})", TZ: "TIME({s}) WITH TIME ZONE", SZ: "TIMESTAMP({s}) WITH TIME ZONE",
  PT: "PERIOD(TIME({s}))", PS: "PERIOD(TIMESTAMP({s}))", PZ: "PERIOD(TIME({s}) WITH TIME ZONE)",
  PM: "PERIOD(TIMESTAMP({s}) WITH TIME ZONE)",
});

/** Character types (length and character set) and binary types (length in bytes). */
const CHARACTER: Readonly<Record<string, string>> = Object.freeze({ CF: "CHAR", CV: "VARCHAR", CO: "CLOB" });
const BINARY: Readonly<Record<string, string>> = Object.freeze({ BF: "BYTE", BV: "VARBYTE", BO: "BLOB" });

/** The type code and attributes of one column, as DBC.ColumnsV[X] or HELP COLUMN report them. */
export interface TeradataColumnType {
  /** ColumnType / HELP COLUMN "Type" (`CV`, `D `, ...); null for a view column in DBC.ColumnsV[X]. */
  code: Cell;
  /** ColumnLength / "Max Length": bytes. */
  length: Cell;
  /** CharType / "Char Type": 1-5, see {@link TERADATA_CHARSETS}. */
  charType: Cell;
  /** DecimalTotalDigits: precision of DECIMAL and NUMBER, leading precision of intervals. */
  totalDigits: Cell;
  /** DecimalFractionalDigits: scale, or fractional-second digits of times, timestamps and intervals. */
  fractionalDigits: Cell;
  /** ColumnUDTName / "UDT Name": the type name of a UDT or ARRAY column. */
  udtName?: Cell;
}

/** A cell as a whole number, or null. */
function whole(cell: Cell | undefined): number | null {
  if (cell === null || cell === undefined || String(cell).trim() === "") return null;
  const n = Number(cell);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

/** The character set name of a CharType code, or null. */
export function teradataCharset(charType: Cell): string | null {
  const n = whole(charType);
  return n === null ? null : TERADATA_CHARSETS[n] ?? null;
}

/**
 * The SQL type of a Teradata column, e.g. `VARCHAR(100) CHARACTER SET UNICODE`; null when there is no type code
 * (a view column read from DBC.ColumnsV[X]). An unknown code is returned as it is.
 */
export function teradataType(column: TeradataColumnType): string | null {
  const code = column.code === null ? "" : String(column.code).trim().toUpperCase();
  if (code === "") return null;
  const length = whole(column.length);
  const p = whole(column.totalDigits);
  const s = whole(column.fractionalDigits);
  const udt = column.udtName === null || column.udtName === undefined ? "" : String(column.udtName).trim();
  if (code in CHARACTER) {
    const charType = whole(column.charType);
    const chars = length === null ? null : TWO_BYTE_CHARSETS.has(charType ?? 1) ? length / 2 : length;
    const charset = teradataCharset(column.charType);
    return `${CHARACTER[code]}${chars === null ? "" : `(${chars})`}${charset ? ` CHARACTER SET ${charset}` : ""}`;
  }
  if (code in BINARY) return `${BINARY[code]}${length === null ? "" : `(${length})`}`;
  if (code === "D") return p === null ? "DECIMAL" : `DECIMAL(${p},${s ?? 0})`;
  if (code === "N") {
    // NUMBER(*) and a floating scale are stored as -128.
    if (p === null || (p === -128 && (s === null || s === -128))) return "NUMBER";
    const precision = p === -128 ? "*" : String(p);
    return s === null || s === -128 ? `NUMBER(${precision})` : `NUMBER(${precision},${s})`;
  }
  if (code in TIMES) return s === null ? TIMES[code].replace("({s})", "") : TIMES[code].replace("{s}", String(s));
  if (code in INTERVALS) {
    return INTERVALS[code].replace("({p})", p === null ? "" : `(${p})`).replace("({s})", s === null ? "" : `(${s})`)
      .replace("({p},{s})", p === null ? "" : `(${p},${s ?? 6})`);
  }
  if ((code === "UT" || code === "A1" || code === "AN") && udt !== "") return udt;
  return PLAIN[code] ?? code;
}

/** Nullable Y/N (DBC.ColumnsV[X], HELP COLUMN) as a boolean; null when unknown. */
export function teradataNullable(flag: Cell): boolean | null {
  const text = flag === null ? "" : String(flag).trim().toUpperCase();
  return text === "Y" ? true : text === "N" ? false : null;
}

/** Codes of numeric types (SUM and comparisons with 0 apply). */
export const TERADATA_NUMERIC_CODES: ReadonlySet<string> = new Set(["I1", "I2", "I", "I8", "D", "F", "N"]);
