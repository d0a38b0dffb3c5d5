import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

// Every expected outcome here was checked with `opa check` / `opa eval` (v1.20.2).
const load = (rules: string): Engine => {
  const engine = new Engine();
  engine.addModule("p.rego", `package z\n${rules}`);
  return engine;
};
const firstLine = (message: string) => message.split("\n")[0];

describe("rule types in call checks", () => {
  it("types a complete rule from its default value (differential seed 1774467341)", () => {
    const err = errorOf(() => load('default p := "2006-01-02"\nq := {(p + 0): 0}'));
    expect(err.errors).toHaveLength(1);
    expect(err.code).toBe("rego_type_error");
    expect(err.errors[0]?.message).toBe("plus: invalid argument(s)\n\thave: (string, number)\n\twant: (number, number)");
    expect(err.location).toMatchObject({ row: 3, col: 8 });
  });

  it("types a rule as the union of all its values: refused only when no member fits", () => {
    const refused: [rules: string, row: number][] = [
      // The default, an else chain and a function's default all count.
      ['default p := "a"\np := "b" if input.x\nq := p + 0', 4],
      ['p := "b" if input.x\nelse := "a"\nq := p + 0', 4],
      ['default f(_) := "a"\nq := f(1) + 0', 3],
      ['default f(_) := "a"\nf(x) := "b" if x > 0\nq := f(1) + 0', 4],
      // A rule whose value is another rule has its type.
      ['default p := "a"\nq := r\nr := p\ns := q + 1', 5],
      ["default allow := false\nr := allow + 1", 3],
    ];
    for (const [rules, row] of refused) {
      const err = errorOf(() => load(rules));
      expect(err.errors.map((e) => [e.code, firstLine(e.message)]), rules).toEqual([
        ["rego_type_error", "plus: invalid argument(s)"],
      ]);
      expect(err.location, rules).toMatchObject({ row, col: 6 });
    }
    const err = errorOf(() => load('default p := "a"\np := true if input.x\np := null if input.y\nq := p + 0'));
    expect(err.errors[0]?.message).toContain("have: (any<null, boolean, string>, number)");
  });

  it("accepts a rule one of whose values fits, or whose type is not known", () => {
    for (const rules of [
      'default p := "2006-01-02"\np := 1 if input.x\nq := {(p + 0): 0}',
      'default p := 2\np := "b" if input.x\nelse := "a"\nq := p + 0',
      'p := 1 if input.x\nelse := "a"\nq := p + 0',
      'default f(_) := "a"\nf(x) := 1 if x > 0\nq := f(1) + 0',
      'default p := "a"\np := x if x := input.y\nq := p + 0',
    ]) {
      expect(() => load(rules), rules).not.toThrow();
    }
  });

  it("accepts a default used as its type allows", () => {
    expect(load("default p := 1\nq := {(p + 0): 0}").evalQuery("data.z.q")[0]?.expressions[0]?.value).toEqual({
      1: 0,
    });
    expect(() => load('default p := "a"\nq := upper(p)\nr := count(p)')).not.toThrow();
  });

  it("holds v0 modules to the same checks", () => {
    expect(errorOf(() => load('default p = "2006-01-02"\nq = {(p + 0): 0}')).location).toMatchObject({
      row: 3,
      col: 7,
    });
    expect(() => load('default p = "a"\np = 1 { input.x }\nq = p + 0')).not.toThrow();
  });

  it("reports an error in a rule's definitions, not again where the rule is read", () => {
    const err = errorOf(() => load('default p := "a"\np := "b" if 1 + "a"\nq := p + 0'));
    expect(err.errors).toHaveLength(1);
    expect(err.location).toMatchObject({ row: 3, col: 13 });
  });

  it("leaves rules untyped in an expression whose with replaces data", () => {
    expect(() => load('default p := "a"\nq if { p + 1 > 0 with data.z.p as 1 }')).not.toThrow();
    expect(() => load('default p := "a"\nr := p\nq if { [1 | r + 1 > 0] with data.z.p as 2 }')).not.toThrow();
    // Literals are still checked there.
    expect(errorOf(() => load('q if { "x" + 1 > 0 with data.z.p as 1 }')).code).toBe("rego_type_error");
  });

  it("checks queries against the policy's rule types", () => {
    const e = load('default p := "x"\ndefault f(_) := "a"');
    for (const query of ["data.z.p + 1", "data.z.f(1) + 1"]) {
      const err = errorOf(() => e.prepare(query));
      expect(err.code, query).toBe("rego_type_error");
      expect(err.location, query).toMatchObject({ row: 1, col: 1 });
    }
    expect(e.evalQuery("data.z.p + 1 with data.z.p as 1")[0]?.expressions[0]?.value).toBe(2);
    expect(e.evalQuery("count(data.z.p)")[0]?.expressions[0]?.value).toBe(1);
  });

  it("types a long chain of rules without running out of stack", () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`r${i} := r${i + 1}`);
    lines.push('r3000 := "s"', "p := r0 + 1");
    expect(errorOf(() => load(lines.join("\n"))).location).toMatchObject({ row: 3003 });
  });
});
