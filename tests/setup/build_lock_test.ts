import assert from "node:assert/strict";
import { withLock } from "../../setup/build_lock.ts";

Deno.test("withLock runs one holder at a time: a second caller waits until the first is done", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = `${dir}/build.lock`;
    const events: string[] = [];
    let waited = 0;
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => releaseFirst = resolve);
    const first = withLock(lock, async () => {
      events.push("first in");
      await firstHolds;
      events.push("first out");
    });
    const second = withLock(lock, () => {
      events.push("second in");
      return Promise.resolve("done");
    }, { pollMs: 5, onWait: () => waited++ });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(events, ["first in"], "the second holder must not start while the first holds the lock");
    releaseFirst();
    await first;
    assert.equal(await second, "done");
    assert.deepEqual(events, ["first in", "first out", "second in"]);
    assert.equal(waited, 1);
    await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock releases the lock when the work fails, and takes over a lock left by a dead process", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = `${dir}/build.lock`;
    await assert.rejects(withLock(lock, () => Promise.reject(new Error("build failed"))), /build failed/);
    await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
    await Deno.mkdir(lock);
    const old = new Date(Date.now() - 3_600_000);
    await Deno.utime(lock, old, old);
    assert.equal(
      await withLock(lock, () => Promise.resolve("taken over"), { staleMs: 60_000, pollMs: 5 }),
      "taken over",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
