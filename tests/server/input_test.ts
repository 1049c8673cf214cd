/**
 * `ctx.input` end to end in memory: the real v2 client against createServer, on both protocol eras. On 2026-07-28 the
 * client fulfils the `input_required` result and retries; on a 2025-era connection the SDK's legacy shim sends the
 * elicitation, sampling and roots requests itself and runs the handler again. The state between rounds is sealed.
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { createServer } from "../../server/create.ts";
import { serveStdio } from "../../server/sdk.ts";
import { openWriteConfirmation } from "../../server/confirm_call.ts";
import { definePrompt, defineTool, DIALECTS, type InputAnswer, READ_ONLY, type Tool } from "../../plugin/mod.ts";
import type { Database } from "../../connection/types.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";
import { demoSqlitePath, testDatabase } from "../_helpers.ts";

const LIMITS = { defaultRows: 100, maxRows: 1_000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };
const PIN = { pin: "2026-07-28" } as const;
type Mode = "legacy" | typeof PIN;
const MODES: [string, Mode][] = [["2025-11-25", "legacy"], ["2026-07-28", PIN]];

const nameForm = (message: string, field: string) => ({
  kind: "elicit" as const,
  message,
  requestedSchema: { type: "object" as const, properties: { [field]: { type: "string" as const } }, required: [field] },
});
const accepted = (answer: InputAnswer | undefined, field: string) =>
  answer?.kind === "elicit" && answer.action === "accept" ? answer.content?.[field] as string | undefined : undefined;
const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });
const base = { annotations: READ_ONLY, dialects: DIALECTS, inputSchema: {} } as const;

/** Asks the user, the client's model and its roots in one round; answers with all three. */
const everything = defineTool({
  ...base,
  name: "ask_everything",
  title: "Ask",
  description: "asks three things",
  handler(_args, ctx) {
    const { who, model, roots } = ctx.input.answers;
    const name = accepted(who, "name");
    if (name !== undefined && model?.kind === "sample" && roots?.kind === "roots") {
      const said = model.result.content.type === "text" ? model.result.content.text : "?";
      return Promise.resolve(text(`${name} / ${said} / ${roots.roots.map((r) => r.uri).join(",")}`));
    }
    return ctx.input.ask({
      who: nameForm("Who are you?", "name"),
      model: { kind: "sample", messages: [{ role: "user", content: { type: "text", text: "Hi" } }], maxTokens: 5 },
      roots: { kind: "roots" },
    });
  },
});

/** Two rounds, keeping the first answer in its state; counts the rounds it saw. */
const twoRounds = defineTool({
  ...base,
  inputSchema: { table: z.string().describe("a table") },
  name: "ask_twice",
  title: "Ask twice",
  description: "asks a name, then a colour",
  handler({ table }, ctx) {
    const state = ctx.input.state as { name?: string } | undefined;
    const color = accepted(ctx.input.answers.second, "color");
    if (state?.name !== undefined && color !== undefined) {
      return Promise.resolve(text(`${table}: ${state.name} likes ${color} (round ${ctx.input.round})`));
    }
    const name = accepted(ctx.input.answers.first, "name");
    if (name !== undefined) return ctx.input.ask({ second: nameForm("Colour?", "color") }, { name });
    return ctx.input.ask({ first: nameForm("Name?", "name") });
  },
});

/** Asks the client's model mid-call, push-style (2025-era only). */
const pushSampling = defineTool({
  ...base,
  name: "push_sampling",
  title: "Push",
  description: "samples mid-call",
  async handler(_args, ctx) {
    const answer = await ctx.client.createMessage({
      messages: [{ role: "user", content: { type: "text", text: "Hi" } }],
      maxTokens: 5,
    });
    return text(answer.content.type === "text" ? answer.content.text : "?");
  },
});

const askingPrompt = definePrompt({
  name: "asking_prompt",
  title: "Asking prompt",
  description: "asks for context first",
  arguments: {},
  dialects: DIALECTS,
  get(_args, ctx) {
    const context = accepted(ctx.input.answers.context, "context");
    if (context === undefined) return ctx.input.ask({ context: nameForm("Context?", "context") });
    return [{ role: "user", content: { type: "text", text: `context: ${context}` } }];
  },
});

interface Answers {
  asked: string[];
  capabilities?: Record<string, unknown>;
  manual?: boolean;
}

/** The v2 client in memory to createServer with the tools above, answering what it is asked. */
async function connect(db: Database, mode: Mode, answers: Answers = { asked: [] }) {
  const confirmation = await openWriteConfirmation({ writes: "off" });
  const tools = [everything, twoRounds, pushSampling] as Tool[];
  const build = () =>
    createServer({
      db,
      tools,
      prompts: [askingPrompt],
      limits: LIMITS,
      log: getLogger(["tdmcp", "test"]),
      confirmation,
    });
  const capabilities = answers.capabilities ?? { elicitation: { form: {} }, sampling: {}, roots: {} };
  const client = new Client({ name: "input-test", version: "0" }, {
    versionNegotiation: { mode },
    capabilities,
    ...(answers.manual ? { inputRequired: { autoFulfill: false } } : {}),
  });
  if (capabilities.elicitation) {
    client.setRequestHandler("elicitation/create", (request) => {
      answers.asked.push(`elicit:${request.params.message}`);
      const field =
        Object.keys((request.params as { requestedSchema: { properties: object } }).requestedSchema.properties)[0];
      return { action: "accept", content: { [field]: field === "color" ? "blue" : "Alice" } };
    });
  }
  if (capabilities.sampling) {
    client.setRequestHandler("sampling/createMessage", () => {
      answers.asked.push("sample");
      return { role: "assistant", content: { type: "text", text: "Hello!" }, model: "test" };
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler("roots/list", () => {
      answers.asked.push("roots");
      return { roots: [{ uri: "file:///work", name: "work" }] };
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  // serveStdio picks the era from the client's opening, as tdmcp serves stdio (transports/stdio.ts).
  const served = serveStdio(build, { transport: serverSide });
  await client.connect(clientSide);
  return Object.assign(client, {
    async [Symbol.asyncDispose]() {
      await client.close();
      await served.close();
    },
  });
}

const textOf = (result: unknown) =>
  (result as CallToolResult).content.map((c) => c.type === "text" ? c.text : "").join("");

for (const [era, mode] of MODES) {
  Deno.test(`${era}: a tool asks the user, the client's model and its roots in one round, and completes with the answers`, async () => {
    await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
    const answers: Answers = { asked: [] };
    await using client = await connect(db, mode, answers);
    assert.equal(client.getNegotiatedProtocolVersion(), mode === "legacy" ? "2025-11-25" : "2026-07-28");
    const result = await client.callTool({ name: "ask_everything", arguments: {} });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(textOf(result), "Alice / Hello! / file:///work");
    assert.deepEqual(answers.asked.sort(), ["elicit:Who are you?", "roots", "sample"]);
  });

  Deno.test(`${era}: a tool's state comes back verified in the next round, and a prompt asks too`, async () => {
    await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
    const answers: Answers = { asked: [] };
    await using client = await connect(db, mode, answers);
    const result = await client.callTool({ name: "ask_twice", arguments: { table: "t" } });
    assert.equal(textOf(result), "t: Alice likes blue (round 2)");
    assert.deepEqual(answers.asked, ["elicit:Name?", "elicit:Colour?"]);
    const prompt = await client.getPrompt({ name: "asking_prompt" });
    assert.deepEqual(prompt.messages[0].content, { type: "text", text: "context: Alice" });
  });
}

Deno.test("2026-07-28: a state sealed for other arguments runs nothing; an altered one is refused with -32602", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  await using client = await connect(db, PIN, { asked: [], manual: true });
  const call = (args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    client.request(
      { method: "tools/call", params: { name: "ask_twice", arguments: args, ...extra } },
      { allowInputRequired: true },
    ) as Promise<Record<string, unknown>>;
  const first = await call({ table: "t" });
  assert.equal(first.resultType, "input_required");
  const state = first.requestState as string;
  assert.match(state, /^tdc1\.[\w-]+\.[\w-]+$/);
  const answer = { first: { action: "accept", content: { name: "Bob" } } };
  const second = await call({ table: "t" }, { requestState: state, inputResponses: answer });
  assert.equal(second.resultType, "input_required", "the right call goes on to round 2");
  assert.notEqual(second.requestState, state);
  const other = await call({ table: "u" }, { requestState: state, inputResponses: answer });
  assert.equal(other.isError, true);
  assert.match(textOf(other), /^Not run: the requestState was given for a different call/);
  const altered = await call({ table: "t" }, { requestState: state.slice(0, -3) + "AAA", inputResponses: answer })
    .catch((e) => e);
  assert.equal(altered.code, -32602);
  // A malformed answer reads as missing: the tool asks again.
  const malformed = await call({ table: "t" }, { inputResponses: { first: { action: "maybe" } } });
  assert.equal(malformed.resultType, "input_required");
});

Deno.test("2026-07-28: push-style sampling fails with -32021 when the request lacks sampling, else says to ask in-band", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  {
    await using client = await connect(db, PIN, { asked: [], capabilities: {} });
    const error = await client.callTool({ name: "push_sampling", arguments: {} }).catch((e) => e);
    assert.equal(error.code, -32021);
    assert.deepEqual(error.data?.requiredCapabilities, { sampling: {} });
  }
  await using client = await connect(db, PIN, { asked: [] });
  const result = await client.callTool({ name: "push_sampling", arguments: {} });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /no server-to-client requests \(the tool must ask with ctx\.input\.ask/);
});

Deno.test("2025-11-25: push-style sampling still works; a client that cannot answer an input request is told why", async () => {
  await using db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  {
    await using client = await connect(db, "legacy", { asked: [] });
    assert.equal(textOf(await client.callTool({ name: "push_sampling", arguments: {} })), "Hello!");
  }
  await using client = await connect(db, "legacy", { asked: [], capabilities: { elicitation: { form: {} } } });
  const result = await client.callTool({ name: "ask_everything", arguments: {} });
  assert.equal(result.isError, true);
  assert.match(
    textOf(result),
    /^Not run: this call needs to ask the client for input, and the client did not declare the sampling capability/,
  );
});
