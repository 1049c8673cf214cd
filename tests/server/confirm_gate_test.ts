import assert from "node:assert/strict";
import { argsHash, canonicalJson, ConfirmationRefused, ConfirmGate, question } from "../../server/confirm.ts";

const CALL = { tool: "base_readQuery", args: { sql: "DELETE FROM t WHERE id = 1" } };
const YES = { action: "accept" as const, content: { confirm: true } };

/** A gate on a clock the test moves. */
async function gateAt(start = 1_000_000, options: { key?: Uint8Array; ttlMs?: number; maxUsed?: number } = {}) {
  const clock = { now: start };
  const gate = await ConfirmGate.open({ ...options, now: () => clock.now });
  return { gate, clock };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ConfirmationRefused, `expected a refusal, got ${error}`);
  return error.message;
}

Deno.test("a sealed confirmation answered with confirm: true yields its once-only token", async () => {
  const { gate } = await gateAt();
  const state = await gate.seal(CALL);
  assert.match(state, /^tdc1\.[\w-]+\.[\w-]+$/);
  const { token } = await gate.check(state, YES, CALL);
  assert.match(token, /^[0-9a-f]{32}$/);
});

Deno.test("a confirmation runs once: the same state and answer sent again are refused as used", async () => {
  const { gate } = await gateAt();
  const state = await gate.seal(CALL);
  await gate.check(state, YES, CALL);
  assert.match(await refusal(gate.check(state, YES, CALL)), /used already/);
});

Deno.test("a confirmation for other arguments, another tool or another caller is refused", async () => {
  const { gate } = await gateAt();
  const state = await gate.seal(CALL);
  const other = { ...CALL, args: { sql: "DELETE FROM t" } };
  assert.match(await refusal(gate.check(state, YES, other)), /different call/);
  assert.match(await refusal(gate.check(state, YES, { ...CALL, tool: "my_write" })), /different call/);
  assert.match(await refusal(gate.check(state, YES, { ...CALL, principal: "mallory" })), /another caller/);
  assert.match(await refusal(gate.check(state, YES, { ...CALL, statement: "DROP TABLE t" })), /different call/);
  // None of the refusals spent it.
  await gate.check(state, YES, CALL);
});

Deno.test("argument order does not matter, values do", async () => {
  assert.equal(await argsHash({ a: 1, b: { c: 2, d: [1, 2] } }), await argsHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
  assert.notEqual(await argsHash({ a: 1 }), await argsHash({ a: "1" }));
  assert.equal(canonicalJson({ b: 1, a: undefined, c: null }), '{"b":1,"c":null}');
});

Deno.test("an expired confirmation is refused and says how long confirmations last", async () => {
  const { gate, clock } = await gateAt(0, { ttlMs: 60_000 });
  const state = await gate.seal(CALL);
  clock.now = 60_000;
  assert.match(await refusal(gate.check(state, YES, CALL)), /expired \(confirmations are valid for 1 minute\)/);
});

Deno.test("a state altered in any byte, or sealed with another key, is refused", async () => {
  const { gate } = await gateAt();
  const state = await gate.seal(CALL);
  const [prefix, body, mac] = state.split(".");
  const payload = JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
  payload.a = await argsHash({ sql: "DROP TABLE t" });
  const forged = `${prefix}.${
    btoa(JSON.stringify(payload)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
  }.${mac}`;
  assert.match(
    await refusal(gate.check(forged, YES, { ...CALL, args: { sql: "DROP TABLE t" } })),
    /not one this server/,
  );
  const flipped = state.slice(0, -2) + (state.at(-2) === "A" ? "B" : "A") + state.at(-1);
  assert.match(await refusal(gate.check(flipped, YES, CALL)), /altered/);
  for (const junk of [undefined, 42, "", "tdc1.", "tdc1..", "v1.abc.def", "tdc1.!!!.???"]) {
    assert.match(await refusal(gate.check(junk, YES, CALL)), /not one this server/);
  }
  const { gate: other } = await gateAt();
  const message = await refusal(other.check(state, YES, CALL));
  assert.match(message, /each server process has its own key/);
});

Deno.test("replicas that share a key file accept each other's confirmations; the refusal then names no key", async () => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const { gate: a } = await gateAt(0, { key });
  const { gate: b } = await gateAt(0, { key });
  assert.equal(a.sharedKey, true);
  await b.check(await a.seal(CALL), YES, CALL);
  const { gate: c } = await gateAt(0, { key: crypto.getRandomValues(new Uint8Array(32)) });
  assert.doesNotMatch(await refusal(c.check(await a.seal(CALL), YES, CALL)), /own key/);
});

Deno.test("a key shorter than 32 bytes stops the server with how to make one", async () => {
  await assert.rejects(() => ConfirmGate.open({ key: new Uint8Array(31) }), /at least 32 random bytes.*head -c 32/);
});

Deno.test("a declined, cancelled, unticked or missing answer runs nothing and does not spend the confirmation", async () => {
  const { gate } = await gateAt();
  const state = await gate.seal(CALL);
  assert.match(await refusal(gate.check(state, { action: "decline" }, CALL)), /chose decline/);
  assert.match(await refusal(gate.check(state, { action: "cancel" }, CALL)), /chose cancel/);
  assert.match(
    await refusal(gate.check(state, { action: "accept", content: { confirm: false } }, CALL)),
    /did not tick/,
  );
  assert.match(
    await refusal(gate.check(state, { action: "accept", content: { confirm: "true" } }, CALL)),
    /did not tick/,
  );
  assert.match(await refusal(gate.check(state, undefined, CALL)), /no answer/);
  await gate.check(state, YES, CALL);
});

Deno.test("used confirmations are forgotten once expired, and at most maxUsed are held", async () => {
  const { gate, clock } = await gateAt(0, { ttlMs: 1_000, maxUsed: 2 });
  await gate.check(await gate.seal(CALL), YES, CALL);
  await gate.check(await gate.seal(CALL), YES, CALL);
  assert.match(await refusal(gate.check(await gate.seal(CALL), YES, CALL)), /too many confirmed writes/);
  clock.now = 1_000;
  assert.equal(gate.used, 0);
  await gate.check(await gate.seal(CALL), YES, CALL);
  assert.equal(gate.used, 1);
});

Deno.test("the question shows the statement, its kind, the estimate and the expiry", () => {
  const request = { title: "Run a statement that changes data", statement: " UPDATE t SET a = 1 ", kind: "UPDATE" };
  const asked = question(request, 1234, 300_000);
  assert.equal(
    asked.message,
    "Run a statement that changes data (UPDATE):\n\nUPDATE t SET a = 1\n\n" +
      "Rows affected: about 1,234 (the database's EXPLAIN estimate, not a count).\n" +
      "Confirm to run it once; this confirmation expires in 5 minutes.",
  );
  assert.deepEqual(asked.requestedSchema.required, ["confirm"]);
  assert.equal(asked.requestedSchema.properties.confirm.type, "boolean");
  assert.equal(asked.requestedSchema.properties.confirm.default, false);
  assert.match(question(request, null, 90_000).message, /not estimated.*\n.*expires in 90 s/);
  assert.match(question(request, Infinity, 90_000).message, /more than can be displayed/);
});
