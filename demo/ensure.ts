/**
 * The embedded demo database: built on first run from demo/schema.ts into the data folder.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { runScript } from "../connection/script.ts";
import { DEMO_SCHEMA_VERSION, demoStatements } from "./schema.ts";

/** Builds the demo database on first run (atomically: a temporary file renamed into place). */
export async function ensureDemoDatabase(
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
