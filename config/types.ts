/**
 * The shape of one configuration option and the typed groups the parser
 * builds, derived from the options table (config/options.ts) so that a new
 * row there is a new, typed field of its group.
 * @module
 */

/** The groups the parser builds; `main.ts` hands each one whole to the part of the server it configures. */
export const GROUPS = ["run", "database", "odbcinst", "demo", "limits", "catalog", "http", "logging"] as const;

/** A group's name. */
export type Group = (typeof GROUPS)[number];

/**
 * How an option's text is read: `string` as given (trimmed); `integer` a whole number within `min`..`max`;
 * `seconds` the same, delivered in milliseconds; `boolean` a flag without value or `1`/`true`/`yes`/`on`;
 * `choice` one of `choices` (any case); `list` comma-separated; `paths` a `:`- or `;`-separated list (the flag is
 * repeatable).
 */
export type OptionType = "string" | "integer" | "seconds" | "boolean" | "choice" | "list" | "paths";

/** One row of the options table. */
export interface OptionSpec {
  /** The environment variable, or null for a flag-only option (`--help`). */
  readonly env: string | null;
  /** The command-line flag without its `--`, or null for an environment-only option. */
  readonly flag: string | null;
  readonly type: OptionType;
  /** The value when neither flag nor variable is set (seconds for `seconds`; null/undefined: unset). */
  readonly default: string | number | boolean | null | undefined | readonly string[];
  /** Smallest accepted `integer`/`seconds` value. */
  readonly min?: number;
  /** Largest accepted `integer`/`seconds` value. */
  readonly max?: number;
  /** Accepted words (lower case) of a `choice` and the value each stands for. */
  readonly choices?: Readonly<Record<string, string>>;
  /** The word a `choice`'s flag given without a value stands for (`--allow-write` is `--allow-write=true`). */
  readonly bare?: string;
  /** A field that also receives whether the value differs from the default (a `choice` that switches something on). */
  readonly enables?: `${Group}.${string}`;
  /** The variable of an option that must not exceed this one; this one's default rises to it. */
  readonly atLeast?: string;
  /** A `string` must start with this text. */
  readonly startsWith?: string;
  /** Where the value goes: `group.field`, or several (one value, the names each consumer's options type uses). */
  readonly to: `${Group}.${string}` | readonly `${Group}.${string}`[];
  /** One line for `--help`. */
  readonly help: string;
  /** The meaning as README and docs/configuration.md state it (markdown); `help` when absent. */
  readonly doc?: string;
  /** The default as people read it (markdown), when the value alone does not say it well. */
  readonly shown?: string;
  /** Whether README's short table shows the option. */
  readonly readme?: boolean;
}

/** Where each value of an option goes. */
type Targets<S> = S extends { readonly to: infer T } ? (T extends readonly (infer X)[] ? X : T) : never;

/** The parsed value's type of an option. */
type ValueOf<S> = S extends { readonly type: "integer" | "seconds" } ? number
  : S extends { readonly type: "boolean" } ? boolean
  : S extends { readonly type: "list" | "paths" } ? string[]
  : S extends { readonly type: "choice"; readonly choices: infer C } ? C[keyof C]
  : S extends { readonly default: string } ? string
  : S extends { readonly default: null } ? string | null
  : string | undefined;

/** Every (group, field, value type) the options of a table fill. */
type Placements<S> = S extends unknown ?
    | (Targets<S> extends infer T ? T extends `${infer G}.${infer K}` ? { g: G; k: K; v: ValueOf<S> } : never : never)
    | (S extends { readonly enables: `${infer G}.${infer K}` } ? { g: G; k: K; v: boolean } : never)
  : never;

/** The typed groups built from a table of options (`typeof OPTIONS`). */
export type GroupsOf<Table extends readonly OptionSpec[]> = {
  [G in Group]: { [P in Placements<Table[number]> as P extends { g: G } ? P["k"] : never]: P["v"] };
};
