import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";
import { accepted, askModel, askText, sampled } from "./lib/ask.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_multiple_inputs",
  title: "Input required: three at once",
  description: "Conformance fixture: asks the user, the client's model and the client's roots in one round.",
  handler(_args, ctx) {
    const { user_name, greeting, client_roots } = ctx.input.answers;
    const name = accepted(user_name, "name");
    const said = sampled(greeting);
    if (name !== undefined && said !== undefined && client_roots?.kind === "roots") {
      return Promise.resolve(text(`${said} ${name} (${client_roots.roots.length} root(s))`));
    }
    return ctx.input.ask({
      user_name: askText("What is your name?", "name"),
      greeting: askModel("Generate a greeting"),
      client_roots: { kind: "roots" },
    });
  },
});
