/**
 * The stdio transport: one JSON-RPC message per line on stdin and stdout,
 * like the SDK's `StdioServerTransport`, except that no line stops the
 * server. The SDK's transport closes (and the server with it) when its read
 * buffer passes 10 MiB; here an input line longer than `maxLineBytes` is
 * skipped without being held (only its first bytes are kept, to find its
 * `id`) and answered with a JSON-RPC error, and an outgoing message longer
 * than the official client reads is replaced by an error response.
 * @module
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import type { Logger } from "@logtape/logtape";
import type { OpenTransport } from "../server/lifecycle.ts";
import {
  deserializeMessage,
  type JSONRPCMessage,
  serveStdio,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  type Transport,
} from "../server/sdk.ts";

/** The read buffer of the official SDK client's stdio transport (`shared/stdio.js`): it closes past this. */
export const SDK_STDIO_BUFFER_BYTES: number = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/**
 * The longest message line (newline included) the official SDK client always
 * accepts: its buffer holds the line plus at most one pipe read (64 KiB) of
 * what follows before it splits them.
 */
export const CLIENT_LINE_LIMIT_BYTES: number = SDK_STDIO_BUFFER_BYTES - 64 * 1024;

/** Bytes of the JSON-RPC envelope around a result: `{"result":…,"jsonrpc":"2.0","id":…}`, newline, ids up to ~980 bytes. */
export const ENVELOPE_BYTES = 1024;

/**
 * The most bytes a tool result may take serialized so that its whole reply
 * stays within `MAX_RESULT_BYTES` and within what the official client reads.
 */
export function resultBudget(maxResultBytes: number = Infinity): number {
  return Math.min(maxResultBytes, CLIENT_LINE_LIMIT_BYTES) - ENVELOPE_BYTES;
}

/** Bytes kept from an oversized line to find its id. */
const HEAD_BYTES = 4096;

/** JSON-RPC error codes used here. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;

/** What the transport reads from ({@link DenoStdinInput}, node's `process.stdin`, or a test stream). */
export interface LineInput {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
  listenerCount(event: string): number;
  pause(): unknown;
}

/** Bytes asked of stdin per read (what node's stdin stream reads at a time). */
const STDIN_READ_BYTES = 64 * 1024;

/**
 * Deno's own stdin as a {@link LineInput}: one read loop, started by the first `data` listener, that hands each chunk
 * to the listeners and calls `onEnd` at end of input. Node's `process.stdin` stream, on the same reads, cost about
 * 10 µs more CPU per message (a child echoing 20,000 request lines: 55–64 µs a line through `process.stdin`,
 * 44–49 µs through `Deno.stdin.read`). A pending read does not keep the process from exiting (`main.ts` ends it).
 */
export class DenoStdinInput implements LineInput {
  readonly #data = new Set<(chunk: Uint8Array) => void>();
  readonly #error = new Set<(error: Error) => void>();
  readonly #end = new Set<() => void>();
  readonly #reader: { read(buffer: Uint8Array): Promise<number | null> };
  #reading = false;
  #paused = false;

  constructor(reader: { read(buffer: Uint8Array): Promise<number | null> } = Deno.stdin) {
    this.#reader = reader;
  }

  on(event: "data", listener: (chunk: Uint8Array) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "data" | "error", listener: ((chunk: Uint8Array) => void) | ((error: Error) => void)): this {
    if (event === "data") {
      this.#data.add(listener as (chunk: Uint8Array) => void);
      this.#paused = false;
      if (!this.#reading) this.#read();
    } else this.#error.add(listener as (error: Error) => void);
    return this;
  }

  off(event: "data", listener: (chunk: Uint8Array) => void): this;
  off(event: "error", listener: (error: Error) => void): this;
  off(event: "data" | "error", listener: ((chunk: Uint8Array) => void) | ((error: Error) => void)): this {
    if (event === "data") this.#data.delete(listener as (chunk: Uint8Array) => void);
    else this.#error.delete(listener as (error: Error) => void);
    return this;
  }

  listenerCount(event: string): number {
    return event === "data" ? this.#data.size : event === "error" ? this.#error.size : 0;
  }

  /** Stops reading after the read in progress. */
  pause(): this {
    this.#paused = true;
    return this;
  }

  /** Calls `listener` once input ends (or fails). */
  onEnd(listener: () => void): void {
    this.#end.add(listener);
  }

  async #read(): Promise<void> {
    this.#reading = true;
    try {
      const buffer = new Uint8Array(STDIN_READ_BYTES);
      while (!this.#paused && this.#data.size > 0) {
        const read = await this.#reader.read(buffer);
        if (read === null) {
          for (const listener of [...this.#end]) listener();
          return;
        }
        // A copy: the transport keeps pieces of a line until its end, and the buffer is read into again.
        const chunk = buffer.slice(0, read);
        for (const listener of [...this.#data]) listener(chunk);
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const listener of [...this.#error]) listener(failure);
      for (const listener of [...this.#end]) listener();
    } finally {
      this.#reading = false;
    }
  }
}

/** What the transport writes to (node's `process.stdout` or a test stream). */
export interface LineOutput {
  write(text: string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/** Limits of a {@link LineStdioTransport}. */
export interface LineStdioOptions {
  /** Longest input line read (default: the SDK's 10 MiB); longer lines are answered with an error. */
  maxLineBytes?: number;
  /** Longest output line written, newline included (default {@link CLIENT_LINE_LIMIT_BYTES}). */
  maxMessageBytes?: number;
}

/** Newline-delimited JSON-RPC over stdin/stdout that survives oversized lines in both directions. */
export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #input: LineInput;
  readonly #output: LineOutput;
  readonly #maxLine: number;
  readonly #maxMessage: number;
  #parts: Uint8Array[] = [];
  #size = 0;
  /** The first bytes of a line being skipped because it is too long; null while reading a normal line. */
  #head: Buffer | null = null;
  #started = false;

  constructor(options: LineStdioOptions = {}, input?: LineInput, output?: LineOutput) {
    this.#input = input ?? new DenoStdinInput();
    this.#output = output ?? process.stdout;
    this.#maxLine = options.maxLineBytes ?? SDK_STDIO_BUFFER_BYTES;
    this.#maxMessage = options.maxMessageBytes ?? CLIENT_LINE_LIMIT_BYTES;
  }

  start(): Promise<void> {
    if (this.#started) throw new Error("LineStdioTransport already started");
    this.#started = true;
    this.#input.on("data", this.#onData);
    this.#input.on("error", this.#onError);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#input.off("data", this.#onData);
    this.#input.off("error", this.#onError);
    if (this.#input.listenerCount("data") === 0) this.#input.pause();
    this.#parts = [];
    this.#head = null;
    this.onclose?.();
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    let json = JSON.stringify(message);
    const bytes = Buffer.byteLength(json) + 1;
    if (bytes > this.#maxMessage) {
      const id = "id" in message ? message.id : undefined;
      const reply = id !== undefined && ("result" in message || "error" in message);
      this.onerror?.(
        new Error(
          `a ${bytes}-byte message is longer than a client reads (${this.#maxMessage} bytes): ` +
            (reply ? "an error was sent instead" : "it was not sent"),
        ),
      );
      if (!reply) return Promise.resolve();
      json = JSON.stringify(errorReply(
        id,
        INTERNAL_ERROR,
        `Internal error: the reply took ${bytes} bytes, more than the ${this.#maxMessage} a client reads; ask for fewer rows or columns`,
      ));
    }
    return this.#write(json);
  }

  #write(json: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.#output.write(`${json}\n`)) resolve();
      else this.#output.once("drain", resolve);
    });
  }

  readonly #onError = (error: Error) => this.onerror?.(error);

  readonly #onData = (chunk: Uint8Array) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      this.#take(chunk.subarray(start, newline < 0 ? chunk.length : newline));
      if (newline < 0) return;
      this.#endLine();
      start = newline + 1;
    }
  };

  /** Adds a piece of the current line; past the limit, keeps only its head. */
  #take(part: Uint8Array): void {
    if (part.length === 0) return;
    this.#size += part.length;
    if (this.#head) return;
    if (this.#size <= this.#maxLine) {
      this.#parts.push(part);
      return;
    }
    this.#head = Buffer.from(Buffer.concat([...this.#parts, part]).subarray(0, HEAD_BYTES));
    this.#parts = [];
  }

  #endLine(): void {
    const head = this.#head;
    const size = this.#size;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    this.#head = null;
    if (head) {
      const id = findId(head.toString("utf8"));
      this.onerror?.(new Error(`skipped a ${size}-byte input line (the limit is ${this.#maxLine} bytes)`));
      this.#reply(
        id,
        INVALID_REQUEST,
        `Invalid Request: the message took ${size} bytes; this server reads messages of at most ${this.#maxLine} bytes, one per line`,
      );
      return;
    }
    const line = Buffer.concat(parts).toString("utf8").replace(/\r$/, "");
    if (line.trim() === "") return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      const json = error instanceof SyntaxError;
      this.#reply(
        json ? null : findId(line.slice(0, HEAD_BYTES)),
        json ? PARSE_ERROR : INVALID_REQUEST,
        json ? "Parse error: the line is not JSON" : "Invalid Request: the line is not a JSON-RPC message",
      );
      return;
    }
    this.onmessage?.(message);
  }

  #reply(id: string | number | null, code: number, message: string): void {
    this.#write(JSON.stringify(errorReply(id, code, message))).catch((error) => this.onerror?.(error));
  }
}

function errorReply(id: string | number | null, code: number, message: string) {
  return { jsonrpc: "2.0" as const, id, error: { code, message } };
}

/**
 * The top-level `"id"` of a JSON-RPC message (a number or a string) found in
 * its first characters, or null: keys of nested objects and string values
 * are skipped, so `{"params":{"id":1},"id":7}` gives 7.
 */
export function findId(text: string): string | number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      if (depth === 1 && end === i + 3 && text.slice(i, end + 1) === '"id"') {
        const value = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")/.exec(text.slice(end + 1));
        if (value) return JSON.parse(value[1]);
      }
      i = end;
    }
  }
  return null;
}

/** Index of the quote that ends the string starting at `start`, or -1 when the text ends first. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * Serves MCP over stdin/stdout (`serve` in server/lifecycle.ts runs it). The SDK's `serveStdio` picks the protocol
 * era from the opening message (a 2025-era `initialize`, or a 2026-07-28 request or `server/discover` probe) and
 * builds the connection's server. It stops when stdin ends or the transport closes; at shutdown the calls in flight
 * answer before it closes.
 */
export function stdioTransport(log: Logger): OpenTransport {
  return (newServer, stop) => {
    // Oversized lines in either direction are answered with an error; they never close the transport.
    const input = new DenoStdinInput();
    const transport = new LineStdioTransport({}, input);
    const handle = serveStdio(newServer, {
      transport,
      onerror: (error) => log.warning("stdio: {message}", { message: error.message }),
    });
    const onclose = transport.onclose; // serveStdio's own
    transport.onclose = () => {
      onclose?.();
      stop("transport closed");
    };
    input.onEnd(() => stop("stdin closed"));
    return Promise.resolve({
      name: "stdio",
      shutdown: () => Promise.resolve(), // the calls in flight still answer on stdout; serve() waits for them
      close: () => handle.close(),
    });
  };
}
