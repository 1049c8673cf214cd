import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { accepted, askText } from "./lib/ask.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_elicitation",
  title: "Input required: elicitation",
  description: "Conformance fixture: asks the user's name (ctx.input.ask, key `user_name`) and greets them.",
  handler(_args, ctx) {
    const name = accepted(ctx.input.answers.user_name, "name");
    if (name !== undefined) return Promise.resolve(text(`Hello, ${name}!`));
    return ctx.input.ask({ user_name: askText("What is your name?", "name") });
  },
});
