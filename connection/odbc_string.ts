/**
 * ODBC connection strings: the target a dialect's URI becomes, quoting of values, and splitting a raw string into
 * its pairs. A leaf module (no import of the dialect registry), so every dialect file may use it.
 * @module
 */
import type { Dialect } from "./types.ts";

/** A database target, ready for the driver. */
export interface OdbcTarget {
  dialect: Dialect;
  connectionString: string;
  /** Values that must be removed from every message (passwords, tokens). */
  secrets: string[];
  /** Where the database is, safe to log: `host:port/db` or a file path. */
  display: string;
  /** For a file database (SQLite), the database file. */
  filePath?: string;
  /** A smaller byte budget for one fetch's bound buffers than the default, where the driver needs one. */
  fetchBytes?: number;
  /** Given as a raw ODBC string (`odbc:` or `KEY=value;...`): the engine is known only once connected. */
  raw?: boolean;
}

/** Options that shape the connection string. */
export interface UriOptions {
  /** Overrides the dialect's default driver name. */
  odbcDriver?: string;
  /** psqlODBC rows per server round trip with `UseDeclareFetch=1`. */
  fetchRows?: number;
  /** Open SQLite files read-only (`mode=ro`), a third guard behind the classifier and `query_only`. */
  readOnly?: boolean;
  /**
   * SQLite: step statements lazily as rows are fetched (`StepAPI=1`), so a
   * capped read never runs the whole query. Only for cursor reads: a plain
   * execute of some statements (e.g. `PRAGMA x = y`) then never runs them.
   */
  streaming?: boolean;
}

/**
 * Quotes an ODBC connection-string value with `{...}` (and `}` doubled) only
 * when it must: psqlODBC strips braces from PWD alone and would read
 * `UID={me}` as the user "{me}".
 */
export function odbcValue(value: string): string {
  return /[;{}]|^\s|\s$/.test(value) || value === "" ? `{${value.replaceAll("}", "}}")}}` : value;
}

/** `new URL`, but its error never echoes the text (which holds the password). */
export function parseUrl(text: string, scheme: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(
      `Cannot use 'DATABASE_URI' as it is not a valid ${scheme} URL (expected ${scheme}user:password@host:port/database)`,
    );
  }
}

/** A target from key/value pairs (the driver name braced, other values quoted only when they must be). */
export function odbcTarget(
  dialect: Dialect,
  parts: [string, string][],
  secrets: string[],
  display: string,
): OdbcTarget {
  return {
    dialect,
    connectionString: parts.map(([k, v]) => `${k}=${k === "DRIVER" ? `{${v}}` : odbcValue(v)};`).join(""),
    secrets: secrets.filter((s) => s !== ""),
    display,
  };
}

/** Splits an ODBC connection string into key/value pairs (braced values kept whole). */
export function parseOdbcString(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const re = /\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)/gy;
  for (let m = re.exec(text); m !== null && m[0] !== ""; m = re.exec(text)) {
    const raw = m[2];
    const value = raw.startsWith("{") ? raw.slice(1, -1).replaceAll("}}", "}") : raw;
    pairs.push([m[1], value]);
  }
  return pairs;
}
