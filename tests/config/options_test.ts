import assert from "node:assert/strict";
import { ENV_NAMES, OPTIONS } from "../../config/options.ts";
import { GROUPS, type OptionSpec } from "../../config/types.ts";

const TABLE: readonly OptionSpec[] = OPTIONS;
const targets = (option: OptionSpec) => [option.to].flat();

Deno.test("the options table names each variable, flag and destination field once", () => {
  const envs = TABLE.flatMap((option) => option.env ? [option.env] : []);
  const flags = TABLE.flatMap((option) => option.flag ? [option.flag] : []);
  const fields = TABLE.flatMap(targets);
  assert.deepEqual(envs.filter((env, i) => envs.indexOf(env) !== i), []);
  assert.deepEqual(flags.filter((flag, i) => flags.indexOf(flag) !== i), []);
  assert.deepEqual(fields.filter((field, i) => fields.indexOf(field) !== i), []);
  assert.deepEqual([...ENV_NAMES], envs);
  for (const option of TABLE) assert.ok(option.env !== null || option.flag !== null, "an option needs a name");
});

Deno.test("every option goes to a known group, and seconds arrive in fields named ...Ms", () => {
  for (const option of TABLE) {
    for (const target of targets(option)) {
      const [group, field] = target.split(".");
      assert.ok((GROUPS as readonly string[]).includes(group), target);
      assert.match(field, /^\w+$/, target);
      if (option.type === "seconds") assert.match(field, /Ms$/, `${target} holds milliseconds`);
    }
  }
});

Deno.test("every default is a value its option accepts", () => {
  for (const option of TABLE) {
    const name = option.env ?? option.flag;
    switch (option.type) {
      case "integer":
      case "seconds":
        assert.ok(option.min !== undefined && option.max !== undefined, `${name} has a range`);
        assert.ok(
          typeof option.default === "number" && option.default >= option.min! && option.default <= option.max!,
          `${name}'s default ${option.default} is within ${option.min}..${option.max}`,
        );
        break;
      case "choice":
        assert.ok(Object.values(option.choices ?? {}).includes(option.default as string), `${name}'s default`);
        for (const word of Object.keys(option.choices ?? {})) assert.equal(word, word.toLowerCase(), name ?? "");
        break;
      case "boolean":
        assert.equal(option.default, false, `${name}: a switch is off unless given`);
        break;
      case "list":
      case "paths":
        assert.deepEqual(option.default, [], `${name}`);
        break;
      case "string":
        assert.ok(option.default === null || option.default === undefined || typeof option.default === "string");
        if (typeof option.default === "string" && option.startsWith) {
          assert.ok(option.default.startsWith(option.startsWith), `${name}'s default starts with ${option.startsWith}`);
        }
    }
  }
});

Deno.test("a maximum names an integer option of its own kind with a default no larger", () => {
  for (const option of TABLE.filter((option) => option.atLeast !== undefined)) {
    const lower = TABLE.find((other) => other.env === option.atLeast);
    assert.ok(lower, `${option.env} names ${option.atLeast}`);
    assert.equal(lower.type, option.type);
    assert.ok((lower.default as number) <= (option.default as number));
  }
});

Deno.test("README's short table shows options people set, each with a variable and a help line", () => {
  const shown = TABLE.filter((option) => option.readme);
  assert.ok(shown.length >= 5 && shown.length <= 20, `${shown.length} rows: one screen`);
  for (const option of TABLE) {
    assert.ok(option.help.length > 0 && !option.help.includes("\n"), `${option.env ?? option.flag}: one help line`);
    if (option.readme) assert.ok(option.env, `${option.flag} has a variable`);
  }
});
