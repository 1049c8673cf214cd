/**
 * Statements that prepare a connection: the engine's own read-only mode and
 * the Teradata QueryBand that makes DBQL an audit log of tool calls.
 * @module
 */
import type { Dialect } from "./types.ts";

/**
 * Statements that make a new connection read-only in the engine itself, the
 * second guard behind the statement classifier. Teradata and generic ODBC
 * sources have no session-wide switch; the classifier alone guards them.
 */
export function readOnlySessionStatements(dialect: Dialect): string[] {
  switch (dialect) {
    case "postgres":
      return ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"];
    case "sqlite":
      return ["PRAGMA query_only = 1"];
    default:
      return [];
  }
}

/** Who runs a statement, for audit trails. */
export interface Audit {
  tool: string;
  requestId: string;
}

/** The application name written into every QueryBand. */
export const QUERY_BAND_APPLICATION = "tdmcp";

/** Keeps a QueryBand value to characters that cannot break out of `name=value;`. */
export function queryBandValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 128) || "_";
}

/**
 * `SET QUERY_BAND = '...' FOR SESSION` naming the application, the tool and
 * the request, so Teradata's DBQL logs every statement with who asked.
 *
 * @example
 * ```ts
 * queryBandStatement({ tool: "base_readQuery", requestId: "7" });
 * // SET QUERY_BAND = 'ApplicationName=tdmcp;ToolName=base_readQuery;RequestId=7;' FOR SESSION
 * ```
 */
export function queryBandStatement(audit: Audit): string {
  const band = `ApplicationName=${QUERY_BAND_APPLICATION};ToolName=${queryBandValue(audit.tool)};RequestId=${
    queryBandValue(audit.requestId)
  };`;
  return `SET QUERY_BAND = '${band}' FOR SESSION`;
}
