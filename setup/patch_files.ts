/**
 * Applies a series of `.patch` files (unified diffs, see unified_diff.ts) to
 * an installed npm package, for `deno task setup`. Each patched file keeps
 * its pristine text beside it (`<file>.orig`) and is always patched from
 * that, so a changed series never stacks on an older one; the patched file
 * replaces the original by rename, because Deno hard-links package files to
 * its cache and an in-place write would patch the cache too.
 * @module
 */
import { applyFilePatch, parsePatch } from "./unified_diff.ts";

/** One patch file of a series: its file name and its text. */
export interface PatchFile {
  name: string;
  text: string;
}

/** Marks text changed by a tdmcp patch (every patched file contains it). */
export const PATCH_MARK = "tdmcp patch";

/** Reads the `*.patch` files of `dir`, in file-name order (`01-…`, `02-…`). */
export function readPatches(dir: URL): PatchFile[] {
  const names = [...Deno.readDirSync(dir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".patch"))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) throw new Error(`${dir.pathname} holds no .patch files`);
  return names.map((name) => ({ name, text: Deno.readTextFileSync(new URL(name, dir)) }));
}

/** A short hex digest of a series (names and texts): it changes whenever any patch does. */
export async function seriesId(patches: readonly PatchFile[]): Promise<string> {
  const text = patches.map((patch) => `${patch.name}\0${patch.text}\0`).join("");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Applies the series in order to pristine texts (`read(path)` gives one, by
 * path relative to the package root) and returns every touched file's result.
 */
export function applySeries(
  patches: readonly PatchFile[],
  read: (path: string) => string,
): Map<string, string> {
  const texts = new Map<string, string>();
  for (const patch of patches) {
    for (const file of parsePatch(patch.text, patch.name)) {
      const text = texts.get(file.path) ?? read(file.path);
      texts.set(file.path, applyFilePatch(text, file, patch.name));
    }
  }
  return texts;
}

/** Reads a package file's pristine text: its `.orig` copy, made from the file itself on the first run. */
export function pristineText(path: string): string {
  try {
    return Deno.readTextFileSync(`${path}.orig`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const text = Deno.readTextFileSync(path);
  if (text.includes(PATCH_MARK)) {
    throw new Error(
      `${path} was patched in place by an older tdmcp and its pristine text is gone: ` +
        "run `deno clean`, then `deno task setup` again",
    );
  }
  writeByRename(`${path}.orig`, text);
  return text;
}

/** Patches the package under `root` (ending in `/`) from its pristine texts; returns the files that changed. */
export function patchPackage(root: string, patches: readonly PatchFile[]): string[] {
  const texts = applySeries(patches, (path) => pristineText(`${root}${path}`));
  const changed: string[] = [];
  for (const [path, text] of texts) {
    if (Deno.readTextFileSync(`${root}${path}`) === text) continue;
    writeByRename(`${root}${path}`, text);
    changed.push(path);
  }
  return changed;
}

/** Writes a new file and renames it over `path`, leaving other hard links to the old file untouched. */
function writeByRename(path: string, text: string): void {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  Deno.writeTextFileSync(temporary, text);
  Deno.renameSync(temporary, path);
}
