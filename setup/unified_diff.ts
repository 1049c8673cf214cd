/**
 * A small, dependency-free reader and applier of unified diffs (the format
 * of `diff -u` and `git diff`), for the patches `deno task setup` applies to
 * installed npm packages. It is strict on purpose: every hunk must match its
 * context exactly at the line its header names, with no fuzz and no search,
 * so a patch written for one version of a package never lands in another
 * version's code by accident.
 * @module
 */

/** One line of a hunk: context (` `), removed (`-`) or added (`+`), with its line terminator (if any). */
export interface HunkLine {
  kind: " " | "-" | "+";
  text: string;
}

/** One `@@ -a,b +c,d @@` block of a unified diff. */
export interface Hunk {
  /** The header line as written, for error messages. */
  header: string;
  /** First line of the hunk in the file before (1-based; for an insertion into an empty range, the line before it). */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: HunkLine[];
}

/** The hunks of one file in a patch. */
export interface FilePatch {
  /** Path relative to the package root, without the `a/` or `b/` prefix. */
  path: string;
  hunks: Hunk[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses a unified diff; `name` (the patch file) appears in every error. Text before the first `---` line is ignored. */
export function parsePatch(text: string, name: string): FilePatch[] {
  const lines = text.split("\n");
  const files: FilePatch[] = [];
  let at = 0;
  while (at < lines.length) {
    if (!lines[at].startsWith("--- ") || !lines[at + 1]?.startsWith("+++ ")) {
      at++;
      continue;
    }
    const file = { path: filePath(lines[at], lines[at + 1], name), hunks: [] as Hunk[] };
    files.push(file);
    at += 2;
    while (at < lines.length && lines[at].startsWith("@@")) {
      const hunk = parseHunk(lines, at, `${name} (${file.path})`);
      file.hunks.push(hunk.hunk);
      at = hunk.next;
    }
    if (file.hunks.length === 0) throw new SyntaxError(`${name}: ${file.path} has no hunks`);
  }
  if (files.length === 0) throw new SyntaxError(`${name} is not a unified diff: it has no '--- a/<file>' line`);
  return files;
}

function filePath(before: string, after: string, name: string): string {
  const old = before.slice(4).split("\t")[0];
  const path = after.slice(4).split("\t")[0];
  if (old === "/dev/null" || path === "/dev/null") {
    throw new SyntaxError(`${name}: creating or deleting a file is not supported (${old} -> ${path})`);
  }
  const relative = path.replace(/^b\//, "");
  if (relative.startsWith("/") || relative.split("/").includes("..")) {
    throw new SyntaxError(`${name}: the path '${path}' must stay inside the package`);
  }
  return relative;
}

function parseHunk(lines: string[], at: number, where: string): { hunk: Hunk; next: number } {
  const header = lines[at];
  const match = HUNK_HEADER.exec(header);
  if (!match) throw new SyntaxError(`${where}: malformed hunk header '${header}'`);
  const hunk: Hunk = {
    header,
    oldStart: Number(match[1]),
    oldLines: match[2] === undefined ? 1 : Number(match[2]),
    newStart: Number(match[3]),
    newLines: match[4] === undefined ? 1 : Number(match[4]),
    lines: [],
  };
  let old = 0;
  let added = 0;
  let next = at + 1;
  while (old < hunk.oldLines || added < hunk.newLines || lines[next]?.startsWith("\\")) {
    if (next >= lines.length - 1 && !lines[next]) {
      throw new SyntaxError(`${where}: hunk '${header}' ends before its last line`);
    }
    const line = lines[next++];
    if (line.startsWith("\\")) {
      // "\ No newline at end of file": the line before has no terminator.
      const last = hunk.lines.at(-1);
      if (!last) throw new SyntaxError(`${where}: hunk '${header}' starts with '${line}'`);
      last.text = last.text.slice(0, -1);
      continue;
    }
    const kind = line[0];
    if (kind !== " " && kind !== "-" && kind !== "+") {
      throw new SyntaxError(
        `${where}: hunk '${header}' has a line that is not context, removal or addition: '${line}'`,
      );
    }
    hunk.lines.push({ kind, text: `${line.slice(1)}\n` });
    if (kind !== "+") old++;
    if (kind !== "-") added++;
  }
  if (old !== hunk.oldLines || added !== hunk.newLines) {
    throw new SyntaxError(`${where}: hunk '${header}' does not have the line counts its header names`);
  }
  return { hunk, next };
}

/** Splits text into lines that keep their `\n` (the last one may have none). */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.at(-1) === "" ? lines.slice(0, -1) : lines;
}

/**
 * Applies a file's hunks to its text, each exactly at the line its header
 * names (a line number of the text before the patch); when a hunk does not
 * match, throws naming the patch, the hunk, the file and the first line that
 * differs.
 */
export function applyFilePatch(text: string, file: FilePatch, name: string): string {
  const lines = splitLines(text);
  const out: string[] = [];
  let copied = 0;
  for (const hunk of file.hunks) {
    const where = `${name}: hunk '${hunk.header}' of ${file.path}`;
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (start < copied) throw new SyntaxError(`${where} overlaps the hunk before it`);
    const expected = hunk.lines.filter((line) => line.kind !== "+").map((line) => line.text);
    for (let k = 0; k < expected.length; k++) {
      const found = lines[start + k];
      if (found !== expected[k]) {
        throw new Error(
          `${where} does not apply at line ${start + k + 1}: expected ${JSON.stringify(expected[k])}, found ` +
            `${found === undefined ? "the end of the file" : JSON.stringify(found)}. The installed package is not ` +
            "the version this patch was written for, or the patch no longer matches the patches before it",
        );
      }
    }
    out.push(...lines.slice(copied, start));
    out.push(...hunk.lines.filter((line) => line.kind !== "-").map((line) => line.text));
    copied = start + expected.length;
  }
  out.push(...lines.slice(copied));
  return out.join("");
}
