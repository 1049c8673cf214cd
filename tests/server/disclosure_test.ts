/**
 * Progressive disclosure on its own: `search_tools` (ranking, exact names with their full schema, no match) and
 * `execute_tool` (unknown names, argument checks against the tool's own strict schema, running the tool on the real
 * demo database), the annotations `execute_tool` advertises, and the schema objects built once per tool.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { defineTool, READ_ONLY, type Tool, type ToolAnnotations } from "tdmcp/plugin";
import { inputObject, outputObject, registerDisclosureTools } from "../../server/disclosure.ts";
import { McpServer } from "../../server/sdk.ts";
import type { Database } from "../../connection/types.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";
import { demoSqlitePath, testDatabase, textOf } from "../_helpers.ts";

const LIMITS = { defaultRows: 100, maxRows: 1_000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };
const WRITE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

const countRows = defineTool({
  name: "demo_countRows",
  title: "Count rows",
  description: "Counts the rows of a table.\nSecond line that only the exact match shows.",
  inputSchema: {
    table: z.enum(["big", "customers"]).describe("Which table"),
    note: z.string().default("none").describe("Echoed back"),
  },
  annotations: READ_ONLY,
  dialects: ["sqlite"],
  handler: async ({ table, note }, ctx) => {
    const result = await ctx.db.query(`SELECT count(*) FROM ${table}`);
    return { content: [{ type: "text", text: `${table}: ${result.rows[0][0]} (${note})` }] };
  },
});

const spaceUsage = defineTool({
  name: "dba_spaceUsage",
  title: "Table space",
  description: `Shows how much space each table takes. ${"Long words. ".repeat(30)}`,
  inputSchema: {},
  annotations: READ_ONLY,
  dialects: ["sqlite"],
  handler: () => Promise.resolve({ content: [{ type: "text", text: "space" }] }),
});

const tableSizes = defineTool({
  name: "dba_tableSizes",
  title: "Sizes",
  description: "Lists sizes.",
  inputSchema: { database: z.string().describe("The table space to look at") },
  annotations: READ_ONLY,
  writeAnnotations: WRITE,
  dialects: ["sqlite"],
  handler: () => Promise.resolve({ content: [{ type: "text", text: "sizes" }] }),
});

const TOOLS: Tool[] = [countRows, spaceUsage, tableSizes] as Tool[];

/** A client connected in memory to a server that has only the two disclosure tools over `tools`. */
async function connect(tools: readonly Tool[] = TOOLS, db?: Database) {
  const database = db ?? testDatabase(`sqlite://${await demoSqlitePath()}`);
  const server = new McpServer({ name: "disclosure-test", version: "0" });
  registerDisclosureTools(server, tools, { db: database, limits: LIMITS, log: getLogger(["tdmcp", "test"]) }, () => ({
    log: () => Promise.resolve(),
    createMessage: () => Promise.reject(new TypeError("no sampling in this test")),
    elicit: () => Promise.reject(new TypeError("no elicitation in this test")),
    closeStream: () => {},
  }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "disclosure-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    call: (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }),
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
      if (db === undefined) await database.close();
    },
  };
}

interface Match {
  name: string;
  title: string;
  summary?: string;
  description?: string;
  parameters: string[];
  input_schema?: { properties: Record<string, unknown>; additionalProperties?: boolean; required?: string[] };
}

async function search(client: Awaited<ReturnType<typeof connect>>, query: string, limit?: number) {
  const result = await client.call("search_tools", limit === undefined ? { query } : { query, limit });
  const structured = result.structuredContent as { matches: Match[]; tool_count: number };
  return { text: textOf(result as never), ...structured };
}

Deno.test("disclosure: only search_tools and execute_tool are listed, with the tool count in the description", async () => {
  await using c = await connect();
  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ["search_tools", "execute_tool"]);
  assert.match(tools[0].description ?? "", /^Find a tool among 3 /);
  assert.deepEqual(tools[0].annotations, { title: "Search tools", ...READ_ONLY });
});

Deno.test("search_tools: an exact name returns the full description and the strict JSON input schema", async () => {
  await using c = await connect();
  const found = await search(c, "DEMO_countRows");
  assert.equal(found.tool_count, 3);
  const exact = found.matches[0];
  assert.equal(exact.name, "demo_countRows");
  assert.equal(exact.description, countRows.description, "the whole description, second line included");
  assert.deepEqual(exact.parameters, ["table", "note"]);
  assert.deepEqual(Object.keys(exact.input_schema!.properties), ["table", "note"]);
  assert.equal(exact.input_schema!.additionalProperties, false, "undeclared arguments are refused");
  assert.deepEqual(exact.input_schema!.required, ["table"], "a field with a default is optional to the caller");
  assert.ok(found.text.includes(`input schema: ${JSON.stringify(exact.input_schema)}`));
  assert.match(found.text, /then execute_tool\.$/);
});

Deno.test("search_tools ranks name over title over parameters over description; ties go by name", async () => {
  await using c = await connect();
  // "space": dba_spaceUsage by name, title and description (9), dba_tableSizes by a parameter's text (2).
  const space = await search(c, "space");
  assert.deepEqual(space.matches.map((m) => m.name), ["dba_spaceUsage", "dba_tableSizes"]);
  // "table": in dba_tableSizes' name (7), dba_spaceUsage's title (4), demo_countRows' parameters (3).
  const table = await search(c, "table");
  assert.deepEqual(table.matches.map((m) => m.name), ["dba_tableSizes", "dba_spaceUsage", "demo_countRows"]);
  const dba = await search(c, "dba", 1);
  assert.deepEqual(dba.matches.map((m) => m.name), ["dba_spaceUsage"], "the limit, after a tie broken by name");
  const both = await search(c, "ROWS,  sizes");
  // "rows" and "sizes" score 9 each on their tools: the tie goes by name.
  assert.deepEqual(both.matches.map((m) => m.name), ["dba_tableSizes", "demo_countRows"], "commas and case");
});

Deno.test("search_tools: a partial match shows the first line of the description, cut at 200 characters", async () => {
  await using c = await connect();
  const { matches, text } = await search(c, "space");
  const [usage, sizes] = matches;
  assert.equal(usage.summary!.length, 200);
  assert.ok(usage.summary!.endsWith("…"));
  assert.ok(spaceUsage.description.startsWith(usage.summary!.slice(0, 199)));
  assert.equal(usage.input_schema, undefined, "no schema for a partial match");
  assert.ok(text.includes("dba_spaceUsage — Table space: Shows how much space"));
  assert.ok(text.includes("(parameters: none)"));
  assert.equal(sizes.summary, "Lists sizes.");
  const rows = await search(c, "rows");
  assert.equal(rows.matches[0].summary, "Counts the rows of a table.", "only the first line");
});

Deno.test("search_tools: no match says so and names every tool", async () => {
  await using c = await connect();
  const none = await search(c, "histogram");
  assert.deepEqual(none.matches, []);
  assert.equal(none.text, 'No tool matches "histogram". Tools: demo_countRows, dba_spaceUsage, dba_tableSizes');
});

Deno.test("execute_tool runs the named tool on the real database with its defaults applied", async () => {
  await using c = await connect();
  const result = await c.call("execute_tool", { name: "demo_countRows", arguments: { table: "big" } });
  assert.equal(result.isError, undefined);
  assert.equal(textOf(result as never), "big: 1000000 (none)");
});

Deno.test("execute_tool: an unknown name is an error naming similar tools (by the part after the last '_')", async () => {
  await using c = await connect();
  const near = await c.call("execute_tool", { name: "base_spaceUsage" });
  assert.equal(near.isError, true);
  assert.equal(
    textOf(near as never),
    'No tool named "base_spaceUsage"; similar: dba_spaceUsage. Use search_tools to find one.',
  );
  const far = await c.call("execute_tool", { name: "histogram" });
  assert.equal(textOf(far as never), 'No tool named "histogram". Use search_tools to find one.');
});

Deno.test("execute_tool checks arguments against the tool's own schema and answers with that schema", async () => {
  await using c = await connect();
  const wrong = await c.call("execute_tool", { name: "demo_countRows", arguments: { table: "orders" } });
  assert.equal(wrong.isError, true);
  const text = textOf(wrong as never);
  assert.match(text, /^Invalid arguments for demo_countRows: /);
  assert.match(text, /table/);
  assert.match(text, /\ninput schema: \{.*"additionalProperties":false/);
  const extra = await c.call("execute_tool", { name: "demo_countRows", arguments: { table: "big", limit: 5 } });
  assert.equal(extra.isError, true);
  assert.match(textOf(extra as never), /demo_countRows has no argument 'limit'; it accepts: table, note/);
  const missing = await c.call("execute_tool", { name: "demo_countRows" });
  assert.equal(missing.isError, true, "no arguments at all are checked too");
});

Deno.test("execute_tool advertises write annotations only when a tool it can run writes on this server", async () => {
  const path = await demoSqlitePath();
  const readOnly = testDatabase(`sqlite://${path}`);
  const writing = testDatabase(`sqlite://${path}`, { allowWrite: true });
  try {
    const annotationsOf = async (tools: Tool[], db: Database) => {
      await using c = await connect(tools, db);
      const { tools: listed } = await c.client.listTools();
      return listed.find((t) => t.name === "execute_tool")!.annotations;
    };
    assert.deepEqual(await annotationsOf(TOOLS, readOnly), { title: "Execute a tool", ...READ_ONLY });
    assert.deepEqual(await annotationsOf(TOOLS, writing), { title: "Execute a tool", ...WRITE });
    assert.deepEqual(
      await annotationsOf([countRows, spaceUsage] as Tool[], writing),
      { title: "Execute a tool", ...READ_ONLY },
      "--allow-write alone changes nothing when no tool writes",
    );
  } finally {
    await readOnly.close();
    await writing.close();
  }
});

Deno.test("inputObject wraps a field map strictly once per tool; a whole zod object is used as written", () => {
  const first = inputObject(countRows as Tool);
  assert.equal(inputObject(countRows as Tool), first, "built once, shared by every server");
  assert.equal(first.safeParse({ table: "big", other: 1 }).success, false);
  const loose = z.object({ q: z.string().describe("q") });
  const written = defineTool({ ...countRows, name: "demo_loose", inputSchema: loose } as never) as Tool;
  assert.equal(inputObject(written), loose);
  assert.equal(outputObject(countRows as Tool), undefined);
  const withOutput = { ...countRows, name: "demo_out", outputSchema: { n: z.number() } } as Tool;
  assert.deepEqual(outputObject(withOutput)!.safeParse({ n: 1, extra: true }).data, { n: 1 });
});
