import assert from "node:assert/strict";
import { applyFilePatch, parsePatch } from "../../setup/unified_diff.ts";

/** A unified diff made by the system's `diff -u` (diffutils), the format the patch files are written in. */
async function diffU(before: string, after: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-diff-" });
  try {
    await Deno.writeTextFile(`${dir}/before`, before);
    await Deno.writeTextFile(`${dir}/after`, after);
    const { code, stdout } = await new Deno.Command("diff", {
      args: ["-u", "--label", "a/f.txt", "--label", "b/f.txt", `${dir}/before`, `${dir}/after`],
      stdout: "piped",
    }).output();
    assert.ok(code === 0 || code === 1, `diff exited with ${code}`);
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function apply(patch: string, text: string): string {
  const [file] = parsePatch(`header text is ignored\n\n${patch}`, "t.patch");
  assert.equal(file.path, "f.txt");
  return applyFilePatch(text, file, "t.patch");
}

const LINES = Array.from({ length: 40 }, (_, k) => `line ${k + 1}\n`);

Deno.test("a diff -u of edits at the start, middle and end applies back to exactly the edited text", async () => {
  const before = LINES.join("");
  const after = [
    "new first\n",
    ...LINES.slice(1, 18),
    "inserted\n",
    ...LINES.slice(18, 30),
    ...LINES.slice(32),
    "tail\n",
  ]
    .join("");
  assert.equal(apply(await diffU(before, after), before), after);
});

Deno.test("a file without a final newline, before or after, round-trips through '\\ No newline at end of file'", async () => {
  const before = LINES.slice(0, 5).join("") + "last";
  const after = LINES.slice(0, 4).join("") + "changed\nlast";
  assert.equal(apply(await diffU(before, after), before), after);
  const added = LINES.slice(0, 5).join("");
  assert.equal(apply(await diffU(before, added), before), added);
  assert.equal(apply(await diffU(added, before), added), before);
});

Deno.test("a hunk applies only where its header says: the same context one line lower is refused, naming the hunk", async () => {
  const before = LINES.join("");
  const patch = await diffU(before, before.replace("line 20\n", "twenty\n"));
  const shifted = `extra\n${before}`;
  assert.throws(
    () => apply(patch, shifted),
    (error: Error) => {
      assert.match(error.message, /^t\.patch: hunk '@@ -17,7 \+17,7 @@' of f\.txt does not apply at line 17/);
      assert.match(error.message, /expected "line 17\\n", found "line 16\\n"/);
      return true;
    },
  );
});

Deno.test("a hunk whose context changed by one character is refused (no fuzz)", async () => {
  const before = LINES.join("");
  const patch = await diffU(before, before.replace("line 20\n", "twenty\n"));
  assert.throws(
    () => apply(patch, before.replace("line 22\n", "line 22 \n")),
    /expected "line 22\\n", found "line 22 \\n"/,
  );
  assert.throws(() => apply(patch, LINES.slice(0, 19).join("")), /found the end of the file/);
});

Deno.test("malformed patches are refused with the patch's name", () => {
  assert.throws(() => parsePatch("no diff here\n", "x.patch"), /x\.patch is not a unified diff/);
  assert.throws(() => parsePatch("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n", "x.patch"), /ends before its last line/);
  assert.throws(() => parsePatch("--- a/f\n+++ b/f\n@@ -1 +1 @@\n*a\n", "x.patch"), /not context, removal or addition/);
  assert.throws(
    () => parsePatch("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n\n a\n", "x.patch"),
    /not context, removal or addition/,
  );
  assert.throws(() => parsePatch("--- a/../f\n+++ b/../f\n@@ -1 +1 @@\n-a\n+b\n", "x.patch"), /inside the package/);
  assert.throws(() => parsePatch("--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+a\n", "x.patch"), /not supported/);
});
