import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

function load(source: string, regoVersion?: 0 | 1): Engine {
  const e = new Engine(regoVersion === undefined ? {} : { regoVersion });
  e.addModule("p.rego", source);
  return e;
}

describe("Rego v1 strictness", () => {
  it("refuses deprecated builtins in v1 modules, not in v0 ones nor a package's own function", () => {
    const err = errorOf(() => load("package z\np := any([true, false])"));
    expect(err.code).toBe("rego_type_error");
    expect(err.message).toContain("deprecated built-in function calls in expression: any");
    expect(errorOf(() => load('package z\nimport rego.v1\np := re_match("a", "a")', 0)).message).toContain(
      "deprecated built-in function calls in expression: re_match",
    );
    expect(load("package z\np = any([true, false])", 0).evalQuery("data.z.p")[0]?.expressions[0]?.value).toBe(
      true,
    );
    const own = load("package z\nany(xs) := count(xs) > 0\np := any([1])");
    expect(own.evalQuery("data.z.p")[0]?.expressions[0]?.value).toBe(true);
  });

  it("refuses rules and locals named input or data in v1; v0 locals shadow the root document", () => {
    expect(errorOf(() => load("package z\ninput if true")).message).toContain(
      "rules must not shadow input (use a different rule name)",
    );
    const local = errorOf(() => load("package z\nx if { data := 2; data > 0 }"));
    expect(local.code).toBe("rego_compile_error");
    expect(local.errors.map((e) => e.message)).toEqual([
      "variables must not shadow data (use a different variable name)",
    ]);
    const v0 = load('package z\nx = input.a { input := {"a": 7} }\ny { data := 2; data > 0 }', 0);
    expect(v0.evalQuery("data.z", { input: { a: 1 } })[0]?.expressions[0]?.value).toEqual({ x: 7, y: true });
  });

  it("reports declarations OPA refuses", () => {
    const cases: [string, string][] = [
      ["f(x) := 1 if { x := 2 }", "arg x redeclared"],
      ["p if { 1 := 1 }", "cannot assign to number"],
      ['p if { "a" := 1 }', "cannot assign to string"],
      ["p if { input.x := 1 }", "cannot assign to ref"],
      ["q if { v := 0; some v in [0] }", "var v assigned above"],
      ["q if { v := 0; some v }", "var v assigned above"],
    ];
    for (const [rule, message] of cases) {
      const err = errorOf(() => load(`package z\n${rule}`));
      expect(err.code, rule).toBe("rego_compile_error");
      expect(err.message, rule).toContain(message);
    }
  });
});
