import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { accepted, askModel, askText, sampled } from "./lib/ask.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_capabilities",
  title: "Input required: what the client can do",
  description: "Conformance fixture: asks the user when the client can elicit, else the client's model.",
  handler(_args, ctx) {
    const answer = accepted(ctx.input.answers.user_name, "name") ?? sampled(ctx.input.answers.name_guess);
    if (answer !== undefined) return Promise.resolve(text(`Name: ${answer}`));
    if (ctx.input.can("elicitation")) return ctx.input.ask({ user_name: askText("What is your name?", "name") });
    if (ctx.input.can("sampling")) return ctx.input.ask({ name_guess: askModel("Suggest a name for a test user") });
    return Promise.resolve(text("The client can answer no question: nothing asked"));
  },
});
