/**
 * A tool's output schema as the SDK checks it, cheaper: the SDK validates every result's `structuredContent` against
 * the registered output schema (any Standard Schema) before sending it. Parsing with zod builds a copy of the whole
 * result that the SDK then throws away; here a check compiled once from the same zod schema only reads it. A result
 * the check accepts is one zod accepts; anything else (a mismatch, or a value the check is unsure of) goes to zod
 * itself, so an invalid result fails with zod's own issues, word for word as before. Schemas with parts the compiler
 * does not know (refinements, transforms, defaults, string checks, ...) are left to zod entirely.
 * @module
 */
import type { z } from "zod";

/** A compiled check: true only when zod would accept the value. */
type Check = (value: unknown) => boolean;

/** The zod internals read here (zod v4's `_zod.def`). */
interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; format?: string } } }[];
  coerce?: boolean;
  shape?: Record<string, z.ZodType>;
  catchall?: unknown;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Compiles a check from a zod schema, or returns null when the schema uses anything it does not know. `undefined`
 * passes only where the schema says optional (zod may accept it elsewhere too; zod then decides).
 */
export function compileCheck(schema: z.ZodType): Check | null {
  const def = defOf(schema);
  const checks = def.checks ?? [];
  if (def.coerce) return null;
  switch (def.type) {
    case "string":
      return checks.length === 0 ? (v) => typeof v === "string" : null;
    case "boolean":
      return (v) => typeof v === "boolean";
    case "null":
      return (v) => v === null;
    case "unknown":
    case "any":
      return (v) => v !== undefined;
    case "number": {
      if (checks.length === 0) return (v) => typeof v === "number" && Number.isFinite(v);
      const integer = checks.length === 1 && checks[0]._zod.def.check === "number_format" &&
        checks[0]._zod.def.format === "safeint";
      return integer ? (v) => Number.isSafeInteger(v) : null;
    }
    case "enum": {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => (typeof v === "string" || typeof v === "number") && values.has(v);
    }
    case "nullable": {
      const inner = compileCheck(def.innerType!);
      return inner && ((v) => v === null || inner(v));
    }
    case "optional": {
      const inner = compileCheck(def.innerType!);
      return inner && ((v) => v === undefined || inner(v));
    }
    case "union": {
      const options = (def.options ?? []).map(compileCheck);
      if (options.length === 0 || options.some((o) => o === null)) return null;
      return (v) => options.some((o) => o!(v));
    }
    case "array": {
      const element = checks.length === 0 ? compileCheck(def.element!) : null;
      return element && ((v) => Array.isArray(v) && v.every((item) => element(item)));
    }
    case "record": {
      const key = defOf(def.keyType!);
      const value = compileCheck(def.valueType!);
      if (key.type !== "string" || (key.checks ?? []).length > 0 || key.coerce || value === null) return null;
      return (v) =>
        isPlainObject(v) && Object.getOwnPropertySymbols(v).length === 0 &&
        Object.keys(v).every((k) => value(v[k]));
    }
    case "object":
      return def.catchall === undefined ? objectCheck(def.shape ?? {}) : null;
    default:
      return null;
  }
}

function objectCheck(shape: Record<string, z.ZodType>): Check | null {
  const fields: [string, Check][] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const check = compileCheck(schema);
    if (check === null) return null;
    fields.push([key, check]);
  }
  return (v) => {
    if (!isPlainObject(v)) return false;
    for (const [key, check] of fields) if (!check(v[key])) return false;
    return true;
  };
}

/** The part of a Standard Schema the SDK uses for an output schema: `validate` and `jsonSchema`. */
export type OutputSchema = Pick<z.ZodObject, "~standard">;

/**
 * A tool's output schema for the SDK: zod's own Standard Schema (the same JSON Schema is listed), whose `validate`
 * answers from the compiled check when it accepts and asks zod otherwise. The schema itself when nothing compiles.
 */
export function checkedOutput(schema: z.ZodObject): OutputSchema {
  const check = compileCheck(schema);
  if (check === null) return schema;
  const standard = schema["~standard"];
  return {
    "~standard": {
      ...standard,
      validate: (value: unknown) => check(value) ? { value } : standard.validate(value),
    },
  } as OutputSchema;
}
