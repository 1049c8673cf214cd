/**
 * The one configuration parser: flag > environment > default, validated at
 * start with messages that say what to fix.
 * @module
 */
import { parseArgs } from "node:util";
import { type FlagName, FLAGS } from "./flags.ts";

export { ENV_VARS, FLAGS, helpText } from "./flags.ts";

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
  /** Serve a superuser role (refused otherwise). */
  allowSuperuser: boolean;
  /** Serve an engine tdmcp cannot make read-only itself. */
  allowUnknownEngine: boolean;
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
  /** Most open HTTP connections. */
  maxConnections: number;
  /** How long a new HTTP connection may take to send its first request's headers. */
  headerTimeoutMs: number;
  /** How long an HTTP request body may take to arrive. */
  bodyTimeoutMs: number;
  /** How long an HTTP connection may stay open with no request in flight. */
  idleTimeoutMs: number;
  /** base_readQuery reads a query's EXPLAIN first: `auto` (Teradata only), `on` or `off`. */
  explainFirst: "auto" | "on" | "off";
  /** A query whose plan estimates more rows is refused (with explain first). */
  maxEstimatedRows: number;
  /** A query whose plan estimates more seconds is refused (Teradata; PostgreSQL gives cost units, not seconds). */
  maxEstimatedSeconds: number;
}

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
    allowSuperuser: flagOrEnvTrue("allow-superuser"),
    allowUnknownEngine: flagOrEnvTrue("allow-unknown-engine"),
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
    maxConnections: integer("max-connections", 1000, 1, 1_000_000),
    headerTimeoutMs: integer("header-timeout", 10, 1, 3600) * 1000,
    bodyTimeoutMs: integer("body-timeout", 30, 1, 3600) * 1000,
    idleTimeoutMs: integer("idle-timeout", 60, 1, 86_400) * 1000,
    explainFirst: oneOf("explain-first", { auto: "auto", on: "on", off: "off" }, "auto"),
    maxEstimatedRows: integer("max-estimated-rows", 500_000, 1, 1e15),
    maxEstimatedSeconds: integer("max-estimated-seconds", 60, 1, 31_536_000),
  };
}

function list(text: string | undefined): string[] {
  return (text ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}
