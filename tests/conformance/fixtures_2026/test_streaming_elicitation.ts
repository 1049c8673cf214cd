import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { NOTHING_RUNS } from "./lib/confirm.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_streaming_elicitation",
  title: "Elicitation mid-call",
  description: "Conformance fixture: asks the user mid-call (ctx.confirm); the answer to the request is the question.",
  async handler(_args, ctx) {
    await ctx.confirm(NOTHING_RUNS);
    return text("Confirmed");
  },
});
