/**
 * Teradata's QueryBand: who calls (the MCP client, the profile, the trace), written on the session so that DBQL is an
 * audit log of tool calls and workload rules can tell clients apart. A leaf module the Teradata dialect refers to.
 * @module
 */

/** Who runs a statement, for audit trails. */
export interface Audit {
  tool: string;
  requestId: string;
  /** The MCP client, as its `initialize` named itself. */
  client?: { name: string; version: string };
  /** The tool profile the server runs with (`PROFILE`). */
  profile?: string;
  /** The W3C trace id of the request (from a `traceparent`), when the client sent one. */
  traceId?: string;
}

/** The application name written into every QueryBand. */
export const QUERY_BAND_APPLICATION = "tdmcp";

/** Keeps a QueryBand value to characters that cannot break out of `name=value;`. */
export function queryBandValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 128) || "_";
}

/**
 * The QueryBand of a call: what stays the same from one call of a client to the next (the application, the MCP
 * client's name and version, the profile) and the request's trace id when it has one. The tool and the request id
 * are left out, so that the band changes only when the client or the trace does: Teradata's workload rules and DBQL
 * read it, and it is sent only when it changes (see {@link queryBandStatement}).
 */
export function queryBand(audit: Audit): string {
  const pairs: [string, string | undefined][] = [
    ["ApplicationName", QUERY_BAND_APPLICATION],
    ["McpClient", audit.client?.name],
    ["McpClientVersion", audit.client?.version],
    ["McpProfile", audit.profile],
    ["TraceId", audit.traceId],
  ];
  return pairs.filter(([, value]) => value).map(([name, value]) => `${name}=${queryBandValue(value!)};`).join("");
}

/**
 * `SET QUERY_BAND = '...' FOR SESSION VOLATILE`: the band stays on the session for every later request, without the
 * dictionary write (DBC.SessionTbl) a plain `FOR SESSION` makes (Teradata SQL DDL, SET QUERY_BAND, "Query Bands and
 * Session-Level Performance"). tdmcp sends it on a pooled connection only when the band differs from the last one it
 * set there.
 *
 * @example
 * ```ts
 * queryBandStatement({ tool: "base_readQuery", requestId: "7", client: { name: "claude", version: "1.2" } });
 * // SET QUERY_BAND = 'ApplicationName=tdmcp;McpClient=claude;McpClientVersion=1.2;' FOR SESSION VOLATILE
 * ```
 */
export function queryBandStatement(audit: Audit): string {
  return `SET QUERY_BAND = '${queryBand(audit)}' FOR SESSION VOLATILE`;
}
