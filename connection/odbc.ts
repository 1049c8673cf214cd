/**
 * The npm:odbc addon, loaded straight from its built `.node` file so that
 * `@mapbox/node-pre-gyp` (which reads the whole environment) never runs, and
 * typed down to the few calls tdmcp makes.
 * @module
 */
import { createRequire } from "node:module";

/** One ODBC column description. */
export interface OdbcColumn {
  name: string;
  /** The ODBC SQL type code (`SQL_INTEGER` is 4); absent in hand-made descriptions. */
  dataType?: number;
  /** The ODBC type's name, e.g. `SQL_INTEGER`. */
  dataTypeName: string;
  /** The driver's `SQL_DESC_TYPE_NAME`, the engine's own name (`int4`, `DECIMAL`); "" when it cannot say (patch 9). */
  typeName?: string;
  columnSize: number;
  /** Digits after the decimal point (numbers), fractional-second digits (times). */
  decimalDigits?: number;
  nullable: boolean;
}

/** A batch of rows (arrays, since connections are opened with `fetchArray`). */
export interface OdbcBatch extends Array<unknown[]> {
  columns?: OdbcColumn[];
  /** The columns in one string when the query asked for `columnsText` (addon patch 9); read with {@link ColumnTexts}. */
  columnsText?: string;
  count?: number;
  /** Cells shorter than the database's value, as `row * columns + column` (addon patch 7); absent when none. */
  cutCells?: number[];
  /** With `cutCells`: the largest of their database values, in bytes as the driver reported it (0: not reported). */
  largestCutBytes?: number;
}

/** An open server-side cursor. */
export interface OdbcCursor {
  readonly noData: boolean;
  fetch(): Promise<OdbcBatch>;
  close(): Promise<void>;
  /** The native cursor; carries `firstBatch` when the query asked for `firstFetch` (tdmcp's addon patch). */
  odbcCursor?: { firstBatch?: OdbcBatch; endSql?: "ok" | "failed" } | null;
}

/** Options of a cursor query (`firstFetch` and `maxBoundChars` come from tdmcp's addon patch). */
export interface CursorOptions {
  cursor: true;
  fetchSize: number;
  timeout?: number;
  /** Run the first fetch with the execute, in one trip to the driver's thread. */
  firstFetch?: boolean;
  /** Bind text columns no wider than this many characters (longer values arrive cut there). */
  maxBoundChars?: number;
  /** Fetch fewer rows at a time (at least 2) when a row's bound buffers would pass this many bytes. */
  maxBoundBytes?: number;
  /**
   * Run this statement right after a result that ended in its first fetch, in the same trip to the driver's thread
   * (addon patch 8); the native cursor's `endSql` then says `ok` or `failed`.
   */
  endSql?: string;
  /**
   * The statement's text ends with this many closing statements of the call (addon patch 12): once its first result
   * set has been read to its end (in the first fetch or a later one), the addon reads the results after it and sets the
   * native cursor's `endSql` to `ok` when there were exactly that many and each succeeded, `failed` otherwise; a cursor
   * closed before the end leaves it unset.
   */
  endResults?: number;
  /**
   * Describe the columns in one string (`OdbcBatch.columnsText`, addon patch 9) instead of an object per column, which
   * cost the addon about 15 µs per 9-column result; {@link ColumnTexts} reads it, once per distinct description.
   */
  columnsText?: boolean;
  /**
   * psqlODBC only (addon patch 11): read this statement through a server-side cursor (`UseDeclareFetch`) or not; the
   * connection keeps the setting until a statement names it again.
   */
  declareFetch?: boolean;
}

/** Fields per column in `OdbcBatch.columnsText`: name, type code, ODBC type name, engine's type name, size, digits, nullable. */
const TEXT_FIELDS = 7;

/**
 * The column descriptions of `columnsText` batches, each distinct text read once and remembered (a statement shape
 * read again describes its columns with the very same text, so it gets the very same objects back, which callers must
 * not change). At most `limit` texts are kept; the oldest is forgotten first.
 */
export class ColumnTexts {
  readonly #known = new Map<string, readonly OdbcColumn[]>();
  readonly #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  /** A batch's columns: its `columns`, else those its `columnsText` describes; undefined when it has neither. */
  of(batch: OdbcBatch | undefined): readonly OdbcColumn[] | undefined {
    if (!batch) return undefined;
    if (batch.columns || batch.columnsText === undefined) return batch.columns;
    const text = batch.columnsText;
    let columns = this.#known.get(text);
    if (columns === undefined) {
      columns = parseColumnsText(text);
      if (this.#known.size >= this.#limit) this.#known.delete(this.#known.keys().next().value!);
      this.#known.set(text, columns);
    }
    return columns;
  }
}

/** The columns a `columnsText` describes (each field ends with a NUL). */
export function parseColumnsText(text: string): OdbcColumn[] {
  const fields = text.split("\0");
  const columns: OdbcColumn[] = [];
  for (let i = 0; i + TEXT_FIELDS <= fields.length; i += TEXT_FIELDS) {
    columns.push(Object.freeze({
      name: fields[i],
      dataType: Number(fields[i + 1]),
      dataTypeName: fields[i + 2],
      typeName: fields[i + 3],
      columnSize: Number(fields[i + 4]),
      decimalDigits: Number(fields[i + 5]),
      nullable: fields[i + 6] !== "0",
    }));
  }
  return columns;
}

/** Takes the batch fetched together with the execute (`firstFetch`), if any; later calls get undefined. */
export function takeFirstBatch(cursor: OdbcCursor): OdbcBatch | undefined {
  const native = cursor.odbcCursor;
  const batch = native?.firstBatch;
  if (native && batch) native.firstBatch = undefined;
  return batch;
}

/** An open ODBC connection. */
export interface OdbcConnection {
  readonly connected: boolean;
  /** `SQL_DBMS_NAME` read at connect ("SQLite", "PostgreSQL", ...); "" when the driver does not say (addon patch 6). */
  readonly dbmsName?: string;
  /** `SQL_DBMS_VER` read at connect; "" when the driver does not say (addon patch 6). */
  readonly dbmsVersion?: string;
  /** `SQL_DRIVER_NAME` read at connect (the driver's library file name); "" when unknown (addon patch 6). */
  readonly driverName?: string;
  query(
    sql: string,
    params: unknown[] | null,
    options: CursorOptions,
  ): Promise<OdbcCursor>;
  query(sql: string, params?: unknown[] | null, options?: { timeout?: number }): Promise<OdbcBatch>;
  tables(
    catalog: string | null,
    schema: string | null,
    table: string | null,
    type: string | null,
  ): Promise<OdbcBatch>;
  columns(
    catalog: string | null,
    schema: string | null,
    table: string | null,
    column: string | null,
  ): Promise<OdbcBatch>;
  /** SQLCancel on every statement running on this connection. */
  cancel(): Promise<void>;
  /** Turns autocommit off (`SQL_ATTR_AUTOCOMMIT`): the driver then begins a transaction before the next statement. */
  beginTransaction(): Promise<void>;
  /** Commits the transaction `beginTransaction` began (`SQLEndTran`); the addon has it, test doubles may not. */
  commit?(): Promise<void>;
  /** Rolls that transaction back. */
  rollback?(): Promise<void>;
  close(): Promise<void>;
}

interface NativeOdbc {
  connect(
    options: {
      connectionString: string;
      loginTimeout?: number;
      connectionTimeout?: number;
      fetchArray?: boolean;
    },
    callback: (error: unknown, connection: unknown) => void,
  ): void;
}

type ConnectionClass = new (native: unknown) => OdbcConnection;

/** The loaded addon: connect with {@link OdbcDriver.connect}. */
export interface OdbcDriver {
  /** Real path of the built addon (for a scoped `--allow-ffi`). */
  readonly addonPath: string;
  connect(
    connectionString: string,
    loginTimeoutSeconds: number,
  ): Promise<OdbcConnection>;
}

/**
 * The odbc addon, loaded on the first connect: checks now that it is built
 * (a clear error at start-up) and leaves loading it (about 12 ms on the main
 * thread) until a connection is wanted.
 */
export function lazyOdbc(): OdbcDriver {
  const addonPath = findAddon().addonPath;
  let driver: OdbcDriver | undefined;
  return {
    addonPath,
    connect: (connectionString, loginTimeoutSeconds) =>
      (driver ??= loadOdbc()).connect(connectionString, loginTimeoutSeconds),
  };
}

/** Where the built addon is, or an error saying how to build it. */
function findAddon(): { root: string; addonPath: string } {
  // The project's node_modules, found without a module-resolution walk (which
  // would need read access to every parent folder under a scoped --allow-read).
  const packageJson = Deno.realPathSync(new URL("../node_modules/odbc/package.json", import.meta.url));
  const root = packageJson.slice(0, -"package.json".length);
  const addonPath = `${root}lib/bindings/napi-v8/odbc.node`;
  try {
    Deno.statSync(addonPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `the odbc native addon is not built (${addonPath} is missing). Build it with ` +
        `\`npm_config_nodedir=/usr deno install --frozen --allow-scripts=npm:odbc\` (node-gyp and unixodbc-dev are needed); ` +
        `if a build failed before, delete ${root.replace(/node_modules\/odbc\/$/, "")}.scripts-run first`,
    );
  }
  return { root, addonPath };
}

/** Loads the odbc addon from the project's node_modules. */
export function loadOdbc(): OdbcDriver {
  const require = createRequire(import.meta.url);
  const { root, addonPath } = findAddon();
  const native = require(addonPath) as NativeOdbc;
  const { Connection } = require(`${root}lib/Connection.js`) as {
    Connection: ConnectionClass;
  };
  return {
    addonPath,
    connect(connectionString, loginTimeoutSeconds) {
      return new Promise((resolve, reject) => {
        native.connect(
          {
            connectionString,
            loginTimeout: loginTimeoutSeconds,
            fetchArray: true,
          },
          (error, connection) => error ? reject(error) : resolve(new Connection(connection)),
        );
      });
    },
  };
}
