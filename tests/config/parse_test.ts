import assert from "node:assert/strict";
import { parseConfig } from "../../config/parse.ts";
import { DATABASE_DEFAULTS, type DatabaseConfig } from "../../connection/database.ts";
import type { OdbcinstEnv } from "../../connection/drivers.ts";
import type { ToolLimits } from "../../plugin/tool.ts";
import { HTTP_CONNECTION_DEFAULTS, type HttpOptions } from "../../transports/http/server.ts";

Deno.test("parseConfig gives defaults when nothing is set", () => {
  const c = parseConfig({}, []);
  assert.equal(c.database.uri, null);
  assert.equal(c.run.transport, "stdio");
  assert.equal(c.http.host, "127.0.0.1");
  assert.equal(c.http.path, "/mcp");
  assert.equal(c.limits.defaultRows, 1000);
  assert.equal(c.limits.maxRows, 50_000);
  assert.equal(c.limits.timeoutMs, 30_000);
  assert.equal(c.logging.level, "info");
  assert.equal(c.database.allowWrite, false);
  assert.deepEqual(c.catalog.toolsDirs, []);
  assert.equal(c.demo.dataDir, "./data");
  assert.deepEqual([c.run.help, c.run.version], [false, false]);
});

Deno.test("parseConfig lets a flag override the environment and the environment override defaults", () => {
  const env = {
    MCP_PORT: "9000",
    DEFAULT_ROW_LIMIT: "20",
    DATABASE_URI: "sqlite:///env.db",
  };
  assert.equal(parseConfig(env, []).http.port, 9000);
  assert.equal(parseConfig(env, ["--port", "9001"]).http.port, 9001);
  assert.equal(parseConfig(env, ["--port=9002"]).http.port, 9002);
  assert.equal(parseConfig(env, []).limits.defaultRows, 20);
  assert.equal(
    parseConfig(env, ["--database-uri", "sqlite:///flag.db"]).database.uri,
    "sqlite:///flag.db",
  );
  assert.equal(parseConfig({}, []).http.port, 8001);
});

Deno.test("parseConfig rejects a bad port with the variable name and value", () => {
  assert.throws(
    () => parseConfig({ MCP_PORT: "abc" }, []),
    {
      name: "TypeError",
      message: `Cannot start server as 'MCP_PORT' must be an integer from 1 to 65535: current value is "abc"`,
    },
  );
  assert.throws(
    () => parseConfig({}, ["--port", "70000"]),
    /'MCP_PORT' must be an integer from 1 to 65535/,
  );
});

Deno.test("parseConfig rejects a default row limit above the maximum", () => {
  assert.throws(
    () => parseConfig({ DEFAULT_ROW_LIMIT: "500", MAX_ROW_LIMIT: "100" }, []),
    /'DEFAULT_ROW_LIMIT' must not exceed 'MAX_ROW_LIMIT' \(100\)/,
  );
});

Deno.test("parseConfig rejects unknown flags and unknown transports", () => {
  assert.throws(
    () => parseConfig({}, ["--no-such-flag"]),
    /Cannot start server: .*no-such-flag/,
  );
  assert.throws(
    () => parseConfig({ MCP_TRANSPORT: "carrier-pigeon" }, []),
    /'MCP_TRANSPORT' must be one of/,
  );
  assert.equal(
    parseConfig({}, ["--transport", "http"]).run.transport,
    "streamable-http",
  );
});

Deno.test("parseConfig reads tool folders from repeated flags or a TOOLS_DIR path list", () => {
  assert.deepEqual(parseConfig({ TOOLS_DIR: "/a:/b" }, []).catalog.toolsDirs, [
    "/a",
    "/b",
  ]);
  assert.deepEqual(
    parseConfig({ TOOLS_DIR: "/a" }, ["--tools-dir", "/x", "--tools-dir", "/y"])
      .catalog.toolsDirs,
    ["/x", "/y"],
  );
});

Deno.test("parseConfig accepts logging levels in any case and the allow-write switch", () => {
  assert.equal(
    parseConfig({ LOGGING_LEVEL: "WARN" }, []).logging.level,
    "warning",
  );
  assert.equal(
    parseConfig({ LOGGING_LEVEL: "DEBUG" }, []).logging.level,
    "debug",
  );
  assert.equal(parseConfig({ ALLOW_WRITE: "true" }, []).database.allowWrite, true);
  assert.equal(parseConfig({}, ["--allow-write"]).database.allowWrite, true);
  assert.equal(parseConfig({ QUERY_TIMEOUT: "5" }, []).limits.timeoutMs, 5000);
});

Deno.test("parseConfig reads the profile, a profiles file and the disclosure mode", () => {
  const c = parseConfig({ PROFILE: "eda", TOOL_DISCLOSURE: "progressive" }, ["--profiles-file", "p.json"]);
  assert.equal(c.catalog.profile, "eda");
  assert.equal(c.catalog.profilesFile, "p.json");
  assert.equal(c.catalog.disclosure, "progressive");
  assert.equal(parseConfig({}, []).catalog.disclosure, "full");
  assert.throws(
    () => parseConfig({}, ["--disclosure", "lazy"]),
    /'TOOL_DISCLOSURE' must be one of full, progressive: current value is "lazy"/,
  );
});

Deno.test("parseConfig delivers one value under each name its consumers use: the row cap, the timeouts", () => {
  const c = parseConfig({ DEFAULT_ROW_LIMIT: "20", MAX_ROW_LIMIT: "300", QUERY_TIMEOUT: "7" }, [
    "--max-query-timeout",
    "90",
  ]);
  assert.deepEqual([c.database.defaultMaxRows, c.limits.defaultRows], [20, 20]);
  assert.deepEqual([c.database.maxRows, c.limits.maxRows], [300, 300]);
  assert.deepEqual([c.database.queryTimeoutMs, c.limits.timeoutMs], [7000, 7000]);
  assert.deepEqual([c.database.maxQueryTimeoutMs, c.limits.maxTimeoutMs], [90_000, 90_000]);
});

Deno.test("parseConfig raises an unset maximum to the value it bounds, and refuses a set one below it", () => {
  const raised = parseConfig({ DEFAULT_ROW_LIMIT: "80000", QUERY_TIMEOUT: "900" }, []);
  assert.equal(raised.limits.maxRows, 80_000);
  assert.equal(raised.limits.maxTimeoutMs, 900_000);
  assert.throws(
    () => parseConfig({ QUERY_TIMEOUT: "700" }, ["--max-query-timeout", "600"]),
    {
      name: "TypeError",
      message:
        `Cannot start server as 'QUERY_TIMEOUT' must not exceed 'MAX_QUERY_TIMEOUT' (600): current value is "700"`,
    },
  );
});

Deno.test("parseConfig reads seconds as milliseconds and checks their range in seconds", () => {
  const c = parseConfig({ MCP_SESSION_IDLE_TIMEOUT: "12", MCP_HEADER_TIMEOUT: "3" }, ["--idle-timeout", "4"]);
  assert.deepEqual([c.http.sessionIdleMs, c.http.headerTimeoutMs, c.http.idleTimeoutMs, c.http.bodyTimeoutMs], [
    12_000,
    3000,
    4000,
    30_000,
  ]);
  assert.throws(
    () => parseConfig({ MCP_BODY_TIMEOUT: "3601" }, []),
    /'MCP_BODY_TIMEOUT' must be an integer from 1 to 3600: current value is "3601"/,
  );
});

Deno.test("parseConfig refuses an MCP_PATH that does not start with a slash", () => {
  assert.throws(() => parseConfig({ MCP_PATH: "mcp" }, []), {
    name: "TypeError",
    message: `Cannot start server as 'MCP_PATH' must start with "/": current value is "mcp"`,
  });
  assert.equal(parseConfig({ MCP_PATH: " /api/mcp " }, []).http.path, "/api/mcp");
});

Deno.test("parseConfig reads switches from a bare flag or 1/true/yes/on, and comma-separated allow-lists", () => {
  for (const word of ["1", "TRUE", "yes", "On"]) {
    assert.equal(parseConfig({ MCP_STATELESS: word }, []).http.stateless, true);
  }
  for (const word of ["0", "false", "nope"]) assert.equal(parseConfig({ MCP_FORCE: word }, []).http.force, false);
  assert.equal(parseConfig({}, ["--force"]).http.force, true);
  const c = parseConfig({ MCP_ALLOWED_HOSTS: " a.example , b.example:8001,," }, ["--allowed-origins", "https://x"]);
  assert.deepEqual(c.http.allowedHosts, ["a.example", "b.example:8001"]);
  assert.deepEqual(c.http.allowedOrigins, ["https://x"]);
});

Deno.test("parseConfig treats an empty or blank variable as unset", () => {
  const c = parseConfig({ MCP_PORT: "", PROFILE: "   ", DATABASE_URI: "" }, []);
  assert.deepEqual([c.http.port, c.catalog.profile, c.database.uri], [8001, "all", null]);
});

Deno.test("parseConfig reads --help and --version, and unixODBC's variables without flags", () => {
  assert.equal(parseConfig({}, ["--help"]).run.help, true);
  assert.equal(parseConfig({}, ["--version"]).run.version, true);
  assert.deepEqual(parseConfig({ ODBCSYSINI: "/srv/odbc" }, []).odbcinst, {
    ODBCSYSINI: "/srv/odbc",
    ODBCINSTINI: undefined,
  });
  assert.throws(() => parseConfig({}, ["--odbcsysini", "/x"]), /Cannot start server: .*odbcsysini/);
});

Deno.test("the groups have the shapes of the options they are handed to, with the same defaults", () => {
  const c = parseConfig({}, []);
  const database: DatabaseConfig = { ...DATABASE_DEFAULTS, ...c.database, uri: "sqlite:///x.db" };
  const http: HttpOptions = { ...c.http, authToken: c.http.authToken };
  const limits: ToolLimits & { maxResultBytes: number } = c.limits;
  const odbcinst: OdbcinstEnv = c.odbcinst;
  const { uri: _uri, odbcDriver: _driver, ...settings } = c.database;
  for (const [key, value] of Object.entries(settings)) {
    assert.equal(value, DATABASE_DEFAULTS[key as keyof typeof DATABASE_DEFAULTS], `database.${key}`);
  }
  for (const [key, value] of Object.entries(HTTP_CONNECTION_DEFAULTS)) {
    assert.equal(http[key as keyof typeof HTTP_CONNECTION_DEFAULTS], value, `http.${key}`);
  }
  assert.equal(database.maxRows, limits.maxRows);
  assert.equal(limits.maxResultBytes, 16 * 1024 * 1024);
  assert.deepEqual(odbcinst, { ODBCSYSINI: undefined, ODBCINSTINI: undefined });
});
