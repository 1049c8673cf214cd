import assert from "node:assert/strict";
import { parseConfig } from "../../server/config.ts";

Deno.test("parseConfig gives defaults when nothing is set", () => {
  const c = parseConfig({}, []);
  assert.equal(c.databaseUri, null);
  assert.equal(c.transport, "stdio");
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.path, "/mcp");
  assert.equal(c.defaultRowLimit, 1000);
  assert.equal(c.maxRowLimit, 50_000);
  assert.equal(c.queryTimeoutMs, 30_000);
  assert.equal(c.loggingLevel, "info");
  assert.equal(c.allowWrite, false);
  assert.deepEqual(c.toolsDirs, []);
});

Deno.test("parseConfig lets a flag override the environment and the environment override defaults", () => {
  const env = {
    MCP_PORT: "9000",
    DEFAULT_ROW_LIMIT: "20",
    DATABASE_URI: "sqlite:///env.db",
  };
  assert.equal(parseConfig(env, []).port, 9000);
  assert.equal(parseConfig(env, ["--port", "9001"]).port, 9001);
  assert.equal(parseConfig(env, ["--port=9002"]).port, 9002);
  assert.equal(parseConfig(env, []).defaultRowLimit, 20);
  assert.equal(
    parseConfig(env, ["--database-uri", "sqlite:///flag.db"]).databaseUri,
    "sqlite:///flag.db",
  );
  assert.equal(parseConfig({}, []).port, 8001);
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
    parseConfig({}, ["--transport", "http"]).transport,
    "streamable-http",
  );
});

Deno.test("parseConfig reads tool folders from repeated flags or a TOOLS_DIR path list", () => {
  assert.deepEqual(parseConfig({ TOOLS_DIR: "/a:/b" }, []).toolsDirs, [
    "/a",
    "/b",
  ]);
  assert.deepEqual(
    parseConfig({ TOOLS_DIR: "/a" }, ["--tools-dir", "/x", "--tools-dir", "/y"])
      .toolsDirs,
    ["/x", "/y"],
  );
});

Deno.test("parseConfig accepts logging levels in any case and the allow-write switch", () => {
  assert.equal(
    parseConfig({ LOGGING_LEVEL: "WARN" }, []).loggingLevel,
    "warning",
  );
  assert.equal(
    parseConfig({ LOGGING_LEVEL: "DEBUG" }, []).loggingLevel,
    "debug",
  );
  assert.equal(parseConfig({ ALLOW_WRITE: "true" }, []).allowWrite, true);
  assert.equal(parseConfig({}, ["--allow-write"]).allowWrite, true);
  assert.equal(parseConfig({ QUERY_TIMEOUT: "5" }, []).queryTimeoutMs, 5000);
});

Deno.test("parseConfig reads the profile, a profiles file and the disclosure mode", () => {
  const c = parseConfig({ PROFILE: "eda", TOOL_DISCLOSURE: "progressive" }, ["--profiles-file", "p.json"]);
  assert.equal(c.profile, "eda");
  assert.equal(c.profilesFile, "p.json");
  assert.equal(c.disclosure, "progressive");
  assert.equal(parseConfig({}, []).disclosure, "full");
  assert.throws(
    () => parseConfig({}, ["--disclosure", "lazy"]),
    /'TOOL_DISCLOSURE' must be one of full, progressive: current value is "lazy"/,
  );
});
