/** The W3C trace id a request carries, for the Teradata QueryBand. */
import assert from "node:assert/strict";
import { traceIdOf } from "../../server/run.ts";
import type { Extra } from "../../server/context.ts";

const ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const extra = (meta?: unknown, header?: string) =>
  ({
    mcpReq: { _meta: meta },
    http: header ? { req: new Request("http://localhost/mcp", { headers: { traceparent: header } }) } : undefined,
  }) as unknown as Extra;

Deno.test("traceIdOf reads a traceparent from the request's _meta, or else from its HTTP header", () => {
  assert.equal(traceIdOf(extra({ traceparent: `00-${ID}-00f067aa0ba902b7-01` })), ID);
  assert.equal(traceIdOf(extra(undefined, `00-${ID}-00f067aa0ba902b7-01`)), ID);
  assert.equal(traceIdOf(extra()), undefined);
});

Deno.test("traceIdOf ignores a malformed or all-zero traceparent", () => {
  assert.equal(traceIdOf(extra({ traceparent: "00-xyz-00f067aa0ba902b7-01" })), undefined);
  assert.equal(traceIdOf(extra({ traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` })), undefined);
  assert.equal(traceIdOf(extra({ traceparent: `00-${ID}-00f067aa0ba902b7-01'; DROP` })), undefined);
});
