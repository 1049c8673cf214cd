import { defineTool } from "tdmcp/plugin";
import { FIXTURE, text } from "../fixtures/lib/fixture.ts";

export default defineTool({
  ...FIXTURE,
  name: "test_missing_capability",
  title: "Needs sampling",
  description: "Conformance fixture: asks the client's model a question, which needs the client's sampling capability.",
  async handler(_args, ctx) {
    const answer = await ctx.client.createMessage({
      messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }],
      maxTokens: 100,
    });
    return text(`LLM response: ${answer.content.type === "text" ? answer.content.text : `(${answer.content.type})`}`);
  },
});
