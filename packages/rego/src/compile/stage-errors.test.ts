import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

const codesOf = (f: () => unknown) => errorOf(f).errors.map((e) => [e.code, e.message.split("\n")[0]]);
const load = (source: string) => () => new Engine().addModule("p.rego", `package z\n\n${source}\n`);
const query = (q: string) => () => new Engine().evalQuery(q);

// Each case was run through opa 1.20.2 (`opa eval -d p.rego data.z`, or the query with an empty
// package), which stops after its first compiler stage with errors.
describe("errors come from OPA's first failing compiler stage only", () => {
  it("reports an unsafe variable, not the type errors the same policy would cause later", () => {
    expect(codesOf(load('p if { x > 1; 1 = "a" }'))).toEqual([["rego_unsafe_var_error", "var x is unsafe"]]);
    expect(codesOf(load('p if { 1 = "a"; x > 1 }'))).toEqual([["rego_unsafe_var_error", "var x is unsafe"]]);
    expect(codesOf(load('p if { 1 = "a" }\nq if { x }'))).toEqual([
      ["rego_unsafe_var_error", "var x is unsafe"],
    ]);
    expect(codesOf(load("p if { x; count(1) }"))).toEqual([["rego_unsafe_var_error", "var x is unsafe"]]);
    expect(codesOf(load("p if { x; all([true]) }"))).toEqual([["rego_unsafe_var_error", "var x is unsafe"]]);
  });

  it("checks unknown functions and argument counts before safety", () => {
    expect(codesOf(load("p if { undefined_fn(1); x }"))).toEqual([
      ["rego_type_error", "undefined function undefined_fn"],
    ]);
    expect(codesOf(load("p := undefined_fn(1) if { x }"))).toEqual([
      ["rego_type_error", "undefined function undefined_fn"],
    ]);
    expect(codesOf(load("p if { x; count() }"))).toEqual([["rego_type_error", "count: arity mismatch"]]);
    const tooMany = codesOf(load("p if { 0 = [z0]; count(1, 2, 3) }"));
    expect(tooMany.map(([code]) => code)).toEqual(["rego_type_error"]);
  });

  it("checks rule conflicts before safety", () => {
    expect(codesOf(load("default p := 1\ndefault p := 2\nq if { x }")).map(([code]) => code)).toEqual([
      "rego_type_error",
    ]);
    expect(codesOf(load("p if { x }\np[1] := 2")).map(([code]) => code)).toEqual(["rego_type_error"]);
  });

  it("checks recursion after safety and before types", () => {
    expect(codesOf(load("p if { r; x }\nr if { r }"))).toEqual([
      ["rego_unsafe_var_error", "var x is unsafe"],
    ]);
    expect(codesOf(load('p if { r; 1 = "a" }\nr if { r }')).map(([code]) => code)).toEqual([
      "rego_recursion_error",
    ]);
    expect(codesOf(load("p if { all([true]); r }\nr if { r }")).map(([code]) => code)).toEqual([
      "rego_recursion_error",
    ]);
  });

  it("orders a query's stages the same way", () => {
    expect(codesOf(query("0 = [z0]"))).toEqual([["rego_unsafe_var_error", "var z0 is unsafe"]]);
    expect(codesOf(query('x > 1; 1 = "a"')).map(([code]) => code)).toEqual(["rego_unsafe_var_error"]);
    expect(codesOf(query("undefined_fn(1); x > 1"))).toEqual([
      ["rego_type_error", "undefined function undefined_fn"],
    ]);
    expect(codesOf(query("x > 1; count(1, 2, 3)")).map(([code]) => code)).toEqual(["rego_type_error"]);
  });
});
