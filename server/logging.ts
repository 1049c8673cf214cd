/**
 * The server's logging: every line to stderr (stdout belongs to JSON-RPC on stdio), batched off the call's path, with
 * secrets redacted.
 * @module
 */
import { configure, getLogfmtFormatter, type LogLevel } from "@logtape/logtape";
import { redact } from "../connection/redact.ts";
import { BATCH_DEFAULTS, batchedSink } from "./log_sink.ts";

/** Writes all of `bytes` to stderr (a pipe may take them in parts). */
async function writeStderr(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await Deno.stderr.write(bytes.subarray(at));
}

/** Writes all of `bytes` to stderr at once (on the way out of a dying process). */
function writeStderrSync(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stderr.writeSync(bytes.subarray(at));
}

/** Sends every log line to stderr: stdout belongs to JSON-RPC on stdio. */
export async function configureLogging(
  logging: { level: LogLevel },
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
