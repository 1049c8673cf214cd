/**
 * The official MCP conformance suite (npm @modelcontextprotocol/conformance,
 * locked in deno.lock) against `deno task start:http`'s exact command line,
 * with the suite's fixture tools, resources and prompts loaded from
 * tests/conformance/fixtures through `--tools-dir` — tools-as-code proving itself.
 */
import assert from "node:assert/strict";
import { demoSqlitePath, note } from "../_helpers.ts";
import { plannedScenarios, readChecks, runSuite, startServer } from "./_conformance.ts";

const FIXTURES = "tests/conformance/fixtures";
const RUNNER = "npm:@modelcontextprotocol/conformance@0.1.16";

Deno.test("every server scenario of the MCP conformance suite passes against start:http with the fixture tools", async () => {
  const out = await Deno.makeTempDir({ prefix: "tdmcp-conformance-" });
  const server = await startServer([FIXTURES], { DATABASE_URI: `sqlite://${await demoSqlitePath()}` });
  try {
    const run = await runSuite(RUNNER, server.port, ["--suite", "all"], out);
    const stdout = run.stdout;
    const planned = plannedScenarios(stdout);
    const scenarios = await readChecks(out);
    assert.ok(planned.length >= 30, `the suite planned ${planned.length} scenarios:\n${stdout}`);
    assert.deepEqual([...scenarios.keys()].sort(), [...planned].sort(), "every planned scenario left results");
    const failures = [...scenarios].flatMap(([scenario, checks]) =>
      checks.filter((c) => c.status === "FAILURE").map((c) => `${scenario}/${c.id}: ${c.errorMessage ?? c.description}`)
    );
    assert.deepEqual(failures, [], `conformance failures:\n${failures.join("\n")}`);
    const all = [...scenarios.values()].flat();
    const passed = all.filter((c) => c.status === "SUCCESS").length;
    assert.ok(passed >= planned.length, `${passed} checks passed`);
    assert.match(stdout, new RegExp(`Total: ${passed} passed, 0 failed`));
    const warnings = all.filter((c) => c.status === "WARNING").map((c) => `${c.id}: ${c.description}`);
    note(
      `conformance: ${planned.length} scenarios, ${passed} checks passed, 0 failed` +
        (warnings.length ? `; warnings: ${warnings.join("; ")}` : ""),
    );
    assert.equal(run.code, 0, `the runner exited with ${run.code}`);
  } finally {
    const log = await server.stop();
    assert.doesNotMatch(log, /level=error/, "the server logged no errors");
    await Deno.remove(out, { recursive: true });
  }
});
