/**
 * The one input request a tdmcp tool can make today: `ctx.confirm()`, the write confirmation (docs/safety.md). The
 * 2026-07-28 fixtures that need an `input_required` result ask it for a statement that never runs; the server answers
 * the call with `inputRequired({inputRequests: {confirm: elicit(...)}, requestState: <HMAC-sealed>})`.
 * @module
 */
import type { ConfirmRequest } from "tdmcp/plugin";

/** What the fixtures ask the user to confirm: nothing runs, whatever the answer. */
export const NOTHING_RUNS: ConfirmRequest = {
  title: "Conformance fixture: confirm a statement that never runs",
  statement: "-- nothing runs: a conformance fixture",
  kind: "NONE",
};
