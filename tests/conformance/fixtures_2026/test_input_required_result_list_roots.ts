import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_input_required_result_list_roots",
  title: "Input required: roots",
  description: "Conformance fixture: asks the client for its roots (ctx.input.ask, a roots/list request).",
  handler(_args, ctx) {
    const answer = ctx.input.answers.client_roots;
    if (answer?.kind === "roots") {
      return Promise.resolve(text(`Roots: ${answer.roots.map((root) => root.uri).join(", ") || "(none)"}`));
    }
    return ctx.input.ask({ client_roots: { kind: "roots" } });
  },
});
