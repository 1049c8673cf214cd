/**
 * Shared parts of the 2026-07-28 `input_required` fixtures: the questions the suite expects (tdmcp's `ctx.input.ask`
 * turns them into the SDK's `inputRequired` result, with a sealed requestState) and a reader of accepted answers.
 * @module
 */
import type { InputAnswer, InputRequest, SamplingRequest } from "tdmcp/plugin";

/** An elicitation form of one required string field. */
export function askText(message: string, field: string): InputRequest {
  return {
    kind: "elicit",
    message,
    requestedSchema: { type: "object", properties: { [field]: { type: "string" } }, required: [field] },
  };
}

/** A sampling request of one user message. */
export function askModel(text: string, maxTokens = 50): InputRequest & SamplingRequest {
  return { kind: "sample", messages: [{ role: "user", content: { type: "text", text } }], maxTokens };
}

/** The accepted value of an elicitation's field, if the answer is an acceptance that holds it as a string. */
export function accepted(answer: InputAnswer | undefined, field: string): string | undefined {
  if (answer?.kind !== "elicit" || answer.action !== "accept") return undefined;
  const value = answer.content?.[field];
  return typeof value === "string" ? value : undefined;
}

/** The text a sampling answer holds. */
export function sampled(answer: InputAnswer | undefined): string | undefined {
  if (answer?.kind !== "sample") return undefined;
  return answer.result.content.type === "text" ? answer.result.content.text : `(${answer.result.content.type})`;
}
