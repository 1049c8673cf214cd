import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { NOTHING_RUNS } from "./lib/confirm.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_tampered_state",
  title: "Input required: sealed state",
  description: "Conformance fixture: asks with an HMAC-sealed requestState (ctx.confirm); an altered one is refused.",
  async handler(_args, ctx) {
    await ctx.confirm(NOTHING_RUNS);
    return text("Confirmed");
  },
});
