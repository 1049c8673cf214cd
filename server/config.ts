/**
 * The one configuration parser: flag > environment > default, validated at
 * start with messages that say what to fix.
 * @module
 */
import { parseArgs } from "node:util";

/** Log levels accepted by `LOGGING_LEVEL`. */
export type LogLevel = "debug" | "info" | "warning" | "error";

/** Everything the server needs to start. */
export interface Config {
  /** `DATABASE_URI`; null means the embedded demo database. */
  databaseUri: string | null;
  odbcDriver: string | null;
  transport: "stdio" | "streamable-http";
  host: string;
  port: number;
  path: string;
  profile: string;
  /** A JSON file of custom profiles. */
  profilesFile: string | null;
  /** `full` lists every tool; `progressive` lists search_tools, execute_tool and base_readQuery. */
  disclosure: "full" | "progressive";
  defaultRowLimit: number;
  maxRowLimit: number;
  maxResultBytes: number;
  queryTimeoutMs: number;
  maxQueryTimeoutMs: number;
  maxCellChars: number;
  poolSize: number;
  loggingLevel: LogLevel;
  toolsDirs: string[];
  dataDir: string;
  allowWrite: boolean;
  /** Streamable HTTP: one server and transport per request, no sessions (for replicas behind a load balancer). */
  stateless: boolean;
  authToken: string | null;
  authTokenFile: string | null;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  maxSessions: number;
  maxConcurrentPerSession: number;
  maxConcurrent: number;
  sessionIdleMs: number;
  eventStoreSize: number;
  /** Serve a non-loopback address without a token. */
  force: boolean;
  help: boolean;
  version: boolean;
}

/** Environment variables the server reads (and nothing else). */
export const ENV_VARS = [
  "DATABASE_URI",
  "ODBC_DRIVER",
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
} as const;

type FlagName = keyof typeof FLAGS;

/**
 * Parses configuration from environment variables and command-line flags.
 * Pure: pass `Deno.env.toObject()` and `Deno.args`.
 *
 * @example
 * ```ts
 * parseConfig({ MCP_PORT: "9000" }, ["--port", "9001"]).port; // 9001
 * ```
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  args: readonly string[],
): Config {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map((
      [name, f],
    ) => [name, { type: f.type, multiple: name === "tools-dir" }]),
  );
  let values: Record<
    string,
    string | boolean | (string | boolean)[] | undefined
  >;
  try {
    values = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new TypeError(
      `Cannot start server: ${(error as Error).message}; run with --help for the flags`,
    );
  }
  const raw = (name: FlagName): string | undefined => {
    const flag = values[name];
    if (typeof flag === "string") return flag;
    const envName = FLAGS[name].env;
    const value = envName === null ? undefined : env[envName];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const label = (name: FlagName) => FLAGS[name].env ?? `--${name}`;
  const integer = (
    name: FlagName,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (
      !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min ||
      value > max
    ) {
      throw new TypeError(
        `Cannot start server as '${label(name)}' must be an integer from ${min} to ${max}: current value is "${text}"`,
      );
    }
    return value;
  };
  const oneOf = <T extends string>(
    name: FlagName,
    allowed: Record<string, T>,
    fallback: T,
  ): T => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const value = allowed[text.toLowerCase()];
    if (value === undefined) {
      throw new TypeError(
        `Cannot start server as '${label(name)}' must be one of ${
          Object.keys(allowed).join(", ")
        }: current value is "${text}"`,
      );
    }
    return value;
  };
  const flagOrEnvTrue = (name: FlagName): boolean => {
    if (values[name] === true) return true;
    const text = raw(name);
    return text !== undefined && /^(1|true|yes|on)$/i.test(text);
  };

  const defaultRowLimit = integer("row-limit", 1000, 1, 1_000_000);
  const maxRowLimit = integer(
    "max-row-limit",
    Math.max(50_000, defaultRowLimit),
    1,
    1_000_000,
  );
  if (defaultRowLimit > maxRowLimit) {
    throw new TypeError(
      `Cannot start server as 'DEFAULT_ROW_LIMIT' must not exceed 'MAX_ROW_LIMIT' (${maxRowLimit}): current value is "${defaultRowLimit}"`,
    );
  }
  const queryTimeoutMs = integer("query-timeout", 30, 1, 86_400) * 1000;
  const maxQueryTimeoutMs = integer("max-query-timeout", Math.max(600, queryTimeoutMs / 1000), 1, 86_400) * 1000;
  if (queryTimeoutMs > maxQueryTimeoutMs) {
    throw new TypeError(
      `Cannot start server as 'QUERY_TIMEOUT' must not exceed 'MAX_QUERY_TIMEOUT' (${
        maxQueryTimeoutMs / 1000
      }): current value is "${queryTimeoutMs / 1000}"`,
    );
  }
  const path = raw("path") ?? "/mcp";
  if (!path.startsWith("/")) {
    throw new TypeError(
      `Cannot start server as 'MCP_PATH' must start with "/": current value is "${path}"`,
    );
  }
  const flagDirs = Array.isArray(values["tools-dir"]) ? values["tools-dir"] as string[] : [];
  const envDirs = (env.TOOLS_DIR ?? "").split(/[:;]/).map((d) => d.trim())
    .filter(Boolean);
  return {
    databaseUri: raw("database-uri") ?? null,
    odbcDriver: raw("odbc-driver") ?? null,
    transport: oneOf("transport", {
      "stdio": "stdio",
      "streamable-http": "streamable-http",
      "http": "streamable-http",
    }, "stdio"),
    host: raw("host") ?? "127.0.0.1",
    port: integer("port", 8001, 1, 65535),
    path,
    profile: raw("profile") ?? "all",
    profilesFile: raw("profiles-file") ?? null,
    disclosure: oneOf("disclosure", { full: "full", progressive: "progressive" }, "full"),
    defaultRowLimit,
    maxRowLimit,
    maxResultBytes: integer(
      "max-result-bytes",
      16 * 1024 * 1024,
      1024,
      1024 * 1024 * 1024,
    ),
    queryTimeoutMs,
    maxQueryTimeoutMs,
    maxCellChars: integer("max-cell-chars", 16_384, 16, 100_000_000),
    poolSize: integer("pool-size", 8, 1, 256),
    loggingLevel: oneOf(
      "log-level",
      {
        debug: "debug",
        info: "info",
        warning: "warning",
        warn: "warning",
        error: "error",
      },
      "info",
    ),
    toolsDirs: flagDirs.length > 0 ? flagDirs : envDirs,
    dataDir: raw("data-dir") ?? "./data",
    allowWrite: flagOrEnvTrue("allow-write"),
    stateless: flagOrEnvTrue("stateless"),
    authToken: raw("auth-token") ?? null,
    authTokenFile: raw("auth-token-file") ?? null,
    allowedHosts: list(raw("allowed-hosts")),
    allowedOrigins: list(raw("allowed-origins")),
    maxBodyBytes: integer("max-body-bytes", 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxSessions: integer("max-sessions", 100, 1, 100_000),
    maxConcurrentPerSession: integer("max-concurrent-per-session", 8, 1, 10_000),
    maxConcurrent: integer("max-concurrent", 64, 1, 100_000),
    sessionIdleMs: integer("session-idle-timeout", 1800, 1, 86_400) * 1000,
    eventStoreSize: integer("event-store-size", 1000, 1, 1_000_000),
    force: flagOrEnvTrue("force"),
    help: values.help === true,
    version: values.version === true,
  };
}

function list(text: string | undefined): string[] {
  return (text ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

/** The `--help` text. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) =>
    `  --${name.padEnd(18)} ${f.help}${f.env ? ` [${f.env}]` : ""}`
  );
  return `tdmcp — an MCP server for Teradata and any ODBC database\n\nUsage: deno task start [flags]\n\n${
    lines.join("\n")
  }\n`;
}
