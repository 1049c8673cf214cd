/**
 * SQLite's storage classes for columns without a declared type. SQLite types values, not columns: `SELECT 6*7` has no
 * declared type, and sqliteodbc (which describes a statement before its first row) reports such a column as
 * `varchar(255)` and sends every value as text, so the integer 42 and the text '42' arrive alike. The value's storage
 * class is asked of SQLite itself: the read runs as
 * `WITH q(...) AS (<sql>) SELECT <each such column as its class letter and its value>, <other columns> FROM q`, where a
 * class letter `i`, `r`, `t` or `b` prefixes the value's text (`printf('%!.17g')` for a real, every digit, `hex()` for a blob), and
 * each value becomes a number, a string or base64 by its class. Nothing is guessed from a text's content.
 *
 * A column whose values are all integers (within ±(2^53−1)) or reals is `number` and named `INTEGER` or `REAL`;
 * any other mix is written as strings (`json: "string"`, type `ANY`), as a column of blobs alone is base64 (`BLOB`).
 * @module
 */
import { type CutPlan, describeSql, ShapeCache, subqueryBody, subqueryShape } from "../cut_postgres.ts";
import type { OdbcColumn } from "../odbc.ts";
import type { Token } from "../sql_tokens.ts";
import type { Cell, JsonKind, ResultColumn } from "../types.ts";

/** The alias of the wrapped statement. */
const ALIAS = "tdmcp_q";

/** Whether sqliteodbc described a column as having no declared type (an expression, or a column declared untyped). */
export function untyped(column: OdbcColumn): boolean {
  return column.typeName === "varchar" && column.columnSize === 255;
}

/**
 * The statement that reads `sql` with the storage class of every value in `columns` marked `untyped`, or null when
 * no column needs it or the statement cannot stand as a subquery (PRAGMA, EXPLAIN, several statements).
 */
export function storageClassSql(sql: string, columns: readonly OdbcColumn[]): string | null {
  if (!columns.some(untyped)) return null;
  const body = subqueryBody(sql, "sqlite");
  return body === null ? null : storageClassBody(body, columns);
}

/** {@link storageClassSql} of a statement's query `body` (a column must be `untyped`). */
function storageClassBody(body: string, columns: readonly OdbcColumn[]): string {
  const select = columns.map((column, i) => {
    const ref = `${ALIAS}."${i + 1}"`;
    const value = untyped(column)
      ? `CASE typeof(${ref}) WHEN 'integer' THEN 'i' || ${ref} WHEN 'real' THEN 'r' || printf('%!.17g', ${ref}) ` +
        `WHEN 'text' THEN 't' || ${ref} WHEN 'blob' THEN 'b' || hex(${ref}) END`
      : ref;
    return `${value} AS "${column.name.replaceAll('"', '""')}"`;
  });
  const aliases = columns.map((_, i) => `"${i + 1}"`).join(", ");
  return `WITH ${ALIAS}(${aliases}) AS (\n${body}\n)\nSELECT ${select.join(", ")} FROM ${ALIAS}`;
}

/** Storage classes, by their letter in the wrapped statement. */
type StorageClass = "i" | "r" | "t" | "b";

const CLASS_TYPES: Readonly<Record<StorageClass, string>> = { i: "INTEGER", r: "REAL", t: "TEXT", b: "BLOB" };

/** A value marked with its class, as text (a number's digits, a blob's base64). */
function classText(value: string): string {
  const rest = value.slice(1);
  return value[0] === "b" ? hexToBase64(rest) : rest;
}

function hexToBase64(hex: string): string {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Reads one column of storage-class-marked values: numbers while every value is an exact integer or a real, else
 * every value as text (the caller turns earlier cells to text when {@link convert} first answers `misfit`).
 */
export class StorageColumn {
  readonly #name: string;
  readonly #nullable: boolean;
  readonly #classes = new Set<StorageClass>();
  #json: JsonKind = "number";

  constructor(column: OdbcColumn) {
    this.#name = column.name;
    this.#nullable = column.nullable;
  }

  /** The result column: its class's type when all values share one, `ANY` otherwise; its JSON form so far. */
  get column(): ResultColumn {
    const [only] = this.#classes;
    const type = this.#classes.size === 1 ? CLASS_TYPES[only] : this.#classes.size === 0 ? "NULL" : "ANY";
    const json = this.#json === "string" && this.#classes.size === 1 && only === "b" ? "base64" : this.#json;
    return { name: this.#name, type, nullable: this.#nullable, json };
  }

  /** A value as a number while the column is numbers; `undefined` when it is not one (the column becomes text). */
  convert(value: unknown): Cell | undefined {
    if (value === null || value === undefined) return null;
    if (typeof value !== "string" || value === "") return String(value);
    const kind = value[0] as StorageClass;
    this.#classes.add(kind);
    if (this.#json === "string") return classText(value);
    if (kind === "i") {
      const n = Number(value.slice(1));
      if (Number.isSafeInteger(n)) return n;
    } else if (kind === "r") {
      const n = Number(value.slice(1));
      if (Number.isFinite(n)) return n;
    }
    this.#json = "string";
    return undefined;
  }

  /** A value as text, for a column written as strings. */
  text(value: Cell): Cell {
    if (value === null || typeof value !== "string") return value === null ? null : String(value);
    return classText(value);
  }
}

/** A described statement, remembered by its shape. */
interface Shape {
  columns: readonly OdbcColumn[];
  /** `performance.now()` when it was described. */
  at: number;
}

/**
 * Decides, per read on SQLite, whether it runs rewritten with storage classes, describing each statement shape once
 * (`SELECT * FROM (<sql>) LIMIT 0`: prepared, never run), as `PostgresCut` does on PostgreSQL: statements that differ
 * only in compared literals share a shape; a shape is described again after 10 s, after its statement failed, or when
 * a run's columns differ from it.
 */
export class SqliteStorage {
  readonly #shapes: ShapeCache<Shape>;

  constructor(options: { maxShapes?: number; shapeTtlMs?: number } = {}) {
    this.#shapes = new ShapeCache(options.maxShapes ?? 512, options.shapeTtlMs ?? 10_000);
  }

  /**
   * The plan of a read of `sql`, or null when it cannot be wrapped; `describe` runs a statement and returns its columns.
   * `tokens`: the guard's tokens of `sql` (`GuardResult.tokens`), which spare tokenizing it again. A promise only when
   * the statement must be described (a shape not remembered).
   */
  plan(
    sql: string,
    describe: (statement: string) => Promise<readonly OdbcColumn[]>,
    tokens?: readonly Token[],
    // PostgresCut's row limit; SQLite hands rows over one step at a time (StepAPI), so a read computes no more rows
    // than it fetches anyway.
    _rowLimit?: number,
  ): CutPlan | null | Promise<CutPlan | null> {
    // Answered at once (no promise) unless the statement must be described.
    const shaped = subqueryShape(sql, "sqlite", tokens);
    if (shaped === null) return null;
    const { body, key } = shaped;
    const shape = this.#shapes.fresh(key);
    if (shape !== undefined) return this.#planOf(sql, body, shape, key, true);
    return describe(describeSql(body)).then((columns) => {
      const described = { columns, at: performance.now() };
      this.#shapes.remember(key, described);
      return this.#planOf(sql, body, described, key, false);
    });
  }

  /** The plan of a statement of a shape. */
  #planOf(sql: string, body: string, shape: Shape, key: string, cached: boolean): CutPlan {
    const statement = shape.columns.some(untyped) ? storageClassBody(body, shape.columns) : null;
    return statement === null
      ? { statement: sql, cached, key }
      : { statement, columns: shape.columns, storage: true, cached, key };
  }

  /** Checks a run's columns against its plan (a typed column must keep its type); on a mismatch the shape is forgotten. */
  check(plan: CutPlan, actual: readonly OdbcColumn[] | undefined): void {
    const shape = this.#shapes.get(plan.key);
    if (!shape || !actual) return;
    const same = actual.length === shape.columns.length &&
      shape.columns.every((column, i) =>
        untyped(column) ? untyped(actual[i]) || plan.storage === true : actual[i].typeName === column.typeName
      );
    if (!same) this.forget(plan);
  }

  /** Forgets a plan's shape (its statement failed, or its result did not match). */
  forget(plan: CutPlan): void {
    this.#shapes.forget(plan.key);
  }
}
