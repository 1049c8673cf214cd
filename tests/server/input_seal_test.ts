import assert from "node:assert/strict";
import { InputSeal, SEAL_MAX_CHARS, sealedFor, StateRefused } from "../../server/input_seal.ts";
import { parseAnswer, toolInput } from "../../server/input.ts";

const CALL = { tool: "my_tool", args: { b: 1, a: [1, 2] }, round: 1, keys: ["who"] };

async function refused(promise: Promise<unknown>): Promise<StateRefused["reason"]> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof StateRefused, `expected a refusal, got ${error}`);
  return error.reason;
}

Deno.test("a sealed state opens with its tool state, round and keys, and is bound to its tool and arguments", async () => {
  const seal = await InputSeal.open();
  const state = await seal.seal({ ...CALL, state: { step: 2, names: ["a"] } });
  const opened = await seal.open(state);
  assert.deepEqual(opened.payload.s, { step: 2, names: ["a"] });
  assert.equal(opened.payload.r, 1);
  assert.deepEqual(opened.payload.k, ["who"]);
  assert.ok(await sealedFor(opened, "my_tool", { a: [1, 2], b: 1 }), "argument order does not matter");
  assert.ok(!await sealedFor(opened, "my_tool", { a: [2, 1], b: 1 }));
  assert.ok(!await sealedFor(opened, "other_tool", CALL.args));
  assert.notEqual(await seal.seal(CALL), await seal.seal(CALL), "each state has its own nonce");
});

Deno.test("a forged, altered, expired or other caller's state is refused, and says which", async () => {
  const clock = { now: 1_000 };
  const seal = await InputSeal.open({ ttlMs: 60_000, now: () => clock.now });
  const state = await seal.seal({ ...CALL, principal: "alice" });
  assert.equal(await refused(seal.open(state.slice(0, -2) + "AA", "alice")), "forged");
  assert.equal(await refused((await InputSeal.open()).open(state, "alice")), "forged");
  for (const junk of [undefined, 42, "", "tdc1.", "tdc1..", "x.y.z", "tdc1.!!!.???"]) {
    assert.equal(await refused(seal.open(junk)), "forged");
  }
  assert.equal(await refused(seal.open(state, "mallory")), "caller");
  assert.equal(await refused(seal.open(state)), "caller");
  clock.now += 60_000;
  assert.equal(await refused(seal.open(state, "alice")), "expired");
});

Deno.test("a tool's state too large to seal is a TypeError that names the limit", async () => {
  const seal = await InputSeal.open();
  await assert.rejects(() => seal.seal({ ...CALL, state: "x".repeat(SEAL_MAX_CHARS) }), /limit is 8192/);
});

Deno.test("answers are shape-checked: elicitation, sampling and roots results pass, anything else reads as missing", () => {
  assert.deepEqual(parseAnswer({ action: "accept", content: { name: "A" } }), {
    kind: "elicit",
    action: "accept",
    content: { name: "A" },
  });
  assert.deepEqual(parseAnswer({ action: "decline" }), { kind: "elicit", action: "decline" });
  assert.deepEqual(parseAnswer({ role: "assistant", content: { type: "text", text: "hi" }, model: "m" }), {
    kind: "sample",
    result: { role: "assistant", content: { type: "text", text: "hi" }, model: "m" },
  });
  assert.deepEqual(parseAnswer({ roots: [{ uri: "file:///a", name: "a" }, { uri: "file:///b" }] }), {
    kind: "roots",
    roots: [{ uri: "file:///a", name: "a" }, { uri: "file:///b" }],
  });
  for (
    const bad of [12345, null, "accept", [], { action: "maybe" }, { action: "accept", content: "x" }, {
      roots: [{ name: "no uri" }],
    }, { role: "assistant", content: { type: "text", text: "no model" } }]
  ) {
    assert.equal(parseAnswer(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("ctx.input.ask checks its requests before it ends the round, and a state limits answers to the keys asked", async () => {
  const seal = await InputSeal.open();
  const source = {
    call: { tool: "t", args: {} },
    requestState: undefined,
    responses: { who: { action: "accept", content: { n: 1 } }, extra: { action: "accept" } },
  };
  const first = toolInput(source, undefined);
  assert.deepEqual(Object.keys(first.answers), ["who", "extra"], "without a state, every well-formed answer");
  assert.equal(first.can("sampling"), false);
  assert.throws(() => first.ask({}), /1 to 16 input requests/);
  assert.throws(() => first.ask({ "no spaces": { kind: "roots" } }), /key must be/);
  assert.throws(() => first.ask({ r: { kind: "roots" } }, { big: 1n }), /TypeError|BigInt/);
  const prior = await seal.open(await seal.seal({ tool: "t", args: {}, round: 8, keys: ["who"], state: 1 }));
  const later = toolInput(source, prior);
  assert.deepEqual(Object.keys(later.answers), ["who"]);
  assert.equal(later.state, 1);
  assert.throws(() => later.ask({ r: { kind: "roots" } }), /asked 8 times/);
});
