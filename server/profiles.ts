/**
 * Profiles: named selections of tools, resources and prompts by name
 * patterns (`*` any characters, `?` one). Built-ins cover the usual roles; a
 * JSON profiles file adds or overrides them.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { type Catalog, loadCatalog } from "./loader.ts";
import { BUILTIN_TOOLS_DIR } from "./paths.ts";

/** A profile: names to include (patterns) and, optionally, names to leave out again. */
export interface Profile {
  include: string[];
  exclude?: string[];
  description?: string;
}

/** The profiles every installation has. */
export const BUILTIN_PROFILES: Readonly<Record<string, Profile>> = Object.freeze({
  all: { include: ["*"], description: "every tool, resource and prompt" },
  dba: {
    include: ["base_*", "dba_*", "sec_*", "table_schema", "explore_database"],
    description: "catalog, space, sessions, SQL history, rights and roles",
  },
  eda: {
    include: ["base_*", "qlty_*", "table_schema", "explore_database", "profile_table_quality"],
    description: "catalog and data-quality profiling",
  },
  minimal: {
    include: ["base_readQuery", "base_databaseList", "base_tableList", "base_columnDescription"],
    description: "list, describe and query — the smallest useful set",
  },
});

/** Whether `name` matches a pattern with `*` and `?` wildcards (case-sensitive, whole name). */
export function matches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name);
}

/** Parses a profiles file: `{ "name": { "include": [...], "exclude": [...], "description": "..." } }`. */
export function parseProfiles(text: string, file: string): Record<string, Profile> {
  const fail = (problem: string): never => {
    throw new TypeError(`Cannot read profiles file ${file}: ${problem}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`it is not JSON (${(error as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return fail('expected an object of profiles: { "name": { "include": ["base_*"], "exclude": [] } }');
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(data)) {
    const p = value as Record<string, unknown> | null;
    const strings = (key: string, required: boolean) => {
      const list = p?.[key];
      if (list === undefined && !required) return undefined;
      if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== "string" || x === "")) {
        fail(`profile "${name}": '${key}' must be a non-empty list of name patterns`);
      }
      return list as string[];
    };
    if (typeof p !== "object" || p === null) fail(`profile "${name}" must be an object`);
    const unknown = Object.keys(p!).filter((k) => !["include", "exclude", "description"].includes(k));
    if (unknown.length > 0) fail(`profile "${name}" has unknown keys ${unknown.join(", ")}`);
    profiles[name] = {
      include: strings("include", true)!,
      exclude: strings("exclude", false),
      description: typeof p!.description === "string" ? p!.description : undefined,
    };
  }
  return profiles;
}

/** The catalog narrowed to a profile, and the profile's patterns that matched nothing (worth a warning). */
export function applyProfile(
  catalog: Catalog,
  name: string,
  custom: Record<string, Profile> = {},
): { catalog: Catalog; unmatched: string[] } {
  const profiles = { ...BUILTIN_PROFILES, ...custom };
  const profile = profiles[name];
  if (profile === undefined) {
    throw new TypeError(
      `Cannot start server as 'PROFILE' must name a profile (${
        Object.keys(profiles).join(", ")
      }): current value is "${name}"`,
    );
  }
  const names = [...catalog.files.keys()];
  const unmatched = [...profile.include, ...(profile.exclude ?? [])]
    .filter((pattern) => !names.some((n) => matches(pattern, n)));
  const keep = (n: string) =>
    profile.include.some((p) => matches(p, n)) && !(profile.exclude ?? []).some((p) => matches(p, n));
  const pick = <T extends { name: string }>(items: T[]) => items.filter((item) => keep(item.name));
  return {
    catalog: {
      tools: pick(catalog.tools),
      resources: pick(catalog.resources),
      resourceTemplates: pick(catalog.resourceTemplates),
      prompts: pick(catalog.prompts),
      files: new Map([...catalog.files].filter(([n]) => keep(n))),
    },
    unmatched: name === "all" ? [] : unmatched,
  };
}

/** Loads the tool folders and narrows them to the configured profile. */
export async function selectCatalog(
  config: { toolsDirs: readonly string[]; profilesFile?: string | null; profile: string },
  log: Logger,
): Promise<Catalog> {
  const loaded = await loadCatalog([BUILTIN_TOOLS_DIR, ...config.toolsDirs]);
  const custom = config.profilesFile
    ? parseProfiles(await Deno.readTextFile(config.profilesFile), config.profilesFile)
    : {};
  const { catalog, unmatched } = applyProfile(loaded, config.profile, custom);
  for (const pattern of unmatched) {
    log.warning("profile {profile}: {pattern} matches no tool, resource or prompt", {
      profile: config.profile,
      pattern,
    });
  }
  return catalog;
}
