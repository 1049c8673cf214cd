/**
 * Conversion of driver values into JSON-safe cells and result columns.
 * @module
 */
import type { Cell, ResultColumn } from "./types.ts";
import type { OdbcColumn } from "./odbc.ts";

/** Turns one driver value into a JSON-safe cell (big integers and bytes become text). */
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
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
        return toHex(value);
      }
      if (value instanceof Date) return value.toISOString();
      return String(value);
  }
}

function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "\\x";
  for (const byte of view) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** An estimate of the bytes a row takes as JSON, cheap enough for every row. */
export function rowBytes(row: readonly Cell[]): number {
  let total = 2;
  for (const cell of row) {
    total += typeof cell === "string" ? cell.length + 3 : cell === null ? 5 : 12;
  }
  return total;
}

/** Describes the driver's columns as result columns. */
export function toColumns(
  columns: readonly OdbcColumn[] | undefined,
): ResultColumn[] {
  return (columns ?? []).map((c) => ({
    name: c.name,
    type: c.dataTypeName.replace(/^SQL_/, ""),
    nullable: c.nullable,
  }));
}
