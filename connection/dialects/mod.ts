/**
 * The dialect registry: one {@link DialectSpec} per {@link Dialect}, keyed by name. Adding a dialect is one file
 * beside this one, its name in `DIALECTS` (`../types.ts`) and one line here (docs/dialects.md).
 * @module
 */
import { type Dialect, DIALECTS } from "../types.ts";
import { GENERIC } from "./generic.ts";
import { POSTGRES } from "./postgres.ts";
import type { DialectSpec } from "./spec.ts";
import { SQLITE } from "./sqlite.ts";
import { TERADATA } from "./teradata.ts";

export type { CallIsolation, DialectSpec, EngineCodeClass } from "./spec.ts";

/** Every dialect's spec, by name. */
export const DIALECT_SPECS: Readonly<Record<Dialect, DialectSpec>> = {
  teradata: TERADATA,
  postgres: POSTGRES,
  sqlite: SQLITE,
  generic: GENERIC,
};

/** The dialect of an engine tdmcp does not know (nor any driver it recognises). */
export const UNKNOWN_ENGINE: Dialect = "generic";

/** Every spec, in the order of `DIALECTS` (the order a raw string's driver name and an engine's name are matched in). */
export const DIALECT_SPEC_LIST: readonly DialectSpec[] = DIALECTS.map((dialect) => DIALECT_SPECS[dialect]);
