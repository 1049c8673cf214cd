/**
 * The write confirmation (`ctx.confirm()`, docs/safety.md) for a statement that never runs: the fixtures that check
 * tdmcp's own confirmation on the 2026-07-28 wire (its sealed requestState, the question mid-call) ask it; the server
 * answers the call with `inputRequired({inputRequests: {confirm: elicit(...)}, requestState: <HMAC-sealed>})`.
 * @module
 */
import type { ConfirmRequest } from "tdmcp/plugin";

/** What the fixtures ask the user to confirm: nothing runs, whatever the answer. */
export const NOTHING_RUNS: ConfirmRequest = {
  title: "Conformance fixture: confirm a statement that never runs",
  statement: "-- nothing runs: a conformance fixture",
  kind: "NONE",
};
