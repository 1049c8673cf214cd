import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { DenoStdinInput, findId, LineStdioTransport } from "../../transports/stdio.ts";
import type { JSONRPCMessage } from "../../server/sdk.ts";

/** A transport on in-memory streams: `feed` writes to its stdin; `lines` are what it wrote to stdout. */
async function harness(options: { maxLineBytes?: number; maxMessageBytes?: number } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: string[] = [];
  let pending = "";
  output.on("data", (chunk: Uint8Array) => {
    pending += new TextDecoder().decode(chunk);
    const parts = pending.split("\n");
    pending = parts.pop()!;
    lines.push(...parts);
  });
  const transport = new LineStdioTransport(options, input, output);
  const messages: JSONRPCMessage[] = [];
  const errors: string[] = [];
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e.message);
  await transport.start();
  const settle = () => new Promise((r) => setTimeout(r, 10));
  return {
    transport,
    messages,
    errors,
    lines,
    feed: async (...chunks: (string | Uint8Array)[]) => {
      for (const chunk of chunks) input.write(chunk);
      await settle();
    },
    settle,
  };
}

const request = (id: number | string, extra = "") =>
  `{"jsonrpc":"2.0","id":${
    JSON.stringify(id)
  },"method":"tools/call","params":{"name":"x","arguments":{"sql":"${extra}"}}}\n`;

Deno.test("an input line over the limit is answered with an error naming its id, and the next line is read", async () => {
  const h = await harness({ maxLineBytes: 1_000 });
  await h.feed(request(7, "y".repeat(5_000)), request(8));
  assert.equal(h.messages.length, 1);
  assert.equal((h.messages[0] as { id: number }).id, 8);
  assert.equal(h.lines.length, 1);
  const reply = JSON.parse(h.lines[0]);
  assert.equal(reply.id, 7);
  assert.equal(reply.error.code, -32600);
  assert.match(reply.error.message, /the message took 5\d{3} bytes; this server reads messages of at most 1000 bytes/);
  assert.match(h.errors[0], /skipped a 5\d{3}-byte input line/);
  await h.transport.close();
});

Deno.test("an oversized line arriving in many chunks is skipped, and the next line, split across chunks, is read", async () => {
  const h = await harness({ maxLineBytes: 1_000 });
  const big = request("abc", "z".repeat(200_000));
  const chunks = Array.from({ length: Math.ceil(big.length / 4_096) }, (_, i) => big.slice(i * 4_096, (i + 1) * 4_096));
  await h.feed(...chunks);
  await h.feed(request(9).slice(0, 20), request(9).slice(20));
  assert.deepEqual(h.messages.map((m) => (m as { id: number }).id), [9]);
  assert.equal(JSON.parse(h.lines[0]).id, "abc");
  await h.transport.close();
});

Deno.test("lines that are not JSON or not JSON-RPC are answered with errors and do not stop the transport", async () => {
  const h = await harness();
  await h.feed("not json\n", '{"jsonrpc":"2.0","id":3,"nonsense":true}\n', "\r\n", request(4));
  assert.deepEqual(h.messages.map((m) => (m as { id: number }).id), [4]);
  const [parse, invalid] = h.lines.map((l) => JSON.parse(l));
  assert.deepEqual([parse.id, parse.error.code], [null, -32700]);
  assert.deepEqual([invalid.id, invalid.error.code], [3, -32600]);
  await h.transport.close();
});

Deno.test("a reply longer than a client reads is replaced by an error response; a notification is dropped", async () => {
  const h = await harness({ maxMessageBytes: 2_000 });
  await h.transport.send({ jsonrpc: "2.0", id: 5, result: { content: [{ type: "text", text: "x".repeat(5_000) }] } });
  await h.transport.send({ jsonrpc: "2.0", method: "notifications/message", params: { data: "y".repeat(5_000) } });
  await h.transport.send({ jsonrpc: "2.0", id: 6, result: {} });
  await h.settle();
  assert.equal(h.lines.length, 2);
  const [replaced, fine] = h.lines.map((l) => JSON.parse(l));
  assert.deepEqual([replaced.id, replaced.error.code], [5, -32603]);
  assert.match(replaced.error.message, /the reply took 50\d\d bytes, more than the 2000 a client reads/);
  assert.deepEqual(fine, { jsonrpc: "2.0", id: 6, result: {} });
  assert.equal(h.errors.length, 2);
  await h.transport.close();
});

Deno.test("findId reads the top-level id only, as a number or a string, from the start of a message", () => {
  assert.equal(findId('{"jsonrpc":"2.0","id":12,"method":"x"}'), 12);
  assert.equal(findId('{"method":"id","params":{"id":1,"x":["id"]},"id":"a\\"b"}'), 'a"b');
  assert.equal(findId('{"params":{"id":1},"method":"x"'), null, "a nested id is not the message's");
  assert.equal(findId('{"jsonrpc":"2.0","method":"notifications/x"}'), null);
  assert.equal(findId('{"id" : -3.5e2 , "x"'), -350);
  assert.equal(findId('{"id":"unterminated'), null);
});

/** A reader that hands out `chunks` one per read, then end of input (or `failure`). */
function scriptedReader(chunks: string[], failure?: Error) {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  return {
    reads: 0,
    read(buffer: Uint8Array): Promise<number | null> {
      this.reads++;
      const next = queue.shift();
      if (next === undefined) return failure ? Promise.reject(failure) : Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("DenoStdinInput: lines split across reads reach the transport whole, in order, and input's end is told", async () => {
  const reader = scriptedReader([`${request(1)}\n{"jsonrpc":"2.0","id":2,`, `"method":"ping"}\n${request(3)}`, "\n"]);
  const input = new DenoStdinInput(reader);
  let ended = 0;
  input.onEnd(() => ended++);
  const transport = new LineStdioTransport({}, input, new PassThrough());
  const ids: unknown[] = [];
  transport.onmessage = (m) => ids.push("id" in m ? m.id : null);
  await transport.start();
  await new Promise((r) => setTimeout(r, 10));
  // The reader's buffer is read into again after every chunk: kept pieces of a line are copies.
  assert.deepEqual(ids, [1, 2, 3]);
  assert.equal(ended, 1);
  assert.equal(reader.reads, 4);
});

Deno.test("DenoStdinInput: a failed read is an error, then the end; pause stops reading; off removes a listener", async () => {
  const failing = new DenoStdinInput(scriptedReader(["a\n"], new Error("EBADF")));
  const errors: string[] = [];
  let ended = false;
  failing.on("error", (e) => errors.push(e.message));
  failing.onEnd(() => ended = true);
  failing.on("data", () => {});
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(errors, ["EBADF"]);
  assert.ok(ended);

  const reader = scriptedReader(["1\n", "2\n", "3\n"]);
  const paused = new DenoStdinInput(reader);
  const seen: string[] = [];
  const listener = (chunk: Uint8Array) => {
    seen.push(new TextDecoder().decode(chunk));
    paused.pause();
  };
  paused.on("data", listener);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(seen, ["1\n"], "no read after pause");
  assert.equal(paused.listenerCount("data"), 1);
  paused.off("data", listener);
  assert.equal(paused.listenerCount("data"), 0);
});
