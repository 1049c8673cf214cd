import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_request_state",
  title: "Input required: request state",
  description: "Conformance fixture: asks with a state of its own, and says state-ok when the retry brings it back.",
  handler(_args, ctx) {
    const answer = ctx.input.answers.confirm;
    const state = ctx.input.state as { step?: string } | undefined;
    if (answer?.kind === "elicit" && answer.action === "accept" && state?.step === "confirm") {
      return Promise.resolve(text(`state-ok: the user answered ok=${answer.content?.ok}`));
    }
    return ctx.input.ask({
      confirm: {
        kind: "elicit",
        message: "Please confirm",
        requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      },
    }, { step: "confirm" });
  },
});
