/**
 * Conversion of driver values into JSON-safe cells and result columns: one converter per column, chosen once per
 * result from its description (booleans, exact integers and decimals as numbers, timestamps as ISO 8601, bytes as
 * base64), and text for a column with a value its JSON form cannot hold exactly.
 * @module
 */
import { Buffer } from "node:buffer";
import type { Cell, ResultColumn } from "./types.ts";
import type { OdbcColumn } from "./odbc.ts";
import { jsonKind, sqlTypeName, type ValueKind, valueKind } from "./dialects/types.ts";
import { StorageColumn, untyped } from "./dialects/sqlite_storage.ts";

/** Turns one driver value into a JSON-safe cell by its JavaScript type (catalog calls; reads use {@link columnReader}). */
export function toCell(value: unknown): Cell {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) return toBase64(value);
      if (value instanceof Date) return value.toISOString();
      return String(value);
  }
}

/** Bytes as base64 (RFC 4648, with padding). */
export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("base64");
}

/** Returned by a converter for a value its column's JSON form cannot hold exactly: the column becomes text. */
export const MISFIT: unique symbol = Symbol("misfit");

/** Converts one driver value of a column; {@link MISFIT} when the column's JSON form cannot hold it. */
export type Convert = (value: unknown) => Cell | typeof MISFIT;

/** How one result column is described and its values converted; chosen once per result. */
export interface ColumnReader {
  /** The result column (read once the rows are: a reader may learn the type from its values). */
  readonly column: ResultColumn;
  readonly convert: Convert;
  /** The reader of the same column written as strings (its `convert` never answers {@link MISFIT}). */
  asText(): ColumnReader;
}

function toBoolean(value: unknown): Cell | typeof MISFIT {
  if (value === null || value === undefined) return null;
  if (value === true || value === 1 || value === "1" || value === "t" || value === "true") return true;
  if (value === false || value === 0 || value === "0" || value === "f" || value === "false") return false;
  return MISFIT;
}

function toInteger(value: unknown): Cell | typeof MISFIT {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : MISFIT;
  if (typeof value === "bigint") {
    // 2^53 and beyond convert to doubles that are not safe integers (cheaper than comparing bigints).
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : MISFIT;
  }
  if (typeof value === "string" && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : MISFIT;
  }
  return MISFIT;
}

/**
 * An exact decimal as a number when a double holds its value: integers within ±(2^53−1), fractions of at most 15
 * significant digits (which a double's shortest text gives back digit for digit). Addon patch 9 already sends such
 * values as numbers and the others as the driver's text; a text is checked here too (a stand-in driver, an older
 * addon), in one pass over its characters.
 */
export function toDecimal(value: unknown): Cell | typeof MISFIT {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : MISFIT;
  if (typeof value !== "string") return MISFIT;
  let digits = 0; // significant digits so far
  let zeros = 0; // zeros after the last significant digit, significant once another digit follows
  let point = false;
  let any = false;
  for (let i = value.charCodeAt(0) === 45 ? 1 : 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) {
      if (point) return MISFIT;
      point = true;
    } else if (c < 48 || c > 57) return MISFIT;
    else {
      any = true;
      if (c === 48) {
        if (digits > 0) zeros++;
      } else {
        digits += zeros + 1;
        zeros = 0;
      }
    }
  }
  if (!any) return MISFIT;
  const n = Number(value);
  if (!point) return Number.isSafeInteger(n) ? n : MISFIT;
  return digits <= 15 ? n : MISFIT;
}

/** A decimal of at most 15 digits in all (DECIMAL(p,s) with p ≤ 15), which a double always holds. */
function toShortDecimal(value: unknown): Cell | typeof MISFIT {
  if (typeof value !== "string") return toDecimal(value);
  const n = Number(value);
  return value !== "" && Number.isFinite(n) ? n : MISFIT;
}

function toFloat(value: unknown): Cell | typeof MISFIT {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : MISFIT;
  if (typeof value === "string") {
    const n = Number(value);
    return value.trim() !== "" && Number.isFinite(n) ? n : MISFIT;
  }
  return MISFIT;
}

/** `2026-12-02 11:50:50.968428` as ISO 8601 (`2026-12-02T11:50:50.968428`); other text unchanged. */
function toTimestamp(value: unknown): Cell | typeof MISFIT {
  if (typeof value !== "string") return toCell(value);
  return value.length > 10 && value.charCodeAt(10) === 32 && /^\d{4}-\d\d-\d\d /.test(value)
    ? `${value.slice(0, 10)}T${value.slice(11)}`
    : value;
}

function toBinary(value: unknown): Cell | typeof MISFIT {
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return toBase64(value);
  return toCell(value);
}

/** A value as text, for a column whose JSON form is `string` (and for values that did not fit theirs). */
export function toText(value: unknown): Cell {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return toCell(value);
}

const CONVERTERS: Readonly<Record<ValueKind, Convert>> = {
  boolean: toBoolean,
  integer: toInteger,
  decimal: toDecimal,
  float: toFloat,
  timestamp: toTimestamp,
  binary: toBinary,
  // Text as the driver sent it (a stand-in driver may send numbers for a text column).
  text: toCell,
};

/** The reader of one described column: its name, type, nullability, JSON form and converter. */
export function columnReader(column: OdbcColumn): ColumnReader {
  const kind = valueKind(column);
  const described: ResultColumn = {
    name: column.name,
    type: sqlTypeName(column),
    nullable: column.nullable,
    json: jsonKind(kind),
  };
  const text: ColumnReader = { column: { ...described, json: "string" }, convert: toText, asText: () => text };
  const short = kind === "decimal" && column.columnSize > 0 && column.columnSize <= 15;
  return { column: described, convert: short ? toShortDecimal : CONVERTERS[kind], asText: () => text };
}

/** The reader of a SQLite column read with its values' storage classes (`dialects/sqlite_storage.ts`). */
export function storageReader(column: OdbcColumn): ColumnReader {
  const storage = new StorageColumn(column);
  const convert: Convert = (value) => storage.convert(value) ?? MISFIT;
  const text: ColumnReader = {
    get column() {
      return storage.column;
    },
    convert: (value) => storage.convert(value) ?? storage.text(value as Cell),
    asText: () => text,
  };
  return {
    get column() {
      return storage.column;
    },
    convert,
    asText: () => text,
  };
}

/**
 * The readers of a result's columns: from the statement's own description when what ran is a rewriting of it
 * (`described`), with SQLite's untyped columns read by storage class when the rewriting marked them (`storage`).
 */
export function columnReaders(columns: readonly OdbcColumn[], storage = false): ColumnReader[] {
  return columns.map((column) => storage && untyped(column) ? storageReader(column) : columnReader(column));
}

/**
 * UTF-8 bytes of a string serialized as JSON, escapes included: a control
 * character takes 6 (`\u0001`), a quote 2, `é` 2, `😀` 4, a lone surrogate 6.
 */
export function stringJsonBytes(text: string): number {
  let bytes = text.length + 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x80) {
      if (code === 0x22 || code === 0x5c) bytes++;
    } else if (code < 0x20) {
      bytes += code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 1 : 5;
    } else if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) (bytes += 2, i++);
      else bytes += 5;
    } else if (code >= 0xdc00 && code <= 0xdfff) bytes += 5;
    else bytes += 2;
  }
  return bytes;
}

/** UTF-8 bytes of a row serialized as a JSON array (exact). */
export function rowJsonBytes(row: readonly Cell[]): number {
  let total = row.length === 0 ? 2 : 1 + row.length;
  for (const cell of row) {
    total += typeof cell === "string" ? stringJsonBytes(cell) : cell === null ? 4 : String(cell).length;
  }
  return total;
}

/** An upper bound of {@link rowJsonBytes}, cheap enough for every row: no character takes more than 6 bytes. */
export function rowJsonBytesBound(row: readonly Cell[]): number {
  let total = row.length === 0 ? 2 : 1 + row.length;
  for (const cell of row) total += typeof cell === "string" ? 6 * cell.length + 2 : 24;
  return total;
}

/**
 * A text cell cut to `maxChars` characters and marked with "…"; never ends
 * on half a surrogate pair.
 */
export function cutCell(text: string, maxChars: number): string {
  let end = Math.min(text.length, maxChars);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Describes the driver's columns as result columns. */
export function toColumns(columns: readonly OdbcColumn[] | undefined): ResultColumn[] {
  return (columns ?? []).map((c) => columnReader(c).column);
}
