import { definePrompt, DIALECTS } from "tdmcp/plugin";
import { accepted, askText } from "./lib/ask.ts";

export default definePrompt({
  name: "test_input_required_result_prompt",
  title: "Input required: prompt",
  description: "Conformance fixture: a prompt that asks the user what context to use before it expands.",
  arguments: {},
  dialects: DIALECTS,
  get(_args, ctx) {
    const context = accepted(ctx.input.answers.user_context, "context");
    if (context === undefined) {
      return ctx.input.ask({ user_context: askText("What context should the prompt use?", "context") });
    }
    return [{ role: "user", content: { type: "text", text: `Use this context: ${context}` } }];
  },
});
