/**
 * How a tool call's failures reach the client (server/run.ts, server/context.ts): a ToolInputError as "Invalid
 * argument", a DatabaseError by its kind, and anything else as a bug — "Internal error" with the request id, its
 * stack only in the server's log.
 */
import assert from "node:assert/strict";
import { configure, getLogger, reset } from "@logtape/logtape";
import { z } from "zod";
import { defineTool, READ_ONLY, ToolInputError } from "tdmcp/plugin";
import { createServer } from "../../server/create.ts";
import { demoSqlitePath, testDatabase, textOf } from "../_helpers.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";

const LIMITS = { defaultRows: 100, maxRows: 1000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };

/** A tool whose handler runs `body`. */
function failing(name: string, body: (sql: string, db: { query(sql: string): Promise<unknown> }) => Promise<unknown>) {
  return defineTool({
    name,
    title: name,
    description: "Fails on purpose.",
    inputSchema: { sql: z.string().describe("SQL") },
    annotations: READ_ONLY,
    dialects: ["sqlite"],
    handler: async ({ sql }, ctx) => {
      await body(sql, ctx.db);
      return { content: [] };
    },
  });
}

const TOOLS = [
  failing("bad_input", () => Promise.reject(new ToolInputError("table `nope` does not exist; list tables first"))),
  failing("bad_sql", (sql, db) => db.query(sql)),
  failing("bug", () => {
    const missing = undefined as unknown as { field: { x: number } };
    return Promise.resolve(missing.field.x); // TypeError: a bug, not the caller's input
  }),
];

Deno.test("a tool's failures: input errors and database errors say what to fix; a bug shows only its request id", async () => {
  const lines: { message: string; properties: Record<string, unknown> }[] = [];
  await configure({
    reset: true,
    sinks: { memory: (record) => lines.push({ message: record.message.join(""), properties: record.properties }) },
    loggers: [{ category: ["tdmcp"], lowestLevel: "debug", sinks: ["memory"] }],
  });
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const server = createServer({ db, tools: TOOLS, limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "run-test", version: "0" });
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    const call = (name: string, sql = "SELECT 1") =>
      client.callTool({ name, arguments: { sql } }) as Promise<CallToolResult>;

    const input = await call("bad_input");
    assert.equal(input.isError, true);
    assert.equal(textOf(input), "Invalid argument: table `nope` does not exist; list tables first");

    const sql = await call("bad_sql", "SELECT * FROM no_such_table");
    assert.equal(sql.isError, true);
    assert.match(textOf(sql), /^Database error.*no such table: no_such_table/);

    const bug = await call("bug");
    assert.equal(bug.isError, true);
    assert.match(
      textOf(bug),
      /^Internal error \(request \d+\): a bug in tdmcp or a tool; the server's log has the details\.$/,
    );
    assert.doesNotMatch(textOf(bug), /undefined|field|at /, "neither the message nor the stack reaches the client");
    const requestId = /request (\d+)/.exec(textOf(bug))![1];
    const logged = lines.find((l) => l.message === "unexpected failure" && l.properties.requestId === requestId);
    assert.ok(logged, "the bug is logged under its request id");
    assert.match(String(logged.properties.stack), /TypeError: Cannot read properties of undefined[\s\S]*run_test\.ts/);
    // Known failures are not logged as bugs.
    assert.equal(lines.filter((l) => l.message === "unexpected failure").length, 1);
  } finally {
    await client.close();
    await server.close();
    await db.close();
    await reset();
  }
});

Deno.test("a call that goes well logs one line (tool, request id, ms, rows, isError); the tool's own lines carry both", async () => {
  const records: { message: string; keys: string[]; properties: Record<string, unknown> }[] = [];
  await configure({
    reset: true,
    sinks: {
      memory: (r) =>
        records.push({ message: r.message.join(""), keys: Object.keys(r.properties), properties: r.properties }),
    },
    loggers: [{ category: ["tdmcp"], lowestLevel: "debug", sinks: ["memory"] }],
  });
  const chatty = defineTool({
    name: "chatty",
    title: "chatty",
    description: "Logs, then answers one row.",
    inputSchema: {},
    annotations: READ_ONLY,
    dialects: ["sqlite"],
    handler: (_args, ctx) => {
      ctx.log.info("working on {what}", { what: "it" });
      return Promise.resolve({ content: [{ type: "text", text: "x" }], structuredContent: { row_count: 1 } });
    },
  });
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  const server = createServer({ db, tools: [chatty], limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "run-test", version: "0" });
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    await client.callTool({ name: "chatty", arguments: {} });
    assert.equal(records.length, 2);
    const [own, ok] = records;
    assert.equal(own.message, "working on it");
    assert.deepEqual(own.keys, ["tool", "requestId", "what"]);
    assert.equal(own.properties.tool, "chatty");
    assert.match(ok.message, /^tool call ok in \d+(\.\d)? ms$/);
    assert.deepEqual(ok.keys, ["tool", "requestId", "ms", "rows", "isError"]);
    assert.deepEqual({ ...ok.properties, ms: 0 }, {
      tool: "chatty",
      requestId: own.properties.requestId,
      ms: 0,
      rows: 1,
      isError: false,
    });
  } finally {
    await client.close();
    await server.close();
    await db.close();
    await reset();
  }
});
