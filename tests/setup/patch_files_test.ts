import assert from "node:assert/strict";
import { patchFile } from "../../setup/odbc/patch_files.ts";

Deno.test("patchFile patches from the pristine text, keeps it as .orig, and leaves hard links (Deno's cache) untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/a.js`;
    const cache = `${dir}/cache.js`;
    await Deno.writeTextFile(cache, "one\ntwo\nthree\n");
    await Deno.link(cache, file);
    const v1 = [{ original: "two\n", patched: "// tdmcp patch\nTWO\n" }];
    assert.equal(patchFile(file, v1), true);
    assert.equal(await Deno.readTextFile(file), "one\n// tdmcp patch\nTWO\nthree\n");
    assert.equal(await Deno.readTextFile(cache), "one\ntwo\nthree\n");
    assert.equal(await Deno.readTextFile(`${file}.orig`), "one\ntwo\nthree\n");
    assert.equal(patchFile(file, v1), false); // idempotent
    // A changed patch starts again from the pristine text instead of stacking on the old one.
    const v2 = [{ original: "two\n", patched: "// tdmcp patch\n2\n" }];
    assert.equal(patchFile(file, v2), true);
    assert.equal(await Deno.readTextFile(file), "one\n// tdmcp patch\n2\nthree\n");
    // Code the patch was not written for is refused by name.
    assert.throws(() => patchFile(file, [{ original: "four\n", patched: "4\n" }]), /does not contain the code/);
    // A file patched in place by an older version, with no pristine copy, cannot be patched safely.
    await Deno.remove(`${file}.orig`);
    assert.throws(() => patchFile(file, v2), /deno clean/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
