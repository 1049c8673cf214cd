/**
 * Identifier checks and quoting per dialect: names from an agent are quoted,
 * never pasted; values are bound as parameters.
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import { z } from "zod";
import type { Dialect } from "../../connection/types.ts";

/** Longest identifier any supported dialect accepts (Teradata: 128 characters). */
export const MAX_IDENTIFIER_LENGTH = 128;

/** Rejects names that no database would accept, with a message saying why. */
export function checkIdentifier(name: string, what: string): string {
  if (name.length === 0) throw new ToolInputError(`${what} must not be empty`);
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new ToolInputError(
      `${what} must be at most ${MAX_IDENTIFIER_LENGTH} characters: current length is ${name.length}`,
    );
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ToolInputError(`${what} must not contain control characters`);
  }
  return name;
}

/** Quotes one identifier for the dialect (every supported dialect uses `"..."` with `""` escapes). */
export function quoteIdent(name: string, _dialect: Dialect): string {
  return `"${checkIdentifier(name, "An identifier").replaceAll('"', '""')}"`;
}

/** A table named by an agent: optional database (schema) and table name. */
export interface TableRef {
  database: string | null;
  table: string;
}

/**
 * Resolves `table_name` and `database_name` arguments; `db.table` in
 * `table_name` is split when no database is given.
 */
export function tableRef(
  tableName: string,
  databaseName?: string | null,
): TableRef {
  const table = tableName.trim();
  const database = databaseName?.trim() || null;
  if (database === null) {
    const dot = /^([^".]+)\.([^".]+)$/.exec(table);
    if (dot) {
      return {
        database: checkIdentifier(dot[1], "database_name"),
        table: checkIdentifier(dot[2], "table_name"),
      };
    }
  }
  return {
    database: database === null ? null : checkIdentifier(database, "database_name"),
    table: checkIdentifier(table, "table_name"),
  };
}

/**
 * A tool's entry for the connected dialect. The catalog offers a tool only on the dialects it lists, so a missing
 * entry is a bug (a tool listing a dialect it has no SQL for), not the caller's input.
 */
export function forDialect<T>(entries: Partial<Record<Dialect, T>>, dialect: Dialect): T {
  const entry = entries[dialect];
  if (entry === undefined) throw new Error(`no entry for the ${dialect} dialect`);
  return entry;
}

/** The dialect's default database (schema) when the agent names none. */
export function defaultDatabase(dialect: Dialect): string | null {
  return dialect === "sqlite" ? "main" : null;
}

/** `"db"."table"` (or `"table"` with no database) quoted for the dialect. */
export function qualifiedName(ref: TableRef, dialect: Dialect): string {
  const table = quoteIdent(ref.table, dialect);
  return ref.database === null ? table : `${quoteIdent(ref.database, dialect)}.${table}`;
}

/** A whole number within bounds, for the few places SQL cannot take a parameter (`TOP n`). */
export function wholeNumber(
  value: number,
  min: number,
  max: number,
  what: string,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ToolInputError(
      `${what} must be a whole number from ${min} to ${max}: current value is ${value}`,
    );
  }
  return value;
}

/** The `table_name` / `database_name` arguments shared by the table tools. */
export const TABLE_ARGS = {
  table_name: z.string().min(1).describe("Table or view name, or 'database.table'"),
  database_name: z.string().optional().describe("Database (schema) holding the table; default: the current one"),
};
