import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { NOTHING_RUNS } from "./lib/confirm.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_elicitation",
  title: "Input required: elicitation",
  description: "Conformance fixture: answers with an input_required elicitation (ctx.confirm, key `confirm`).",
  async handler(_args, ctx) {
    await ctx.confirm(NOTHING_RUNS);
    return text("Confirmed");
  },
});
