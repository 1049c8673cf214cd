/**
 * Long values cut by PostgreSQL itself, before they cross the wire.
 *
 * psqlODBC (through libpq) receives whole rows: a 200 MB value costs the
 * server process about three times that in buffers before a single byte of it
 * can be cut on the client. So a read whose result has columns that can hold
 * unbounded values is first described (`SELECT * FROM (<sql>) LIMIT 0`, in the
 * same read-only transaction: planned, never run) and then run as
 * `WITH q AS (<sql>) SELECT <each column, long ones cut to one character past the cell budget> FROM q LIMIT <n>`,
 * which keeps the columns' names and order and the rows' order. The client then
 * sees a cut value as longer than the budget and marks it, as before. Every such read is limited to its row cap and
 * one more row (`LIMIT <n>`; a read with no long columns runs as `SELECT * FROM (<sql>) AS q LIMIT <n>`): the
 * server computes no row the call would not read.
 *
 * Which columns are cut is read from the driver's description: psqlODBC
 * reports every type it does not know as `VARCHAR(255)` (its `MaxVarcharSize`)
 * or `LONGVARCHAR`, and `bytea` as `LONGVARBINARY`; bounded types (numbers,
 * dates, booleans, `varchar(n)` below 255, `char(n)`) are left alone. A `timestamptz` column is printed by PostgreSQL
 * in ISO 8601 with its offset (psqlODBC would drop the offset).
 * @module
 */
import type { OdbcColumn } from "./odbc.ts";
import { type Token, tokenize } from "./sql_tokens.ts";

const QUERY_START = new Set(["SELECT", "WITH", "VALUES", "TABLE"]);
const TEXT_TYPES = new Set(["SQL_CHAR", "SQL_VARCHAR", "SQL_WCHAR", "SQL_WVARCHAR"]);
const LONG_TEXT_TYPES = new Set(["SQL_LONGVARCHAR", "SQL_WLONGVARCHAR"]);
const BINARY_TYPES = new Set(["SQL_BINARY", "SQL_VARBINARY", "SQL_LONGVARBINARY"]);
/** psqlODBC's `MaxVarcharSize` default: the size it reports for a character type of unknown length. */
const UNKNOWN_LENGTH = 255;
const ALIAS = "tdmcp_q";

/**
 * The query of a statement that can stand as a subquery (one SELECT, WITH,
 * VALUES or TABLE statement with balanced parentheses; trailing semicolons
 * and comments dropped), or null when it cannot.
 */
export function subqueryBody(sql: string, dialect: "postgres" | "sqlite" = "postgres"): string | null {
  const tokens = queryTokens(sql, dialect);
  return tokens && sql.slice(tokens[0].start, tokens[tokens.length - 1].end);
}

/**
 * {@link subqueryBody} and its {@link shapeKey} from one reading of the text (a read's plan needs both, on every call),
 * or null when the statement cannot stand as a subquery.
 */
export function subqueryShape(
  sql: string,
  dialect: "postgres" | "sqlite" = "postgres",
  significant?: readonly Token[],
): { body: string; key: string } | null {
  const tokens = queryTokens(sql, dialect, significant);
  if (tokens === null) return null;
  return { body: sql.slice(tokens[0].start, tokens[tokens.length - 1].end), key: keyOf(tokens) };
}

/**
 * The tokens of a statement's query, without spacing, comments and trailing semicolons; null when not one query.
 * `significant`: the text's tokens under the dialect's usual reading without spacing and comments, when already known
 * (the guard's `tokens`), so that the text is not tokenized again.
 */
function queryTokens(sql: string, dialect: "postgres" | "sqlite", significant?: readonly Token[]): Token[] | null {
  const tokens = significant
    ? [...significant]
    : tokenize(sql, dialect).filter((t) =>
      t.kind !== "whitespace" && t.kind !== "line_comment" && t.kind !== "block_comment"
    );
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].kind === "semicolon") end--;
  if (end === 0) return null;
  const first = tokens[0];
  if (!(first.kind === "word" && QUERY_START.has(first.value)) && !(first.kind === "operator" && first.text === "(")) {
    return null;
  }
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const token = tokens[i];
    if (token.kind === "unterminated" || token.kind === "semicolon") return null;
    if (token.kind !== "operator") continue;
    if (token.text === "(") depth++;
    else if (token.text === ")" && --depth < 0) return null;
  }
  if (depth !== 0) return null;
  tokens.length = end;
  return tokens;
}

/**
 * `body` limited to its first `rows` rows: a read takes at most its row cap and one more (to know whether there were
 * more), and the server then computes no more than that. psqlODBC fetches 1,000 rows per round trip: without the
 * limit, the one row past a 1,000-row cap cost a second round trip of 1,000 rows (about 1 ms), and a sort over the
 * whole table could not be planned as a top-N sort. The subquery keeps the rows' order and the columns' names.
 */
export function limitSql(body: string, rows: number): string {
  return `SELECT * FROM (\n${body}\n) AS ${ALIAS} LIMIT ${rows}`;
}

/** The statement that describes `body`'s columns without running it. */
export function describeSql(body: string): string {
  return `SELECT * FROM (\n${body}\n) AS ${ALIAS} LIMIT 0`;
}

/**
 * `body` with every column that may hold a value longer than `maxChars`
 * characters cut by the server to `maxChars + 1` characters (binary values to
 * enough bytes that their base64 text passes `maxChars`), or null when no column
 * needs it. The statement comes first, as a common table expression (inlined
 * like a subquery from PostgreSQL 12 on: `inline`), so that
 * `pg_stat_activity`, which keeps only the first 1,024 bytes, still shows it.
 */
export function cutLongValuesSql(
  body: string,
  columns: readonly OdbcColumn[],
  maxChars: number,
  inline = true,
): string | null {
  const kinds = columns.map((column) => longKind(column, maxChars));
  return kinds.some((kind) => kind !== null) ? wrapSql(body, columns, kinds, maxChars, inline) : null;
}

function wrapSql(
  body: string,
  columns: readonly OdbcColumn[],
  kinds: readonly Kind[],
  maxChars: number,
  inline: boolean,
): string {
  const chars = maxChars + 1;
  // Enough bytes that their base64 text passes the cell budget.
  const bytes = Math.floor(maxChars * 3 / 4) + 1;
  const select = columns.map((column, i) => {
    const ref = `${ALIAS}."${i + 1}"`;
    const value = kinds[i] === "text"
      // format('%s') prints the value with its type's output function, as the driver would receive it (a cast to text
      // may differ: char(n) loses its padding); it turns NULL into '', which the CASE keeps NULL (`IS NULL` would
      // also be true of a row of NULLs).
      ? `CASE WHEN pg_catalog.pg_column_size(${ref}) IS NULL THEN NULL ELSE pg_catalog.left(pg_catalog.format('%s', ${ref}), ${chars}) END`
      : kinds[i] === "binary"
      ? `pg_catalog.substr(${ref}, 1, ${bytes})`
      : kinds[i] === "zone"
      // psqlODBC drops a timestamptz's offset: PostgreSQL prints it in ISO 8601 itself (the session's time zone).
      ? `CASE WHEN pg_catalog.isfinite(${ref}) THEN pg_catalog.to_char(${ref}, '${ISO_ZONED}') ELSE ${ref}::text END`
      : ref;
    return `${value} AS ${quoteName(column.name)}`;
  });
  const aliases = columns.map((_, i) => `"${i + 1}"`).join(", ");
  return `WITH ${ALIAS}(${aliases}) AS ${inline ? "NOT MATERIALIZED " : ""}(\n${body}\n)\nSELECT ${
    select.join(", ")
  } FROM ${ALIAS}`;
}

type Kind = "text" | "binary" | "zone" | null;

/** `to_char` pattern of a timestamptz in ISO 8601 with microseconds and the offset (`2024-01-01T21:34:05.500000+00:00`). */
const ISO_ZONED = 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM';

/** What a read on PostgreSQL runs: its statement, and what a result of it must look like. */
export interface CutPlan {
  /** The statement to run in place of the caller's. */
  statement: string;
  /** The statement's own columns, to report in place of the wrapped statement's; undefined when not wrapped. */
  columns?: readonly OdbcColumn[];
  /** The wrapped statement marks the storage class of SQLite's untyped columns (`dialects/sqlite_storage.ts`). */
  storage?: boolean;
  /** The plan came from the cache: a failure may mean the statement's shape changed (see {@linkcode PostgresCut.forget}). */
  cached: boolean;
  key: string;
}

/** A described statement, remembered by its shape. */
interface Shape {
  columns: readonly OdbcColumn[];
  kinds: readonly Kind[];
  /** `performance.now()` when it was described. */
  at: number;
}

/**
 * Described statements by shape key, for the planners of reads (`PostgresCut`, `SqliteStorage`): at most `maxShapes`
 * (the least recently used forgotten first), each trusted for `ttlMs` after its description.
 */
export class ShapeCache<S extends { at: number }> {
  readonly #shapes = new Map<string, S>();
  readonly #maxShapes: number;
  readonly #ttlMs: number;

  constructor(maxShapes: number, ttlMs: number) {
    this.#maxShapes = maxShapes;
    this.#ttlMs = ttlMs;
  }

  /** The shape of `key` when it was described less than the TTL ago, now the most recently used. */
  fresh(key: string): S | undefined {
    const shape = this.#shapes.get(key);
    if (shape === undefined || performance.now() - shape.at >= this.#ttlMs) return undefined;
    this.#shapes.delete(key); // most recently used last
    this.#shapes.set(key, shape);
    return shape;
  }

  /** The shape of `key`, however old (a run is checked against the shape it was planned from). */
  get(key: string): S | undefined {
    return this.#shapes.get(key);
  }

  /** Remembers a shape just described, as the most recently used. */
  remember(key: string, shape: S): void {
    this.#shapes.delete(key);
    this.#shapes.set(key, shape);
    if (this.#shapes.size > this.#maxShapes) this.#shapes.delete(this.#shapes.keys().next().value!);
  }

  forget(key: string): void {
    this.#shapes.delete(key);
  }
}

/** Options of {@linkcode PostgresCut}. */
export interface PostgresCutOptions {
  maxChars: number;
  /** PostgreSQL 12 or later (`WITH ... AS NOT MATERIALIZED`). */
  inline: boolean;
  /** Shapes remembered (least recently used forgotten first). */
  maxShapes?: number;
  /** A shape is described again after this long (10 s). */
  shapeTtlMs?: number;
}

/**
 * Decides, per read, how its long values are cut, describing each statement
 * shape once: statements that differ only in literals compared with values
 * (`WHERE id = 5`, `WHERE id = 6`) share a shape, so repeated point queries
 * cost one description, not one each. A remembered shape is checked by every
 * run: fewer columns fail the wrapped statement, and a column left alone whose
 * type changed shows in the result's description; either makes the statement
 * be described again. A column added since (`SELECT *` after `ALTER TABLE ...
 * ADD COLUMN`) cannot be seen through the wrapped statement, which names the
 * columns it knows: shapes expire after 10 s, so such a column appears within
 * 10 s (checking its count in SQL, with an empty `UNION ALL` branch, cost
 * PostgreSQL 45 µs per point query: more than the wrapping itself).
 */
export class PostgresCut {
  readonly #options: Required<PostgresCutOptions>;
  readonly #shapes: ShapeCache<Shape>;

  constructor(options: PostgresCutOptions) {
    this.#options = { maxShapes: 512, shapeTtlMs: 10_000, ...options };
    this.#shapes = new ShapeCache(this.#options.maxShapes, this.#options.shapeTtlMs);
  }

  /**
   * The plan of a read of `sql`, or null when it cannot be wrapped (not one
   * query statement); `describe` runs a statement and returns its columns. `tokens`: the guard's tokens of `sql`
   * (`GuardResult.tokens`), which spare tokenizing it again. A promise only when the statement must be described
   * (a shape not remembered): a remembered one is planned at once.
   */
  plan(
    sql: string,
    describe: (statement: string) => Promise<readonly OdbcColumn[]>,
    tokens?: readonly Token[],
    rowLimit?: number,
  ): CutPlan | null | Promise<CutPlan | null> {
    // Answered at once (no promise) unless the statement must be described.
    const shaped = subqueryShape(sql, "postgres", tokens);
    if (shaped === null) return null;
    const { body, key } = shaped;
    const shape = this.#shapes.fresh(key);
    if (shape !== undefined) return this.#planOf(sql, body, key, shape, true, rowLimit);
    return this.#described(sql, body, key, describe, rowLimit);
  }

  async #described(
    sql: string,
    body: string,
    key: string,
    describe: (statement: string) => Promise<readonly OdbcColumn[]>,
    rowLimit: number | undefined,
  ): Promise<CutPlan> {
    const columns = await describe(describeSql(body));
    const shape = { columns, kinds: columns.map((c) => longKind(c, this.#options.maxChars)), at: performance.now() };
    this.#shapes.remember(key, shape);
    return this.#planOf(sql, body, key, shape, false, rowLimit);
  }

  #planOf(
    sql: string,
    body: string,
    key: string,
    shape: Shape,
    cached: boolean,
    rowLimit: number | undefined,
  ): CutPlan {
    const { columns, kinds } = shape;
    if (!kinds.some((kind) => kind !== null)) {
      return { statement: rowLimit === undefined ? sql : limitSql(body, rowLimit), cached, key };
    }
    const wrapped = wrapSql(body, columns, kinds, this.#options.maxChars, this.#options.inline);
    return {
      statement: rowLimit === undefined ? wrapped : `${wrapped}\nLIMIT ${rowLimit}`,
      columns,
      cached,
      key,
    };
  }

  /**
   * Checks a run's result columns against its plan: a column left alone must
   * come back with the type and length described. On a mismatch the shape is forgotten.
   */
  check(plan: CutPlan, actual: readonly OdbcColumn[] | undefined): void {
    const shape = this.#shapes.get(plan.key);
    if (!shape || !actual) return;
    const same = actual.length === shape.columns.length && shape.kinds.every((kind, i) =>
      kind !== null ||
      actual[i].dataTypeName === shape.columns[i].dataTypeName && actual[i].columnSize === shape.columns[i].columnSize
    );
    if (!same) this.forget(plan);
  }

  /** Forgets a plan's shape (its statement failed, or its result did not match). */
  forget(plan: CutPlan): void {
    this.#shapes.forget(plan.key);
  }
}

/**
 * A statement's shape: its tokens with comments and spacing dropped and
 * literals that stand for values replaced by their kind. A literal right after
 * `(` or `,` is kept (`varchar(10)`, `substr(x, 1, 5)`, `IN (1, 2)`): there it
 * may set a type's length.
 */
export function shapeKey(body: string, dialect: "postgres" | "sqlite" = "postgres"): string {
  return keyOf(tokenize(body, dialect));
}

/** The shape of a statement's tokens (see {@link shapeKey}); spacing and comments are skipped. */
function keyOf(tokens: readonly Token[]): string {
  const parts: string[] = [];
  let previous = "";
  for (const token of tokens) {
    if (token.kind === "whitespace" || token.kind === "line_comment" || token.kind === "block_comment") continue;
    const literal = (token.kind === "number" || token.kind === "string") && previous !== "(" && previous !== ",";
    parts.push(
      literal
        ? token.kind === "string" ? "'?'" : /[.eE]/.test(token.text) ? "?.?" : token.text.length > 9 ? "?L" : "?"
        : token.kind === "word"
        ? token.value
        : token.text,
    );
    previous = token.text;
  }
  return parts.join(" ");
}

/** Whether a described column may hold values longer than `maxChars`, and how to cut them. */
function longKind(column: OdbcColumn, maxChars: number): Kind {
  if (column.typeName === "timestamptz") return "zone";
  const type = column.dataTypeName;
  if (BINARY_TYPES.has(type)) return "binary";
  if (LONG_TEXT_TYPES.has(type)) return "text";
  if (TEXT_TYPES.has(type)) {
    const size = column.columnSize;
    return size > 0 && size < UNKNOWN_LENGTH && size <= maxChars ? null : "text";
  }
  return null;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
