/**
 * tdmcp — the composition root. The only module that reads the environment
 * and the command line; it builds the one `Database`, loads the tools and
 * serves MCP.
 * @module
 */
import { configure, dispose, getLogfmtFormatter, getLogger, type Logger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, openDatabase } from "./connection/database.ts";
import { chooseOdbcDriver } from "./connection/drivers.ts";
import { redact } from "./connection/redact.ts";
import { parseDatabaseUri } from "./connection/uri.ts";
import { runScript } from "./connection/script.ts";
import type { Database, Engine } from "./connection/types.ts";
import { DatabaseError } from "./connection/errors.ts";
import { DEMO_SCHEMA_VERSION, demoStatements } from "./demo/schema.ts";
import { type Config, parseConfig } from "./config/parse.ts";
import { ENV_NAMES } from "./config/options.ts";
import { helpText } from "./config/render.ts";
import { createServer, SERVER_INFO, toolsFor } from "./server/create.ts";
import { type Catalog, loadCatalog } from "./server/loader.ts";
import { applyProfile, parseProfiles } from "./server/profiles.ts";
import { BUILTIN_TOOLS_DIR } from "./server/paths.ts";
import { LineStdioTransport, resultBudget } from "./transports/stdio.ts";
import { serveHttp } from "./transports/http/server.ts";
import { BATCH_DEFAULTS, batchedSink } from "./server/log_sink.ts";

/** Reads only the variables the server knows (works with a scoped `--allow-env`). */
function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)]));
}

/** Builds the demo database on first run (atomically: a temporary file renamed into place). */
async function ensureDemoDatabase(
  dataDir: string,
  log: Logger,
): Promise<string> {
  const path = `${dataDir.replace(/\/+$/, "")}/demo-v${DEMO_SCHEMA_VERSION}.db`;
  try {
    await Deno.stat(path);
    return path;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  const started = performance.now();
  log.info("building the demo database at {path} (first run only)", { path });
  try {
    await runScript(`sqlite://${temporary}`, demoStatements("sqlite"));
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  log.info("demo database ready in {ms} ms", {
    ms: Math.round(performance.now() - started),
  });
  return path;
}

/** Writes all of `bytes` to stderr (a pipe may take them in parts). */
async function writeStderr(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await Deno.stderr.write(bytes.subarray(at));
}

/** Writes all of `bytes` to stderr at once (on the way out of a dying process). */
function writeStderrSync(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stderr.writeSync(bytes.subarray(at));
}

/** Sends every log line to stderr: stdout belongs to JSON-RPC on stdio. */
async function configureLogging(
  logging: Config["logging"],
  secrets: () => string[],
): Promise<void> {
  const formatter = getLogfmtFormatter();
  // Batched: records are queued and written together every 20 ms, formatted then, off the
  // call's path (measured in BENCHMARKS.md). dispose() at shutdown writes what is left; an
  // uncaught error writes it synchronously before the runtime reports the error and exits.
  const stderr = batchedSink(
    writeStderr,
    (record) => redact(formatter(record), secrets()),
    BATCH_DEFAULTS,
    writeStderrSync,
  );
  globalThis.addEventListener("error", () => stderr.flushSync());
  globalThis.addEventListener("unhandledrejection", () => stderr.flushSync());
  await configure({
    sinks: { stderr },
    loggers: [
      {
        category: ["tdmcp"],
        lowestLevel: logging.level,
        sinks: ["stderr"],
      },
      {
        category: ["logtape", "meta"],
        lowestLevel: "warning",
        sinks: ["stderr"],
      },
    ],
  });
}

/** Starts the server; resolves when it has shut down. */
export async function main(
  env: Record<string, string | undefined>,
  args: readonly string[],
): Promise<number> {
  const config = parseConfig(env, args);
  const write = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text));
  if (config.run.help) return (write(helpText()), 0);
  if (config.run.version) {
    return (write(`${SERVER_INFO.name} ${SERVER_INFO.version}\n`), 0);
  }
  const uriSecrets = config.database.uri ? [...parseDatabaseUri(config.database.uri).secrets] : [];
  await configureLogging(config.logging, () => uriSecrets);
  const log = getLogger(["tdmcp"]);

  const uri = config.database.uri ??
    `sqlite://${await ensureDemoDatabase(config.demo.dataDir, log)}`;
  const odbcDriver = await chooseOdbcDriver(
    uri,
    config.database.odbcDriver,
    config.odbcinst,
    (level, message) => log.getChild("db")[level](message),
  );
  const db = openDatabase({
    ...DATABASE_DEFAULTS,
    ...config.database,
    uri,
    odbcDriver,
    // The data budget of one result: what fits MAX_RESULT_BYTES and the official client's read buffer (transports/stdio.ts).
    maxBytes: resultBudget(config.limits.maxResultBytes),
    log: (level, message) => log.getChild("db")[level](message),
  });
  // A raw ODBC string names no engine: ask the driver before choosing the tools and the protections.
  if (db.dialect === "generic") {
    const engine = await db.identify().catch(async (error) => {
      await db.close();
      throw new Error(`Cannot start server as the engine behind 'DATABASE_URI' is unknown: ${error.message}`);
    });
    reportEngine(engine, log);
  }
  const catalog = await selectCatalog(config.catalog, log);
  return config.run.transport === "streamable-http"
    ? await serveStreamableHttp(db, catalog, config, log, uriSecrets)
    : await serveStdio(db, catalog, config, log);
}

/** Loads the tool folders and narrows them to the configured profile. */
async function selectCatalog(config: Config["catalog"], log: Logger): Promise<Catalog> {
  const loaded = await loadCatalog([BUILTIN_TOOLS_DIR, ...config.toolsDirs]);
  const custom = config.profilesFile
    ? parseProfiles(await Deno.readTextFile(config.profilesFile), config.profilesFile)
    : {};
  const { catalog, unmatched } = applyProfile(loaded, config.profile, custom);
  for (const pattern of unmatched) {
    log.warning("profile {profile}: {pattern} matches no tool, resource or prompt", {
      profile: config.profile,
      pattern,
    });
  }
  return catalog;
}

/** "8 tools, 2 resources, 1 prompt" — what this dialect gets from the catalog. */
function describeCatalog(db: Database, catalog: Catalog, disclosure: Config["catalog"]["disclosure"]): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const parts = [count(toolsFor(db, catalog.tools).length, "tool")];
  const resources = toolsFor(db, catalog.resources).length + toolsFor(db, catalog.resourceTemplates).length;
  if (resources > 0) parts.push(count(resources, "resource"));
  const prompts = toolsFor(db, catalog.prompts).length;
  if (prompts > 0) parts.push(count(prompts, "prompt"));
  return parts.join(", ") +
    (disclosure === "progressive" ? " (progressive disclosure: search_tools, execute_tool)" : "");
}

/** How long a shutdown waits for calls in flight to answer. */
const SHUTDOWN_DRAIN_MS = 10_000;

/** Waits until no call is in flight, or the deadline passes. */
async function drain(activity: { active: number }, deadlineMs: number, log: Logger): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (activity.active > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (activity.active > 0) log.warning("{count} calls still running at shutdown", { count: activity.active });
}

/**
 * How long after the server starts serving the first connection is opened. Loading the driver
 * (about 12 ms on the main thread) and logging in would otherwise compete with the client's
 * initialize and first tools/list (measured in BENCHMARKS.md); a call that comes earlier connects
 * by itself.
 */
const WARM_UP_DELAY_MS = 250;

/**
 * Opens the first connection in the background, soon after start, so a bad URI shows in the log at once and the
 * engine and the role's power are reported; an engine or role tdmcp will not serve (a superuser, say) stops the
 * server through `refuse`.
 */
function warmUp(db: Database, log: Logger, refuse: (message: string) => void): { [Symbol.dispose](): void } {
  const timer = setTimeout(() => {
    db.identify().then((engine) => reportEngine(engine, log), (error) => {
      if (error instanceof DatabaseError && error.kind === "refused") return refuse(error.message);
      if (error instanceof DatabaseError && error.kind === "auth") {
        return log.error("the database refused the logon: {message}", { message: error.message });
      }
      log.warning("the database is not reachable yet: {message}", { message: error.message });
    });
  }, WARM_UP_DELAY_MS);
  return { [Symbol.dispose]: () => clearTimeout(timer) };
}

/** Logs which engine answers and, where the dialect can tell, what the connected role may do beyond reading. */
function reportEngine(engine: Engine, log: Logger): void {
  const what = { dbms: `${engine.dbmsName} ${engine.dbmsVersion}`.trim() || "(not reported)", dialect: engine.dialect };
  if (!engine.role) return log.info("connected to {dbms} ({dialect} dialect)", what);
  const role = { ...what, role: engine.role.role, powers: engine.role.notes.join(", ") };
  if (engine.role.notes.length === 0) log.info("connected to {dbms} as {role}, a role that may only read", role);
  else log.warning("connected to {dbms} as {role}, which may do more than read: {powers}; see README (Safety)", role);
}

/** The exit code of a server stopped because its database role or engine was refused. */
const REFUSED_EXIT = 2;

async function serveStdio(
  db: Database,
  catalog: Catalog,
  config: Config,
  log: Logger,
): Promise<number> {
  const activity = { active: 0 };
  // What every tool call may do (the same for every transport); every reply, serialized, fits MAX_RESULT_BYTES.
  const limits = config.limits;
  const server = createServer({
    db,
    ...catalog,
    disclosure: config.catalog.disclosure,
    profile: config.catalog.profile,
    activity,
    limits,
    log,
  });
  // Oversized lines in either direction are answered with an error; they never close the transport.
  const transport = new LineStdioTransport();
  server.server.onerror = (error) => log.warning("stdio: {message}", { message: error.message });
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  transport.onclose = () => stop("transport closed");
  const { default: process } = await import("node:process");
  process.stdin.on("end", () => stop("stdin closed"));
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handlers = signals.map((signal) => {
    const handler = () => stop(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  await server.connect(transport);
  let refused = false;
  const warm = warmUp(db, log, (message) => {
    log.error("refusing to serve: {message}", { message });
    refused = true;
    stop("refused");
  });
  log.info(
    `serving ${describeCatalog(db, catalog, config.catalog.disclosure)} over stdio on {dialect} database {target}`,
    {
      dialect: db.dialect,
      target: db.target,
    },
  );
  const reason = await stopped;
  warm[Symbol.dispose](); // no first connection once shutting down
  log.info("shutting down: {reason}", { reason });
  await drain(activity, SHUTDOWN_DRAIN_MS, log);
  for (const [signal, handler] of handlers) {
    Deno.removeSignalListener(signal, handler);
  }
  await server.close().catch(() => {});
  await db.close();
  log.info("stopped; pool closed");
  await dispose(); // flush the log sink before the process exits
  return refused ? REFUSED_EXIT : 0;
}

/** The bearer token: MCP_AUTH_TOKEN, or the first line of the file MCP_AUTH_TOKEN_FILE names. */
async function readAuthToken(config: Config["http"]): Promise<string | null> {
  if (config.authToken) return config.authToken;
  if (!config.authTokenFile) return null;
  const token = (await Deno.readTextFile(config.authTokenFile)).split(/\r?\n/)[0].trim();
  if (!token) {
    throw new TypeError(
      `Cannot start server as 'MCP_AUTH_TOKEN_FILE' must hold a token: "${config.authTokenFile}" is empty`,
    );
  }
  return token;
}

/** Serves over Streamable HTTP until SIGINT/SIGTERM, then drains and closes the pool. */
async function serveStreamableHttp(
  db: Database,
  catalog: Catalog,
  config: Config,
  log: Logger,
  secrets: string[],
): Promise<number> {
  const activity = { active: 0 };
  const limits = config.limits;
  const authToken = await readAuthToken(config.http);
  if (authToken) secrets.push(authToken); // redacted from every log line
  const http = serveHttp({ ...config.http, authToken }, {
    newServer: () =>
      createServer({
        db,
        ...catalog,
        disclosure: config.catalog.disclosure,
        profile: config.catalog.profile,
        activity,
        limits,
        log,
      }),
    ready: () => db.health(),
    log: log.getChild("http"),
  });
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  let refused = false;
  const warm = warmUp(db, log, (message) => {
    log.error("refusing to serve: {message}", { message });
    refused = true;
    stop("refused");
  });
  log.info(
    `serving ${
      describeCatalog(db, catalog, config.catalog.disclosure)
    } over Streamable HTTP on {dialect} database {target}`,
    {
      dialect: db.dialect,
      target: db.target,
    },
  );
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handlers = signals.map((signal) => {
    const handler = () => stop(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  const reason = await stopped;
  warm[Symbol.dispose](); // no first connection once shutting down
  log.info("shutting down: {reason}", { reason });
  await http.shutdown(SHUTDOWN_DRAIN_MS);
  await drain(activity, 2_000, log); // calls whose client went away still hold pool leases
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  await db.close();
  log.info("stopped; pool closed");
  await dispose();
  return refused ? REFUSED_EXIT : 0;
}

if (import.meta.main) {
  try {
    const code = await main(readEnv(), Deno.args);
    Deno.exit(code);
  } catch (error) {
    await dispose().catch(() => {}); // the buffered log lines written before the failure come first
    const message = error instanceof Error ? error.message : String(error);
    Deno.stderr.writeSync(
      new TextEncoder().encode(`tdmcp: ${redact(message)}\n`),
    );
    Deno.exit(1);
  }
}
