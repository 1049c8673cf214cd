/**
 * A closed-loop driver of `tools/call` through the real v2 MCP client, for
 * haproxy_test.ts and bench/balancer.ts: each client makes one call at a
 * time; every call is recorded with when it started and ended, and its HTTP
 * requests carry the call's number (`X-Call-Id`) so that a load balancer's
 * log can say which replica served it.
 * @module
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

/** The v2 client's era choice: the 2025 handshake, or the 2026-07-28 revision pinned. */
export type ClientMode = "legacy" | "pin";

/** One `tools/call` as the client saw it. */
export interface CallRecord {
  /** Its number, also sent as `X-Call-Id`. */
  n: number;
  /** The client (0 … concurrency - 1) that made it. */
  client: number;
  /** `performance.now()` when the call was made and when it settled. */
  start: number;
  end: number;
  /** The call returned the one expected row. */
  ok: boolean;
  /** What went wrong otherwise. */
  error?: string;
}

/** What to drive. */
export interface DriveOptions {
  /** The MCP endpoint (HAProxy's). */
  url: URL;
  mode: ClientMode;
  /** Clients, each making one call at a time. */
  concurrency: number;
  /** Untimed calls per client before the counted ones (bench warm-up), numbered from -1 down. */
  warmup?: number;
  calls: number;
  /** The point query of call `n` (returns exactly one row). */
  sql(n: number): string;
  /** Told the number of each counted call as it starts, before its request is sent. */
  onStart?(n: number): void;
}

/** A v2 client in the given mode whose every HTTP request carries `X-Call-Id: <current()>`. */
async function connectClient(url: URL, mode: ClientMode, current: () => number): Promise<Client> {
  const client = new Client({ name: "tdmcp-balancer", version: "0" }, {
    versionNegotiation: { mode: mode === "pin" ? { pin: "2026-07-28" } : "legacy" },
  });
  const tagged = (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set("x-call-id", String(current()));
    return fetch(input, { ...init, headers });
  };
  await client.connect(new StreamableHTTPClientTransport(url, { fetch: tagged }));
  await client.listTools(); // as an agent does; the client then checks structured results against the schema
  return client;
}

/**
 * Runs `calls` point queries through `base_readQuery` with `concurrency`
 * clients, each calling back to back, and records every call (a call
 * "fails" when it throws, answers `isError`, or does not return one row).
 * Connecting fails the run: nothing is killed before every client is up.
 */
export async function driveCalls(options: DriveOptions): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  let next = 0;
  let warm = 0;
  // Counted calls start together, once every client has connected and warmed up; a client that cannot connect
  // releases the others with its error.
  let arrived = 0;
  let release!: () => void;
  let abort!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => [release, abort] = [resolve, reject]);
  ready.catch(() => {});
  const worker = async (_: unknown, index: number) => {
    let current = -1_000_000;
    let client: Client;
    try {
      client = await connectClient(options.url, options.mode, () => current);
    } catch (error) {
      abort(error);
      throw error;
    }
    const one = async (n: number, record: boolean) => {
      current = n;
      if (record) options.onStart?.(n);
      const start = performance.now();
      let error: string | undefined;
      try {
        const result = await client.callTool({ name: "base_readQuery", arguments: { sql: options.sql(n) } }, {
          timeout: 60_000,
        });
        const rows = (result.structuredContent as { row_count?: number } | undefined)?.row_count;
        if (result.isError || rows !== 1) error = `answered ${JSON.stringify(result).slice(0, 300)}`;
      } catch (e) {
        error = e instanceof Error
          ? `${e.name}: ${e.message}${e.cause ? ` (${e.cause})` : ""}`.slice(0, 300)
          : String(e);
      }
      if (record) records.push({ n, client: index, start, end: performance.now(), ok: error === undefined, error });
    };
    try {
      for (let i = 0; i < (options.warmup ?? 0); i++) await one(-1 - warm++, false);
      if (++arrived === options.concurrency) release();
      await ready;
      for (let n = next++; n < options.calls; n = next++) await one(n, true);
    } finally {
      await client.close().catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return records.sort((a, b) => a.n - b.n);
}
