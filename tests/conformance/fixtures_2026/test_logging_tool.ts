import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_logging_tool",
  title: "Logging without a level",
  description: "Conformance fixture: logs three messages; a 2026-07-28 request without a logLevel must receive none.",
  async handler(_args, ctx) {
    for (const step of ["started", "processing", "completed"]) await ctx.client.log("info", `Tool ${step}`);
    return text("Logging tool completed");
  },
});
