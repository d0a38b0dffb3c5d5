import { describe, expect, it } from "vitest";
import { BUILTINS } from "../builtins/index.js";
import { Engine } from "../engine/engine.js";
import { parseModule, parseQuery } from "../syntax/parser.js";
import { compileModules, compileQuery } from "./compiler.js";

function values(source: string, query: string, input?: unknown): unknown[] {
  const out: unknown[] = [];
  for (const interpretOnly of [false, true]) {
    const e = new Engine({ interpretOnly });
    e.addModule("p.rego", source);
    out.push(e.evalQuery(query, input === undefined ? {} : { input }).map((r) => r.expressions[0]?.value));
  }
  expect(out[0]).toEqual(out[1]);
  return out[0] as unknown[];
}

describe("negated calls with dynamic arguments", () => {
  it("fail the body when an argument is undefined, as OPA does", () => {
    const src = `package z
f(_) := true
obj := {}
p if not f(obj.missing)
q if not startswith(input.missing, "x")
r if not startswith("y", "x")
s if { x := {"a": 1}; not f(x.b) }`;
    expect(values(src, "data.z", {})).toEqual([{ obj: {}, r: true }]);
  });

  it("bind each argument before the negation, with the expression's `with`", () => {
    const { policy } = compileModules(
      [parseModule("p.rego", 'package z\np if not startswith(input.a, "x")')],
      BUILTINS,
    );
    const rule = policy.root.children.get("z")?.children.get("p")?.rules[0];
    const kinds = rule?.body.map((e) => [e.negated, e.kind.type]);
    expect(kinds).toEqual([
      [false, "callexpr"],
      [true, "callexpr"],
    ]);
    const { query } = compileQuery(
      parseQuery('not startswith(input.a, "x") with input as {"a": "y"}'),
      policy,
    );
    expect(query.body).toHaveLength(2);
    expect(query.body[0]?.with).toHaveLength(1);
    expect(
      values('package z\nt if not startswith(input.a, "x") with input as {"a": "y"}', "data.z.t"),
    ).toEqual([true]);
  });

  it("keep the refs of a negated unification in place, as OPA does", () => {
    expect(
      values("package z\np if not input.a = input.b\nq if not input.a == input.b", "data.z", {}),
    ).toEqual([{ p: true }]);
  });

  it("leave negated plain refs and negations inside comprehensions working", () => {
    const src = `package z
xs := [x | some x in [1, 2, 3]; not x == 2]
u if not input.m[input.k]
v if not input.m.a`;
    expect(values(src, "data.z", { m: {} })).toEqual([{ v: true, xs: [1, 3] }]);
  });
});
