import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { askModel, sampled } from "./lib/ask.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_sampling",
  title: "Input required: sampling",
  description: "Conformance fixture: asks the client's model a question (ctx.input.ask, a sampling request).",
  handler(_args, ctx) {
    const answer = sampled(ctx.input.answers.capital);
    if (answer !== undefined) return Promise.resolve(text(`LLM response: ${answer}`));
    return ctx.input.ask({ capital: askModel("What is the capital of France?", 100) });
  },
});
