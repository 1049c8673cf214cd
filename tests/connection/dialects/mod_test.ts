/**
 * The contract every dialect object keeps, checked for each entry of the registry: a new dialect's file is held to it
 * as soon as its line is in `DIALECT_SPECS` (docs/dialects.md).
 */
import assert from "node:assert/strict";
import { DIALECT_SPEC_LIST, DIALECT_SPECS, UNKNOWN_ENGINE } from "../../../connection/dialects/mod.ts";
import { classifyError, isConnectionLost } from "../../../connection/errors.ts";
import { FUNCTION_RULES } from "../../../connection/guard_functions.ts";
import { readKind } from "../../../connection/guard_read.ts";
import { READS } from "../../../connection/guard_words.ts";
import { callIsolation, dialectOfDbms, readOnlySessionStatements } from "../../../connection/session.ts";
import { DIALECT_LEX_OPTIONS, lexingVariants } from "../../../connection/sql_tokens.ts";
import { completeForEngine, DEFAULT_DRIVERS, parseDatabaseUri, parseOdbcString } from "../../../connection/uri.ts";
import { DIALECTS } from "../../../connection/types.ts";

Deno.test("every dialect has exactly one spec, filed under its own name, in the order of DIALECTS", () => {
  assert.deepEqual(Object.keys(DIALECT_SPECS).sort(), [...DIALECTS].sort());
  assert.deepEqual(DIALECT_SPEC_LIST.map((spec) => spec.name), [...DIALECTS]);
  for (const dialect of DIALECTS) assert.equal(DIALECT_SPECS[dialect].name, dialect);
  assert.equal(DIALECT_SPECS[UNKNOWN_ENGINE].engine.dbmsPrefix, null, "the unknown engine is never reported by name");
});

Deno.test("URI schemes are lowercase and belong to one dialect each, and a URI of each scheme parses as its dialect", () => {
  const seen = new Map<string, string>();
  for (const spec of DIALECT_SPEC_LIST) {
    assert.equal(spec.uri.schemes.length > 0, spec.uri.target !== undefined, `${spec.name}: schemes need a target`);
    for (const scheme of spec.uri.schemes) {
      assert.match(scheme, /^[a-z][a-z0-9+.-]*$/);
      assert.equal(seen.get(scheme), undefined, `${scheme} is claimed twice`);
      seen.set(scheme, spec.name);
      const uri = spec.uri.fileDatabase ? `${scheme}:///tmp/x.db` : `${scheme}://me:s3cret@db.example/shop`;
      const target = parseDatabaseUri(uri);
      assert.equal(target.dialect, spec.name, uri);
      if (!spec.uri.fileDatabase) assert.deepEqual(target.secrets, ["s3cret"], `${uri} keeps its password secret`);
      if (spec.uri.defaultDriver) {
        assert.match(target.connectionString, new RegExp(`DRIVER=\\{?${spec.uri.defaultDriver}`));
      }
      const driver = parseDatabaseUri(uri, { odbcDriver: "Another Driver" }).connectionString;
      assert.match(driver, /DRIVER=\{?Another Driver/, `${scheme}: odbcDriver overrides the default driver`);
    }
  }
  assert.equal(seen.has("odbc"), false, "odbc: is the raw string's scheme, no dialect's");
});

Deno.test("a raw ODBC string naming a dialect's default driver is taken for that dialect before connecting", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    assert.equal(spec.uri.defaultDriver === null, spec.uri.driverMarker === null, spec.name);
    if (spec.uri.defaultDriver === null) continue;
    assert.equal(DEFAULT_DRIVERS[spec.name], spec.uri.defaultDriver);
    const target = parseDatabaseUri(`DRIVER={${spec.uri.defaultDriver}};Database=shop.db;`);
    assert.equal(target.dialect, spec.name);
    assert.equal(target.raw, true);
    assert.equal(target.filePath, spec.uri.fileDatabase ? "shop.db" : undefined);
  }
  assert.equal(parseDatabaseUri("DRIVER={Some Other Driver};SERVER=h;").dialect, UNKNOWN_ENGINE);
});

Deno.test("the engine name a driver reports picks the dialect, and an unknown engine is the generic one", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    if (spec.engine.dbmsPrefix === null) continue;
    assert.equal(spec.engine.dbmsPrefix, spec.engine.dbmsPrefix.toLowerCase());
    assert.equal(dialectOfDbms(` ${spec.engine.dbmsPrefix.toUpperCase()} 9 `), spec.name);
  }
  assert.equal(dialectOfDbms("Microsoft SQL Server"), UNKNOWN_ENGINE);
  assert.equal(DIALECT_SPECS[UNKNOWN_ENGINE].engine.servedByDefault, false, "an unknown engine needs the opt-in");
});

Deno.test("a raw string is completed with each dialect's keys, and keys it already sets win", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    const raw = parseDatabaseUri("DSN=shop");
    const completed = completeForEngine(raw, spec.name);
    assert.equal(completed.dialect, spec.name);
    assert.deepEqual(parseOdbcString(completed.connectionString), [["DSN", "shop"], ...spec.uri.rawCompletion]);
    assert.equal(completed.fetchBytes, spec.uri.fetchBytes);
    for (const [key] of spec.uri.rawCompletion) {
      const own = completeForEngine(parseDatabaseUri(`DSN=shop;${key.toLowerCase()}=7`), spec.name);
      assert.equal(
        parseOdbcString(own.connectionString).filter(([k]) => k.toLowerCase() === key.toLowerCase()).length,
        1,
      );
    }
  }
});

Deno.test("no dialect is left to a guard with no rules for it: the engine is read-only, or the guard knows it", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    const ownRules = FUNCTION_RULES.some((rule) => rule.dialects.includes(spec.name));
    assert.ok(
      spec.session.readOnly.length > 0 || spec.guard.anyServer || ownRules,
      `${spec.name}: no read-only session, no function rules of its own, and not checked against every rule`,
    );
    assert.deepEqual(readOnlySessionStatements(spec.name), spec.session.readOnly);
  }
});

Deno.test("the guard and the tokenizer read each dialect's reads and lexical rules from its spec", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    assert.equal(READS[spec.name], spec.guard.reads);
    assert.equal(DIALECT_LEX_OPTIONS[spec.name], spec.lex.options);
    for (const [word, kind] of spec.guard.readWords) {
      assert.equal(word, word.toUpperCase());
      assert.equal(readKind(word, spec.name), kind);
    }
    assert.equal(readKind("SELECT", spec.name), "select");
    assert.equal(readKind("DELETE", spec.name), undefined);
    // The usual reading comes first, and each axis whose trigger the text holds adds its readings.
    assert.deepEqual(lexingVariants("SELECT 1", spec.name), [{ options: spec.lex.options, note: "" }]);
    for (const [, alternatives] of spec.lex.axes) {
      assert.ok(
        alternatives.length > 0 && alternatives.every(([patch, note]) => Object.keys(patch).length > 0 && note),
      );
    }
  }
});

Deno.test("a call's isolation has an end for every beginning, and the health probe is a plain read", () => {
  for (const spec of DIALECT_SPEC_LIST) {
    for (const version of ["", "9.6.24", "15.0004"]) {
      const isolation = callIsolation(spec.name, version);
      assert.deepEqual(isolation, spec.session.isolation(version));
      if (isolation.manualCommit) assert.ok(isolation.endRead && isolation.endWrite, spec.name);
    }
    if (spec.session.healthProbe) assert.match(spec.session.healthProbe, /^SELECT\b/);
    if (spec.session.rolePower) assert.match(spec.session.rolePower.sql, /^SELECT\b/);
    if (spec.session.userFunctionsSql) assert.match(spec.session.userFunctionsSql, /^SELECT\b/);
  }
});

Deno.test("no dialect's error words match every message, and each one's words sort an error as they say", () => {
  const kinds = ["lostText", "authText", "notAcceptingText", "noDatabaseText"] as const;
  for (const spec of DIALECT_SPEC_LIST) {
    for (const kind of kinds) {
      for (const source of spec.errors[kind]) {
        assert.notEqual(source, "", `${spec.name}.errors.${kind} holds an empty pattern`);
        assert.equal(
          new RegExp(source, "i").test(""),
          false,
          `${spec.name}.errors.${kind}: ${source} matches the empty text, so it would match every message`,
        );
      }
    }
    for (const state of spec.errors.lostStates) assert.equal(isConnectionLost(state, "x"), true, state);
    for (const state of spec.errors.transientStates) {
      assert.equal(classifyError(state, 0, "x").kind, "transient", state);
    }
  }
  assert.equal(isConnectionLost("42601", "syntax error at or near"), false);
  assert.equal(classifyError("42601", 0, "syntax error at or near").kind, "sql");
});
