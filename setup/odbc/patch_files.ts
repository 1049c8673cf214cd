/**
 * Source patches for installed npm packages, applied by `deno task setup`.
 * Each patched file keeps its pristine text beside it (`<file>.orig`) and is
 * always patched from that, so a changed patch never stacks on an older one;
 * the patched file replaces the original by rename, because Deno hard-links
 * package files to its cache and an in-place write would patch the cache too.
 * @module
 */

/** One replacement: `original` must occur exactly once in the pristine text. */
export interface Patch {
  original: string;
  patched: string;
}

/** Marks text changed by a tdmcp patch (every patched text contains it). */
export const PATCH_MARK = "tdmcp patch";

/** Replaces `original` with `patched` once; throws when it is missing or repeated (another package version). */
export function applyOnce(text: string, patch: Patch, file: string): string {
  if (text.includes(patch.patched)) return text;
  const at = text.indexOf(patch.original);
  if (at < 0 || text.indexOf(patch.original, at + 1) >= 0) {
    throw new Error(`${file} does not contain the code these patches were written for; update them`);
  }
  return text.replace(patch.original, patch.patched);
}

/** Patches `path` from its pristine text with `patches`, then `extra`; returns whether the file changed. */
export function patchFile(
  path: string,
  patches: readonly Patch[],
  extra?: (text: string, path: string) => string,
): boolean {
  const pristine = `${path}.orig`;
  let text: string;
  try {
    text = Deno.readTextFileSync(pristine);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    text = Deno.readTextFileSync(path);
    if (text.includes(PATCH_MARK)) {
      throw new Error(
        `${path} was patched in place by an older tdmcp and its pristine text is gone: ` +
          "run `deno clean`, then `deno task setup` again",
      );
    }
    writeByRename(pristine, text);
  }
  for (const patch of patches) text = applyOnce(text, patch, path);
  if (extra) text = extra(text, path);
  if (Deno.readTextFileSync(path) === text) return false;
  writeByRename(path, text);
  return true;
}

/** Writes a new file and renames it over `path`, leaving other hard links to the old file untouched. */
function writeByRename(path: string, text: string): void {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  Deno.writeTextFileSync(temporary, text);
  Deno.renameSync(temporary, path);
}
