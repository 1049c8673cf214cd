/**
 * The compiled output check (server/output_check.ts): it accepts only what zod accepts, it is used for the results
 * tools really return, and through the real SDK a result that does not match its advertised output schema is still
 * refused with zod's own words.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult, type Tool } from "tdmcp/plugin";
import { QUALITY_OUTPUT } from "../../tools/lib/quality.ts";
import { checkedOutput, compileCheck } from "../../server/output_check.ts";
import { createServer } from "../../server/create.ts";
import { demoSqlitePath, testDatabase, textOf } from "../_helpers.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";

const LIMITS = { defaultRows: 100, maxRows: 1_000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };

function table(): Record<string, unknown> {
  return tableResult({
    columns: [
      { name: "id", type: "INTEGER", nullable: false, json: "number" },
      { name: "name", type: "VARCHAR(20)", nullable: true, json: "string" },
    ],
    rows: [[1, "a"], [2, null]],
    rowCount: 2,
    truncated: false,
    truncatedBy: null,
    elapsedMs: 1,
  }).structuredContent!;
}

/** Every way of spoiling one value of a table result, and values that are fine. */
function variants(): unknown[] {
  const odd = [
    undefined,
    null,
    "",
    "x",
    "rows",
    0,
    1.5,
    -1,
    NaN,
    Infinity,
    2 ** 53,
    true,
    [],
    [1],
    [[]],
    {},
    { a: 1 },
    new Date(0),
  ];
  // deno-lint-ignore no-explicit-any -- the paths spoil any part of the result
  const paths: ((t: Record<string, any>, v: unknown) => void)[] = [
    (t, v) => (t.row_count = v),
    (t, v) => (t.truncated = v),
    (t, v) => (t.truncated_by = v),
    (t, v) => (t.rows = v),
    (t, v) => (t.rows[0] = v),
    (t, v) => (t.rows[1][1] = v),
    (t, v) => (t.columns = v),
    (t, v) => (t.columns[0] = v),
    (t, v) => (t.columns[1].name = v),
    (t, v) => (t.columns[1].nullable = v),
    (t, v) => (t.columns[0].json = v),
    (t, v) => (t.extra = v),
    (t, v) => (t.summary = v),
    (t, v) => (t.summary = { total: v }),
  ];
  const out: unknown[] = [table(), { ...table(), summary: { rows: 2, name: "x", ok: true, none: null } }];
  for (const path of paths) {
    for (const value of odd) {
      const t = structuredClone(table());
      path(t, value);
      out.push(t);
    }
  }
  const removed = table();
  delete removed.truncated;
  out.push(
    removed,
    null,
    [],
    "table",
    Object.assign(Object.create({ inherited: 1 }), table()),
    Object.assign([], table()),
  );
  return out;
}

for (const [name, shape] of [["TABLE_OUTPUT", TABLE_OUTPUT], ["QUALITY_OUTPUT", QUALITY_OUTPUT]] as const) {
  Deno.test(`the compiled check of ${name} accepts only what zod accepts, and accepts real results`, () => {
    const schema = z.object(shape);
    const check = compileCheck(schema);
    assert.ok(check, `${name} compiles`);
    let accepted = 0;
    for (const value of variants()) {
      if (!check(value)) continue;
      accepted++;
      assert.equal(
        schema.safeParse(value).success,
        true,
        `the check accepted what zod refuses: ${Deno.inspect(value)}`,
      );
    }
    assert.ok(check(table()), "a real table result passes without zod");
    assert.ok(accepted > 10, `only ${accepted} values were accepted`);
  });
}

Deno.test("schemas with parts the compiler does not know are left to zod", () => {
  assert.equal(compileCheck(z.object({ s: z.string().min(1) })), null);
  assert.equal(compileCheck(z.object({ n: z.number().max(3) })), null);
  assert.equal(compileCheck(z.object({ d: z.string().default("x") })), null);
  assert.equal(compileCheck(z.object({ t: z.string().transform((s) => s.length) })), null);
  assert.equal(compileCheck(z.strictObject({ a: z.string() })), null);
  assert.equal(compileCheck(z.object({ r: z.string().refine((s) => s !== "x") })), null);
  // zod refuses a missing field of unknown type: so does the check (it lets undefined pass only where optional).
  const unknownField = z.object({ a: z.unknown() });
  assert.equal(unknownField.safeParse({}).success, false);
  assert.equal(compileCheck(unknownField)!({}), false);
  assert.equal(compileCheck(unknownField)!({ a: null }), true);
  const strict = z.strictObject({ a: z.string() });
  assert.equal(checkedOutput(strict), strict);
});

Deno.test("checkedOutput answers from the check when it accepts and with zod's own issues when it does not", async () => {
  const schema = z.object(TABLE_OUTPUT);
  const checked = checkedOutput(schema);
  assert.notEqual(checked, schema);
  const good = table();
  assert.deepEqual(await checked["~standard"].validate(good), { value: good });
  for (const value of variants()) {
    const ours = await checked["~standard"].validate(value);
    const zods = await schema["~standard"].validate(value);
    assert.deepEqual(ours.issues, zods.issues);
  }
  assert.equal(checked["~standard"].jsonSchema, schema["~standard"].jsonSchema, "the same JSON Schema is listed");
});

Deno.test("a result that does not match its advertised output schema is refused through the SDK, in zod's words", async () => {
  const answers: Record<string, Record<string, unknown>> = {
    fine: table(),
    bad_count: { ...table(), row_count: "2" },
    bad_cell: { ...table(), rows: "none" },
    bad_kind: { ...table(), truncated_by: "size" },
  };
  const tool = defineTool({
    name: "answer",
    title: "answer",
    description: "Returns the structured content it is told to.",
    inputSchema: { which: z.string().describe("Which answer") },
    outputSchema: TABLE_OUTPUT,
    annotations: READ_ONLY,
    dialects: ["sqlite"],
    handler: ({ which }) =>
      Promise.resolve({ content: [{ type: "text", text: which }], structuredContent: answers[which] }),
  }) as Tool;
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const server = createServer({ db, tools: [tool], limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "output-check-test", version: "0" });
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    const call = (which: string) =>
      client.callTool({ name: "answer", arguments: { which } }) as Promise<CallToolResult>;
    const fine = await call("fine");
    assert.equal(fine.isError, undefined);
    assert.deepEqual(fine.structuredContent, answers.fine);
    const expected: Record<string, string> = {
      bad_count: "row_count: Invalid input: expected number, received string",
      bad_cell: "rows: Invalid input: expected array, received string",
      bad_kind: 'truncated_by: Invalid option: expected one of "rows"|"bytes"|"cells"',
    };
    for (const [which, issue] of Object.entries(expected)) {
      const refused = await call(which);
      assert.equal(refused.isError, true, which);
      assert.equal(
        textOf(refused),
        `Output validation error: Invalid structured content for tool answer: ${issue}`,
      );
    }
  } finally {
    await client.close();
    await server.close();
    await db.close();
  }
});
