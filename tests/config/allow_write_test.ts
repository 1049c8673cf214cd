import assert from "node:assert/strict";
import { parseConfig } from "../../config/parse.ts";
import { helpText } from "../../config/render.ts";

Deno.test("ALLOW_WRITE: off by default, true or the bare flag confirm each write, unconfirmed runs them at once", () => {
  const writes = (env: Record<string, string>, args: string[] = []) => {
    const config = parseConfig(env, args);
    return [config.limits.writes, config.database.allowWrite];
  };
  assert.deepEqual(writes({}), ["off", false]);
  assert.deepEqual(writes({}, ["--allow-write"]), ["confirm", true]);
  assert.deepEqual(writes({ ALLOW_WRITE: "true" }), ["confirm", true]);
  assert.deepEqual(writes({ ALLOW_WRITE: "1" }), ["confirm", true]);
  assert.deepEqual(writes({ ALLOW_WRITE: "Unconfirmed" }), ["unconfirmed", true]);
  assert.deepEqual(writes({ ALLOW_WRITE: "false" }), ["off", false]);
  assert.deepEqual(writes({ ALLOW_WRITE: "unconfirmed" }, ["--allow-write=false"]), ["off", false]);
  assert.deepEqual(writes({}, ["--allow-write=unconfirmed"]), ["unconfirmed", true]);
  assert.throws(
    () => parseConfig({ ALLOW_WRITE: "maybe" }, []),
    /'ALLOW_WRITE' must be one of .*\bunconfirmed: current value is "maybe"/,
  );
  assert.throws(() => parseConfig({}, ["--allow-write", "true"]), /Cannot start server/);
});

Deno.test("the confirmation options: TTL in milliseconds, key file and ledger table unset by default", () => {
  const config = parseConfig({ CONFIRM_TTL: "60", CONFIRM_LEDGER_TABLE: "ops.tdmcp_confirmations" }, [
    "--confirm-key-file",
    "/run/secrets/confirm.key",
  ]);
  assert.equal(config.limits.confirmTtlMs, 60_000);
  assert.equal(config.limits.confirmKeyFile, "/run/secrets/confirm.key");
  assert.equal(config.limits.confirmLedgerTable, "ops.tdmcp_confirmations");
  const defaults = parseConfig({}, []).limits;
  assert.deepEqual([defaults.confirmTtlMs, defaults.confirmKeyFile, defaults.confirmLedgerTable], [
    300_000,
    null,
    null,
  ]);
  assert.match(helpText(), /--allow-write +permit statements that change data, each confirmed by the user/);
});
