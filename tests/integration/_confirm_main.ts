/**
 * tdmcp as main.ts serves it (options, the Database, the catalog, the real stdio and HTTP transports), with the
 * process's write confirmation handed to every server instance — what server/lifecycle.ts `serve()` does once it
 * passes `openWriteConfirmation(limits)` to `createServer`. Used by write_confirm_test.ts only; switch the test to
 * main.ts once lifecycle.ts wires it.
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, openDatabase } from "../../connection/database.ts";
import { parseConfig } from "../../config/parse.ts";
import { ENV_NAMES } from "../../config/options.ts";
import { openWriteConfirmation } from "../../server/confirm_call.ts";
import { configureLogging } from "../../server/logging.ts";
import { createServer } from "../../server/create.ts";
import { selectCatalog } from "../../server/profiles.ts";
import { stdioTransport } from "../../transports/stdio.ts";
import { httpTransport } from "../../transports/http/transport.ts";

const env = Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)]));
const config = parseConfig(env, Deno.args);
await configureLogging(config.logging, () => []);
const log = getLogger(["tdmcp"]);
const db = openDatabase({ ...DATABASE_DEFAULTS, ...config.database, uri: config.database.uri! });
const catalog = await selectCatalog(config.catalog, log);
const confirmation = await openWriteConfirmation(config.limits);
const deps = { db, ...catalog, limits: config.limits, log, confirmation };
const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
const open = config.run.transport === "streamable-http"
  ? httpTransport(config.http, () => db.health(), log, () => {})
  : stdioTransport(log);
const transport = await open(() => createServer(deps), stop);
Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
await stopped;
await transport.shutdown(2_000);
await transport.close().catch(() => {});
await db.close();
Deno.exit(0);
