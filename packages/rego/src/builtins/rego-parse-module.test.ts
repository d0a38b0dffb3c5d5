import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import { type Json, toJson } from "../value/json.js";
import { BuiltinError } from "./builtin.js";
import { BUILTINS } from "./index.js";
import { REGO_PARSE_MODULE_BUILTINS } from "./rego-parse-module.js";
import { callerFor } from "./test-context.js";

// Expected values are written with the builders below. Cases marked "OPA's documented output"
// reproduce the JSON that OPA's own tests assert (v1/ast/marshal_test.go, whose default-option
// cases have no locations; v1/test/cases/testdata/v1/regoparsemodule; topdown's
// TestRegoParseModule). The others are derived from OPA's marshalling code (MarshalJSON of
// Term, Expr, Head, Rule, Package, Import in v1/ast) and its parser (parseHead, parseRules and
// ParseRuleFromExpr in v1/ast/parser.go and parser_ext.go).

const call = callerFor(REGO_PARSE_MODULE_BUILTINS);

function parse(source: string, file = "x.rego"): Json {
  const v = call("rego.parse_module", file, source);
  if (v === undefined) throw new Error("undefined");
  return toJson(v);
}

function parseError(source: string, file = "x.rego"): BuiltinError {
  try {
    call("rego.parse_module", file, source);
  } catch (e) {
    if (e instanceof BuiltinError) return e;
    throw e;
  }
  throw new Error("expected a parse error");
}

const term = (type: string, value: Json): Json => ({ type, value });
const v = (name: string): Json => term("var", name);
const s = (x: string): Json => term("string", x);
const n = (x: number): Json => term("number", x);
const b = (x: boolean): Json => term("boolean", x);
const nul: Json = term("null", {});
const ref = (...parts: Json[]): Json => term("ref", parts);
const op = (...names: string[]): Json => ref(v(names[0] as string), ...names.slice(1).map(s));
const callTerm = (operator: Json, ...args: Json[]): Json => term("call", [operator, ...args]);
const arr = (...items: Json[]): Json => term("array", items);
const expr = (index: number, terms: Json, extra: Record<string, Json> = {}): Json => ({
  index,
  terms,
  ...extra,
});
const trueBody: Json = [expr(0, b(true))];
const pkg = (...path: string[]): Json => ({ path: [v("data"), ...path.map(s)] });

describe("rego.parse_module", () => {
  it("is registered with OPA's signature", () => {
    const def = BUILTINS.get("rego.parse_module");
    expect(def?.arity).toBe(2);
    expect(def?.decl).toEqual({
      args: [{ type: "string" }, { type: "string" }],
      result: { type: "object", dynamic: { key: { type: "string" }, value: { type: "any" } } },
    });
  });

  it("gives a rule, its head and its body as OPA does (OPA's documented output)", () => {
    // TestRule_MarshalJSON / TestHead_MarshalJSON / TestExpr_MarshalJSON "base case".
    const m = parse("\n\tpackage foo\n\n\t# comment\n\n\tallow if { true }\n\t", "example.rego");
    expect(m).toEqual({
      package: pkg("foo"),
      rules: [{ body: trueBody, head: { name: "allow", value: b(true), ref: [v("allow")] } }],
      // Comments are the one node OPA always writes with a location (TestComment_MarshalJSON).
      comments: [{ Text: "IGNvbW1lbnQ=", Location: { file: "example.rego", row: 4, col: 2 } }],
    });
  });

  it("gives `every` with a null key in its one-variable form (OPA's documented output)", () => {
    // TestEvery_MarshalJSON "base case".
    const m = parse("\npackage foo\n\nallow if {\n\tevery e in [1,2,3] {\n\t\te == 1\n    }\n}\n") as {
      rules: { body: Json[] }[];
    };
    expect(m.rules[0]?.body[0]).toEqual(
      expr(0, {
        body: [expr(0, [op("equal"), v("e"), n(1)])],
        domain: arr(n(1), n(2), n(3)),
        key: null,
        value: v("e"),
      }),
    );
  });

  it("gives `with` modifiers (OPA's documented output)", () => {
    // TestWith_MarshalJSON "base case".
    const m = parse("\npackage foo\n\na if {input}\n\nb if {\n\ta with input as 1\n}\n") as {
      rules: { body: { with: Json }[] }[];
    };
    expect(m.rules[1]?.body[0]?.with).toEqual([{ target: ref(v("input")), value: n(1) }]);
  });

  it("gives a ref head with `contains` and no name (OPA's documented output, locations left out)", () => {
    // TestRuleHeadRefWithTermLocations_MarshalJSON, whose expected JSON has the term locations
    // that the default options leave out.
    const m = parse(
      'package test\n\nimport rego.v1\n\nref.head[rule].test contains "value" if {\n\trule := "rule"\n}',
    );
    expect(m).toEqual({
      package: pkg("test"),
      imports: [{ path: op("rego", "v1") }],
      rules: [
        {
          head: { key: s("value"), ref: [v("ref"), s("head"), v("rule"), s("test")] },
          body: [expr(0, [op("assign"), v("rule"), s("rule")])],
        },
      ],
    });
  });

  it("gives the package path with `data` first (OPA's documented output)", () => {
    // topdown's TestRegoParseModule reads module["package"].path[1].value (its module in v1 syntax).
    const m = parse("package foo.bar\n\n\t\timport data.a\n\n\t\tp if { a = true }") as {
      package: { path: { value: Json }[] };
      imports: Json;
      rules: Json;
    };
    expect(m.package.path[1]?.value).toBe("foo");
    expect(m.imports).toEqual([{ path: ref(v("data"), s("a")) }]);
    expect(m.rules).toEqual([
      { head: { name: "p", ref: [v("p")], value: b(true) }, body: [expr(0, [op("eq"), v("a"), b(true)])] },
    ]);
  });

  describe("rules (derived from OPA's parser and marshalling code)", () => {
    const rules = (body: string): Json[] => (parse(`package p\n\n${body}`) as { rules: Json[] }).rules;

    it("keeps imports with their aliases, `rego.v1` and `future.keywords` among them", () => {
      const m = parse(
        "package p\nimport rego.v1\nimport future.keywords.in\nimport data.roles as r\nimport input\n",
      );
      expect((m as { imports: Json }).imports).toEqual([
        { path: op("rego", "v1") },
        { path: ref(v("future"), s("keywords"), s("in")) },
        { path: ref(v("data"), s("roles")), alias: "r" },
        { path: ref(v("input")) },
      ]);
      expect(m).not.toHaveProperty("rules");
    });

    it("marks default rules and gives them the body `true`", () => {
      expect(rules("default allow := false")).toEqual([
        {
          default: true,
          body: trueBody,
          head: { name: "allow", ref: [v("allow")], value: b(false), assign: true },
        },
      ]);
    });

    it("gives constants the heads OPA's ParseRuleFromExpr makes", () => {
      expect(rules('p := 1\np.q := 2\na.b.c = 3\nf(x) := 4\ns contains "x"')).toEqual([
        { body: trueBody, head: { name: "p", ref: [v("p")], value: n(1), assign: true } },
        // A two-part ref keeps its ref and also gets a name and a key.
        {
          body: trueBody,
          head: { name: "p", key: s("q"), ref: [v("p"), s("q")], value: n(2), assign: true },
        },
        { body: trueBody, head: { ref: [v("a"), s("b"), s("c")], value: n(3) } },
        { body: trueBody, head: { name: "f", ref: [v("f")], args: [v("x")], value: n(4), assign: true } },
        { body: trueBody, head: { name: "s", ref: [v("s")], key: s("x") } },
      ]);
    });

    it("gives partial sets and objects with ref heads", () => {
      const got = rules(
        'grants contains g if { some k, v in input.grants; g := {"v": v, "k": k} }\n' +
          "perms[user] := p if { some user, p in input.perms }\n" +
          "flags[x] if { some x in input.flags }\n" +
          "a.b[c].d := 1 if { c := input.c }\n" +
          "q.r if input.r\n",
      );
      expect(got).toEqual([
        {
          head: { name: "grants", ref: [v("grants")], key: v("g") },
          body: [
            expr(0, {
              symbols: [callTerm(op("internal", "member_3"), v("k"), v("v"), ref(v("input"), s("grants")))],
            }),
            // Object keys come in OPA's sort order.
            expr(1, [
              op("assign"),
              v("g"),
              term("object", [
                [s("k"), v("k")],
                [s("v"), v("v")],
              ]),
            ]),
          ],
        },
        {
          // `p[x] := v if` keeps its two-part ref, gets a key (not ground) and a name (a value).
          head: { name: "perms", key: v("user"), ref: [v("perms"), v("user")], value: v("p"), assign: true },
          body: [
            expr(0, {
              symbols: [callTerm(op("internal", "member_3"), v("user"), v("p"), ref(v("input"), s("perms")))],
            }),
          ],
        },
        {
          // Without a value there is a key but no name.
          head: { key: v("x"), ref: [v("flags"), v("x")], value: b(true) },
          body: [
            expr(0, { symbols: [callTerm(op("internal", "member_2"), v("x"), ref(v("input"), s("flags")))] }),
          ],
        },
        {
          head: { ref: [v("a"), s("b"), v("c"), s("d")], value: n(1), assign: true },
          body: [expr(0, [op("assign"), v("c"), ref(v("input"), s("c"))])],
        },
        {
          // A ground two-part ref gets no key.
          head: { ref: [v("q"), s("r")], value: b(true) },
          body: [expr(0, ref(v("input"), s("r")))],
        },
      ]);
    });

    it("gives functions, `else` chains and wildcard arguments", () => {
      expect(rules("f(_, x) := y if { y := x * 2 } else := 0 if { x == 1 } else = 1")).toEqual([
        {
          head: { name: "f", ref: [v("f")], args: [v("$0"), v("x")], value: v("y"), assign: true },
          body: [expr(0, [op("assign"), v("y"), callTerm(op("mul"), v("x"), n(2))])],
          else: {
            head: { name: "f", ref: [v("f")], args: [v("$1"), v("x")], value: n(0), assign: true },
            body: [expr(0, [op("equal"), v("x"), n(1)])],
            // Each branch copies the first head: `=` clears `assign` for its own value only.
            else: {
              head: { name: "f", ref: [v("f")], args: [v("$2"), v("x")], value: n(1) },
              body: trueBody,
            },
          },
        },
      ]);
      expect(rules("g(x) if x > 1\nh := 1 if input.a else if { input.b }")).toEqual([
        {
          head: { name: "g", ref: [v("g")], args: [v("x")], value: b(true) },
          body: [expr(0, [op("gt"), v("x"), n(1)])],
        },
        {
          head: { name: "h", ref: [v("h")], value: n(1), assign: true },
          body: [expr(0, ref(v("input"), s("a")))],
          // `else if { ... }` has the value true and keeps the first head's `assign` (v1 needs the
          // `if` on each branch).
          else: {
            head: { name: "h", ref: [v("h")], value: b(true), assign: true },
            body: [expr(0, ref(v("input"), s("b")))],
          },
        },
      ]);
    });

    it("gives `some`, `every`, negation, `with` and calls in bodies", () => {
      const [rule] = rules(
        "r if {\n\tsome z\n\tz = 1\n\tnot input.blocked\n\tevery k, val in input.m { k != val }\n" +
          "\tcount(input.xs) > 0 with input.xs as [1] with data.d as null\n\tx in input.ys\n}",
      ) as { body: Json }[];
      expect(rule?.body).toEqual([
        expr(0, { symbols: [v("z")] }),
        expr(1, [op("eq"), v("z"), n(1)]),
        expr(2, ref(v("input"), s("blocked")), { negated: true }),
        expr(3, {
          key: v("k"),
          value: v("val"),
          domain: ref(v("input"), s("m")),
          body: [expr(0, [op("neq"), v("k"), v("val")])],
        }),
        expr(4, [op("gt"), callTerm(op("count"), ref(v("input"), s("xs"))), n(0)], {
          with: [
            { target: ref(v("input"), s("xs")), value: arr(n(1)) },
            { target: ref(v("data"), s("d")), value: nul },
          ],
        }),
        expr(5, [op("internal", "member_2"), v("x"), ref(v("input"), s("ys"))]),
      ]);
    });

    it("gives comprehensions, sets in OPA's order and numbers with their values", () => {
      const got = rules(
        "names := [n | some u in input.users; n := u.name]\n" +
          "ids := {id | id := input.ids[_]}\n" +
          "byname := {u.name: u | some u in input.users}\n" +
          's := {"a", 3, null, 1.5, 1, [2], {"k": 1}, set(), 1.0}\n',
      ) as { head: { value: Json } }[];
      expect(got.map((r) => r.head.value)).toEqual([
        term("arraycomprehension", {
          term: v("n"),
          body: [
            expr(0, { symbols: [callTerm(op("internal", "member_2"), v("u"), ref(v("input"), s("users")))] }),
            expr(1, [op("assign"), v("n"), ref(v("u"), s("name"))]),
          ],
        }),
        term("setcomprehension", {
          term: v("id"),
          body: [expr(0, [op("assign"), v("id"), ref(v("input"), s("ids"), v("$0"))])],
        }),
        term("objectcomprehension", {
          key: ref(v("u"), s("name")),
          value: v("u"),
          body: [
            expr(0, { symbols: [callTerm(op("internal", "member_2"), v("u"), ref(v("input"), s("users")))] }),
          ],
        }),
        // null < numbers < strings < arrays < objects < sets; 1.0 equals 1, the first is kept.
        term("set", [
          nul,
          n(1),
          n(1.5),
          n(3),
          s("a"),
          arr(n(2)),
          term("object", [[s("k"), n(1)]]),
          term("set", []),
        ]),
      ]);
    });

    it("keeps every comment and leaves METADATA blocks unprocessed, as OPA's builtin does", () => {
      // A malformed block is no error: ast.ParseModule does not process annotations.
      const m = parse("# METADATA\n# title: [\npackage p\n\np := 1 # one\n");
      expect(m).not.toHaveProperty("annotations");
      expect((m as { comments: Json }).comments).toEqual([
        { Text: Buffer.from(" METADATA").toString("base64"), Location: { file: "x.rego", row: 1, col: 1 } },
        { Text: Buffer.from(" title: [").toString("base64"), Location: { file: "x.rego", row: 2, col: 1 } },
        { Text: Buffer.from(" one").toString("base64"), Location: { file: "x.rego", row: 5, col: 8 } },
      ]);
    });

    it("accepts duplicate imports (a compile error to OPA, not a parse error)", () => {
      const m = parse("package p\nimport data.a\nimport data.a\n") as { imports: Json[] };
      expect(m.imports).toHaveLength(2);
    });

    it("accepts v0 modules that are also v1 (future keywords imported)", () => {
      const m = parse(
        'package p\nimport future.keywords.if\nimport future.keywords.contains\ndeny contains msg if { msg := "no" }',
      );
      expect((m as { rules: Json }).rules).toEqual([
        {
          head: { name: "deny", ref: [v("deny")], key: v("msg") },
          body: [expr(0, [op("assign"), v("msg"), s("no")])],
        },
      ]);
    });

    it("gives template strings as OPA's `templatestring` term, wildcards numbered as OPA's parser does", () => {
      const [rule] = rules('x if { _ = $"hi {input.name}!"; _ = 1 }') as { body: Json }[];
      expect(rule?.body).toEqual([
        expr(0, [
          op("eq"),
          v("$0"),
          term("templatestring", {
            parts: [s("hi "), expr(0, ref(v("input"), s("name"))), s("!")],
            multi_line: false,
          }),
        ]),
        expr(1, [op("eq"), v("$1"), n(1)]),
      ]);
    });
  });

  describe("errors", () => {
    it("raises OPA's text of a syntax error, with its source line (OPA's documented output)", () => {
      // regoparsemodule/error: want_error "rego_parse_error: unexpected eof token: expected ident".
      const e = parseError("package foo.");
      expect(e.kind).toBe("builtin");
      expect(e.message).toBe(
        "1 error occurred: x.rego:1: rego_parse_error: unexpected eof token: expected ident\n\tpackage foo.\n\t           ^",
      );
    });

    it("rejects v0 syntax: the module is parsed as Rego v1", () => {
      const e = parseError("package p\n\nallow { true }\ndeny[msg] { msg := 1 }");
      expect(e.message).toBe(
        "3 errors occurred:\n" +
          "x.rego:3: rego_parse_error: `if` keyword is required before rule body\n" +
          "x.rego:4: rego_parse_error: `if` keyword is required before rule body\n" +
          "x.rego:4: rego_parse_error: `contains` keyword is required for partial set rules",
      );
    });

    it("rejects constants that Rego v1 refuses (`p[x]` or `a.b.c` alone)", () => {
      expect(parseError('package p\nt["y"]').message).toContain(
        "`contains` keyword is required for partial set rules",
      );
      expect(parseError("package p\na.b.c").message).toContain(
        "rule must have value assignment and/or body declaration",
      );
    });

    it("reports an empty module as OPA's single error at row 0", () => {
      expect(parseError("# nothing\n").message).toBe("x.rego:0: rego_parse_error: empty module");
      expect(parseError("", "").message).toBe("0:0: rego_parse_error: empty module");
    });

    it("checks both operands as operand 1, as OPA does", () => {
      expect(() => call("rego.parse_module", 1, "package p")).toThrow(
        "operand 1 must be string but got number",
      );
      expect(() => call("rego.parse_module", "x.rego", null)).toThrow(
        "operand 1 must be string but got null",
      );
    });

    it("is undefined unless builtin errors are strict, then eval_builtin_error", () => {
      const query = 'm := rego.parse_module("x.rego", input.src)';
      const input = { src: "package foo." };
      expect(new Engine().evalQuery(query, { input })).toEqual([]);
      let err: unknown;
      try {
        new Engine({ strictBuiltinErrors: true }).evalQuery(query, { input });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegoError);
      expect((err as RegoError).code).toBe("eval_builtin_error");
      expect((err as RegoError).message).toContain(
        "rego.parse_module: 1 error occurred: x.rego:1: rego_parse_error: unexpected eof token: expected ident",
      );
    });

    it("is usable from a policy", () => {
      const e = new Engine();
      e.addModule(
        "q.rego",
        'package q\npkg := rego.parse_module("m.rego", "package a.b\\np := 1").package.path[2].value',
      );
      expect(e.evalQuery("data.q.pkg")[0]?.expressions[0]?.value).toBe("b");
    });
  });
});
