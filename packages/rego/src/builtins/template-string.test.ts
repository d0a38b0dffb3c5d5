import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";
import { TEMPLATE_STRING_BUILTINS } from "./template-string.js";
import { callerFor } from "./test-context.js";
import { errorOf } from "../test-support/error-of.js";

const call = callerFor(TEMPLATE_STRING_BUILTINS);
const render = (...parts: Value[]) => call("internal.template_string", parts);

describe("internal.template_string", () => {
  // The cases of OPA's own TestBuiltinTemplateString (v1/topdown/template_string_test.go).
  it("joins literal parts as they are", () => {
    expect(render()).toBe("");
    expect(render(10)).toBe("10");
    expect(render("foo")).toBe("foo");
    expect(render("foo", 42, false, null)).toBe("foo42falsenull");
    expect(render(new BigNumber(12345678901234567890123n, 0))).toBe("12345678901234567890123");
  });

  it("renders an empty hole as <undefined> and a one-value hole as print shows it", () => {
    expect(render(RegoSet.of([]))).toBe("<undefined>");
    expect(
      render(
        RegoSet.of([[]]),
        " ",
        RegoSet.of([["a", "b"]]),
        " ",
        RegoSet.of([RegoSet.of([])]),
        " ",
        RegoSet.of([RegoSet.of(["c"])]),
        " ",
        RegoSet.of([new RegoObject()]),
        " ",
        RegoSet.of([RegoObject.fromRecord({ d: "e" })]),
      ),
    ).toBe(`[] ["a", "b"] set() {"c"} {} {"d": "e"}`);
    expect(render(RegoSet.of(['raw "text"']), RegoSet.of([1.5]), RegoSet.of([null]))).toBe(
      'raw "text"1.5null',
    );
  });

  it("refuses a hole with several values, as OPA's eval_conflict_error", () => {
    const e = errorOf(() => render(RegoSet.of([true, false])));
    expect(e.code).toBe("eval_conflict_error");
    expect(e.message).toBe("eval_conflict_error: template-strings must not produce multiple outputs");
  });

  it("refuses parts that are neither scalars nor sets, before any conflict", () => {
    const e = errorOf(() => render(RegoSet.of([1, 2]), ["foo", "bar"]));
    expect(e.code).toBe("eval_internal_error");
    expect(e.message).toContain("illegal argument type: array");
    expect(errorOf(() => render(new RegoObject())).message).toContain("illegal argument type: object");
  });

  it("needs an array of parts", () => {
    expect(() => call("internal.template_string", "x")).toThrow("operand 1 must be array but got string");
  });
});

// ---------------------------------------------------------------------------------------------
// End to end, through the engine: planned rules and the interpreter must agree.

for (const interpretOnly of [false, true]) {
  const mode = interpretOnly ? "interpreter" : "plans";

  function engineWith(...sources: string[]): Engine {
    const e = new Engine({ interpretOnly });
    e.addModules(sources.map((source, i) => ({ file: `m${i}.rego`, source })));
    return e;
  }

  function value(e: Engine, query: string, input?: unknown): unknown {
    const rs = e.evalQuery(query, input === undefined ? {} : { input });
    return rs.length === 0 ? undefined : rs[0]?.expressions[0]?.value;
  }

  describe(`Engine: template strings (${mode})`, () => {
    it("interpolates input fields, numbers, booleans, null and composites", () => {
      const e = engineWith(`package t
greeting := $"hello {input.name}!"
kinds := $"n={input.n} f={input.f} b={input.b} z={input.z} s={input.s}"
composite := $"a={input.a} o={input.o} set={{1, "x"}} empty={set()} obj={{}}"
literal := $"{1.50} {1e3} {-2} {"s"} {true} {null}"
`);
      expect(value(e, "data.t.greeting", { name: "alice" })).toBe("hello alice!");
      expect(value(e, "data.t.kinds", { n: 7, f: 2.5, b: false, z: null, s: 'q"uote' })).toBe(
        'n=7 f=2.5 b=false z=null s=q"uote',
      );
      expect(value(e, "data.t.composite", { a: [1, "two", null], o: { k: ["v"] } })).toBe(
        'a=[1, "two", null] o={"k": ["v"]} set={1, "x"} empty=set() obj={}',
      );
      // A literal number keeps its source text, as OPA prints it.
      expect(value(e, "data.t.literal")).toBe("1.50 1e3 -2 s true null");
    });

    it("renders an undefined hole as <undefined> instead of being undefined", () => {
      const e = engineWith(`package t
msg := $"user {input.user.name} in {input.tenant}"
call := $"{f(-1)} {f(1)}"
f(x) := x + 1 if x > 0
`);
      expect(value(e, "data.t.msg", { tenant: "acme" })).toBe("user <undefined> in acme");
      expect(value(e, "data.t.call")).toBe("<undefined> 2");
    });

    it("raises eval_conflict_error when a hole has several values", () => {
      const e = engineWith(`package t
one := $"{input.xs[_]}"
`);
      expect(value(e, "data.t.one", { xs: ["only"] })).toBe("only");
      const err = errorOf(() => e.evalQuery("data.t.one", { input: { xs: [1, 2] } }));
      expect(err.code).toBe("eval_conflict_error");
      expect(err.message).toContain("template-strings must not produce multiple outputs");
    });

    it("parses nested braces inside holes: objects, sets, comprehensions, nested templates", () => {
      const e = engineWith(`package t
obj := $"{ {"a": {"b": 1}}["a"] }"
comp := $"{[x | some x in input.xs; x > 1]} {{k: v | some k, v in {"a": 1}}}"
nested := $"<{$"[{input.xs[0]}]"}>"
strings := $"{"}"} {"{"} {concat("", ["}", "{"])}"
`);
      expect(value(e, "data.t.obj")).toBe('{"b": 1}');
      expect(value(e, "data.t.comp", { xs: [1, 2, 3] })).toBe('[2, 3] {"a": 1}');
      expect(value(e, "data.t.nested", { xs: ["n"] })).toBe("<[n]>");
      expect(value(e, "data.t.strings")).toBe("} { }{");
    });

    it("keeps escaped braces and JSON escapes literal; raw templates keep backslashes", () => {
      const e = engineWith(
        String.raw`package t
escaped := $"\{not a hole} {1} \\{2} tab\tq\" \u00e9 a}b"
raw := $` +
          "`" +
          String.raw`C:\dir \{x} \\{1}
second line {input.v}` +
          "`\n",
      );
      expect(value(e, "data.t.escaped")).toBe('{not a hole} 1 \\2 tab\tq" é a}b');
      expect(value(e, "data.t.raw", { v: "v" })).toBe("C:\\dir {x} \\{1}\nsecond line v");
    });

    it("works in rule heads, bodies, functions, comprehensions and with modifiers", () => {
      const e = engineWith(`package t
deny contains $"{r} is not allowed" if { some r in input.roles; r != "admin" }
labels[$"k-{k}"] := v if { some k, v in input.m }
f(x) := $"<{x}>"
g := f(3)
body if { name := input.name; $"hi {name}" == "hi bob" }
pairs := [$"{i}:{v}" | some i, v in ["a", "b"]]
mocked := $"{input.name with input.name as "mock"}"
every_ok if { every x in [1, 2] { $"{x}" != "3" } }
`);
      expect(value(e, "data.t.deny", { roles: ["admin", "dev"] })).toEqual(["dev is not allowed"]);
      expect(value(e, "data.t.labels", { m: { a: 1 } })).toEqual({ "k-a": 1 });
      expect(value(e, "data.t.g")).toBe("<3>");
      expect(value(e, "data.t.body", { name: "bob" })).toBe(true);
      expect(value(e, "data.t.pairs")).toEqual(["0:a", "1:b"]);
      expect(value(e, "data.t.mocked", { name: "real" })).toBe("mock");
      expect(value(e, "data.t.every_ok")).toBe(true);
    });

    it("sees rule variables bound anywhere in the body, and keeps a hole's own variables local", () => {
      const e = engineWith(`package t
later := s if { s := $"{x} and {y}"; x = 1; y = "two" }
shadow := $"{x} {[x | some x in [7]]}" if { x := "outer" }
local := $"{input.xs[i]}"
rules := $"{later} / {data.t.later}"
`);
      expect(value(e, "data.t.later")).toBe("1 and two");
      expect(value(e, "data.t.shadow")).toBe("outer [7]");
      expect(value(e, "data.t.local", { xs: ["a"] })).toBe("a");
      expect(value(e, "data.t.rules")).toBe("1 and two / 1 and two");
    });

    it("evaluates template strings in queries", () => {
      const e = engineWith("package t\n");
      expect(e.evalQuery('x := $"a{1 + 1}b"')[0]?.bindings).toEqual({ x: "a2b" });
      expect(value(e, '$"{input.q}"', { q: "query" })).toBe("query");
    });

    it("prints template strings like any string", () => {
      const out: string[] = [];
      const e = new Engine({ interpretOnly, print: (m) => out.push(m) });
      e.addModule("p.rego", 'package t\np if { print($"hi {input.who}") }');
      e.evalQuery("data.t.p", { input: { who: "you" } });
      expect(out).toEqual(["hi you"]);
    });
  });
}

describe("Engine: template-string errors", () => {
  function addError(source: string, regoVersion?: 0 | 1): RegoError {
    return errorOf(() => new Engine().addModule("policy.rego", source, { regoVersion }));
  }

  it("reports malformed template strings as rego_parse_error at file:row:col", () => {
    const cases: [string, string][] = [
      ['package t\np := $"abc', "policy.rego:2:6: rego_parse_error: non-terminated string"],
      ['package t\np := $"a\\qb"', "policy.rego:2:6: rego_parse_error: illegal escape sequence"],
      ['package t\np := $"{x} \\q"', "policy.rego:2:11: rego_parse_error: illegal escape sequence"],
      [
        'package t\np := $"{1 2}"',
        "policy.rego:2:11: rego_parse_error: expected } to end template string expression",
      ],
      ['package t\np := $"{}"', "policy.rego:2:9: rego_parse_error: unexpected } token"],
      [
        'package t\np := $"{x = 1}"',
        "policy.rego:2:9: rego_parse_error: unexpected unification ('=') in template-string expression",
      ],
      [
        'package t\np := $"{x := 1}"',
        "policy.rego:2:9: rego_parse_error: unexpected assignment (':=') in template-string expression",
      ],
      [
        'package t\np := $"{not input.x}"',
        "policy.rego:2:9: rego_parse_error: unexpected negation ('not') in template-string expression",
      ],
      [
        'package t\np := $"{some x in [1]}"',
        "policy.rego:2:9: rego_parse_error: unexpected 'some' in template-string expression",
      ],
      [
        'package t\np := $"{every x in [1] { x }}"',
        "policy.rego:2:9: rego_parse_error: unexpected 'every' in template-string expression",
      ],
      [
        'package t\np := $"\\u00zz"',
        'policy.rego:2:6: rego_parse_error: illegal template-string part: "\\u00zz"',
      ],
      [
        'package t\np := $"x".y',
        "policy.rego:2:6: rego_parse_error: illegal ref (head cannot be templatestring)",
      ],
      [
        'package t\ndefault p := $"a {input.x}"',
        "policy.rego:2:1: rego_parse_error: illegal default rule (value cannot contain ref)",
      ],
      ['package t\n$"a"', "policy.rego:2:1: rego_parse_error: templatestring cannot be used for rule name"],
    ];
    for (const [source, first] of cases) {
      const e = addError(source);
      expect(e.code, source).toBe("rego_parse_error");
      // OPA's message, to which this parser may add what it expected there.
      expect(e.message.split("\n")[0]?.startsWith(first), `${source}\n${e.message}`).toBe(true);
    }
  });

  it("refuses template strings in Rego v0 modules, as OPA's v0 capabilities do", () => {
    const e = addError('package t\np = $"x"', 0);
    expect(e.message.split("\n")[0]).toBe(
      "policy.rego:2:5: rego_parse_error: template strings are not supported by current capabilities",
    );
    // Detected as v1, where the real problem is reported.
    expect(addError('package t\np { $"x" }').message).toContain("`if` keyword is required before rule body");
  });

  it("refuses a relation call in a hole, as OPA's compiler does", () => {
    const e = addError('package t\np := $"{walk(input)}"');
    expect(e.code).toBe("rego_compile_error");
    expect(e.message).toContain("illegal call to relation built-in 'walk' that may cause multiple outputs");
  });

  it("reports an unbound variable in a hole", () => {
    const e = addError('package t\np := s if { s := $"{x}!"; x := 1 }');
    expect(e.message.split("\n")[0]).toBe("policy.rego:2:21: rego_unsafe_var_error: var x is unsafe");
  });
});
