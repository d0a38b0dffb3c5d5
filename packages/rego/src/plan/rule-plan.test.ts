import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import type { Json } from "../value/json.js";
import { compileModules } from "../compile/compiler.js";
import { BUILTINS } from "../builtins/index.js";
import { parseModule } from "../syntax/parser.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { planOf } from "./policy-plans.js";

/** Evaluates a query with plans and with the interpreter; both must agree. */
function both(source: string, query: string, input?: Json, data?: Json): Json[] {
  const out = [false, true].map((interpretOnly) => {
    const engine = new Engine({ interpretOnly });
    engine.addModule("p.rego", source);
    if (data !== undefined) engine.setData(data);
    return engine.prepare(query).values(input === undefined ? {} : { input });
  });
  expect(out[0]).toEqual(out[1]);
  return out[0] as Json[];
}

/** Whether every rule of the module has a plan (so the test exercises plans, not the fallback). */
function plannedRules(source: string): { planned: number; total: number } {
  const { policy } = compileModules([parseModule("p.rego", source)], BUILTINS);
  let planned = 0;
  let total = 0;
  const visit = (n: RuleNode) => {
    for (const r of [...n.rules, ...(n.defaultRule ? [n.defaultRule] : [])]) {
      total++;
      if (planOf(r, policy)) planned++;
    }
    for (const c of n.children.values()) visit(c);
  };
  visit(policy.root);
  return { planned, total };
}

const ENUMERATION = `package t
import rego.v1
names contains n if input.users[i].name = n
admins contains u.name if {
  some u in input.users
  "admin" in u.roles
}
pairs := [[i, r] | some i; input.users[i].roles[_] = r]
by_name := {u.name: count(u.roles) | some u in input.users}
first_role := input.users[0].roles[0]
no_roles contains u.name if {
  some u in input.users
  not u.roles[0]
}
`;

describe("rule plans", () => {
  const input = {
    users: [
      { name: "ana", roles: ["admin", "dev"] },
      { name: "bo", roles: [] },
      { name: "cy", roles: ["dev"] },
    ],
  };

  it("plans every rule of ordinary policies", () => {
    expect(plannedRules(ENUMERATION)).toEqual({ planned: 6, total: 6 });
  });

  it("enumerates refs, some-in, comprehensions and negation as the interpreter does", () => {
    expect(both(ENUMERATION, "data.t", input)).toEqual([
      {
        admins: ["ana"],
        by_name: { ana: 2, bo: 0, cy: 1 },
        first_role: "admin",
        names: ["ana", "bo", "cy"],
        no_roles: ["bo"],
        pairs: [
          [0, "admin"],
          [0, "dev"],
          [2, "dev"],
        ],
      },
    ]);
  });

  it("matches array and object patterns, and binds call outputs", () => {
    const src = `package t
import rego.v1
split_ok if {
  [a, b] := split(input.s, ":")
  a == "x"
  b == "y"
}
obj_ok if {
  {"k": v, "n": 1} = input.o
  v == "w"
}
out_arg := y if {
  count(input.o, n)
  y := n * 10
}
mismatch if [1, 2] = [1, 3]`;
    expect(plannedRules(src)).toEqual({ planned: 4, total: 4 });
    expect(both(src, "data.t", { s: "x:y", o: { k: "w", n: 1 } })).toEqual([
      { obj_ok: true, out_arg: 20, split_ok: true },
    ]);
    expect(both(src, "data.t", { s: "x", o: { k: "w" } })).toEqual([{ out_arg: 10 }]);
  });

  it("runs functions with several definitions, patterns, else and default", () => {
    const src = `package t
import rego.v1
default f(_) := "other"
f(1) := "one"
f([x, "b"]) := x
g(x) := "small" if x < 10
else := "big"
results := [f(1), f(["a", "b"]), f(3), g(2), g(20)]`;
    expect(plannedRules(src)).toEqual({ planned: 5, total: 5 });
    expect(both(src, "data.t.results")).toEqual([["one", "a", "other", "small", "big"]]);
  });

  it("builds ref-head objects and reports their conflicts", () => {
    const src = `package t
import rego.v1
roles[space][role] := true if {
  some grant in input.grants
  space := grant.space
  role := grant.role
}
every_ok if every g in input.grants { g.space != "" }`;
    expect(both(src, "data.t", { grants: [{ space: "a", role: "r" }, { space: "b", role: "s" }] })).toEqual([
      { every_ok: true, roles: { a: { r: true }, b: { s: true } } },
    ]);
    const conflict = `package t
import rego.v1
p[k] := v if { some k, v in input.m }
p["a"] := 0 if true`;
    for (const interpretOnly of [false, true]) {
      const engine = new Engine({ interpretOnly });
      engine.addModule("p.rego", conflict);
      expect(() => engine.prepare("data.t.p").values({ input: { m: { a: 1 } } })).toThrow(RegoError);
    }
  });

  it("reads base documents and other rules through data", () => {
    const src = `package t
import rego.v1
limit := data.config.limits[input.kind]
over if input.n > limit
names contains n if data.config.users[n]
shouted := {upper(n) | some n in names}`;
    const data = { config: { limits: { a: 3 }, users: { x: true, y: false } } };
    expect(plannedRules(src)).toEqual({ planned: 4, total: 4 });
    expect(both(src, "data.t", { kind: "a", n: 4 }, data)).toEqual([
      { limit: 3, names: ["x"], over: true, shouted: ["X"] },
    ]);
  });

  it("looks up computed keys as the interpreter does: strings for numbers in base documents only", () => {
    const src = `package t
import rego.v1
table := {"2": "rule-string", 2: "rule-number"}
from_base := data.config.byId[input.id]
from_rule := table[input.id]`;
    expect(plannedRules(src)).toEqual({ planned: 3, total: 3 });
    const data = { config: { byId: { "2": "base-string" } } };
    expect(both(src, "[data.t.from_base, data.t.from_rule]", { id: 2 }, data)).toEqual([
      ["base-string", "rule-number"],
    ]);
    // Choosing a rule of a package by a computed name is left to the interpreter.
    const byName = `package t
import rego.v1
a := 1
b := 2`;
    expect(both(byName, "data.t[input.rule]", { rule: "b" })).toEqual([2]);
  });

  it("falls back to the interpreter for with, and still mocks", () => {
    const src = `package t
import rego.v1
p := input.x
q := y if y := p with input.x as 7`;
    const counts = plannedRules(src);
    expect(counts.planned).toBe(1);
    expect(counts.total).toBe(2);
    expect(both(src, "data.t", { x: 1 })).toEqual([{ p: 1, q: 7 }]);
  });

  it("raises builtin errors in strict mode from planned rules", () => {
    const src = `package t
import rego.v1
p := to_number(input.s)`;
    const engine = new Engine({ strictBuiltinErrors: true });
    engine.addModule("p.rego", src);
    expect(() => engine.prepare("data.t.p").values({ input: { s: "nope" } })).toThrow(/to_number/);
    expect(both(src, "data.t", { s: "nope" })).toEqual([{}]);
  });
});
