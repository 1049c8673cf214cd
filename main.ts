/**
 * tdmcp — the composition root. The only module that reads the environment
 * and the command line; it builds the one `Database`, loads the tools and
 * serves MCP.
 * @module
 */
import { dispose, getLogger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, openDatabase } from "./connection/database.ts";
import { chooseOdbcDriver } from "./connection/drivers.ts";
import { redact } from "./connection/redact.ts";
import { parseDatabaseUri } from "./connection/uri.ts";
import { ensureDemoDatabase } from "./demo/ensure.ts";
import { parseConfig } from "./config/parse.ts";
import { ENV_NAMES } from "./config/options.ts";
import { helpText } from "./config/render.ts";
import { openWriteConfirmation } from "./server/confirm_call.ts";
import { SERVER_INFO } from "./server/create.ts";
import { reportEngine, serve } from "./server/lifecycle.ts";
import { configureLogging } from "./server/logging.ts";
import { selectCatalog } from "./server/profiles.ts";
import { resultBudget, stdioTransport } from "./transports/stdio.ts";
import { httpTransport } from "./transports/http/transport.ts";

/** Reads only the variables the server knows (works with a scoped `--allow-env`). */
function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)]));
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
  // ALLOW_WRITE=true: one confirmation key and used-confirmation memory for every server instance of the process.
  const confirmation = await openWriteConfirmation(config.limits);
  const open = config.run.transport === "streamable-http"
    ? httpTransport(config.http, () => db.health(), log.getChild("http"), (token) => uriSecrets.push(token))
    : stdioTransport(log);
  const { disclosure, profile } = config.catalog;
  return await serve({ db, catalog, disclosure, profile, limits: config.limits, confirmation, log, open });
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
