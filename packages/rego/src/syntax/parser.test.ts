import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import { errorOf } from "../test-support/error-of.js";
import type { Expr, Module, Rule, Term } from "./ast.js";
import { parseModule, parseQuery, parseTerm } from "./parser.js";
import { refToString, termToString } from "./term-facts.js";

/** The thrown RegoError of a failing call (fails the test when nothing is thrown). */

function rule(m: Module, i: number): Rule {
  const r = m.rules[i];
  if (r === undefined) throw new Error(`no rule ${i}`);
  return r;
}

function show(t: Term | undefined): string | undefined {
  return t === undefined ? undefined : termToString(t);
}

function exprText(e: Expr): string {
  const k = e.kind;
  switch (k.type) {
    case "term":
      return termToString(k.term);
    case "callexpr":
      return termToString(k.call);
    case "some":
      return `some ${k.vars.map((v) => v.name).join(", ")}`;
    case "somein":
      return `some ${k.key ? `${termToString(k.key)}, ` : ""}${termToString(k.value)} in ${termToString(k.domain)}`;
    case "every":
      return `every ${k.key ? `${k.key.name}, ` : ""}${k.value.name} in ${termToString(k.domain)}`;
  }
}

describe("parseModule, Rego v1", () => {
  const src = `package authz.api
import rego.v1
import data.lib.helpers as h

# a plain comment
default allow := false

allow if {
  input.user == "alice"
  not input.blocked
}

max_ttl := 3600

deny contains msg if {
  some i
  input.tokens[i].ttl > max_ttl
  msg := sprintf("token %d too long", [i])
}

deny contains "static"

labels[k] := v if {
  some k, v in input.labels
}

roles[space][role_id] := true if {
  space := input.space
  role_id := "r1"
}

grants.admin.write if input.admin

f(x) := y if {
  y := x * 2
}

f(x) := 0 if x < 0

g(x) := 1 if {
  x > 10
} else := 2 if {
  x > 5
} else := 3

all_ok if {
  every t in input.tokens {
    t.valid
  }
}

with_mock if {
  allow with input as {"user": "alice"} with data.x as 1
}

comps if {
  xs := [x | some x in input.a; x > 1]
  ys := {y | some y in input.b}
  zs := {k: v | some k, v in input.c}
  count(xs) + count(ys) + count(zs) > 0
}

raw := \`a\\b "c"\`
nums := [1.5e3, -2, 0.25, 1E-2, -0.5e+1]
`;

  const m = parseModule("v1.rego", src);

  it("detects v1 and reads package and imports", () => {
    expect(m.regoVersion).toBe(1);
    expect(m.file).toBe("v1.rego");
    expect(refToString(m.package.path)).toBe("data.authz.api");
    expect(m.imports.map((i) => [refToString(i.path), i.alias])).toEqual([
      ["rego.v1", undefined],
      ["data.lib.helpers", "h"],
    ]);
    expect(m.comments.map((c) => c.text)).toEqual([" a plain comment"]);
  });

  it("reads default and complete rules", () => {
    const d = rule(m, 0);
    expect(d.isDefault).toBe(true);
    expect(refToString(d.head.ref)).toBe("allow");
    expect(show(d.head.value)).toBe("false");
    expect(d.head.assign).toBe(true);

    const allow = rule(m, 1);
    expect(allow.isDefault).toBe(false);
    expect(show(allow.head.value)).toBe("true");
    expect(allow.body.map(exprText)).toEqual(['equal(input.user, "alice")', "input.blocked"]);
    expect(allow.body[1]?.negated).toBe(true);
    expect(allow.location).toMatchObject({ row: 8, col: 1 });

    const c = rule(m, 2);
    expect(refToString(c.head.ref)).toBe("max_ttl");
    expect(show(c.head.value)).toBe("3600");
    expect(c.body.map(exprText)).toEqual(["true"]);
  });

  it("reads partial set rules, with and without a body", () => {
    const d = rule(m, 3);
    expect(refToString(d.head.ref)).toBe("deny");
    expect(show(d.head.key)).toBe("msg");
    expect(d.head.value).toBeUndefined();
    expect(d.body.map(exprText)).toEqual([
      "some i",
      "gt(input.tokens[i].ttl, max_ttl)",
      'assign(msg, sprintf("token %d too long", [i]))',
    ]);
    const s = rule(m, 4);
    expect(show(s.head.key)).toBe('"static"');
    expect(s.body.map(exprText)).toEqual(["true"]);
  });

  it("reads partial object and multi-level ref heads", () => {
    const l = rule(m, 5);
    expect(refToString(l.head.ref)).toBe("labels[k]");
    expect(l.head.key).toBeUndefined();
    expect(show(l.head.value)).toBe("v");
    expect(l.body.map(exprText)).toEqual(["some k, v in input.labels"]);

    const r = rule(m, 6);
    expect(refToString(r.head.ref)).toBe("roles[space][role_id]");
    expect(show(r.head.value)).toBe("true");

    const g = rule(m, 7);
    expect(refToString(g.head.ref)).toBe("grants.admin.write");
    expect(show(g.head.value)).toBe("true");
    expect(g.body.map(exprText)).toEqual(["input.admin"]);
  });

  it("reads functions with several definitions and else chains", () => {
    const f1 = rule(m, 8);
    const f2 = rule(m, 9);
    expect(refToString(f1.head.ref)).toBe("f");
    expect(f1.head.args?.map(termToString)).toEqual(["x"]);
    expect(show(f1.head.value)).toBe("y");
    expect(f1.body.map(exprText)).toEqual(["assign(y, mul(x, 2))"]);
    expect(show(f2.head.value)).toBe("0");
    expect(f2.body.map(exprText)).toEqual(["lt(x, 0)"]);

    const g = rule(m, 10);
    expect(show(g.head.value)).toBe("1");
    const e1 = g.elseRule;
    expect(show(e1?.head.value)).toBe("2");
    expect(e1?.body.map(exprText)).toEqual(["gt(x, 5)"]);
    expect(e1?.head.args?.map(termToString)).toEqual(["x"]);
    const e2 = e1?.elseRule;
    expect(show(e2?.head.value)).toBe("3");
    expect(e2?.body.map(exprText)).toEqual(["true"]);
    expect(e2?.elseRule).toBeUndefined();
  });

  it("reads every, with and comprehensions", () => {
    const every = rule(m, 11).body[0];
    expect(every?.kind.type).toBe("every");
    if (every?.kind.type === "every") {
      expect(every.kind.value.name).toBe("t");
      expect(every.kind.key).toBeUndefined();
      expect(every.kind.body.map(exprText)).toEqual(["t.valid"]);
    }
    const w = rule(m, 12).body[0];
    expect(w?.with.map((x) => [refToString(x.target), termToString(x.value)])).toEqual([
      ["input", '{"user": "alice"}'],
      ["data.x", "1"],
    ]);
    const comps = rule(m, 13).body;
    const kinds = comps
      .slice(0, 3)
      .map((e) => (e.kind.type === "callexpr" ? e.kind.call.args[1]?.type : undefined));
    expect(kinds).toEqual(["arraycomp", "setcomp", "objectcomp"]);
    const first = comps[0];
    if (first?.kind.type === "callexpr" && first.kind.call.args[1]?.type === "arraycomp") {
      expect(first.kind.call.args[1].body.map(exprText)).toEqual(["some x in input.a", "gt(x, 1)"]);
    }
  });

  it("reads raw strings and numbers as written", () => {
    expect(rule(m, 14).head.value).toMatchObject({ type: "string", value: 'a\\b "c"' });
    const nums = rule(m, 15).head.value;
    expect(nums?.type).toBe("array");
    if (nums?.type === "array") {
      expect(nums.items.map((i) => (i.type === "number" ? i.text : i.type))).toEqual([
        "1.5e3",
        "-2",
        "0.25",
        "1E-2",
        "-0.5e+1",
      ]);
    }
  });

  it("renames each wildcard to a unique var", () => {
    const w = parseModule("w.rego", "package p\nq if { input.a[_] == input.b[_] }\n");
    const text = exprText(rule(w, 0).body[0] as Expr);
    const names = text.match(/\$\d+/g) ?? [];
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });
});

describe("parseModule, Rego v0", () => {
  const src = `package spacelift

allow { input.session.member }

deny[msg] {
  contains(input.token.apiKeyType, "USER")
  msg = sprintf("type %s", [input.token.apiKeyType])
}

labels[k] = v { v := input.labels[k] }

roles[space][role_id] {
  input.session.login == "api-key-name"
  space := "s"
  role_id := "r"
}

f(x) = y { y := x + 1 }
f(x) = 0 { x < 0 }
g(x) = 1 { x > 10 } else = 2 { x > 5 } else = 3 { true }

p = 7
q[1]
default d = {"a": [1]}
if := 1
in[x] { x := 1 }
`;
  const m = parseModule("v0.rego", src);

  it("detects v0 and keeps keywords-to-be as names", () => {
    expect(m.regoVersion).toBe(0);
    expect(m.rules.map((r) => refToString(r.head.ref))).toEqual([
      "allow",
      "deny",
      "labels[k]",
      "roles[space][role_id]",
      "f",
      "f",
      "g",
      "p",
      "q",
      "d",
      "if",
      "in",
    ]);
  });

  it("reads v0 rule kinds", () => {
    expect(show(rule(m, 0).head.value)).toBe("true");
    expect(show(rule(m, 1).head.key)).toBe("msg");
    expect(rule(m, 1).head.value).toBeUndefined();
    expect(rule(m, 1).body.map(exprText)[0]).toBe('contains(input.token.apiKeyType, "USER")');
    expect(show(rule(m, 2).head.value)).toBe("v");
    expect(rule(m, 2).head.assign).toBe(false);
    expect(show(rule(m, 3).head.value)).toBe("true");
    expect(rule(m, 4).head.args?.map(termToString)).toEqual(["x"]);
    expect(show(rule(m, 6).elseRule?.elseRule?.head.value)).toBe("3");
    expect(show(rule(m, 7).head.value)).toBe("7");
    expect(show(rule(m, 8).head.key)).toBe("1");
    expect(rule(m, 9).isDefault).toBe(true);
    expect(show(rule(m, 11).head.key)).toBe("x");
  });

  it("applies future.keywords imports", () => {
    const f = parseModule(
      "fk.rego",
      "package p\nimport future.keywords.in\nimport future.keywords.if\nq { 1 in [1] }\nr if { true }\n",
      { regoVersion: 0 },
    );
    expect(f.regoVersion).toBe(0);
    expect(exprText(rule(f, 0).body[0] as Expr)).toBe("internal.member_2(1, [1])");
    const all = parseModule(
      "fk.rego",
      "package p\nimport future.keywords\nq contains x if { some x in [1] }\n",
      {
        regoVersion: 0,
      },
    );
    expect(show(rule(all, 0).head.key)).toBe("x");
  });

  it("makes a v0 module with `import rego.v1` follow the v1 rules", () => {
    const ok = parseModule("r.rego", "package p\nimport rego.v1\nq contains 1 if { true }\n", {
      regoVersion: 0,
    });
    expect(ok.regoVersion).toBe(0);
    const err = errorOf(() =>
      parseModule("r.rego", "package p\nimport rego.v1\nq { true }\n", { regoVersion: 0 }),
    );
    expect(err.code).toBe("rego_parse_error");
    expect(err.errors[0]?.message).toBe("`if` keyword is required before rule body");
    expect(err.errors[0]?.location).toMatchObject({ file: "r.rego", row: 3, col: 1 });
  });
});

describe("parseModule errors", () => {
  it("reports `if` and `contains` as required in v1, every error at once", () => {
    const err = errorOf(() =>
      parseModule("e.rego", "package p\n\nallow { true }\ndeny[x] { x := 1 }\nf(x) = 1 { x }\n", {
        regoVersion: 1,
      }),
    );
    expect(err).toBeInstanceOf(RegoError);
    expect(err.errors.map((e) => [e.code, e.message, e.location?.row, e.location?.col])).toEqual([
      ["rego_parse_error", "`if` keyword is required before rule body", 3, 1],
      ["rego_parse_error", "`if` keyword is required before rule body", 4, 1],
      ["rego_parse_error", "`contains` keyword is required for partial set rules", 4, 1],
      ["rego_parse_error", "`if` keyword is required before function body", 5, 1],
    ]);
    expect(err.message).toContain("e.rego:3:1: rego_parse_error: `if` keyword is required before rule body");
  });

  it("refuses v1 keywords as names in v1", () => {
    const err = errorOf(() => parseModule("k.rego", "package p\nx if { in := 1 }\n", { regoVersion: 1 }));
    expect(err.code).toBe("rego_parse_error");
    expect(err.location).toMatchObject({ row: 2 });
  });

  it("requires exactly one package, first", () => {
    const none = errorOf(() => parseModule("n.rego", "p := 1\n"));
    expect(none.errors[0]?.message).toBe("package expected");
    expect(none.errors[0]?.location).toMatchObject({ row: 1, col: 1 });
    const two = errorOf(() => parseModule("t.rego", "package a\npackage b\n"));
    expect(two.errors[0]?.message).toBe("unexpected package");
    expect(two.errors[0]?.location).toMatchObject({ row: 2, col: 1 });
    const empty = errorOf(() => parseModule("z.rego", "  # only a comment\n"));
    expect(empty.errors[0]?.message).toBe("empty module");
  });

  it("reports syntax errors with row and column", () => {
    const err = errorOf(() => parseModule("s.rego", "package p\n\nq if {\n  x := [1, 2\n}\n"));
    expect(err.code).toBe("rego_parse_error");
    expect(err.location?.file).toBe("s.rego");
    expect(err.location?.row).toBe(5);
  });

  it("reports rules that cannot come from a top-level expression", () => {
    const err = errorOf(() => parseModule("b.rego", "package p\nnot q\n", { regoVersion: 1 }));
    expect(err.errors[0]?.message).toBe("negated expressions cannot be used for rule head");
    expect(err.errors[0]?.location).toMatchObject({ row: 2, col: 1 });
    const v = errorOf(() => parseModule("b.rego", "package p\nq\n", { regoVersion: 1 }));
    expect(v.errors[0]?.message).toBe("var cannot be used for rule name");
    const dots = errorOf(() => parseModule("b.rego", "package p\na.b.c\n", { regoVersion: 1 }));
    expect(dots.errors[0]?.message).toBe("rule must have value assignment and/or body declaration");
  });

  it("reports duplicate imports in v1 as OPA's compiler does", () => {
    const err = errorOf(() => parseModule("i.rego", "package p\nimport data.a.b\nimport data.c.b\nq := 1\n"));
    expect(err.errors[0]?.code).toBe("rego_compile_error");
    expect(err.errors[0]?.message).toBe("import must not shadow import data.a.b");
    expect(err.errors[0]?.location).toMatchObject({ row: 3, col: 1 });
  });

  it("refuses bad numbers", () => {
    const lead = errorOf(() => parseModule("n.rego", "package p\nq := 01\n", { regoVersion: 1 }));
    expect(lead.code).toBe("rego_parse_error");
    const big = errorOf(() => parseModule("n.rego", "package p\nq := 1e1000000\n", { regoVersion: 1 }));
    expect(big.errors[0]?.message).toBe("number too big");
  });

  it("reports the v1 checks when a module is well-formed v1 that v0 cannot read", () => {
    const err = errorOf(() =>
      parseModule("m.rego", "package p\nallow { true }\nq contains x if { x := 1 }\n"),
    );
    expect(err.errors.map((e) => [e.message, e.location?.row])).toEqual([
      ["`if` keyword is required before rule body", 2],
    ]);
  });

  it("reports v0 errors when a module is valid in neither version and v0 got further", () => {
    const err = errorOf(() => parseModule("m.rego", "package p\nin := 1\nq := [\n"));
    expect(err.location?.row).toBe(4);
  });

  it("reports v1 errors when a module is valid in neither version and v1 got further", () => {
    const err = errorOf(() =>
      parseModule("d.rego", "package p\nq contains x if { some x in [1] }\nr := [\n"),
    );
    expect(err.location?.row).toBe(4);
  });
});

describe("parseModule, assorted forms", () => {
  it("reads package paths with strings, input imports and CRLF sources", () => {
    const m = parseModule("a.rego", 'package a["b-c"].d\r\nimport input.user\r\nq if user\r\n# end');
    expect(refToString(m.package.path)).toBe('data.a["b-c"].d');
    expect(refToString(m.imports[0]?.path ?? m.package.path)).toBe("input.user");
    expect(m.comments.map((c) => c.text)).toEqual([" end"]);
  });

  it("reads top-level constants of every kind (v0 and v1)", () => {
    const m = parseModule("c.rego", 'package p\nq["a"] := 1\na.b.c := 2\nf(1) := 3\nq["b"] := 2\n');
    expect(
      m.rules.map((r) => [refToString(r.head.ref), r.head.args?.map(termToString), show(r.head.value)]),
    ).toEqual([
      ["q.a", undefined, "1"],
      ["a.b.c", undefined, "2"],
      ["f", ["1"], "3"],
      ["q.b", undefined, "2"],
    ]);
    const v0 = parseModule("c0.rego", "package p\nq[1]\nr.s = 2\nt = 3\n", { regoVersion: 0 });
    expect(
      v0.rules.map((r) => [refToString(r.head.ref), show(r.head.key), show(r.head.value), r.head.assign]),
    ).toEqual([
      ["q", "1", undefined, false],
      ["r.s", undefined, "2", false],
      ["t", undefined, "3", false],
    ]);
  });

  it("keeps `contains` the builtin inside v0 bodies and `if`-less else values", () => {
    const m = parseModule("b.rego", 'package p\nq := "a" if input.x else := "b"\n');
    expect(show(rule(m, 0).elseRule?.head.value)).toBe('"b"');
    expect(rule(m, 0).elseRule?.body.map(exprText)).toEqual(["true"]);
  });

  it("reads unary minus on a reference as minus(0, ref)", () => {
    const m = parseModule("u.rego", "package p\ns := -input.a.b\nt := 1 - -2\n");
    expect(show(rule(m, 0).head.value)).toBe("minus(0, input.a.b)");
    expect(show(rule(m, 1).head.value)).toBe("minus(1, -2)");
  });

  it("names tokens as OPA does in syntax errors, each error once", () => {
    const err = errorOf(() =>
      parseModule("s.rego", 'package p\nq if { x = = 1 }\nr := "abc\n', { regoVersion: 1 }),
    );
    expect(err.errors[0]?.message).toMatch(/^unexpected eq token/);
    expect(err.errors[0]?.location).toMatchObject({ row: 2, col: 12 });
    const str = errorOf(() => parseModule("s.rego", 'package p\nr := "abc\n', { regoVersion: 1 }));
    expect(str.errors.map((e) => e.message)).toEqual(["non-terminated string"]);
    const eof = errorOf(() => parseModule("s.rego", "package p\nq if {", { regoVersion: 1 }));
    expect(eof.errors[0]?.message).toMatch(/^unexpected eof token/);
  });

  it("refuses an aliased rego.v1 import in v0", () => {
    const err = errorOf(() => parseModule("r.rego", "package p\nimport rego.v1 as r\n", { regoVersion: 0 }));
    expect(err.errors[0]?.message).toBe("`rego` imports cannot be aliased");
  });

  it("parses a large policy (1,000 rules)", () => {
    let src = "package big\nimport rego.v1\n";
    for (let i = 0; i < 1000; i++) {
      src += `deny contains msg if {\n  some t in input.tokens\n  t.ttl > ${i}\n  msg := sprintf("r${i} %v", [t])\n}\n`;
    }
    const m = parseModule("big.rego", src);
    expect(m.rules).toHaveLength(1000);
    expect(rule(m, 999).location.row).toBe(3 + 999 * 5);
  });
});

describe("parseQuery", () => {
  it("parses bodies with v1 keywords by default", () => {
    const q = parseQuery("x := 1; y in [1, 2]\nsome z in [3]");
    expect(q.map(exprText)).toEqual(["assign(x, 1)", "internal.member_2(y, [1, 2])", "some z in [3]"]);
    const e = parseQuery("every v in [1] { v > 0 }");
    expect(e[0]?.kind.type).toBe("every");
    expect(parseQuery("data.test.result = x").map(exprText)).toEqual(["eq(data.test.result, x)"]);
  });

  it("throws on an empty query and on bad syntax, with locations", () => {
    const empty = errorOf(() => parseQuery("   "));
    expect(empty.code).toBe("rego_parse_error");
    expect(empty.errors[0]?.message).toBe("empty query");
    const bad = errorOf(() => parseQuery("x := [1,", { file: "q" }));
    expect(bad.code).toBe("rego_parse_error");
    expect(bad.location?.file).toBe("q");
  });

  it("uses v0 keywords when asked", () => {
    const q = parseQuery("in := 1", { regoVersion: 0 });
    expect(q.map(exprText)).toEqual(["assign(in, 1)"]);
    expect(() => parseQuery("in := 1")).toThrow(RegoError);
  });
});

describe("parseTerm", () => {
  it("parses single terms", () => {
    expect(termToString(parseTerm('{"a": [1, -2.5e3, true, null], "b": {1, 2}}'))).toBe(
      '{"a": [1, -2.5e3, true, null], "b": {1, 2}}',
    );
    expect(parseTerm("set()")).toMatchObject({ type: "set", items: [] });
    expect(parseTerm("`raw\\n`")).toMatchObject({ type: "string", value: "raw\\n" });
  });

  it("refuses more than one term and expressions", () => {
    expect(() => parseTerm("1; 2")).toThrow(RegoError);
    expect(() => parseTerm("x = 1")).toThrow(RegoError);
    expect(() => parseTerm("")).toThrow(RegoError);
  });
});
