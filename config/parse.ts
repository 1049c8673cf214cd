/**
 * The one configuration parser: flag > environment > default, read row by
 * row from the options table and validated at start with messages that say
 * what to fix. Pure: no environment or argv access of its own.
 * @module
 */
import { parseArgs } from "node:util";
import { type Config, OPTIONS } from "./options.ts";
import { GROUPS, type OptionSpec } from "./types.ts";

export type { Config } from "./options.ts";

/** The environment as the parser sees it (`Deno.env.toObject()`, or the variables `ENV_NAMES` lists). */
export type Env = Record<string, string | undefined>;

/** The raw input of one parse: the parsed flags and the environment. */
interface Input {
  flags: Record<string, string | boolean | (string | boolean)[] | undefined>;
  env: Env;
}

/** How the messages name an option: its variable, else its flag. */
export function optionLabel(option: OptionSpec): string {
  return option.env ?? `--${option.flag}`;
}

/**
 * Parses configuration from environment variables and command-line flags into typed groups.
 * Pure: pass `Deno.env.toObject()` and `Deno.args`.
 *
 * @example
 * ```ts
 * parseConfig({ MCP_PORT: "9000" }, ["--port", "9001"]).http.port; // 9001
 * ```
 */
export function parseConfig(env: Env, args: readonly string[]): Config {
  const table: readonly OptionSpec[] = OPTIONS;
  const input = { flags: parseFlags(args, table), env };
  const values = new Map<OptionSpec, unknown>();
  for (const option of table) values.set(option, readOption(option, input));
  for (const option of table) {
    if (option.atLeast !== undefined) applyAtLeast(option, table, values, input);
  }
  const groups: Record<string, Record<string, unknown>> = Object.fromEntries(GROUPS.map((group) => [group, {}]));
  for (const [option, value] of values) {
    const delivered = option.type === "seconds" ? (value as number) * 1000 : value;
    if (option.enables !== undefined) {
      const [group, field] = option.enables.split(".", 2);
      groups[group][field] = value !== option.default;
    }
    for (const target of [option.to].flat()) {
      const [group, field] = target.split(".", 2);
      groups[group][field] = Array.isArray(delivered) ? [...delivered] : delivered;
    }
  }
  // The one cast: the groups were filled from the same table their type is derived from.
  return groups as unknown as Config;
}

/** Reads the flags the table knows; an unknown flag stops the server. */
function parseFlags(args: readonly string[], table: readonly OptionSpec[]): Input["flags"] {
  const options = Object.fromEntries(
    table.flatMap((option) =>
      option.flag === null ? [] : [[option.flag, {
        type: option.type === "boolean" ? "boolean" as const : "string" as const,
        multiple: option.type === "paths",
      }]]
    ),
  );
  // A flag that stands for a word when given alone (`--allow-write`) is read as if written `--allow-write=true`.
  const bare = new Map(
    table.flatMap((option) => option.flag && option.bare ? [[`--${option.flag}`, option.bare]] : []),
  );
  const spelled = args.map((arg) => bare.has(arg) ? `${arg}=${bare.get(arg)}` : arg);
  try {
    return parseArgs({ args: spelled, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new TypeError(`Cannot start server: ${(error as Error).message}; run with --help for the flags`);
  }
}

/** The option's text: the flag's as given, else the variable's trimmed (empty counts as unset). */
function rawText(option: OptionSpec, { flags, env }: Input): string | undefined {
  const flag = option.flag === null ? undefined : flags[option.flag];
  if (typeof flag === "string") return flag;
  const value = option.env === null ? undefined : env[option.env];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Reads and validates one option (seconds stay seconds here). */
function readOption(option: OptionSpec, input: Input): unknown {
  const text = rawText(option, input);
  switch (option.type) {
    case "boolean": {
      if (option.flag !== null && input.flags[option.flag] === true) return true;
      return text === undefined ? option.default : /^(1|true|yes|on)$/i.test(text);
    }
    case "integer":
    case "seconds":
      return text === undefined ? option.default : integer(option, text);
    case "choice":
      return text === undefined ? option.default : choice(option, text);
    case "list":
      return text === undefined ? option.default : text.split(",").map((item) => item.trim()).filter(Boolean);
    case "paths": {
      const repeated = option.flag === null ? undefined : input.flags[option.flag];
      if (Array.isArray(repeated) && repeated.length > 0) return repeated;
      const listed = option.env === null ? undefined : input.env[option.env];
      return (listed ?? "").split(/[:;]/).map((dir) => dir.trim()).filter(Boolean);
    }
    case "string": {
      if (text !== undefined && option.startsWith !== undefined && !text.startsWith(option.startsWith)) {
        throw new TypeError(
          `Cannot start server as '${
            optionLabel(option)
          }' must start with "${option.startsWith}": current value is "${text}"`,
        );
      }
      return text ?? option.default;
    }
  }
}

/** A whole number within the option's range. */
function integer(option: OptionSpec, text: string): number {
  const value = Number(text);
  const min = option.min ?? 0;
  const max = option.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(
      `Cannot start server as '${
        optionLabel(option)
      }' must be an integer from ${min} to ${max}: current value is "${text}"`,
    );
  }
  return value;
}

/** One of the option's words, in any case. */
function choice(option: OptionSpec, text: string): string {
  const choices = option.choices ?? {};
  const value = Object.hasOwn(choices, text.toLowerCase()) ? choices[text.toLowerCase()] : undefined;
  if (value === undefined) {
    throw new TypeError(
      `Cannot start server as '${optionLabel(option)}' must be one of ${
        Object.keys(choices).join(", ")
      }: current value is "${text}"`,
    );
  }
  return value;
}

/** A maximum not set rises to the value it bounds; one set below it stops the server. */
function applyAtLeast(
  option: OptionSpec,
  table: readonly OptionSpec[],
  values: Map<OptionSpec, unknown>,
  input: Input,
): void {
  const lower = table.find((other) => other.env === option.atLeast);
  if (lower === undefined) {
    throw new TypeError(`options table: ${optionLabel(option)} names no option ${option.atLeast}`);
  }
  const bound = values.get(lower) as number;
  const value = values.get(option) as number;
  if (rawText(option, input) === undefined) {
    values.set(option, Math.max(value, bound));
  } else if (bound > value) {
    throw new TypeError(
      `Cannot start server as '${optionLabel(lower)}' must not exceed '${
        optionLabel(option)
      }' (${value}): current value is "${bound}"`,
    );
  }
}
