import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { accepted, askText } from "./lib/ask.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_multi_round",
  title: "Input required: two rounds",
  description: "Conformance fixture: asks a name, then (keeping it in its state) a colour, then answers.",
  handler(_args, ctx) {
    const state = ctx.input.state as { name?: string } | undefined;
    const color = accepted(ctx.input.answers.step2, "color");
    if (state?.name !== undefined && color !== undefined) {
      return Promise.resolve(text(`${state.name} likes ${color}`));
    }
    const name = accepted(ctx.input.answers.step1, "name");
    if (name !== undefined) {
      return ctx.input.ask({ step2: askText("Step 2: What is your favorite color?", "color") }, { name });
    }
    return ctx.input.ask({ step1: askText("Step 1: What is your name?", "name") }, {});
  },
});
