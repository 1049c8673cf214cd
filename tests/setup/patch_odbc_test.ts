import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { patchSources } from "../../setup/odbc/patch_odbc.ts";

/** The installed odbc package's folder, whose `*.orig` files hold the pristine sources. */
function packageRoot(): string {
  const require = createRequire(import.meta.url);
  return Deno.realPathSync(require.resolve("odbc/package.json")).slice(0, -"package.json".length);
}

const FILES = [
  "src/odbc.h",
  "src/odbc.cpp",
  "src/odbc_connection.cpp",
  "src/odbc_connection.h",
  "src/odbc_cursor.cpp",
  "lib/Connection.js",
];

Deno.test("every addon patch applies to the pristine odbc 2.6.0 sources, once, and a second run changes nothing", async () => {
  const root = packageRoot();
  const copy = await Deno.makeTempDir({ prefix: "tdmcp-odbc-src-" });
  try {
    await Deno.mkdir(`${copy}/src`);
    await Deno.mkdir(`${copy}/lib`);
    for (const file of FILES) await Deno.copyFile(`${root}${file}.orig`, `${copy}/${file}`);
    patchSources(`${copy}/`);
    const patched = Object.fromEntries(
      await Promise.all(FILES.map(async (f) => [f, await Deno.readTextFile(`${copy}/${f}`)])),
    );
    for (const file of FILES) assert.match(patched[file], /tdmcp patch/, file);
    const connection = patched["src/odbc_connection.cpp"];
    assert.equal(connection.split("tdmcp_copy_bound(").length - 1, 2, "defined once, called once");
    assert.equal(connection.split("tdmcp_get_data(").length - 1, 3, "defined once, called for long data and re-reads");
    assert.ok(!connection.includes("strlen((const char*)memory_start)"), "no bound text measured with strlen");
    patchSources(`${copy}/`);
    for (const file of FILES) assert.equal(await Deno.readTextFile(`${copy}/${file}`), patched[file], file);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("the addon patches refuse sources they were not written for", async () => {
  const root = packageRoot();
  const copy = await Deno.makeTempDir({ prefix: "tdmcp-odbc-src-" });
  try {
    await Deno.mkdir(`${copy}/src`);
    await Deno.mkdir(`${copy}/lib`);
    for (const file of FILES) await Deno.copyFile(`${root}${file}.orig`, `${copy}/${file}`);
    const text = await Deno.readTextFile(`${copy}/src/odbc_connection.cpp`);
    await Deno.writeTextFile(`${copy}/src/odbc_connection.cpp`, text.replace("// TODO: here", "// changed upstream"));
    assert.throws(() => patchSources(`${copy}/`), /does not contain the code these patches were written for/);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
