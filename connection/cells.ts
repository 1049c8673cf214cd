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
export function toColumns(
  columns: readonly OdbcColumn[] | undefined,
): ResultColumn[] {
  return (columns ?? []).map((c) => ({
    name: c.name,
    type: c.dataTypeName.replace(/^SQL_/, ""),
    nullable: c.nullable,
  }));
}
