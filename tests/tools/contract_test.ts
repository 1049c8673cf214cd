import assert from "node:assert/strict";
import { listToolFiles, loadCatalog, loadTools } from "../../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../../server/paths.ts";

const OFFICIAL_BASE_TOOLS = [
  "base_columnDescription",
  "base_databaseList",
  "base_readQuery",
  "base_tableDDL",
  "base_tableList",
  "base_tablePreview",
];

Deno.test("every tool file default-exports a valid tool named after its file, with all four annotations", async () => {
  const files = await listToolFiles(BUILTIN_TOOLS_DIR);
  const loaded = await loadTools([BUILTIN_TOOLS_DIR]);
  // tools/ also holds resources and prompts: every file loads as one definition, and the tools are those of kind tool.
  const catalog = await loadCatalog([BUILTIN_TOOLS_DIR]);
  assert.equal(catalog.files.size, files.length);
  assert.equal(loaded.length, catalog.tools.length);
  const names = new Set<string>();
  for (const { tool, file } of loaded) {
    assert.equal(tool.name, file.replace(/^.*\//, "").replace(/\.ts$/, ""));
    assert.equal(
      names.has(tool.name),
      false,
      `duplicate tool name ${tool.name}`,
    );
    names.add(tool.name);
    assert.equal(tool.annotations.openWorldHint, false);
    for (
      const key of [
        "readOnlyHint",
        "destructiveHint",
        "idempotentHint",
      ] as const
    ) {
      assert.equal(
        typeof tool.annotations[key],
        "boolean",
        `${tool.name}.${key}`,
      );
    }
    assert.ok(
      tool.description.length > 80,
      `${tool.name} needs a description written for the agent`,
    );
  }
  for (const name of OFFICIAL_BASE_TOOLS) {
    assert.ok(names.has(name), `missing ${name}`);
  }
});

Deno.test("the loader skips lib folders and tests and sorts files deterministically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/b_group/lib`, { recursive: true });
    await Deno.writeTextFile(`${dir}/b_group/lib/helper.ts`, "throw new Error('helpers are not tools');");
    await Deno.writeTextFile(
      `${dir}/zz_tool_test.ts`,
      "throw new Error('tests are not tools');",
    );
    await Deno.writeTextFile(`${dir}/b_group/b_tool.ts`, toolSource("b_tool"));
    await Deno.writeTextFile(`${dir}/a_tool.ts`, toolSource("a_tool"));
    const loaded = await loadTools([dir]);
    assert.deepEqual(loaded.map((l) => l.tool.name), ["a_tool", "b_tool"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the loader names the bad file and the expected shape", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "wrong_name",
      toolSource("other_name"),
      /wrong_name\.ts: 'name' is "other_name" but must equal the file stem "wrong_name"; expected export default defineTool\(/,
    ],
    [
      "no_world",
      toolSource("no_world").replace("openWorldHint: false", ""),
      /no_world\.ts: 'annotations\.openWorldHint' must be written out/,
    ],
    ["no_default", "export const x = 1;", /no_default\.ts: it has no default export object/],
    [
      "bad_schema",
      toolSource("bad_schema").replace('z.string().describe("what to echo")', '"string"'),
      /bad_schema\.ts: 'inputSchema\.text' is not a zod schema/,
    ],
    [
      "undescribed",
      toolSource("undescribed").replace('.describe("what to echo")', ""),
      /undescribed\.ts: 'inputSchema\.text' has no \.describe/,
    ],
    [
      "bad_dialect",
      toolSource("bad_dialect").replace('["sqlite"]', '["oracle"]'),
      /bad_dialect\.ts: 'dialects' has "oracle"/,
    ],
  ];
  for (const [stem, source, expected] of cases) {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/${stem}.ts`, source);
      await assert.rejects(() => loadTools([dir]), expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("the loader rejects a tool name used twice across folders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/base_readQuery.ts`,
      toolSource("base_readQuery"),
    );
    await assert.rejects(
      () => loadTools([BUILTIN_TOOLS_DIR, dir]),
      /base_readQuery\.ts: the name "base_readQuery" is already used by .*tools\/base\/base_readQuery\.ts/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the loader reports a missing folder clearly", async () => {
  await assert.rejects(
    () => loadTools(["/no/such/tdmcp/folder"]),
    /Cannot load tools from "\/no\/such\/tdmcp\/folder": no such folder/,
  );
});

function toolSource(name: string): string {
  return `import { z } from "zod";
export default {
  name: "${name}",
  title: "A test tool",
  description: "Echoes its input.",
  inputSchema: { text: z.string().describe("what to echo") },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  dialects: ["sqlite"],
  async handler({ text }) { return { content: [{ type: "text", text }] }; },
};
`;
}
