/**
 * What is written from the options table: the `--help` text, the
 * `--allow-env` list, and the markdown tables of README.md and
 * docs/configuration.md.
 * @module
 */
import { OPTIONS } from "./options.ts";
import type { OptionSpec } from "./types.ts";

/** The `--help` text: every flag with its default and variable, then the variables that have no flag. */
export function helpText(table: readonly OptionSpec[] = OPTIONS): string {
  const width = Math.max(
    ...table.map((option) => option.flag === null ? (option.env ?? "").length : option.flag.length + 2),
  );
  const line = (name: string, option: OptionSpec) => {
    const shown = defaultText(option);
    const fallback = shown === null ? "" : ` (default: ${shown.replaceAll("`", "")})`;
    return `  ${name.padEnd(width)}  ${option.help}${fallback}${option.env && option.flag ? ` [${option.env}]` : ""}`;
  };
  const flags = table.flatMap((option) => option.flag === null ? [] : [line(`--${option.flag}`, option)]);
  const envOnly = table.flatMap((option) => option.flag === null && option.env ? [line(option.env, option)] : []);
  return "tdmcp — an MCP server for Teradata and any ODBC database\n\nUsage: deno task start [flags]\n\n" +
    `${flags.join("\n")}\n` +
    (envOnly.length > 0 ? `\nEnvironment variables without a flag:\n${envOnly.join("\n")}\n` : "");
}

/** The `--allow-env=` value of every runtime task: the variables of the table, in table order. */
export function envList(table: readonly OptionSpec[] = OPTIONS): string {
  return table.flatMap((option) => option.env === null ? [] : [option.env]).join(",");
}

/** The default as people read it (markdown), or null when there is nothing to say (off, unset, empty). */
export function defaultText(option: OptionSpec): string | null {
  if (option.shown !== undefined) return option.shown;
  const value = option.default;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `\`${value}\``;
  return null;
}

/** What an option accepts, for docs/configuration.md. */
export function acceptsText(option: OptionSpec): string {
  switch (option.type) {
    case "integer":
      return `${option.min}–${option.max}`;
    case "seconds":
      return `${option.min}–${option.max} seconds`;
    case "choice":
      return Object.keys(option.choices ?? {}).map((word) => `\`${word}\``).join(", ");
    case "boolean":
      return option.env ? "switch (`1`, `true`, `yes`, `on`)" : "switch";
    case "list":
      return "comma-separated list";
    case "paths":
      return "`:`-separated paths";
    case "string":
      return option.startsWith ? `text starting with \`${option.startsWith}\`` : "text";
  }
}

/** A row's cells for the README's short table: the `--help` line's words. */
function readmeRow(option: OptionSpec): string[] {
  return [
    option.env ? `\`${option.env}\`` : "—",
    option.flag ? `\`--${option.flag}\`` : "—",
    defaultText(option) ?? (option.type === "boolean" ? "off" : "none"),
    option.help,
  ];
}

/** A row's cells for docs/configuration.md: the full meaning, what it accepts, where the value goes. */
function docsRow(option: OptionSpec): string[] {
  const [variable, flag, fallback] = readmeRow(option);
  const groups = [option.to, option.enables ?? []].flat().map((target) => `\`${target}\``).join(", ");
  return [variable, flag, fallback, acceptsText(option), groups, option.doc ?? option.help];
}

/** The header cells of README's short table. */
export const README_COLUMNS = ["variable", "flag", "default", "meaning"] as const;
/** The header cells of docs/configuration.md's table. */
export const DOCS_COLUMNS = ["variable", "flag", "default", "accepts", "goes to", "meaning"] as const;

/** The markdown between README's options markers: the options marked `readme` (docs/configuration.md has all). */
export function readmeBlock(table: readonly OptionSpec[] = OPTIONS): string {
  return markdownTable(README_COLUMNS, table.filter((option) => option.readme && option.env).map(readmeRow));
}

/** The markdown between docs/configuration.md's options markers: every option. */
export function docsBlock(table: readonly OptionSpec[] = OPTIONS): string {
  return markdownTable(DOCS_COLUMNS, table.map(docsRow));
}

/** A markdown table padded the way `deno fmt` pads it. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const escaped = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((_, column) => Math.max(3, ...escaped.map((row) => [...row[column]].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + " ".repeat(widths[column] - [...cell].length)).join(" | ")} |`;
  const [head, ...body] = escaped;
  return [line(head), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

/** The marker lines around a generated block in a markdown file. */
export const MARKERS = { begin: "<!-- options:begin -->", end: "<!-- options:end -->" } as const;

/** The text of a generated block in a markdown file, or null when its markers are missing. */
export function markedBlock(text: string): string | null {
  const begin = text.indexOf(MARKERS.begin);
  const end = text.indexOf(MARKERS.end);
  if (begin < 0 || end < begin) return null;
  return text.slice(begin + MARKERS.begin.length, end).trim();
}

/** `text` with its generated block replaced (the markers must be there). */
export function replaceBlock(text: string, block: string, file: string): string {
  const begin = text.indexOf(MARKERS.begin);
  const end = text.indexOf(MARKERS.end);
  if (begin < 0 || end < begin) {
    throw new Error(`${file} has no '${MARKERS.begin}' ... '${MARKERS.end}' markers for the options table`);
  }
  return `${text.slice(0, begin + MARKERS.begin.length)}\n\n${block}\n\n${text.slice(end)}`;
}
