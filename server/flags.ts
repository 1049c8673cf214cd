/**
 * The configuration's vocabulary: the environment variables tdmcp reads,
 * the command-line flags that override them, and the `--help` text.
 * @module
 */

/** Environment variables the server reads (and nothing else). */
export const ENV_VARS = [
  "DATABASE_URI",
  "ODBC_DRIVER",
  // Where unixODBC's odbcinst.ini is, to find the installed Teradata driver (no flag: unixODBC's own variables).
  "ODBCSYSINI",
  "ODBCINSTINI",
  "MCP_TRANSPORT",
  "MCP_HOST",
  "MCP_PORT",
  "MCP_PATH",
  "PROFILE",
  "PROFILES_FILE",
  "TOOL_DISCLOSURE",
  "DEFAULT_ROW_LIMIT",
  "MAX_ROW_LIMIT",
  "MAX_RESULT_BYTES",
  "QUERY_TIMEOUT",
  "MAX_QUERY_TIMEOUT",
  "MAX_CELL_CHARS",
  "POOL_SIZE",
  "LOGGING_LEVEL",
  "TOOLS_DIR",
  "TDMCP_DATA_DIR",
  "ALLOW_WRITE",
  "ALLOW_SUPERUSER",
  "ALLOW_UNKNOWN_ENGINE",
  "MCP_STATELESS",
  "MCP_AUTH_TOKEN",
  "MCP_AUTH_TOKEN_FILE",
  "MCP_ALLOWED_HOSTS",
  "MCP_ALLOWED_ORIGINS",
  "MCP_MAX_BODY_BYTES",
  "MCP_MAX_SESSIONS",
  "MCP_MAX_CONCURRENT_PER_SESSION",
  "MCP_MAX_CONCURRENT",
  "MCP_SESSION_IDLE_TIMEOUT",
  "MCP_EVENT_STORE_SIZE",
  "MCP_FORCE",
  "MCP_MAX_CONNECTIONS",
  "MCP_HEADER_TIMEOUT",
  "MCP_BODY_TIMEOUT",
  "MCP_IDLE_TIMEOUT",
  "EXPLAIN_FIRST",
  "MAX_ESTIMATED_ROWS",
  "MAX_ESTIMATED_SECONDS",
] as const;

/** Command-line flags; each overrides the environment variable in its description. */
export const FLAGS = {
  "database-uri": {
    type: "string",
    env: "DATABASE_URI",
    help: "database to connect to (default: the embedded demo database)",
  },
  "odbc-driver": {
    type: "string",
    env: "ODBC_DRIVER",
    help: "ODBC driver name for the URI's dialect",
  },
  "transport": {
    type: "string",
    env: "MCP_TRANSPORT",
    help: "stdio (default) or streamable-http",
  },
  "host": {
    type: "string",
    env: "MCP_HOST",
    help: "HTTP listen address (default 127.0.0.1)",
  },
  "port": { type: "string", env: "MCP_PORT", help: "HTTP port (default 8001)" },
  "path": {
    type: "string",
    env: "MCP_PATH",
    help: "HTTP endpoint path (default /mcp)",
  },
  "profile": {
    type: "string",
    env: "PROFILE",
    help: "tool profile: all (default), dba, eda, minimal, or one from the profiles file",
  },
  "profiles-file": {
    type: "string",
    env: "PROFILES_FILE",
    help: "JSON file of custom profiles",
  },
  "disclosure": {
    type: "string",
    env: "TOOL_DISCLOSURE",
    help: "full (default: list every tool) or progressive (search_tools + execute_tool)",
  },
  "row-limit": {
    type: "string",
    env: "DEFAULT_ROW_LIMIT",
    help: "rows returned when a call names no limit (default 1000)",
  },
  "max-row-limit": {
    type: "string",
    env: "MAX_ROW_LIMIT",
    help: "most rows any call may return (default 50000)",
  },
  "max-result-bytes": {
    type: "string",
    env: "MAX_RESULT_BYTES",
    help: "largest result in bytes (default 16 MiB)",
  },
  "query-timeout": {
    type: "string",
    env: "QUERY_TIMEOUT",
    help: "statement timeout in seconds (default 30)",
  },
  "max-query-timeout": {
    type: "string",
    env: "MAX_QUERY_TIMEOUT",
    help: "longest timeout a call may ask for, in seconds (default 600)",
  },
  "max-cell-chars": {
    type: "string",
    env: "MAX_CELL_CHARS",
    help: "longer text values are shortened (default 16384)",
  },
  "pool-size": {
    type: "string",
    env: "POOL_SIZE",
    help: "most database connections (default 8)",
  },
  "log-level": {
    type: "string",
    env: "LOGGING_LEVEL",
    help: "debug, info (default), warning or error",
  },
  "tools-dir": {
    type: "string",
    env: "TOOLS_DIR",
    help: "extra tool folder (repeatable; TOOLS_DIR takes a path list)",
  },
  "data-dir": {
    type: "string",
    env: "TDMCP_DATA_DIR",
    help: "where the demo database is built (default ./data)",
  },
  "allow-write": {
    type: "boolean",
    env: "ALLOW_WRITE",
    help: "permit statements that change data (default: read-only)",
  },
  "allow-superuser": {
    type: "boolean",
    env: "ALLOW_SUPERUSER",
    help: "serve a database role that is a superuser (refused by default: it can undo every protection)",
  },
  "allow-unknown-engine": {
    type: "boolean",
    env: "ALLOW_UNKNOWN_ENGINE",
    help: "serve an engine tdmcp cannot make read-only itself (generic ODBC: the statement guard alone protects it)",
  },
  "stateless": { type: "boolean", env: "MCP_STATELESS", help: "HTTP without sessions (for replicas)" },
  "auth-token": {
    type: "string",
    env: "MCP_AUTH_TOKEN",
    help: "HTTP bearer token (prefer the variable: argv shows in ps)",
  },
  "auth-token-file": { type: "string", env: "MCP_AUTH_TOKEN_FILE", help: "file whose first line is the bearer token" },
  "allowed-hosts": {
    type: "string",
    env: "MCP_ALLOWED_HOSTS",
    help: "Host header allow-list, comma-separated (default loopback)",
  },
  "allowed-origins": {
    type: "string",
    env: "MCP_ALLOWED_ORIGINS",
    help: "Origin allow-list, comma-separated (default loopback)",
  },
  "max-body-bytes": { type: "string", env: "MCP_MAX_BODY_BYTES", help: "largest HTTP request body (default 1 MiB)" },
  "max-sessions": { type: "string", env: "MCP_MAX_SESSIONS", help: "most HTTP sessions at once (default 100)" },
  "max-concurrent-per-session": {
    type: "string",
    env: "MCP_MAX_CONCURRENT_PER_SESSION",
    help: "most requests in flight per session (default 8)",
  },
  "max-concurrent": { type: "string", env: "MCP_MAX_CONCURRENT", help: "most HTTP requests in flight (default 64)" },
  "session-idle-timeout": {
    type: "string",
    env: "MCP_SESSION_IDLE_TIMEOUT",
    help: "seconds before an idle HTTP session ends (default 1800)",
  },
  "event-store-size": {
    type: "string",
    env: "MCP_EVENT_STORE_SIZE",
    help: "events kept per session for resumption (default 1000)",
  },
  "force": { type: "boolean", env: "MCP_FORCE", help: "serve a non-loopback address without a token" },
  "help": { type: "boolean", env: null, help: "show this help" },
  "version": { type: "boolean", env: null, help: "show the version" },
  "max-connections": {
    type: "string",
    env: "MCP_MAX_CONNECTIONS",
    help: "most open HTTP connections; at the cap an idle one closes to make room, else 503 (default 1000)",
  },
  "header-timeout": {
    type: "string",
    env: "MCP_HEADER_TIMEOUT",
    help: "seconds a new HTTP connection has to send its request headers (default 10)",
  },
  "body-timeout": {
    type: "string",
    env: "MCP_BODY_TIMEOUT",
    help: "seconds an HTTP request body may take to arrive; 408 beyond (default 30)",
  },
  "idle-timeout": {
    type: "string",
    env: "MCP_IDLE_TIMEOUT",
    help: "seconds an HTTP connection may stay open with no request in flight (default 60)",
  },
  "explain-first": {
    type: "string",
    env: "EXPLAIN_FIRST",
    help: "base_readQuery reads a query's EXPLAIN first: auto (default: Teradata only), on or off",
  },
  "max-estimated-rows": {
    type: "string",
    env: "MAX_ESTIMATED_ROWS",
    help: "refuse a query whose plan estimates more rows (default 500000)",
  },
  "max-estimated-seconds": {
    type: "string",
    env: "MAX_ESTIMATED_SECONDS",
    help: "refuse a query whose plan estimates more seconds; Teradata only (default 60)",
  },
} as const;

/** A flag's name, e.g. `max-row-limit`. */
export type FlagName = keyof typeof FLAGS;

/** The `--help` text. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) =>
    `  --${name.padEnd(18)} ${f.help}${f.env ? ` [${f.env}]` : ""}`
  );
  return `tdmcp — an MCP server for Teradata and any ODBC database\n\nUsage: deno task start [flags]\n\n${
    lines.join("\n")
  }\n`;
}
