/**
 * The circuit breaker on its own: when it opens, what a call meets while it is open, the one probe when half-open,
 * the doubling pauses (capped), and the logon pause after a refused logon. Time is a hand-moved clock (`Date.now`
 * replaced for the length of one test), so no test waits.
 * @module
 */
import assert from "node:assert/strict";
import { BREAKER_DEFAULTS, type BreakerOptions, CircuitBreaker } from "../../connection/breaker.ts";
import { DatabaseError } from "../../connection/errors.ts";

const OPTIONS: BreakerOptions = {
  threshold: 3,
  baseMs: 200,
  maxMs: 1_000,
  logonPauseMs: 60_000,
  maxLogonPauseMs: 300_000,
};

/** Runs `fn` with `Date.now` under a clock the test moves by hand. */
function withClock(fn: (clock: { advance(ms: number): void }) => void): void {
  const real = Date.now;
  let now = 1_000_000;
  Date.now = () => now;
  try {
    fn({ advance: (ms) => now += ms });
  } finally {
    Date.now = real;
  }
}

/** The error `enter()` throws, or fails the test when it lets the call through. */
function refusal(breaker: CircuitBreaker): DatabaseError {
  try {
    breaker.enter();
  } catch (error) {
    assert.ok(error instanceof DatabaseError, String(error));
    return error;
  }
  assert.fail("enter() let the call through");
}

/** Opens the circuit with `threshold` failures. */
function open(breaker: CircuitBreaker, message = "connection refused"): void {
  for (let i = 0; i < OPTIONS.threshold; i++) breaker.failure(message, false);
}

Deno.test("breaker: stays closed below the threshold of consecutive failures; an answer resets the count", () => {
  withClock(() => {
    const breaker = new CircuitBreaker(OPTIONS);
    assert.equal(breaker.state, "closed");
    breaker.failure("lost", false);
    breaker.failure("lost", false);
    assert.equal(breaker.enter(), false, "two failures: calls go through, none is a probe");
    breaker.success();
    breaker.failure("lost", false);
    breaker.failure("lost", false);
    assert.equal(breaker.state, "closed", "the answer in between started the count again");
    assert.equal(breaker.enter(), false);
  });
});

Deno.test("breaker: at the threshold calls fail at once with an 'unavailable' error naming the wait and the last error", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    breaker.failure("first", false);
    breaker.failure("second", false);
    breaker.failure("could not connect to server: Connection refused", false);
    assert.equal(breaker.state, "open");
    clock.advance(50);
    const error = refusal(breaker);
    assert.equal(error.kind, "unavailable");
    assert.equal(error.retryable, false, "the caller must not retry into an open circuit");
    assert.equal(
      error.message,
      "the database is not accepting connections (next attempt in 150 ms; " +
        "last error: could not connect to server: Connection refused)",
    );
  });
});

Deno.test("breaker: after the pause exactly one call is the probe; the others still fail at once", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    open(breaker);
    clock.advance(199);
    refusal(breaker);
    clock.advance(1);
    assert.equal(breaker.state, "half-open");
    assert.equal(breaker.enter(), true, "the first call after the pause probes");
    const other = refusal(breaker);
    assert.match(other.message, /next attempt in 0 ms/, "a second call while the probe runs is refused");
    breaker.success();
    assert.equal(breaker.state, "closed");
    assert.equal(breaker.enter(), false, "after a good probe every call goes through, none probing");
    assert.equal(breaker.enter(), false);
  });
});

Deno.test("breaker: each failed probe doubles the pause up to maxMs; a success starts it short again", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    open(breaker);
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Find the pause by stepping the clock until the probe is let through.
      let waited = 0;
      while (breaker.state === "open") (clock.advance(10), waited += 10);
      pauses.push(waited);
      assert.equal(breaker.enter(), true);
      breaker.failure("still down", true);
    }
    assert.deepEqual(pauses, [200, 400, 800, 1_000, 1_000]);
    clock.advance(1_000);
    assert.equal(breaker.enter(), true);
    breaker.success();
    open(breaker);
    assert.match(refusal(breaker).message, /next attempt in 200 ms/, "the pause went back to baseMs");
  });
});

Deno.test("breaker: a probe that ends without a connection verdict (release) closes the circuit; a non-probe release changes nothing", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    open(breaker);
    breaker.release(false);
    assert.equal(breaker.state, "open", "only the probe's release counts");
    clock.advance(200);
    assert.equal(breaker.enter(), true);
    breaker.release(true);
    assert.equal(breaker.state, "closed", "a SQL error on the probe shows the database is up");
    assert.equal(breaker.enter(), false);
  });
});

Deno.test("breaker: a failed probe frees the probe slot, so the next pause ends in a new probe", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    open(breaker);
    clock.advance(200);
    assert.equal(breaker.enter(), true);
    breaker.failure("still down", true);
    clock.advance(400);
    assert.equal(breaker.enter(), true, "without freeing the slot no call would ever probe again");
  });
});

Deno.test({
  name:
    "breaker: failures of calls already in flight when the circuit opened do not double the pause (doc: per failed probe)",
  fn() {
    withClock(() => {
      const breaker = new CircuitBreaker(OPTIONS);
      for (let i = 0; i < 5; i++) breaker.failure("connection refused", false);
      assert.match(refusal(breaker).message, /next attempt in 200 ms/);
    });
  },
});

Deno.test("breaker: a refused logon pauses logons with the refusal's message, codes and the wait in seconds", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    breaker.checkLogon(); // nothing refused yet: passes
    breaker.logonRefused(
      new DatabaseError("The UserId, Password or Account is invalid", {
        kind: "auth",
        sqlState: "28000",
        nativeCode: 8017,
      }),
    );
    assert.equal(breaker.state, "open", "paused logons count as open in stats");
    clock.advance(500);
    assert.throws(() => breaker.checkLogon(), (error: unknown) => {
      assert.ok(error instanceof DatabaseError);
      assert.equal(error.kind, "auth");
      assert.equal(error.sqlState, "28000");
      assert.equal(error.nativeCode, 8017);
      assert.equal(error.retryable, false);
      assert.equal(error.message, "The UserId, Password or Account is invalid. No new logon is tried for 60 s");
      return true;
    });
    assert.equal(breaker.enter(), false, "the connection circuit itself stays closed: calls on open connections run");
    clock.advance(59_500);
    breaker.checkLogon(); // the pause is over: one logon may be tried
    assert.equal(breaker.state, "closed");
  });
});

Deno.test("breaker: each further refusal doubles the logon pause up to maxLogonPauseMs; an accepted logon resets it", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker(OPTIONS);
    const refused = new DatabaseError("password authentication failed", { kind: "auth" });
    const waits: string[] = [];
    for (let i = 0; i < 5; i++) {
      breaker.logonRefused(refused);
      assert.throws(() => breaker.checkLogon(), (error: Error) => {
        waits.push(/tried for (\d+) s/.exec(error.message)![1]);
        return true;
      });
      clock.advance(300_000);
      breaker.checkLogon();
    }
    assert.deepEqual(waits, ["60", "120", "240", "300", "300"]);
    breaker.logonAccepted();
    breaker.checkLogon();
    breaker.logonRefused(refused);
    assert.throws(() => breaker.checkLogon(), /tried for 60 s/, "after a good logon the pause starts short again");
  });
});

Deno.test("breaker: without logon settings the pauses are 60 s, doubling to 15 minutes (the documented defaults)", () => {
  withClock((clock) => {
    const breaker = new CircuitBreaker({ threshold: 3, baseMs: 200, maxMs: 1_000 });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      breaker.logonRefused(new DatabaseError("locked", { kind: "auth" }));
      assert.throws(() => breaker.checkLogon(), (error: Error) => {
        waits.push(Number(/tried for (\d+) s/.exec(error.message)![1]));
        return true;
      });
      clock.advance(900_000);
    }
    assert.deepEqual(waits, [60, 120, 240, 480, 900, 900]);
    assert.deepEqual(
      { logon: BREAKER_DEFAULTS.logonPauseMs, max: BREAKER_DEFAULTS.maxLogonPauseMs },
      { logon: 60_000, max: 900_000 },
    );
  });
});
