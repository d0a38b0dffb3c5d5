import { describe, expect, it } from "vitest";
import type { Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { REGEX_BUILTINS } from "./regex.js";

const ctx: BuiltinContext = {
  nowNs: 0n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = REGEX_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  expect(args.length).toBe(b.arity);
  return b.impl(args, ctx);
}

describe("regex.match / re_match", () => {
  it("matches anywhere unless anchored", () => {
    expect(call("regex.match", "^[a-z]+\\[[0-9]+\\]$", "foo[1]")).toBe(true);
    expect(call("re_match", "^[a-z]+\\[[0-9]+\\]$", "foo[1]")).toBe(true);
    expect(call("regex.match", "b+", "abbbc")).toBe(true);
    expect(call("regex.match", "^b+$", "abbbc")).toBe(false);
    expect(call("regex.match", "(?i)HELLO", "say hello")).toBe(true);
  });

  it("accepts RE2 syntax and rejects backreferences and lookarounds", () => {
    expect(call("regex.match", "(?P<word>\\w+)", "x")).toBe(true);
    expect(() => call("regex.match", "(a)\\1", "aa")).toThrow(BuiltinError);
    expect(() => call("regex.match", "a(?=b)", "ab")).toThrow(BuiltinError);
  });

  it("matches pathological patterns in linear time", () => {
    expect(call("regex.match", "^(a+)+$", `${"a".repeat(5000)}!`)).toBe(false);
  });

  it("reports invalid patterns with Go's message and operand type errors", () => {
    expect(() => call("regex.match", "[", "x")).toThrow("error parsing regexp: missing closing ]: `[`");
    expect(() => call("regex.match", 1, "x")).toThrow("operand 1 must be string but got number");
  });
});

describe("regex.is_valid", () => {
  it("never fails", () => {
    expect(call("regex.is_valid", ".*")).toBe(true);
    expect(call("regex.is_valid", "++")).toBe(false);
    expect(call("regex.is_valid", 5)).toBe(false);
  });
});

describe("regex.split", () => {
  it("splits as Go's Regexp.Split(s, -1)", () => {
    expect(call("regex.split", "a", "banana")).toEqual(["b", "n", "n", ""]);
    expect(call("regex.split", "^[a-z]+\\[[0-9]+\\]$", "")).toEqual([""]);
    expect(call("regex.split", "", "abc")).toEqual(["a", "b", "c"]);
    expect(call("regex.split", "x*", "axxb")).toEqual(["a", "b"]);
    expect(call("regex.split", ",", "a,b,,c")).toEqual(["a", "b", "", "c"]);
  });
});

describe("regex.find_n / find_all_string_submatch_n", () => {
  it("returns up to n matches (all when n < 0)", () => {
    expect(call("regex.find_n", "a.", "paranormal", -1)).toEqual(["ar", "an", "al"]);
    expect(call("regex.find_n", "a.", "paranormal", 2)).toEqual(["ar", "an"]);
    expect(call("regex.find_n", "a*", "baaab", -1)).toEqual(["", "aaa", ""]);
    expect(call("regex.find_n", "z", "abc", -1)).toEqual([]);
  });

  it("returns groups, with empty strings for unmatched ones", () => {
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axxb-", -1)).toEqual([
      ["ab", ""],
      ["axxb", "xx"],
    ]);
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-", -1)).toEqual([]);
    expect(call("regex.find_all_string_submatch_n", "(a)|(b)", "ab", 1)).toEqual([["a", "a", ""]]);
  });

  it("requires an integer n", () => {
    expect(() => call("regex.find_n", "a", "a", 1.5)).toThrow("operand 3 must be integer but got number");
  });
});

describe("regex.replace", () => {
  it("expands templates as Go's ReplaceAllString", () => {
    expect(call("regex.replace", "-wy-wxxy-", "w(x*)y", "0")).toBe("-0-0-");
    expect(call("regex.replace", "foo", "(foo)", "$1$1")).toBe("foofoo");
    expect(call("regex.replace", "foo bar", "(?P<w>\\w+)", `<$${"{"}w}>`)).toBe("<foo> <bar>");
    expect(call("regex.replace", "ab", "(a)", "$1x")).toBe("b");
    expect(call("regex.replace", "ab", "(a)", `$${"{"}1}x`)).toBe("axb");
    expect(call("regex.replace", "ab", "a", "$$")).toBe("$b");
  });
  it("fails on a bad pattern", () => {
    expect(() => call("regex.replace", "foo", "[", "$1")).toThrow(BuiltinError);
  });
});

describe("regex.template_match", () => {
  it("matches templates whose delimited parts are regexes", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(call("regex.template_match", "urn:foo:<.*>", "urn:foo:bar:baz", "<", ">")).toBe(true);
    expect(call("regex.template_match", "urn:foo.{[a-z]+}", "urn:fooXbar", "{", "}")).toBe(false);
    expect(call("regex.template_match", "urn:{[0-9]{2}}", "urn:12", "{", "}")).toBe(true);
    expect(call("regex.template_match", "urn:{[0-9]{2}}", "urn:123", "{", "}")).toBe(false);
  });
  it("rejects unbalanced templates and long delimiters", () => {
    expect(() => call("regex.template_match", "urn:{a", "urn:a", "{", "}")).toThrow(
      'unbalanced braces in "urn:{a"',
    );
    expect(() => call("regex.template_match", "x", "x", "{{", "}")).toThrow(
      "start delimiter has to be exactly one character",
    );
  });
});

describe("regex.globs_match", () => {
  it("finds a common non-empty string", () => {
    const nonEmpty: Record<string, string[]> = {
      abcd: ["abcd", "....", "[a-d]*"],
      pqrs: [".qrs", "p.rs", "pq.s", "pqr."],
      ".*": ["asdklfj", "jasdfh"],
      "d*": ["[abcd][abcd]", "d[a-z]+", ".....", "[d]*"],
      "[a-p]+": ["[p-z]+", "apapapaapapapap", ".*", "abcdefgh*"],
      "abcd[a-c]z+": ["abcd[b-d][yz]*", "abcdazzzz", "abcdbzzz", "abcdcz"],
      ".*\\\\": [".*", "asdfasdf\\\\"],
      ".a.a": ["b.b.", "c.c.", "d.d.", "e.e."],
      ".*.*.*.*.*.*.*.*.*.*.*.*.*.*.*": [".*.*.*.*.*.*.*.*.*.*.*"],
      "foo.*bar": ["foobar", "fooalkdsjfbar"],
    };
    for (const [a, others] of Object.entries(nonEmpty)) {
      for (const b of others) {
        expect(call("regex.globs_match", a, b), `${a} ~ ${b}`).toBe(true);
        expect(call("regex.globs_match", b, a), `${b} ~ ${a}`).toBe(true);
      }
    }
  });

  it("sees disjoint globs", () => {
    expect(call("regex.globs_match", "[a-z]+", "[0-9]*")).toBe(false);
    expect(call("regex.globs_match", "abc", "abd")).toBe(false);
    expect(call("regex.globs_match", "a.", "a")).toBe(false);
    expect(call("regex.globs_match", "\\.", "a")).toBe(false);
    expect(call("regex.globs_match", "foo.*bar", "foo.*baz")).toBe(false);
  });

  it("rejects malformed globs", () => {
    expect(() => call("regex.globs_match", "[abc", "a")).toThrow("unclosed '['");
    expect(() => call("regex.globs_match", "*a", "a")).toThrow(BuiltinError);
  });
});
