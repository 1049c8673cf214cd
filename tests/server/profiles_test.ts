/** Profiles narrow the catalog by name patterns; progressive disclosure keeps every tool reachable. */
import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { createServer, type Disclosure } from "../../server/create.ts";
import { type Catalog, loadCatalog } from "../../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../../server/paths.ts";
import { applyProfile, BUILTIN_PROFILES, matches, parseProfiles } from "../../server/profiles.ts";
import { demoPostgresUri, demoSqlitePath, note, testDatabase, textOf } from "../_helpers.ts";
import { type CallToolResult, Client, InMemoryTransport } from "../_sdk.ts";
import type { Database } from "../../connection/types.ts";
import { teradata } from "../tools/_teradata_fake.ts";

interface SearchResult {
  matches: { name: string; input_schema?: { properties?: object; required?: string[] } }[];
}

const LIMITS = { defaultRows: 100, maxRows: 1000, timeoutMs: 30_000, maxTimeoutMs: 60_000 };
const CATALOG = await loadCatalog([BUILTIN_TOOLS_DIR]);

async function connect(db: Database, catalog: Catalog, disclosure: Disclosure) {
  const server = createServer({ db, ...catalog, disclosure, limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "profiles-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    call: (name: string, args: Record<string, unknown> = {}) =>
      client.callTool({ name, arguments: args }) as Promise<CallToolResult & { structuredContent?: SearchResult }>,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

Deno.test("name patterns match whole names with * and ?", () => {
  assert.ok(matches("base_*", "base_readQuery"));
  assert.ok(matches("qlty_?issingValues", "qlty_missingValues"));
  assert.ok(!matches("base_", "base_readQuery"));
  assert.ok(!matches("*Query", "base_readQuery_x"));
  assert.ok(matches("a.b", "a.b") && !matches("a.b", "axb"), "dots are literal");
});

Deno.test("built-in profiles select by pattern; minimal is exactly the four basic tools", () => {
  for (const name of Object.keys(BUILTIN_PROFILES)) {
    assert.deepEqual(applyProfile(CATALOG, name).unmatched, [], `every pattern of ${name} matches something`);
  }
  const eda = applyProfile(CATALOG, "eda").catalog;
  assert.deepEqual(eda.prompts.map((p) => p.name).sort(), ["explore_database", "profile_table_quality"]);
  assert.deepEqual(eda.resourceTemplates.map((t) => t.name), ["table_schema"]);
  const { catalog, unmatched } = applyProfile(CATALOG, "minimal");
  assert.deepEqual(catalog.tools.map((t) => t.name).sort(), [...BUILTIN_PROFILES.minimal.include].sort());
  assert.deepEqual(unmatched, []);
  assert.equal(applyProfile(CATALOG, "all").catalog.tools.length, CATALOG.tools.length);
  for (const t of applyProfile(CATALOG, "eda").catalog.tools) assert.match(t.name, /^(base|qlty)_/);
  for (const t of applyProfile(CATALOG, "dba").catalog.tools) assert.match(t.name, /^(base|dba|sec)_/);
  assert.throws(
    () => applyProfile(CATALOG, "nurse"),
    /Cannot start server as 'PROFILE' must name a profile \(all, dba, eda, minimal\): current value is "nurse"/,
  );
});

Deno.test("a profiles file adds profiles with include and exclude, and reports patterns that match nothing", () => {
  const custom = parseProfiles(
    JSON.stringify({
      analyst: { include: ["base_*"], exclude: ["base_tableDDL", "base_nothing*"], description: "reads" },
    }),
    "profiles.json",
  );
  const { catalog, unmatched } = applyProfile(CATALOG, "analyst", custom);
  const names = catalog.tools.map((t) => t.name);
  assert.ok(names.includes("base_readQuery"));
  assert.ok(!names.includes("base_tableDDL"));
  assert.ok(names.every((n) => n.startsWith("base_")));
  assert.deepEqual(unmatched, ["base_nothing*"]);
  for (
    const [text, expected] of [
      ["{", /profiles\.json: it is not JSON/],
      ["[]", /profiles\.json: expected an object of profiles/],
      ['{"x":{"include":[]}}', /profile "x": 'include' must be a non-empty list of name patterns/],
      ['{"x":{"include":["a"],"exlude":["b"]}}', /profile "x" has unknown keys exlude/],
    ] as const
  ) {
    assert.throws(() => parseProfiles(text, "profiles.json"), expected);
  }
});

Deno.test("progressive disclosure: every tool is found by exact name with the schema full mode lists, and runs through execute_tool", async () => {
  const db = testDatabase(`sqlite://${await demoSqlitePath()}`);
  try {
    await using full = await connect(db, CATALOG, "full");
    await using lazy = await connect(db, CATALOG, "progressive");
    const { tools } = await full.client.listTools();
    assert.ok(tools.length >= 6);
    for (const tool of tools) {
      const found = await lazy.call("search_tools", { query: tool.name });
      const exact = found.structuredContent!.matches.find((m) => m.name === tool.name);
      assert.ok(exact?.input_schema, `${tool.name} comes back with its schema`);
      assert.deepEqual(exact.input_schema.properties ?? {}, tool.inputSchema.properties ?? {}, tool.name);
      assert.deepEqual(exact.input_schema.required ?? [], tool.inputSchema.required ?? [], tool.name);
      const run = await lazy.call("execute_tool", { name: tool.name, arguments: {} });
      assert.doesNotMatch(textOf(run), /No tool named/, `${tool.name} is reachable`);
    }
    const direct = await full.call("base_tableList", {});
    const viaExecute = await lazy.call("execute_tool", { name: "base_tableList", arguments: {} });
    assert.deepEqual(viaExecute.structuredContent, direct.structuredContent);
    const bad = await lazy.call("execute_tool", { name: "base_tablePreview", arguments: { rows: "five" } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /^Invalid arguments for base_tablePreview: [\s\S]*table_name[\s\S]*input schema: \{/);
    const unknown = await lazy.call("execute_tool", { name: "base_tableLst" });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /No tool named "base_tableLst"/);
    const search = await lazy.call("search_tools", { query: "preview rows" });
    assert.equal(search.structuredContent!.matches[0].name, "base_tablePreview");
  } finally {
    await db.close();
  }
});

Deno.test("progressive tools/list is at most 10% of the full list's bytes (Teradata, PostgreSQL, SQLite)", async () => {
  const databases: Database[] = [teradata().db, testDatabase(`sqlite://${await demoSqlitePath()}`)];
  const pg = await demoPostgresUri();
  if (pg) databases.push(testDatabase(pg));
  try {
    for (const db of databases) {
      const bytes: Record<Disclosure, number> = { full: 0, progressive: 0 };
      let listed = 0;
      for (const mode of ["full", "progressive"] as const) {
        await using c = await connect(db, CATALOG, mode);
        const list = await c.client.listTools();
        if (mode === "full") listed = list.tools.length;
        bytes[mode] = new TextEncoder().encode(JSON.stringify(list)).length;
      }
      const percent = (100 * bytes.progressive / bytes.full).toFixed(1);
      note(
        `tools/list on ${db.dialect}: full ${bytes.full} B (${listed} tools), progressive ${bytes.progressive} B = ${percent}%`,
      );
      assert.ok(bytes.progressive <= 0.1 * bytes.full, `${db.dialect}: ${JSON.stringify(bytes)}`);
    }
  } finally {
    for (const db of databases) await db.close();
  }
});
