import assert from "node:assert/strict";
import { applySeries, PATCH_MARK, readPatches } from "../../setup/patch_files.ts";
import { markerName, ODBC_VERSION, odbcRoot, PATCHES_DIR, patchSources } from "../../setup/odbc/patch_odbc.ts";
import { parsePatch } from "../../setup/unified_diff.ts";

const PATCHES = readPatches(PATCHES_DIR);
const FILES = [
  "lib/Connection.js",
  "src/odbc.cpp",
  "src/odbc.h",
  "src/odbc_connection.cpp",
  "src/odbc_connection.h",
  "src/odbc_cursor.cpp",
];

/** A copy of the package's pristine sources (the `.orig` files) and package.json in a temporary folder. */
async function pristineCopy(): Promise<string> {
  const root = odbcRoot();
  const copy = await Deno.makeTempDir({ prefix: "tdmcp-odbc-src-" });
  await Deno.mkdir(`${copy}/src`);
  await Deno.mkdir(`${copy}/lib`);
  for (const file of FILES) await Deno.copyFile(`${root}${file}.orig`, `${copy}/${file}`);
  await Deno.copyFile(`${root}package.json`, `${copy}/package.json`);
  return `${copy}/`;
}

Deno.test("the addon patches are 01-… to 12-…, each one described change to the package's files", () => {
  assert.deepEqual(
    PATCHES.map((p) => p.name.slice(0, 3)),
    ["01-", "02-", "03-", "04-", "05-", "06-", "07-", "08-", "09-", "10-", "11-", "12-"],
  );
  for (const patch of PATCHES) {
    const description = patch.text.slice(0, patch.text.indexOf("\n--- a/")).trim();
    assert.match(description, new RegExp(`^tdmcp patch ${patch.name.slice(0, 2)} to npm:odbc ${ODBC_VERSION}`));
    assert.ok(description.split("\n").length >= 3, `${patch.name} says what it changes and why`);
    for (const file of parsePatch(patch.text, patch.name)) assert.ok(FILES.includes(file.path), file.path);
  }
});

Deno.test("every addon patch applies cleanly, in order, to the pristine sources and reproduces the installed patched sources", async () => {
  const root = odbcRoot();
  const texts = applySeries(PATCHES, (path) => Deno.readTextFileSync(`${root}${path}.orig`));
  assert.deepEqual([...texts.keys()].sort(), FILES);
  for (const [path, text] of texts) {
    assert.ok(text.includes(PATCH_MARK), path);
    assert.equal(text, await Deno.readTextFile(`${root}${path}`), `${path} differs from what the patches make`);
  }
});

Deno.test("the installed addon was built with this patch series (deno task setup left its marker)", async () => {
  const root = odbcRoot();
  await Deno.stat(`${root}lib/bindings/napi-v8/odbc.node`);
  await Deno.stat(`${root}${await markerName(PATCHES)}`);
});

Deno.test("patchSources patches a pristine copy once, and a second run changes nothing", async () => {
  const copy = await pristineCopy();
  try {
    assert.deepEqual(patchSources(copy).sort(), FILES);
    for (const file of FILES) {
      assert.equal(await Deno.readTextFile(`${copy}${file}`), await Deno.readTextFile(`${odbcRoot()}${file}`));
    }
    assert.deepEqual(patchSources(copy), []);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("the addon patches refuse sources they were not written for, naming the patch, hunk and file", async () => {
  const copy = await pristineCopy();
  try {
    const path = `${copy}src/odbc_connection.cpp`;
    await Deno.writeTextFile(
      `${path}.orig`,
      (await Deno.readTextFile(path)).replace("// TODO: here", "// changed upstream"),
    );
    assert.throws(
      () => patchSources(copy),
      /^Error: 07-cell-budgets\.patch: hunk '@@ -\d+,\d+ \+\d+,\d+ @@' of src\/odbc_connection\.cpp does not apply at line \d+/,
    );
    const manifest = JSON.parse(await Deno.readTextFile(`${copy}package.json`));
    await Deno.writeTextFile(`${copy}package.json`, JSON.stringify({ ...manifest, version: "2.7.0" }));
    assert.throws(
      () => patchSources(copy),
      /holds odbc 2\.7\.0, but setup\/odbc\/patches\/ were written for odbc 2\.6\.0/,
    );
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
