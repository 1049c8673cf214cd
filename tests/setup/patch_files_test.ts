import assert from "node:assert/strict";
import { type PatchFile, patchPackage } from "../../setup/patch_files.ts";

function patch(name: string, from: string, to: string): PatchFile {
  return { name, text: `--- a/a.js\n+++ b/a.js\n@@ -1,3 +1,4 @@\n one\n-${from}\n+// tdmcp patch\n+${to}\n three\n` };
}

Deno.test("patchPackage patches from the pristine text, keeps it as .orig, and leaves hard links (Deno's cache) untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/a.js`;
    const cache = `${dir}/cache.js`;
    await Deno.writeTextFile(cache, "one\ntwo\nthree\n");
    await Deno.link(cache, file);
    const v1 = [patch("01-two.patch", "two", "TWO")];
    assert.deepEqual(patchPackage(`${dir}/`, v1), ["a.js"]);
    assert.equal(await Deno.readTextFile(file), "one\n// tdmcp patch\nTWO\nthree\n");
    assert.equal(await Deno.readTextFile(cache), "one\ntwo\nthree\n");
    assert.equal(await Deno.readTextFile(`${file}.orig`), "one\ntwo\nthree\n");
    assert.deepEqual(patchPackage(`${dir}/`, v1), []); // idempotent
    // A changed series starts again from the pristine text instead of stacking on the old one.
    assert.deepEqual(patchPackage(`${dir}/`, [patch("01-two.patch", "two", "2")]), ["a.js"]);
    assert.equal(await Deno.readTextFile(file), "one\n// tdmcp patch\n2\nthree\n");
    // Code the patch was not written for is refused by patch, hunk and file.
    assert.throws(
      () => patchPackage(`${dir}/`, [patch("01-four.patch", "four", "4")]),
      /01-four\.patch: hunk .* of a\.js/,
    );
    // A file patched in place by an older version, with no pristine copy, cannot be patched safely.
    await Deno.remove(`${file}.orig`);
    assert.throws(() => patchPackage(`${dir}/`, v1), /deno clean/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("patches of a series apply in order, each to the result of the ones before", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.js`, "one\ntwo\nthree\n");
    const second: PatchFile = {
      name: "02-more.patch",
      text: "--- a/a.js\n+++ b/a.js\n@@ -3,2 +3,3 @@\n TWO\n+more\n three\n",
    };
    assert.deepEqual(patchPackage(`${dir}/`, [patch("01-two.patch", "two", "TWO"), second]), ["a.js"]);
    assert.equal(await Deno.readTextFile(`${dir}/a.js`), "one\n// tdmcp patch\nTWO\nmore\nthree\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
