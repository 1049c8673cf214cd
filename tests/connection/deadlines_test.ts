/**
 * Many deadlines on one timer (connection/deadlines.ts): each fires once, never before its time, unless removed.
 * @module
 */
import assert from "node:assert/strict";
import { Deadlines } from "../../connection/deadlines.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a deadline fires once, no earlier than its time, and a removed one never fires", async () => {
  const deadlines = new Deadlines();
  const started = performance.now();
  const fired: string[] = [];
  const at: Record<string, number> = {};
  const kept = deadlines.add(40, () => (fired.push("kept"), at.kept = performance.now() - started));
  const removed = deadlines.add(20, () => fired.push("removed"));
  deadlines.remove(removed);
  assert.equal(deadlines.size, 1);
  await sleep(120);
  assert.deepEqual(fired, ["kept"]);
  assert.ok(at.kept >= 40, `fired after ${at.kept} ms`);
  deadlines.remove(kept); // after it fired: nothing happens
  assert.equal(deadlines.size, 0);
  deadlines.close();
});

Deno.test("an earlier deadline added after a later one fires at its own time, and the later one still fires", async () => {
  const deadlines = new Deadlines();
  const started = performance.now();
  const at: Record<string, number> = {};
  deadlines.add(150, () => at.late = performance.now() - started);
  deadlines.add(20, () => at.early = performance.now() - started);
  deadlines.add(60, () => at.middle = performance.now() - started);
  await sleep(100);
  assert.ok(at.early >= 20 && at.early < 100, `early fired after ${at.early} ms`);
  assert.ok(at.middle >= 60 && at.middle < 150, `middle fired after ${at.middle} ms`);
  assert.equal(at.late, undefined);
  await sleep(150);
  assert.ok(at.late >= 150, `late fired after ${at.late} ms`);
  assert.equal(deadlines.size, 0);
  deadlines.close();
});

Deno.test("deadlines that come and go keep one timer; after close the timer is cleared once none waits", async () => {
  const deadlines = new Deadlines();
  for (let i = 0; i < 1000; i++) deadlines.remove(deadlines.add(30_000, () => assert.fail("removed, yet fired")));
  const fired: number[] = [];
  assert.equal(deadlines.armed, true, "the timer stays set for the deadlines to come");
  const last = deadlines.add(30, () => fired.push(1));
  deadlines.close();
  assert.equal(deadlines.armed, true, "a deadline still waits");
  await sleep(80); // still fires after close: a statement running while its Database closes keeps its timeout
  assert.deepEqual(fired, [1]);
  deadlines.remove(last);
  assert.equal(deadlines.armed, false);
  deadlines.close();
  assert.equal(deadlines.armed, false);
});
