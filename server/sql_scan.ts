/**
 * The small SQL scanner behind SQL-file tools: finds `:name` parameters
 * outside literals, quoted names and comments, and checks that the text is
 * exactly one statement. Deliberately independent of connection/'s tokenizer
 * (server/ imports connection types only); the read-only guard still
 * classifies the rewritten text at call time.
 * @module
 */

/** Throws a TypeError for a problem on a line (the caller adds the file). */
export type Fail = (line: number, problem: string) => never;

/** The rewritten statement and each `:name` it uses, in order. */
export interface ScannedStatement {
  sql: string;
  uses: { name: string; line: number }[];
}

/**
 * Rewrites `:name` to `?` outside string literals ('…', E'…', $tag$…$tag$),
 * quoted identifiers ("…", `…`), comments and `::` casts; refuses a bare `?`,
 * a second statement and an empty one. `firstLine` numbers the text's lines.
 */
export function scanStatement(text: string, firstLine: number, fail: Fail): ScannedStatement {
  const uses: ScannedStatement["uses"] = [];
  let out = "";
  let line = firstLine;
  let code = false; // anything but whitespace, comments and `;` seen
  let ended = -1; // line of the `;` that ended the statement
  const until = (i: number, end: number) => {
    const part = text.slice(i, end);
    for (const ch of part) if (ch === "\n") line++;
    out += part;
    return end;
  };
  for (let i = 0; i < text.length;) {
    const ch = text[i];
    const rest = text.slice(i, i + 2);
    if (/\s/.test(ch)) {
      i = until(i, i + 1);
      continue;
    }
    if (rest === "--") {
      const end = text.indexOf("\n", i);
      i = until(i, end < 0 ? text.length : end);
      continue;
    }
    if (rest === "/*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) fail(line, "a /* comment is never closed");
      i = until(i, end + 2);
      continue;
    }
    if (ended >= 0) fail(line, `more than one statement: the statement ended with ';' on line ${ended}`);
    if (ch === ";") {
      if (!code) fail(line, "the statement before ';' is empty");
      ended = line;
      i = until(i, i + 1);
      continue;
    }
    code = true;
    if (ch === "'" || ch === '"' || ch === "`") {
      const backslash = ch === "'" && /(^|[^A-Za-z0-9_$])[Ee]$/.test(text.slice(Math.max(0, i - 2), i));
      i = until(i, closeQuote(text, i, ch, backslash, () => fail(line, `a ${ch} quote is never closed`)));
    } else if (ch === "$" && !/[A-Za-z0-9_]/.test(text[i - 1] ?? "")) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))?.[0];
      const end = tag === undefined ? -1 : text.indexOf(tag, i + tag.length);
      if (tag !== undefined && end < 0) fail(line, `a ${tag} quote is never closed`);
      i = until(i, tag === undefined ? i + 1 : end + tag.length);
    } else if (rest === "::") {
      i = until(i, i + 2);
    } else if (ch === ":" && /[A-Za-z_]/.test(text[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))![0];
      uses.push({ name, line });
      out += "?";
      i += 1 + name.length;
    } else if (ch === "?") {
      fail(line, "a bare '?' is a positional parameter marker; name parameters like :region and declare them");
    } else {
      const word = /^[A-Za-z0-9_]+/.exec(text.slice(i))?.[0] ?? ch;
      i = until(i, i + word.length);
    }
  }
  if (!code) fail(firstLine, "the file has no SQL statement after its header");
  // The Database ends a final line comment with a newline itself (psqlODBC needs it).
  return { sql: out.trim(), uses };
}

/** The index just past the quote opened at `start` (doubled quotes escape; backslashes too in E'…'). */
function closeQuote(text: string, start: number, quote: string, backslash: boolean, unclosed: () => never): number {
  for (let i = start + 1; i < text.length; i++) {
    if (backslash && text[i] === "\\") i++;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return unclosed();
}
