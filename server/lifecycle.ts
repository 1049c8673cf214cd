/**
 * A server's life, the same on every transport: the signals that stop it, the first connection opened in the
 * background (an engine or role tdmcp will not serve stops it), the start-up line, and an orderly shutdown — stop
 * taking requests, let the calls in flight answer, close the pool, flush the log.
 * @module
 */
import { dispose, type Logger } from "@logtape/logtape";
import { DatabaseError } from "../connection/errors.ts";
import type { Database, Engine } from "../connection/types.ts";
import type { ToolLimits } from "../plugin/tool.ts";
import { createServer, type Disclosure, toolsFor } from "./create.ts";
import type { Catalog } from "./loader.ts";
import type { WriteConfirmation } from "./confirm_call.ts";
import type { McpServer } from "./sdk.ts";

/** A transport serving MCP until it is shut down. */
export interface Transport {
  /** How the start-up line names it: "stdio", "Streamable HTTP on http://…". */
  readonly name: string;
  /** Stops taking requests and waits, at most `deadlineMs`, for those it holds to answer. */
  shutdown(deadlineMs: number): Promise<void>;
  /** Closes it once no call is in flight. */
  close(): Promise<void>;
}

/**
 * Opens a transport: `newServer` makes an MCP server for a connection or session (all share the one `Database`);
 * the transport calls `stop` when it ends by itself (stdin closed).
 */
export type OpenTransport = (newServer: () => McpServer, stop: (reason: string) => void) => Promise<Transport>;

/** What {@linkcode serve} needs. */
export interface ServeOptions {
  db: Database;
  catalog: Catalog;
  disclosure: Disclosure;
  profile: string;
  limits: ToolLimits;
  /** The process's write confirmation (ALLOW_WRITE), shared by every server instance. */
  confirmation: WriteConfirmation;
  log: Logger;
  open: OpenTransport;
}

/** How long a shutdown waits for calls in flight to answer. */
export const SHUTDOWN_DRAIN_MS = 10_000;

/** The exit code of a server stopped because its database role or engine was refused. */
export const REFUSED_EXIT = 2;

/**
 * How long after the server starts serving the first connection is opened. Loading the driver (about 12 ms on the
 * main thread) and logging in would otherwise compete with the client's initialize and first tools/list; a call that
 * comes earlier connects by itself.
 */
const WARM_UP_DELAY_MS = 250;

/** Serves until SIGINT, SIGTERM or the transport's own end; resolves with the process's exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  const { db, catalog, log } = options;
  const activity = { active: 0 };
  const newServer = () =>
    createServer({
      db,
      ...catalog,
      disclosure: options.disclosure,
      profile: options.profile,
      activity,
      limits: options.limits,
      confirmation: options.confirmation,
      log,
    });
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  const signals = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => stop(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  const transport = await options.open(newServer, stop);
  let refused = false;
  const warm = warmUp(db, log, (message) => {
    log.error("refusing to serve: {message}", { message });
    refused = true;
    stop("refused");
  });
  log.info(
    `serving ${describeCatalog(db, catalog, options.disclosure)} over ${transport.name} on {dialect} database {target}`,
    {
      dialect: db.dialect,
      target: db.target,
    },
  );
  const reason = await stopped;
  warm[Symbol.dispose](); // no first connection once shutting down
  log.info("shutting down: {reason}", { reason });
  const started = performance.now();
  await transport.shutdown(SHUTDOWN_DRAIN_MS);
  // Calls whose client went away still hold pool leases; a transport that did not wait for them leaves the time.
  await drain(activity, Math.max(2_000, SHUTDOWN_DRAIN_MS - (performance.now() - started)), log);
  for (const [signal, handler] of signals) Deno.removeSignalListener(signal, handler);
  await transport.close().catch(() => {});
  await db.close();
  log.info("stopped; pool closed");
  await dispose(); // flush the log sink before the process exits
  return refused ? REFUSED_EXIT : 0;
}

/** Logs which engine answers and, where the dialect can tell, what the connected role may do beyond reading. */
export function reportEngine(engine: Engine, log: Logger): void {
  const what = { dbms: `${engine.dbmsName} ${engine.dbmsVersion}`.trim() || "(not reported)", dialect: engine.dialect };
  if (!engine.role) return log.info("connected to {dbms} ({dialect} dialect)", what);
  const role = { ...what, role: engine.role.role, powers: engine.role.notes.join(", ") };
  if (engine.role.notes.length === 0) log.info("connected to {dbms} as {role}, a role that may only read", role);
  else log.warning("connected to {dbms} as {role}, which may do more than read: {powers}; see docs/safety.md", role);
}

/** Waits until no call is in flight, or the deadline passes. */
async function drain(activity: { active: number }, deadlineMs: number, log: Logger): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (activity.active > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (activity.active > 0) log.warning("{count} calls still running at shutdown", { count: activity.active });
}

/**
 * Opens the first connection in the background, soon after start, so a bad URI shows in the log at once and the
 * engine and the role's power are reported; an engine or role tdmcp will not serve (a superuser, say) stops the
 * server through `refuse`.
 */
function warmUp(db: Database, log: Logger, refuse: (message: string) => void): Disposable {
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

/** "8 tools, 2 resources, 1 prompt" — what this dialect gets from the catalog. */
function describeCatalog(db: Database, catalog: Catalog, disclosure: Disclosure): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const parts = [count(toolsFor(db, catalog.tools).length, "tool")];
  const resources = toolsFor(db, catalog.resources).length + toolsFor(db, catalog.resourceTemplates).length;
  if (resources > 0) parts.push(count(resources, "resource"));
  const prompts = toolsFor(db, catalog.prompts).length;
  if (prompts > 0) parts.push(count(prompts, "prompt"));
  return parts.join(", ") +
    (disclosure === "progressive" ? " (progressive disclosure: search_tools, execute_tool)" : "");
}
