import assert from "node:assert/strict";
import { batchRefusal, CallTracker, requestIds } from "../../../transports/http/calls.ts";
import { RECONNECT_AFTER_MS } from "../../../transports/http/sessions.ts";
import { pgAdmin, pgUri } from "../../_pg.ts";
import {
  eventually,
  post,
  rawConnection,
  rawPostHead,
  rawSession,
  readQueryCall,
  readRaw,
  startHttp,
} from "./_http.ts";

const noPostgres = !pgUri();

/** Statements running at the database whose text holds `marker`, as PostgreSQL itself reports them. */
async function running(marker: string): Promise<number> {
  const count = await pgAdmin(
    `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%${marker}%' ` +
      "AND pid <> pg_backend_pid()",
  );
  return Number(count.trim());
}

/** `n` base_readQuery calls, ids 100.., each sleeping `seconds` at the database with `marker` in its text. */
function sleepBatch(n: number, seconds: number, marker: string) {
  return Array.from({ length: n }, (_, i) => readQueryCall(100 + i, `SELECT pg_sleep(${seconds}) AS ${marker}`));
}

Deno.test("a request id list counts requests only, and batches are refused for the versions that dropped them", () => {
  const note = { jsonrpc: "2.0", method: "notifications/initialized" };
  assert.deepEqual(requestIds([readQueryCall(1, "SELECT 1"), note, { jsonrpc: "2.0", id: 9, result: {} }]), [1]);
  assert.deepEqual(requestIds(readQueryCall(7, "SELECT 1")), [7]);
  assert.equal(batchRefusal(readQueryCall(1, "x"), "2025-11-25", 1, 4), null, "a single message is no batch");
  assert.match(batchRefusal([note], "2025-06-18", 0, 4)!, /removed in protocol version 2025-06-18/);
  assert.match(batchRefusal([note], "2025-11-25", 0, 4)!, /speaks 2025-11-25/);
  assert.equal(batchRefusal([note], "2025-03-26", 0, 4), null);
  assert.match(batchRefusal(sleepBatch(5, 1, "x"), "2025-03-26", 5, 4)!, /batch of 5 requests exceeds the limit of 4/);
});

Deno.test("a call tracker releases a POST's slots once every call answered, or when its stream broke for good", async () => {
  const cancelled: unknown[] = [];
  const streams = new Map([["e1", "s1"]]);
  const tracker = new CallTracker({
    cancel: (ids) => cancelled.push(...ids),
    streamOf: (id) => Promise.resolve(streams.get(id)),
    graceMs: 50,
  });
  let released = 0;
  const group = tracker.track([1, 2], () => released++);
  tracker.answered(1);
  assert.equal(released, 0);
  tracker.answered(2);
  assert.equal(released, 1);
  const lost = tracker.track([3], () => released++);
  await tracker.orphan(lost, null); // the client never saw an event id: it cannot resume
  assert.deepEqual(cancelled, [3]);
  assert.equal(released, 2);
  const resumable = tracker.track([4], () => released++);
  await tracker.orphan(resumable, "e1");
  assert.equal(await tracker.resume("e1"), "s1", "resumed in time");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(cancelled, [3], "a resumed call keeps running");
  tracker.resumeEnded("s1", true); // the resumed stream broke as well
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(cancelled, [3, 4], "not resumed again within the grace: cancelled");
  const early = tracker.track([5], () => released++);
  await tracker.resume("e1"); // the client came back before the server saw its stream break
  await tracker.orphan(early, "e1");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(cancelled, [3, 4], "still running");
  tracker.answered(5);
  assert.equal(released, 4);
  assert.equal(tracker.size, 0);
  assert.equal(group.ids.size, 0);
});

Deno.test({
  name: "a JSON-RPC batch counts call by call: never more statements at the database than the per-session limit",
  ignore: noPostgres,
  async fn() {
    await using server = await startHttp({ maxConcurrentPerSession: 4 }, pgUri());
    const headers = await rawSession(server.url, "2025-03-26"); // the last version with batching
    const refused = await post(server.url, JSON.stringify(sleepBatch(20, 2, "m_batch_twenty")), headers);
    assert.equal(refused.status, 400);
    const error = (await refused.json()).error;
    assert.equal(error.code, -32600);
    assert.match(error.message, /a batch of 20 requests exceeds the limit of 4 calls in flight/);
    const batch = await post(server.url, JSON.stringify(sleepBatch(4, 1.5, "m_batch_four")), headers);
    assert.equal(batch.status, 200);
    const answers = batch.text();
    let most = 0;
    assert.ok(
      await eventually(async () => (most = Math.max(most, await running("m_batch_four"))) === 4, 5_000),
      "the four calls run at once",
    );
    const more = await post(server.url, JSON.stringify(readQueryCall(1, "SELECT 1")), headers);
    assert.equal(more.status, 429, "the batch holds all four slots of the session");
    await more.body?.cancel();
    while (!(await Promise.race([answers.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]))) {
      most = Math.max(most, await running("m_batch_four"));
    }
    assert.equal(most, 4);
    assert.equal((await answers).match(/"result":\{/g)?.length, 4, "four answers");
    assert.equal(await running("m_batch_twenty"), 0, "the refused batch never reached the database");
    const after = await post(server.url, JSON.stringify(readQueryCall(2, "SELECT 1")), headers);
    assert.equal(after.status, 200, "the slots are free again");
    await after.body?.cancel();
  },
});

Deno.test({
  name: "a batch from a 2025-06-18 client is refused with a JSON-RPC error: the protocol dropped batching",
  ignore: noPostgres,
  async fn() {
    await using server = await startHttp({}, pgUri());
    const headers = await rawSession(server.url, "2025-06-18");
    const refused = await post(server.url, JSON.stringify(sleepBatch(2, 2, "m_batch_new")), headers);
    assert.equal(refused.status, 400);
    const body = await refused.json();
    assert.equal(body.error.code, -32600);
    assert.match(body.error.message, /batches were removed in protocol version 2025-06-18/);
    assert.equal(await running("m_batch_new"), 0);
  },
});

/** Starts a 30 s statement through a raw connection, drops the connection, and says how long it lived on. */
async function disconnectMidCall(
  port: number,
  headers: Record<string, string>,
  marker: string,
): Promise<number> {
  const body = JSON.stringify(readQueryCall(5, `SELECT pg_sleep(30) AS ${marker}`));
  const conn = await rawConnection(port, rawPostHead(port, new TextEncoder().encode(body).length, headers) + body);
  try {
    assert.ok(await eventually(async () => await running(marker) === 1, 10_000), "the statement runs");
  } finally {
    conn.close();
  }
  const dropped = performance.now();
  assert.ok(await eventually(async () => await running(marker) === 0, 10_000), "the statement was cancelled");
  return performance.now() - dropped;
}

for (const version of ["2025-06-18", "2025-11-25"]) {
  Deno.test({
    name: `a ${version} client that disconnects mid-call has its statement cancelled at the database within 2 s`,
    ignore: noPostgres,
    async fn() {
      await using server = await startHttp({ maxConcurrentPerSession: 1 }, pgUri());
      const headers = await rawSession(server.url, version);
      const lived = await disconnectMidCall(server.http.addr.port, headers, `m_gone_${version.replaceAll("-", "_")}`);
      assert.ok(lived < 2_000, `the statement lived on ${Math.round(lived)} ms after the client left`);
      const next = await post(server.url, JSON.stringify(readQueryCall(6, "SELECT 1")), headers);
      assert.equal(next.status, 200, "the session's one slot is free again");
      await next.body?.cancel();
    },
  });
}

Deno.test({
  name: "a stateless client that disconnects mid-call has its statement cancelled at the database within 2 s",
  ignore: noPostgres,
  async fn() {
    await using server = await startHttp({ stateless: true, maxConcurrent: 1 }, pgUri());
    const lived = await disconnectMidCall(server.http.addr.port, {}, "m_gone_stateless");
    assert.ok(lived < 2_000, `the statement lived on ${Math.round(lived)} ms after the client left`);
    const next = await post(server.url, JSON.stringify(readQueryCall(6, "SELECT 1")));
    assert.equal(next.status, 200, "the slot is free again");
    await next.body?.cancel();
  },
});

Deno.test({
  name: "a client that resumes its stream in time keeps its call running",
  ignore: noPostgres,
  async fn() {
    await using server = await startHttp({}, pgUri());
    const headers = await rawSession(server.url, "2025-11-25");
    const port = server.http.addr.port;
    const body = JSON.stringify(readQueryCall(8, "SELECT pg_sleep(2) AS m_resumed"));
    const conn = await rawConnection(port, rawPostHead(port, new TextEncoder().encode(body).length, headers) + body);
    const priming = await readRaw(conn, /id: (\S+)\n/);
    const lastEventId = /id: (\S+)\n/.exec(priming.text)![1];
    assert.ok(await eventually(async () => await running("m_resumed") === 1, 10_000));
    conn.close();
    await new Promise((r) => setTimeout(r, RECONNECT_AFTER_MS)); // as the priming event's retry hint says
    const resumed = await fetch(server.url, {
      headers: { ...headers, accept: "text/event-stream", "last-event-id": lastEventId },
    });
    assert.equal(resumed.status, 200);
    const reader = resumed.body!.getReader();
    let text = "";
    while (!text.includes('"id":8')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    assert.match(text, /"result":\{/, "the answer came over the resumed stream");
    assert.doesNotMatch(text, /"isError":true/, "the statement ran to its end");
  },
});
