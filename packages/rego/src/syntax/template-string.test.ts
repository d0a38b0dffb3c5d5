import { describe, expect, it } from "vitest";
import type { Term } from "./ast.js";
import { lex, type Token } from "./lexer.js";
import { parseModule, parseQuery } from "./parser.js";
import { isTemplateString } from "./template-string.js";
import { termToString } from "./term-facts.js";
import { errorOf } from "../test-support/error-of.js";

/** The tokens of a source, without the final eof. */
function tokens(source: string): Token[] {
  return lex("t.rego", source).tokens.slice(0, -1);
}

/** Each token as `kind`, or `template(value)` with its place: `^` first, `$` last. */
function shapes(source: string): string[] {
  return tokens(source).map((t) => {
    const info = t.template;
    if (info === undefined) return t.kind;
    const place = `${info.first ? "^" : ""}${info.last ? "$" : ""}${info.raw ? "r" : ""}`;
    return t.kind === "template" ? `template${place}(${t.value})` : `illegal${place}(${t.error})`;
  });
}

/** The term of a one-expression query. */
function termOf(query: string): Term {
  const [e] = parseQuery(query);
  if (e === undefined) throw new Error("empty query");
  if (e.kind.type === "term") return e.kind.term;
  if (e.kind.type === "callexpr") return e.kind.call;
  throw new Error(`not a term: ${query}`);
}

/** The parts array of a lowered template string. */
function partsOf(query: string): readonly Term[] {
  const t = termOf(query);
  if (t.type !== "call" || !isTemplateString(t)) throw new Error(`not a template string: ${query}`);
  const [arg] = t.args;
  if (arg?.type !== "array") throw new Error("no parts array");
  return arg.items;
}

describe("lexing template strings", () => {
  it("cuts a template string into parts around its holes", () => {
    expect(shapes('$"hello {input.name}!"')).toEqual([
      "template^(hello )",
      "ident",
      ".",
      "ident",
      "template$(!)",
    ]);
    expect(shapes('$"plain"')).toEqual(["template^$(plain)"]);
    expect(shapes('$"{x}{y}"')).toEqual(["template^()", "ident", "template()", "ident", "template$()"]);
  });

  it("locates a part after a hole at the hole's closing brace", () => {
    const [first, , second] = tokens('$"a {x} b"');
    expect(first?.location).toEqual({ file: "t.rego", row: 1, col: 1, offset: 0 });
    expect(second?.location).toEqual({ file: "t.rego", row: 1, col: 7, offset: 6 });
    expect(second?.text).toBe('} b"');
  });

  it("tells the closing brace of a hole from the braces inside it", () => {
    expect(shapes('$"{ {"a": {1}}["a"] } {[x | x := {"}"}]}"')).toEqual([
      "template^()",
      "{",
      "string",
      ":",
      "{",
      "number",
      "}",
      "}",
      "[",
      "string",
      "]",
      "template( )",
      "[",
      "ident",
      "|",
      "ident",
      ":=",
      "{",
      "string",
      "}",
      "]",
      "template$()",
    ]);
  });

  it("lexes template strings nested in holes", () => {
    expect(shapes('$"a{$"b{c}"}d"')).toEqual([
      "template^(a)",
      "template^(b)",
      "ident",
      "template$()",
      "template$(d)",
    ]);
  });

  it("keeps escaped braces and a closing brace in text literal", () => {
    expect(shapes('$"\\{x} a}b \\\\{y}"')).toEqual(["template^({x} a}b \\)", "ident", "template$()"]);
    expect(shapes('$"\\t\\"\\u00e9\\/"')).toEqual(['template^$(\t"é/)']);
  });

  it("takes raw template strings verbatim but for `\\{`, across lines", () => {
    expect(shapes("$`C:\\dir \\{x}\n{ # a } comment\n y }`")).toEqual([
      "template^r(C:\\dir {x}\n)",
      "ident",
      "template$r()",
    ]);
    expect(lex("t.rego", "$`a\n{ # c\n}`").comments.map((c) => c.text)).toEqual([" c"]);
  });

  it("refuses what OPA's scanner refuses, at the part's location", () => {
    expect(shapes('$"abc')).toEqual(["illegal^$(non-terminated string)"]);
    expect(shapes('$"abc\n"')[0]).toBe("illegal^$(non-terminated string)");
    expect(shapes('$"a\\q"')).toEqual(["illegal^$(illegal escape sequence)"]);
    expect(shapes('$"a\\}"')).toEqual(["illegal^$(illegal escape sequence)"]);
    expect(shapes('$"\\u00zz"')).toEqual(['illegal^$(illegal template-string part: "\\u00zz")']);
    // `\u` skips itself and three characters: the fourth is read as usual (here, a hole).
    expect(shapes('$"\\u123{x}"')).toEqual([
      'illegal^(illegal template-string part: "\\u123{)',
      "ident",
      "template$()",
    ]);
    const [, , after] = tokens('$"{x} \\q"');
    expect(after?.kind).toBe("illegal");
    expect(after?.location.col).toBe(6);
    expect(shapes("$x")).toEqual(["illegal", "ident"]);
  });

  it("scans in linear time", () => {
    const n = 100_000;
    const [only] = tokens(`$"${"a\\{".repeat(n)}"`);
    expect(only?.value?.length).toBe(2 * n);
  });
});

describe("parsing template strings", () => {
  it("lowers a template string to OPA's internal.template_string call", () => {
    const t = termOf('$"hello {input.name}!"');
    expect(termToString(t)).toBe('internal.template_string(["hello ", {$0 | ...}, "!"])');
    const [, hole] = partsOf('$"hello {input.name}!"');
    if (hole?.type !== "setcomp") throw new Error("hole is not a set comprehension");
    const [capture] = hole.body;
    expect(capture?.kind.type === "callexpr" && termToString(capture.kind.call)).toBe("eq(input.name, $0)");
    expect(termToString(hole.term)).toBe("$0");
  });

  it("keeps scalar literals as parts and leaves out empty text", () => {
    expect(partsOf('$"{"s"}{true}{null}{1.50}"').map(termToString)).toEqual([
      '"s"',
      "true",
      "null",
      '"1.50"',
    ]);
    expect(partsOf('$""').map(termToString)).toEqual(['""']);
    expect(partsOf('$"{x}"')).toHaveLength(1);
  });

  it("keeps a hole's with modifiers on its capturing expression", () => {
    const [hole] = partsOf('$"{data.p with input as 1}"');
    if (hole?.type !== "setcomp") throw new Error("hole is not a set comprehension");
    expect(hole.body[0]?.with.map((w) => termToString(w.target))).toEqual(["input"]);
  });

  it("gives every hole its own capture variable", () => {
    const names = partsOf('$"{a}{b}{[_ | true]}"').map((p) =>
      p.type === "setcomp" ? termToString(p.term) : "",
    );
    expect(new Set(names).size).toBe(3);
  });

  it("parses template strings in rule heads and bodies", () => {
    const m = parseModule(
      "t.rego",
      `package t
msg := $"hi {input.name}"
deny contains $"bad {r}" if { some r in input.roles }
f(x) := $"<{x}>"
p if { $"{input.a}" == "1" }
`,
    );
    expect(m.regoVersion).toBe(1);
    expect(m.rules.map((r) => (r.head.value ? termToString(r.head.value).slice(0, 24) : undefined))).toEqual([
      "internal.template_string",
      undefined,
      "internal.template_string",
      "true",
    ]);
    expect(termToString(m.rules[1]?.head.key as Term).slice(0, 24)).toBe("internal.template_string");
  });

  it("accepts a template string in a default value when its holes hold no var, ref or call", () => {
    const m = parseModule("t.rego", 'package t\ndefault p := $"a {1} {[2]} {"b"}"');
    expect(m.rules[0]?.isDefault).toBe(true);
    const cases: [string, string][] = [
      ['$"{x}"', "var"],
      ['$"{input.x}"', "ref"],
      ['$"{count([1])}"', "ref"],
      ['$"{[f(1)]}"', "call"],
      ['$"{[1] with input as 2}"', "ref"],
      ['$"{$"{y}"}"', "var"],
    ];
    for (const [value, bad] of cases) {
      const e = errorOf(() => parseModule("t.rego", `package t\ndefault p := ${value}`));
      expect(e.message, value).toBe(
        `t.rego:2:1: rego_parse_error: illegal default rule (value cannot contain ${bad})`,
      );
    }
  });

  it("refuses template strings in Rego v0, as OPA's v0 capabilities do", () => {
    const e = errorOf(() => parseModule("t.rego", 'package t\np = $"x" { true }', { regoVersion: 0 }));
    expect(e.errors[0]).toEqual({
      code: "rego_parse_error",
      message: "template strings are not supported by current capabilities",
      location: { file: "t.rego", row: 2, col: 5, offset: 14 },
    });
    expect(errorOf(() => parseQuery('$"x"', { regoVersion: 0 })).message).toContain(
      "template strings are not supported by current capabilities",
    );
  });

  it("names template-string tokens as OPA does in unexpected-token errors", () => {
    expect(errorOf(() => parseModule("t.rego", 'package $"x"')).message).toContain(
      "unexpected template-string-end token",
    );
    expect(errorOf(() => parseModule("t.rego", "package $`{x}`")).message).toContain(
      "unexpected raw-template-string-part token",
    );
    expect(errorOf(() => parseQuery('$"{x with}"')).message).toContain(
      "query:1:10: rego_parse_error: unexpected } token",
    );
  });

  it("reports the error in a hole, then that the hole is invalid", () => {
    const e = errorOf(() => parseQuery('$"{]}"'));
    expect(e.errors.map((x) => x.message)).toEqual([
      "unexpected ] token: expected term",
      "invalid template-string expression",
    ]);
  });

  it("refuses deep nesting with a parse error instead of overflowing the stack", () => {
    const n = 5000;
    const e = errorOf(() => parseQuery(`${'$"{'.repeat(n)}1${'}"'.repeat(n)}`));
    expect(e.message).toContain("max parsing recursion depth exceeded");
  });
});
