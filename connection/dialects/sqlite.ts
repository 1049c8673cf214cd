/**
 * SQLite through the SQLite3 ODBC driver: `sqlite:` file URIs (opened read-only unless writes are allowed), the
 * engine's own `query_only` switch, and SQLite's lexical rules (brackets, backticks, Tcl-style parameters).
 * @module
 */
import { type OdbcTarget, odbcValue, type UriOptions } from "../odbc_string.ts";
import { type CallIsolation, type DialectSpec, lexOptions } from "./spec.ts";

/** The SQLite ODBC driver name used unless one is named. */
export const SQLITE_DEFAULT_DRIVER = "SQLite3";

/**
 * Bytes of bound buffers per fetch. The driver reports TEXT as 65,536 characters and fills whole bound slots: memory
 * grew with the buffer size here (+189 MB over 23 capped reads at 26 MB per fetch, +28–34 MB at 2 MB, +19 MB at 1 MB;
 * BENCHMARKS.md), while psqlODBC's did not.
 */
const SQLITE_FETCH_BYTES = 1024 * 1024;

function sqliteTarget(uri: string, options: UriOptions): OdbcTarget {
  let path = uri.slice("sqlite:".length);
  if (path.startsWith("///")) path = path.slice(2);
  else if (path.startsWith("//")) path = path.slice(2);
  path = decodeURIComponent(path.replace(/\?.*$/, ""));
  if (path === "") {
    throw new TypeError(
      "Cannot use 'DATABASE_URI' as the sqlite: URI names no file",
    );
  }
  const driver = options.odbcDriver ?? SQLITE_DEFAULT_DRIVER;
  return {
    dialect: "sqlite",
    // BigInt=1: without it the driver reports SUM()/COUNT() as 32-bit
    // integers and large values come back silently wrong. StepAPI=1 (see
    // UriOptions.streaming): without it the driver materialises the whole
    // result before the first fetch, so a capped SELECT over a million rows
    // took 1.2 s and 870 MB (measured).
    connectionString: `DRIVER=${odbcValue(driver)};Database=${
      odbcValue(options.readOnly ? readOnlyFileUri(path) : path)
    };BigInt=1;${options.streaming ? "StepAPI=1;" : ""}`,
    secrets: [],
    display: path,
    filePath: path,
    fetchBytes: SQLITE_FETCH_BYTES,
  };
}

/** A SQLite `file:` URI that opens the database read-only. */
function readOnlyFileUri(path: string): string {
  return `file:${path.split("/").map(encodeURIComponent).join("/")}?mode=ro`;
}

/**
 * `query_only` makes the engine refuse every write, temporary objects included, so a read leaves nothing to undo; a
 * write call (`--allow-write`) lifts it for itself.
 */
const SQLITE_ISOLATION: CallIsolation = Object.freeze({
  manualCommit: false,
  endRead: null,
  beginWrite: "PRAGMA query_only = 0",
  endWrite: null,
});

/** SQLite. */
export const SQLITE: DialectSpec = {
  name: "sqlite",
  uri: {
    schemes: ["sqlite"],
    target: sqliteTarget,
    defaultDriver: SQLITE_DEFAULT_DRIVER,
    driverMarker: "sqlite",
    // 64-bit integers, and statements stepped lazily as rows are fetched.
    rawCompletion: [["BigInt", "1"], ["StepAPI", "1"]],
    fetchBytes: SQLITE_FETCH_BYTES,
    fileDatabase: true,
  },
  engine: { dbmsPrefix: "sqlite", servedByDefault: true, serverCut: false, storageClasses: true },
  session: {
    readOnly: ["PRAGMA query_only = 1"],
    isolation: () => SQLITE_ISOLATION,
    healthProbe: "SELECT 1",
    rolePower: null,
    userFunctionsSql: null,
    auditStatement: null,
  },
  lex: {
    options: lexOptions({ brackets: "plain", backticks: true, tclVariables: true, nonAsciiIsIdent: true }),
    axes: [],
  },
  guard: {
    reads: "SELECT, WITH, VALUES, EXPLAIN or read-only PRAGMA",
    readWords: new Map(),
    anyServer: false,
    teradataSql: false,
    pragmas: true,
    postgresEscapes: false,
    explainPlansWrites: false,
  },
  errors: {
    lostStates: [],
    transientStates: [],
    lostText: [],
    authText: [],
    notAcceptingText: [],
    noDatabaseText: [],
  },
};
