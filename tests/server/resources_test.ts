/**
 * The registration of resources, resource templates and prompts on its own, against the real demo database: how a
 * read's failure becomes a JSON-RPC error, subscriptions (one watch per URI, stopped on unsubscribe and on close),
 * completions (capped, with the other arguments), the paginated `resources/list` and its cursor, and prompts whose
 * completions stay with the server that registered them.
 * @module
 */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import {
  definePrompt,
  defineResource,
  defineResourceTemplate,
  type ListedPage,
  type Prompt,
  type Resource,
  ResourceNotFoundError,
  type ResourceTemplate,
  ToolInputError,
} from "tdmcp/plugin";
import {
  registerPrompts,
  registerResources,
  registerResourceTemplates,
  serveResourceList,
} from "../../server/resources.ts";
import { McpServer } from "../../server/sdk.ts";
import type { Database } from "../../connection/types.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";
import { demoSqlitePath, testDatabase } from "../_helpers.ts";

const LIMITS = { defaultRows: 100, maxRows: 1_000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };

interface Catalog {
  resources?: Resource[];
  templates?: ResourceTemplate[];
  prompts?: Prompt[];
  limits?: typeof LIMITS;
}

/** A client in memory to a bare server with only what `catalog` registers, over `db`. */
async function connect(db: Database, catalog: Catalog) {
  const deps = { db, limits: catalog.limits ?? LIMITS, log: getLogger(["tdmcp", "test"]) };
  const server = new McpServer({ name: "resources-test", version: "0" });
  const resources = catalog.resources ?? [];
  const templates = catalog.templates ?? [];
  registerResources(server, resources, deps);
  registerResourceTemplates(server, templates, deps);
  serveResourceList(server, resources, templates, deps);
  registerPrompts(server, catalog.prompts ?? [], deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "resources-test", version: "0" });
  const updates: string[] = [];
  client.setNotificationHandler("notifications/resources/updated", (n) => void updates.push(n.params.uri));
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    client,
    server,
    updates,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

async function withDatabase(fn: (db: Database) => Promise<void>): Promise<void> {
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** The JSON-RPC error a request failed with. */
async function rpcError(request: Promise<unknown>): Promise<{ code: number; message: string; data?: unknown }> {
  try {
    await request;
  } catch (error) {
    const { code, data } = error as { code: number; data?: unknown };
    return { code, message: (error as Error).message, data };
  }
  assert.fail("the request succeeded");
}

function resource(name: string, read: Resource["read"], watch?: Resource["watch"]): Resource {
  return defineResource({
    name,
    uri: `test://${name}`,
    title: name,
    description: `The ${name} resource.`,
    mimeType: "text/plain",
    dialects: ["sqlite"],
    read,
    ...(watch ? { watch } : {}),
  });
}

const text = (uri: URL, value: string) => [{ uri: uri.href, mimeType: "text/plain", text: value }];

Deno.test("resources: a read runs with the call's context on the real database", async () => {
  await withDatabase(async (db) => {
    const counted = resource("regions", async (uri, ctx) => {
      const result = await ctx.db.query("SELECT count(*) FROM regions");
      return text(uri, `${ctx.dialect} ${result.rows[0][0]} regions; limits ${ctx.limits.maxRows}`);
    });
    await using c = await connect(db, { resources: [counted] });
    const { contents } = await c.client.readResource({ uri: "test://regions" });
    assert.match((contents[0] as { text: string }).text, /^sqlite \d+ regions; limits 1000$/);
    assert.equal(c.client.getServerCapabilities()?.resources?.subscribe, undefined, "nothing to watch: no subscribe");
  });
});

Deno.test("resources: a failing read is one JSON-RPC error line: not found and bad input -32602, database error or bug -32603", async () => {
  await withDatabase(async (db) => {
    const failing = [
      resource("missing", () => Promise.reject(new ResourceNotFoundError("no table `ordrs`; similar: orders"))),
      resource("badSql", async (_uri, ctx) => {
        await ctx.db.query("SELECT no_such_column FROM regions");
        return [];
      }),
      resource("bug", () => Promise.reject(new Error("undefined is not a function"))),
      resource("invalid", () => Promise.reject(new ToolInputError("'limit' must be from 1 to 100"))),
      resource("typeError", () => Promise.reject(new TypeError("x.map is not a function"))),
    ];
    await using c = await connect(db, { resources: failing });
    const read = (name: string) => rpcError(c.client.readResource({ uri: `test://${name}` }));
    const missing = await read("missing");
    // -32602 with the URI in `data`, as MCP 2026-07-28 (SEP-2164) says; the SDK answers so on both eras.
    assert.equal(missing.code, -32602);
    assert.match(missing.message, /no table `ordrs`; similar: orders$/);
    assert.deepEqual(missing.data, { uri: "test://missing" });
    const badSql = await read("badSql");
    assert.equal(badSql.code, -32603);
    assert.match(badSql.message, /Database error.*no_such_column/);
    assert.doesNotMatch(badSql.message, /\n\s+at /, "no stack trace");
    const invalid = await read("invalid");
    assert.equal(invalid.code, -32602);
    assert.match(invalid.message, /Invalid argument: 'limit' must be from 1 to 100$/);
    // A bug shows neither its message nor its stack, only the request id to find them in the server's log.
    for (const name of ["bug", "typeError"]) {
      const bug = await read(name);
      assert.equal(bug.code, -32603, name);
      assert.match(
        bug.message,
        /Internal error \(request \d+\): a bug in tdmcp or a tool; the server's log has the details\.$/,
      );
      assert.doesNotMatch(bug.message, /not a function/);
    }
  });
});

Deno.test("resources: subscribing starts one watch per URI, updates reach the client, unsubscribe and close stop it", async () => {
  await withDatabase(async (db) => {
    const watches: { signal: AbortSignal; changed: () => void }[] = [];
    const watched = resource("watched", (uri) => Promise.resolve(text(uri, "now")), (changed, signal) => {
      watches.push({ changed, signal });
    });
    const plain = resource("plain", (uri) => Promise.resolve(text(uri, "plain")));
    const c = await connect(db, { resources: [watched, plain] });
    try {
      assert.equal(c.client.getServerCapabilities()?.resources?.subscribe, true);
      await c.client.subscribeResource({ uri: "test://watched" });
      await c.client.subscribeResource({ uri: "test://watched" });
      assert.equal(watches.length, 1, "a second subscription to the same URI starts no second watch");
      watches[0].changed();
      for (let i = 0; i < 100 && c.updates.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(c.updates, ["test://watched"]);
      await c.client.unsubscribeResource({ uri: "test://watched" });
      assert.equal(watches[0].signal.aborted, true, "unsubscribe stops the watch");
      await c.client.subscribeResource({ uri: "test://watched" });
      assert.equal(watches.length, 2, "subscribing again starts a new watch");
      const refused = await rpcError(c.client.subscribeResource({ uri: "test://plain" }));
      assert.equal(refused.code, -32602);
      assert.match(refused.message, /test:\/\/plain cannot be subscribed to; subscribable: test:\/\/watched$/);
    } finally {
      await c[Symbol.asyncDispose]();
    }
    assert.equal(watches[1].signal.aborted, true, "closing the session stops every watch");
  });
});

Deno.test("templates: variables reach the read; completions get the other arguments and are capped at 100", async () => {
  await withDatabase(async (db) => {
    const seen: Record<string, string>[] = [];
    const rows = defineResourceTemplate({
      name: "rows",
      uriTemplate: "rows://{table}/{id}",
      title: "A row",
      description: "One row of a table.",
      mimeType: "application/json",
      dialects: ["sqlite"],
      read: async (uri, variables, ctx) => {
        const result = await ctx.db.query(`SELECT name FROM ${variables.table} WHERE region_id = ?`, {
          params: [Number(variables.id)],
        });
        return [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(result.rows) }];
      },
      complete: {
        table: async (value, ctx) => {
          const result = await ctx.db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
          return result.rows.map((r) => String(r[0])).filter((name) => name.startsWith(value));
        },
        id: (value, _ctx, args) => {
          seen.push({ ...args });
          return Array.from({ length: 250 }, (_, i) => `${value}${i}`);
        },
      },
    });
    await using c = await connect(db, { templates: [rows] });
    const { contents } = await c.client.readResource({ uri: "rows://regions/1" });
    assert.equal(JSON.parse((contents[0] as { text: string }).text).length, 1);
    const ref = { type: "ref/resource" as const, uri: "rows://{table}/{id}" };
    const tables = await c.client.complete({ ref, argument: { name: "table", value: "order" } });
    assert.deepEqual(tables.completion.values, ["order_items", "orders"]);
    const ids = await c.client.complete({
      ref,
      argument: { name: "id", value: "7" },
      context: { arguments: { table: "regions" } },
    });
    assert.equal(ids.completion.values.length, 100, "MCP allows at most 100 values");
    assert.deepEqual(ids.completion.values.slice(0, 2), ["70", "71"]);
    assert.deepEqual(seen, [{ table: "regions" }], "the completer saw the table already chosen");
  });
});

/** A template that lists `pages` (each a page of URIs) with its own cursor, the page's index. */
function listing(name: string, pages: string[][], mimeType = "text/csv"): ResourceTemplate & { cursors: unknown[] } {
  const cursors: unknown[] = [];
  const template = defineResourceTemplate({
    name,
    uriTemplate: `${name}://{id}`,
    title: name,
    description: `The ${name} listing.`,
    mimeType,
    dialects: ["sqlite"],
    read: (uri) => Promise.resolve(text(uri, name)),
    list: (_ctx, cursor): Promise<ListedPage> => {
      cursors.push(cursor);
      const at = cursor === undefined ? 0 : Number(cursor);
      const page: ListedPage = { resources: pages[at].map((id) => ({ uri: `${name}://${id}`, name: id })) };
      if (at + 1 < pages.length) page.nextCursor = String(at + 1);
      return Promise.resolve(page);
    },
  });
  return Object.assign(template, { cursors });
}

Deno.test("resources/list: statics and the first template page first, then one page of one template per request", async () => {
  await withDatabase(async (db) => {
    const a = listing("a", [["a1", "a2"], ["a3"]]);
    const empty = listing("empty", [[]]);
    const b = listing("b", [["b1"]]);
    const unlisted = defineResourceTemplate({
      name: "unlisted",
      uriTemplate: "unlisted://{id}",
      title: "unlisted",
      description: "Not listed.",
      mimeType: "text/plain",
      dialects: ["sqlite"],
      read: (uri) => Promise.resolve(text(uri, "x")),
    });
    const fixed = resource("fixed", (uri) => Promise.resolve(text(uri, "fixed")));
    await using c = await connect(db, { resources: [fixed], templates: [unlisted, a, empty, b] });
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      // One page per request (the client's listResources() walks every page by itself).
      const page = await c.client.request({ method: "resources/list", params: cursor === undefined ? {} : { cursor } });
      pages.push(page.resources.map((r) => `${r.uri} ${r.mimeType}`));
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 10);
    assert.deepEqual(pages, [
      ["test://fixed text/plain", "a://a1 text/csv", "a://a2 text/csv"],
      ["a://a3 text/csv"],
      // An empty page of one template goes straight on to the next within the same request.
      ["b://b1 text/csv"],
    ]);
    assert.deepEqual(a.cursors, [undefined, "1"], "the template got its own cursor back");
    assert.deepEqual(empty.cursors, [undefined]);
    assert.deepEqual(b.cursors, [undefined]);
  });
});

Deno.test("resources/list: a cursor the server did not hand out is refused with how to get a good one", async () => {
  await withDatabase(async (db) => {
    await using c = await connect(db, { templates: [listing("a", [["a1"], ["a2"]])] });
    const forged = btoa(JSON.stringify({ template: "other" }));
    for (
      const cursor of ["not base64!", btoa("not json"), forged, btoa(JSON.stringify({ template: "a", cursor: 5 }))]
    ) {
      const refused = await rpcError(c.client.listResources({ cursor }));
      assert.equal(refused.code, -32602, cursor);
      assert.match(refused.message, /Invalid cursor: pass the nextCursor of the previous resources\/list page/);
    }
  });
});

Deno.test("resources/list: a listed resource's own MIME type wins over the template's", async () => {
  await withDatabase(async (db) => {
    const template = defineResourceTemplate({
      name: "mixed",
      uriTemplate: "mixed://{id}",
      title: "mixed",
      description: "Mixed types.",
      mimeType: "text/csv",
      dialects: ["sqlite"],
      read: (uri) => Promise.resolve(text(uri, "x")),
      list: () =>
        Promise.resolve({
          resources: [{ uri: "mixed://1", name: "1" }, { uri: "mixed://2", name: "2", mimeType: "application/json" }],
        }),
    });
    await using c = await connect(db, { templates: [template] });
    const { resources } = await c.client.listResources();
    assert.deepEqual(resources.map((r) => r.mimeType), ["text/csv", "application/json"]);
  });
});

Deno.test("prompts: arguments expand into messages; each server's completion runs with its own context", async () => {
  await withDatabase(async (db) => {
    const explain = definePrompt({
      name: "explain",
      title: "Explain a table",
      description: "Asks to explain a table.",
      arguments: { table: z.string().describe("The table"), focus: z.string().optional().describe("What to stress") },
      complete: { table: (value, ctx) => [`${value}:${ctx.limits.maxRows}`] },
      dialects: ["sqlite"],
      get: (
        { table, focus },
      ) => [{ role: "user", content: { type: "text", text: `Explain ${table} (${focus ?? "all"})` } }],
    }) as unknown as Prompt;
    // The same prompt object is registered by two servers, as the HTTP transport does for each session.
    await using one = await connect(db, { prompts: [explain], limits: { ...LIMITS, maxRows: 1 } });
    await using two = await connect(db, { prompts: [explain], limits: { ...LIMITS, maxRows: 2 } });
    const got = await one.client.getPrompt({ name: "explain", arguments: { table: "orders" } });
    assert.deepEqual(got.messages, [{ role: "user", content: { type: "text", text: "Explain orders (all)" } }]);
    const complete = (c: typeof one) =>
      c.client.complete({ ref: { type: "ref/prompt", name: "explain" }, argument: { name: "table", value: "ord" } });
    assert.deepEqual((await complete(one)).completion.values, ["ord:1"]);
    assert.deepEqual((await complete(two)).completion.values, ["ord:2"]);
    assert.deepEqual((await complete(one)).completion.values, ["ord:1"], "the second server did not take it over");
  });
});
