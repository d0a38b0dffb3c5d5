import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { type DeclaredType, SeededChoice, sampleBuiltins, valueOfType } from "./builtin-sample.js";

describe("sampleBuiltins", () => {
  it("keeps deterministic, non-internal, non-infix builtins, sorted by name, with their argument types", () => {
    const sample = sampleBuiltins({
      builtins: [
        { name: "upper", decl: { args: [{ type: "string" }] } },
        { name: "time.now_ns", decl: { args: [] } },
        { name: "plus", infix: "+", decl: { args: [{ type: "number" }, { type: "number" }] } },
        { name: "internal.member_2", decl: { args: [] } },
        { name: "abs", decl: { args: [{ type: "number" }] } },
        { name: "numbers.range", decl: { args: [{ type: "number" }, { type: "number" }] } },
      ],
    });
    expect(sample.map((b) => b.name)).toEqual(["abs", "numbers.range", "upper"]);
    expect(sample.find((b) => b.name === "numbers.range")?.sizeSensitive).toBe(true);
    expect(sample[0]?.args).toEqual([{ type: "number" }]);
  });

  it("refuses a document without a builtins list", () => {
    expect(() => sampleBuiltins({})).toThrow(/"builtins" list/);
  });
});

describe("valueOfType", () => {
  const types: [DeclaredType, string][] = [
    [{ type: "string" }, "string"],
    [{ type: "number" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "null" }, "null"],
    [{ type: "array", dynamic: { type: "number" } }, "array"],
    [{ type: "set", of: { type: "string" } }, "set"],
    [{ type: "object", dynamic: { key: { type: "string" }, value: { type: "any" } } }, "object"],
    [{ type: "array", static: [{ type: "number" }, { type: "string" }] }, "array"],
  ];

  it("renders ground terms of the declared type", () => {
    const engine = new Engine({ regoVersion: 1 });
    for (const [type, name] of types) {
      for (let seed = 1; seed < 40; seed++) {
        const text = valueOfType(type, new SeededChoice(seed), false);
        const got = engine.evalQuery(`x := type_name(${text})`)[0]?.bindings.x;
        expect(got, text).toBe(name);
      }
    }
  });

  it("is reproducible by seed", () => {
    const t: DeclaredType = { type: "any" };
    expect(valueOfType(t, new SeededChoice(99), false)).toBe(valueOfType(t, new SeededChoice(99), false));
  });
});
