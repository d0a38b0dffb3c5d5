import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import { errorOf } from "../test-support/error-of.js";
import { Engine } from "./engine.js";

function engineWith(...sources: string[]): Engine {
  const e = new Engine();
  e.addModules(sources.map((source, i) => ({ file: `m${i}.rego`, source })));
  return e;
}

function value(e: Engine, query: string, input?: unknown): unknown {
  const rs = e.evalQuery(query, input === undefined ? {} : { input });
  return rs.length === 0 ? undefined : rs[0]?.expressions[0]?.value;
}

describe("Engine: rules", () => {
  const e = engineWith(`package x
import rego.v1

p := 1
q contains y if { some y in [3, 1, 2]; y > 1 }
r[k] := v if { some k, v in {"a": 1, "b": 2} }
roles[s][r] if { s := "prod"; r := input.role }
f(x) := x * 2
g(x) := "big" if { x > 10 } else := "small"
default d := "fallback"
d := input.d
allow if { count(q) == 2; f(3) == 6 }
deny contains msg if { not input.ok; msg := sprintf("bad %v", [input.role]) }
ev if { every n in q { n > 1 } }
`);

  it("evaluates every kind of rule and merges them into the package", () => {
    expect(value(e, "data.x", { role: "admin", ok: true })).toEqual({
      allow: true,
      d: "fallback",
      deny: [],
      ev: true,
      p: 1,
      q: [2, 3],
      r: { a: 1, b: 2 },
      roles: { prod: { admin: true } },
    });
  });

  it("reports bindings per solution and OPA's expression values", () => {
    const rs = e.evalQuery("data.x.q[y]; z := data.x.g(y * 10)");
    expect(rs.map((r) => r.bindings)).toEqual([
      { y: 2, z: "big" },
      { y: 3, z: "big" },
    ]);
    expect(rs[0]?.expressions.map((x) => x.text)).toEqual(["data.x.q[y]", "z := data.x.g(y * 10)"]);
  });

  it("uses else and default when bodies fail", () => {
    expect(value(e, "data.x.g(1)")).toBe("small");
    expect(value(e, "data.x.d", { d: "given" })).toBe("given");
  });

  it("applies with to input, data and functions", () => {
    expect(e.evalQuery("x := data.x.p with data.x.p as 7")[0]?.bindings).toEqual({ x: 7 });
    expect(e.evalQuery(`x := data.x.deny with input as {"ok": false, "role": 3}`)[0]?.bindings).toEqual({
      x: ["bad 3"],
    });
    expect(e.evalQuery("x := data.x.allow with data.x.f as 0")).toEqual([]);
    expect(e.evalQuery("x := count([1, 2]) with count as 9")[0]?.bindings).toEqual({ x: 9 });
  });

  it("is undefined rather than false for a missing document", () => {
    expect(e.evalQuery("data.x.nothing")).toEqual([]);
    expect(e.evalQuery("input.a.b", { input: {} })).toEqual([]);
  });

  it("reports false for a query of one expression, and fails on false otherwise, as opa eval does", () => {
    for (const interpretOnly of [false, true]) {
      const g = new Engine({ interpretOnly });
      g.addModule(
        "g.rego",
        "package g\nimport rego.v1\ndefault allow := false\nfirst := [false][0]\nbig(n) := n > 9",
      );
      const values = (q: string) => g.evalQuery(q).map((r) => r.expressions.map((x) => x.value));
      expect(values("data.g.allow")).toEqual([[false]]);
      expect(values("data.g.first")).toEqual([[false]]);
      expect(values("1 > 2")).toEqual([[false]]);
      expect(values("data.g.big(3)")).toEqual([[false]]);
      expect(values("data.g.allow; true")).toEqual([]);
      expect(values("not data.g.allow")).toEqual([[true]]);
      expect(g.evalQuery("x := data.g.allow")[0]?.bindings).toEqual({ x: false });
    }
  });
});

describe("Engine: values", () => {
  it("orders sets and object keys as OPA does, with any keys", () => {
    const e = new Engine();
    expect(value(e, `{3, "a", null, [1], {"k": 1}, false, 1.5}`)).toEqual([
      null,
      false,
      1.5,
      3,
      "a",
      [1],
      { k: 1 },
    ]);
    expect(value(e, `{1: "one", "a": 2}`)).toEqual({ "1": "one", a: 2 });
  });

  it("keeps arbitrary precision for big numbers and compares 1 with 1.0", () => {
    const e = new Engine();
    expect(e.evalQuery("1 == 1.0")).toHaveLength(1);
    expect(e.evalQuery("100000000000000000001 > 100000000000000000000")).toHaveLength(1);
  });

  it("reads data as base documents beside rules", () => {
    const e = engineWith(
      "package app\nimport rego.v1\nadmins contains u if { some u in data.users; u.admin }",
    );
    e.setData({
      users: [
        { name: "a", admin: true },
        { name: "b", admin: false },
      ],
    });
    expect(value(e, "data.app.admins")).toEqual([{ admin: true, name: "a" }]);
    expect(value(e, "data.users[1].name")).toBe("b");
  });
});

describe("Engine: errors", () => {
  it("refuses unsafe variables with their location", () => {
    const err = errorOf(() => engineWith("package x\nimport rego.v1\np if { x > 1 }"));
    expect(err.code).toBe("rego_unsafe_var_error");
    expect(err.errors[0]?.message).toBe("var x is unsafe");
    expect(err.errors[0]?.location).toMatchObject({ file: "m0.rego", row: 3 });
  });

  it("orders and checks comprehensions in rule heads as it does those in bodies", () => {
    const e = new Engine();
    expect(() => e.addModule("h.rego", "package h\nimport rego.v1\np := {y | y = x}")).toThrow(
      /rego_unsafe_var_error: var x is unsafe/,
    );
    // The body's expressions need reordering: `y = z * 2` can only run once `z` is bound.
    e.addModule("ok.rego", "package ok\nimport rego.v1\np := [y | y = z * n; z = input.xs[_]] if n := 2");
    expect(e.evalQuery("data.ok.p", { input: { xs: [1, 2, 3] } })[0]?.expressions[0]?.value).toEqual([
      2, 4, 6,
    ]);
  });

  it("names only the author's variable when a template string's hole is unsafe", () => {
    const err = errorOf(() => new Engine().addModule("t.rego", 'package t\nimport rego.v1\nx := $"{y}"'));
    expect(err.errors.map((d) => d.message)).toEqual(["var y is unsafe"]);
  });

  it("refuses recursion, undefined functions and conflicting rule kinds", () => {
    expect(errorOf(() => engineWith("package x\nimport rego.v1\np if q\nq if p")).code).toBe(
      "rego_recursion_error",
    );
    expect(errorOf(() => engineWith("package x\nimport rego.v1\np if nope(1)")).errors[0]?.message).toBe(
      "undefined function nope",
    );
    expect(errorOf(() => engineWith("package x\nimport rego.v1\np := 1\np contains 2")).code).toBe(
      "rego_type_error",
    );
  });

  it("refuses builtin calls whose literal arguments can never fit, as OPA's type checker does", () => {
    const err = errorOf(() => engineWith(`package x\nimport rego.v1\np if count(1) > 0`));
    expect(err.code).toBe("rego_type_error");
    expect(err.errors[0]?.message).toContain("count: invalid argument(s)\n\thave: (number)");
    expect(errorOf(() => engineWith("package x\nimport rego.v1\np if count(1, 2, 3)")).code).toBe(
      "rego_type_error",
    );
  });

  it("keeps nothing of a batch when one module fails", () => {
    const e = engineWith("package ok\np := 1");
    expect(() =>
      e.addModules([
        { file: "a.rego", source: "package a\np := 2" },
        { file: "b.rego", source: "package b\np if {" },
      ]),
    ).toThrow(RegoError);
    expect(e.packages()).toEqual(["ok"]);
  });

  it("raises conflicts between complete rules and object keys", () => {
    const e = engineWith(
      "package x\nimport rego.v1\np := 1 if input.a\np := 2 if input.b\nq[k] := v if { some k, v in input.m }",
    );
    expect(errorOf(() => e.evalQuery("data.x.p", { input: { a: true, b: true } })).code).toBe(
      "eval_conflict_error",
    );
    expect(value(e, "data.x.p", { a: true })).toBe(1);
  });

  it("treats builtin errors as undefined unless strict", () => {
    const lax = new Engine();
    expect(lax.evalQuery(`x := to_number("abc")`)).toEqual([]);
    const strict = new Engine({ strictBuiltinErrors: true });
    const err = errorOf(() => strict.evalQuery(`x := to_number("abc")`));
    expect(err.code).toBe("eval_builtin_error");
    expect(err.message).toContain("to_number:");
  });
});

describe("Engine: untrusted policies", () => {
  it("stops an evaluation that exceeds its step budget", () => {
    const e = new Engine({ budget: { maxSteps: 5_000 } });
    e.addModule(
      "p.rego",
      "package x\nimport rego.v1\nn := count([i | some i in numbers.range(1, 100000); i % 2 == 0])",
    );
    expect(errorOf(() => e.evalQuery("data.x.n")).code).toBe("eval_cancel_error");
  });

  it("refuses data nested too deeply with an error, not a crash", () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 50_000; i++) {
      const next: Record<string, unknown> = {};
      cur.a = next;
      cur = next;
    }
    const e = new Engine();
    expect(errorOf(() => e.setData(deep)).message).toMatch(/nested too deeply/);
  });

  it("stops an evaluation that exceeds its time budget", () => {
    const e = new Engine({ budget: { timeoutMs: 20 } });
    e.addModule(
      "p.rego",
      "package x\nimport rego.v1\nn := count([1 | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000)])",
    );
    expect(errorOf(() => e.evalQuery("data.x.n")).code).toBe("eval_cancel_error");
  });

  it("survives deeply nested input without crashing", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const e = new Engine();
    const err = errorOf(() => e.evalQuery("x := [p | walk(input, [p, _])]", { input: deep }));
    expect(err.code).toBe("eval_cancel_error");
  });
});

describe("Engine: rule indexing", () => {
  function loginPolicy(n: number): string {
    const rules: string[] = [];
    for (let i = 0; i < n; i++) {
      rules.push(`roles["space-${i % 10}"]["role-${i}"] if input.session.login == "key-${i}"`);
    }
    rules.push(`roles["space-0"]["always"] if input.session.member`);
    return `package login\nimport rego.v1\n${rules.join("\n")}\n`;
  }

  it("gives the same answers with an index as a rule-by-rule evaluation would", () => {
    const big = engineWith(loginPolicy(200));
    for (const input of [
      { session: { login: "key-7" } },
      { session: { login: "key-123", member: true } },
      { session: { login: "nobody" } },
      {},
    ]) {
      const roles = value(big, "data.login.roles", input) as Record<string, Record<string, boolean>>;
      const granted = Object.entries(roles).flatMap(([s, r]) => Object.keys(r).map((role) => `${s}/${role}`));
      const expected: string[] = [];
      const login = (input as { session?: { login?: string } }).session?.login;
      const m = /^key-(\d+)$/.exec(login ?? "");
      if (m) expected.push(`space-${Number(m[1]) % 10}/role-${m[1]}`);
      if ((input as { session?: { member?: boolean } }).session?.member) expected.push("space-0/always");
      expect(granted.sort()).toEqual(expected.sort());
      expect(value(big, `data.login.roles["space-7"]["role-7"]`, input)).toBe(
        login === "key-7" ? true : undefined,
      );
    }
  });
});

describe("Engine: rule indexes within rule indexes", () => {
  // Four kinds of rule: two kinds test an input field for a constant (one index on each), two
  // do not (candidates whatever the input).
  function denyPolicy(n: number): string {
    const rules: string[] = [];
    for (let i = 0; i < n; i++) {
      switch (i % 4) {
        case 0:
          rules.push(
            `deny contains "range ${i}" if net.cidr_contains("10.${i}.0.0/16", input.request.remote_ip)`,
          );
          break;
        case 1:
          rules.push(`deny contains "login ${i}" if input.session.login == "retired-${i}"`);
          break;
        case 2:
          rules.push(
            `deny contains "team ${i}" if {\n  "team-${i}" in input.session.teams\n  input.request.method == "DELETE"\n}`,
          );
          break;
        default:
          rules.push(`deny contains "cut-off ${i}" if input.request.timestamp_ns < ${i}`);
      }
    }
    return `package login\nimport rego.v1\n${rules.join("\n")}\n`;
  }

  function engineOf(source: string, options: ConstructorParameters<typeof Engine>[0] = {}): Engine {
    const e = new Engine(options);
    e.addModule("login.rego", source);
    return e;
  }

  function expectedDenies(n: number, input: Record<string, Record<string, unknown>>): string[] {
    const out: string[] = [];
    const { session = {}, request = {} } = input;
    for (let i = 0; i < n; i++) {
      switch (i % 4) {
        case 0:
          if (typeof request.remote_ip === "string" && request.remote_ip.startsWith(`10.${i}.`))
            out.push(`range ${i}`);
          break;
        case 1:
          if (session.login === `retired-${i}`) out.push(`login ${i}`);
          break;
        case 2:
          if ((session.teams as string[] | undefined)?.includes(`team-${i}`) && request.method === "DELETE")
            out.push(`team ${i}`);
          break;
        default:
          if (typeof request.timestamp_ns === "number" && request.timestamp_ns < i) out.push(`cut-off ${i}`);
      }
    }
    return out.sort();
  }

  it("gives every rule's answer whichever indexes select it, alone or together", () => {
    const n = 40;
    const engines = [engineOf(denyPolicy(n)), engineOf(denyPolicy(n), { interpretOnly: true })];
    const inputs: Record<string, Record<string, unknown>>[] = [
      {
        session: { login: "ci", teams: ["team-x"] },
        request: { remote_ip: "127.0.0.1", method: "GET", timestamp_ns: 100 },
      },
      {
        session: { login: "retired-5", teams: ["team-2", "team-6"] },
        request: { remote_ip: "10.8.1.1", method: "DELETE", timestamp_ns: 10 },
      },
      {
        session: { login: "retired-5", teams: ["team-2"] },
        request: { remote_ip: "10.9.1.1", method: "GET", timestamp_ns: 100 },
      },
      { session: { teams: ["team-10", "team-14"] }, request: { method: "DELETE" } },
      { session: { login: "retired-37" }, request: {} },
      {},
    ];
    for (const input of inputs) {
      for (const e of engines) {
        expect(value(e, "data.login.deny", input)).toEqual(expectedDenies(n, input));
        expect(value(e, "data.login", input)).toEqual({ deny: expectedDenies(n, input) });
      }
    }
  });

  it("answers each request afresh when consecutive requests repeat some fields and change others", () => {
    // Each index keeps its last answer for the same value and the same candidates of the indexes
    // below it: every combination of a repeated and a changed field, in an order that mixes them.
    const n = 40;
    const e = engineOf(denyPolicy(n));
    const logins = ["ci", "retired-5", "retired-9"];
    const ips = ["127.0.0.1", "10.8.1.1", "10.12.3.4", "10.8.1.1"];
    const methods = ["GET", "DELETE"];
    const teams = [["team-2"], ["team-6", "team-10"]];
    const times = [5, 10, 100, 39];
    for (let k = 0; k < 300; k++) {
      const input = {
        session: { login: logins[k % 3], teams: teams[Math.floor(k / 5) % 2] },
        request: {
          remote_ip: ips[Math.floor(k / 3) % 4],
          method: methods[Math.floor(k / 7) % 2],
          timestamp_ns: times[Math.floor(k / 11) % 4],
        },
      };
      expect(value(e, "data.login.deny", input), JSON.stringify(input)).toEqual(expectedDenies(n, input));
    }
  });

  it("still raises the error of a rule the indexes select", () => {
    const policy = `${denyPolicy(40)}deny contains "method" if {\n  input.request.method == "DELETE"\n  1 / input.zero > 0\n}\n`;
    const e = engineOf(policy, { strictBuiltinErrors: true });
    const input = { request: { method: "DELETE" }, zero: 0 };
    expect(errorOf(() => value(e, "data.login.deny", input)).code).toBe("eval_builtin_error");
    expect(value(e, "data.login.deny", { ...input, request: { method: "GET" } })).toEqual([]);
  });
});

describe("Engine: print", () => {
  it("sends print output to the configured sink, once per call", () => {
    const lines: string[] = [];
    const e = new Engine({ print: (m) => lines.push(m) });
    e.addModule("p.rego", `package x\nimport rego.v1\np if { print("hello", input.n, input.missing) }`);
    e.evalQuery("data.x.p", { input: { n: 1 } });
    expect(lines).toEqual(["hello 1 <undefined>"]);
  });
});
