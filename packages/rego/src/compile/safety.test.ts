import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

const load = (rule: string) => new Engine().addModule("p.rego", `package z\n${rule}`);

// What each rule gives was checked with opa 1.20.2 (`opa eval -d p.rego data.z`).
describe("safety of unification, as OPA's unifier sees it", () => {
  it("binds no variable of a collection pattern from a scalar or a literal of another shape", () => {
    for (const [rule, unsafe] of [
      ["p if { 0 = [z0] }", "z0"],
      ["p := z if { 0 = [z] }", "z"],
      ["p if { [z] := 0 }", "z"],
      ['p if { "a" = {"a": x} }', "x"],
      ['p if { [x] = {"a": 1} }', "x"],
      ["p if { [x] = {1} }", "x"],
      ["p if { [x, y] = [1, 2, 3] }", "x"],
      ['p if { {"a": a} = {"b": 1} }', "a"],
      ["p if { [x, 1] = [1, [y]] }", "y"],
      ["f(x) := y if { 0 = [y] }", "y"],
    ] as const) {
      const err = errorOf(() => load(rule));
      expect(
        err.errors.map((e) => e.code),
        rule,
      ).toEqual(err.errors.map(() => "rego_unsafe_var_error"));
      expect(
        err.errors.map((e) => e.message),
        rule,
      ).toContain(`var ${unsafe} is unsafe`);
    }
  });

  it("lets a comprehension fill a pattern only in the pairings OPA's unifier has", () => {
    for (const rule of [
      "p if { {x | x := 1} = [y] }",
      'p if { {k: v | v := 1; k := "a"} = [x] }',
      'p if { {"a": x} = {k: v | v := 1; k := "a"} }',
    ]) {
      expect(errorOf(() => load(rule)).code, rule).toBe("rego_unsafe_var_error");
    }
    for (const rule of [
      "p if { [x | x := 1] = [y] }",
      'p if { {k: v | v := 1; k := "a"} = {"a": x} }',
      "p if { x = [y]; y = 1 }",
      "p if { input.a = [y] }",
      "p if { 1 = x; [x] = [y] }",
    ]) {
      expect(() => load(rule), rule).not.toThrow();
    }
  });

  it("runs a unification whose sides fill nothing once both are known", () => {
    const err = errorOf(() => load("p if { x := 1; [[x]] = [{}] }"));
    expect(err.code).toBe("rego_type_error");
    expect(err.message).toContain("match error");
  });
});
