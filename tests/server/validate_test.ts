/**
 * The shape checks at the dynamic-import boundary: what a tools-folder file may default-export, and the error that
 * names the file, the problem and the expected shape when it is wrong.
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { definePrompt, defineResource, defineResourceTemplate, defineTool, READ_ONLY } from "tdmcp/plugin";
import { EXPECTED_SHAPE, validateDefinition } from "../../server/validate.ts";

const FILE = "tools/base/base_demo.ts";

/** A valid tool named after {@link FILE}; `change` overrides fields (undefined removes one). */
function tool(change: Record<string, unknown> = {}): Record<string, unknown> {
  return withChange(
    defineTool({
      name: "base_demo",
      title: "Demo",
      description: "A demo tool.",
      inputSchema: { table: z.string().describe("A table name") },
      annotations: { ...READ_ONLY, openWorldHint: false },
      dialects: ["sqlite", "postgres"],
      handler: () => Promise.resolve({ content: [] }),
    }),
    change,
  );
}

function withChange(base: object, change: Record<string, unknown>): Record<string, unknown> {
  const value: Record<string, unknown> = { ...base, ...change };
  for (const [key, v] of Object.entries(change)) if (v === undefined) delete value[key];
  return value;
}

/** Asserts that validation fails with exactly `problem` for `file`, and the expected shape `expected`. */
function rejects(value: unknown, problem: string, expected = EXPECTED_SHAPE, file = FILE): void {
  assert.throws(() => validateDefinition(value, file), (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.message, `Cannot load tool file ${file}: ${problem}; expected ${expected}`);
    return true;
  });
}

Deno.test("validateDefinition returns a valid tool as it is, with an input schema as field map or zod object", () => {
  const given = tool();
  assert.equal(validateDefinition(given, FILE), given);
  const asObject = tool({ inputSchema: z.object({ table: z.string().describe("A table name") }) });
  assert.equal(validateDefinition(asObject, FILE), asObject);
  const withOutput = tool({ outputSchema: { rows: z.array(z.unknown()) } });
  assert.equal(validateDefinition(withOutput, FILE), withOutput, "output fields need no description");
});

Deno.test("validateDefinition names the file when there is no default export object or an unknown kind", () => {
  rejects(undefined, "it has no default export object");
  rejects(null, "it has no default export object");
  rejects("base_demo", "it has no default export object");
  rejects(
    tool({ kind: "widget" }),
    `'kind' is "widget"; known: resource, resourceTemplate, prompt (or none for a tool)`,
  );
  rejects(tool({ kind: 7 }), "'kind' is 7; known: resource, resourceTemplate, prompt (or none for a tool)");
  rejects(
    tool({ kind: "toString" }),
    `'kind' is "toString"; known: resource, resourceTemplate, prompt (or none for a tool)`,
  );
});

Deno.test("validateDefinition: the name must equal the file stem and use only MCP name characters", () => {
  rejects(tool({ name: "base_other" }), `'name' is "base_other" but must equal the file stem "base_demo"`);
  rejects(tool({ name: undefined }), `'name' is undefined but must equal the file stem "base_demo"`);
  rejects(
    tool({ name: "base demo" }),
    `the name "base demo" has characters MCP names may not use`,
    EXPECTED_SHAPE,
    "tools/base/base demo.ts",
  );
  const long = "t".repeat(129);
  rejects(
    tool({ name: long }),
    `the name "${long}" has characters MCP names may not use`,
    EXPECTED_SHAPE,
    `x/${long}.ts`,
  );
});

Deno.test("validateDefinition: title and description are non-empty, dialects known and at least one", () => {
  rejects(tool({ title: "  " }), "'title' must be a non-empty string");
  rejects(tool({ description: undefined }), "'description' must be a non-empty string");
  rejects(tool({ dialects: [] }), "'dialects' must list at least one dialect");
  rejects(tool({ dialects: "sqlite" }), "'dialects' must list at least one dialect");
  rejects(
    tool({ dialects: ["sqlite", "oracle"] }),
    `'dialects' has "oracle"; known: teradata, postgres, sqlite, generic`,
  );
});

Deno.test("validateDefinition: a tool has a handler, described zod inputs and all four annotations written out", () => {
  rejects(tool({ handler: "run" }), "'handler' must be a function");
  rejects(tool({ inputSchema: { table: "string" } }), "'inputSchema.table' is not a zod schema");
  rejects(tool({ inputSchema: [z.string().describe("x")] }), "'inputSchema' must be an object of zod schemas");
  rejects(tool({ inputSchema: undefined }), "'inputSchema' must be an object of zod schemas");
  rejects(tool({ inputSchema: { table: z.string() } }), "'inputSchema.table' has no .describe(...) text for the agent");
  rejects(
    tool({ inputSchema: z.object({ limit: z.number() }) }),
    "'inputSchema.limit' has no .describe(...) text for the agent",
    EXPECTED_SHAPE,
  );
  rejects(tool({ outputSchema: { rows: 5 } }), "'outputSchema.rows' is not a zod schema");
  rejects(
    tool({ annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true } }),
    "'annotations.openWorldHint' must be written out as true or false",
  );
  rejects(tool({ annotations: undefined }), "'annotations.readOnlyHint' must be written out as true or false");
  rejects(
    tool({ annotations: { ...READ_ONLY, openWorldHint: false, destructiveHint: "no" } }),
    "'annotations.destructiveHint' must be written out as true or false",
  );
});

const RESOURCE_SHAPE = "export default defineResource({ name, uri, title, description, mimeType, dialects, read })";
const TEMPLATE_SHAPE =
  "export default defineResourceTemplate({ name, uriTemplate, title, description, mimeType, dialects, read })";
const PROMPT_SHAPE = "export default definePrompt({ name, title, description, arguments, dialects, get })";

function resource(change: Record<string, unknown> = {}) {
  return withChange(
    defineResource({
      name: "base_demo",
      uri: "tdmcp://demo",
      title: "Demo",
      description: "A demo resource.",
      mimeType: "text/plain",
      dialects: ["sqlite"],
      read: () => Promise.resolve([]),
    }),
    change,
  );
}

function template(change: Record<string, unknown> = {}) {
  return withChange(
    defineResourceTemplate({
      name: "base_demo",
      uriTemplate: "schema://{database}/{table}",
      title: "Demo",
      description: "A demo template.",
      mimeType: "application/json",
      dialects: ["sqlite"],
      read: () => Promise.resolve([]),
    }),
    change,
  );
}

function prompt(change: Record<string, unknown> = {}) {
  return withChange(
    definePrompt({
      name: "base_demo",
      title: "Demo",
      description: "A demo prompt.",
      arguments: { table: z.string().describe("The table") },
      dialects: ["sqlite"],
      get: () => [],
    }),
    change,
  );
}

Deno.test("validateDefinition: a resource has a URI, a MIME type, read(), and watch() only as a function", () => {
  const good = resource({ watch: () => {} });
  assert.equal(validateDefinition(good, FILE), good);
  rejects(resource({ uri: "not a uri" }), `'uri' "not a uri" is not a URI`, RESOURCE_SHAPE);
  rejects(resource({ uri: "" }), "'uri' must be a non-empty string", RESOURCE_SHAPE);
  rejects(resource({ mimeType: undefined }), "'mimeType' must be a non-empty string", RESOURCE_SHAPE);
  rejects(resource({ read: undefined }), "'read' must be a function", RESOURCE_SHAPE);
  rejects(resource({ watch: true }), "'watch' must be a function when given", RESOURCE_SHAPE);
  rejects(resource({ name: "other" }), `'name' is "other" but must equal the file stem "base_demo"`, RESOURCE_SHAPE);
});

Deno.test("validateDefinition: a resource template has a {variable}, and list/complete only as functions", () => {
  const good = template({ list: () => Promise.resolve({ resources: [] }), complete: { table: () => [] } });
  assert.equal(validateDefinition(good, FILE), good);
  rejects(
    template({ uriTemplate: "schema://fixed" }),
    `'uriTemplate' "schema://fixed" has no {variable}`,
    TEMPLATE_SHAPE,
  );
  rejects(template({ uriTemplate: "schema://{}" }), `'uriTemplate' "schema://{}" has no {variable}`, TEMPLATE_SHAPE);
  rejects(template({ list: [] }), "'list' must be a function when given", TEMPLATE_SHAPE);
  rejects(template({ complete: "table" }), "'complete' must map names to functions", TEMPLATE_SHAPE);
  rejects(template({ complete: { table: ["a"] } }), "'complete.table' must be a function", TEMPLATE_SHAPE);
});

Deno.test("validateDefinition: a prompt has described zod arguments, get(), and function completions", () => {
  const good = prompt({ complete: { table: () => ["orders"] } });
  assert.equal(validateDefinition(good, FILE), good);
  assert.equal(validateDefinition(prompt({ arguments: {} }), FILE).name, "base_demo", "no arguments is fine");
  rejects(
    prompt({ arguments: { table: z.string() } }),
    "'arguments.table' has no .describe(...) text for the agent",
    PROMPT_SHAPE,
  );
  rejects(prompt({ arguments: undefined }), "'arguments' must be an object of zod schemas", PROMPT_SHAPE);
  rejects(prompt({ get: undefined }), "'get' must be a function", PROMPT_SHAPE);
  rejects(prompt({ complete: { table: null } }), "'complete.table' must be a function", PROMPT_SHAPE);
});
