import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet } from "../value/value.js";
import { STRING_BUILTINS } from "./strings.js";
import { callerFor } from "./test-context.js";

const call = callerFor(STRING_BUILTINS);

describe("basic string functions", () => {
  it("concatenates arrays and sets of strings", () => {
    expect(call("concat", ",", ["a", "b"])).toBe("a,b");
    expect(call("concat", "-", RegoSet.of(["b", "a"]))).toBe("a-b");
    expect(() => call("concat", ",", ["a", 1])).toThrow(
      "operand 2 must be array of strings but got array containing number",
    );
  });

  it("searches by code point index", () => {
    expect(call("indexof", "héllo", "l")).toBe(2);
    expect(call("indexof", "abc", "z")).toBe(-1);
    expect(call("indexof_n", "aaa", "aa")).toEqual([0, 1]);
    expect(() => call("indexof", "abc", "")).toThrow("empty search character");
    expect(call("contains", "abc", "b")).toBe(true);
    expect(call("startswith", "abc", "ab")).toBe(true);
    expect(call("endswith", "abc", "bc")).toBe(true);
  });

  it("splits, replaces and takes substrings by code point", () => {
    expect(call("split", "a,b,,c", ",")).toEqual(["a", "b", "", "c"]);
    expect(call("split", "hé", "")).toEqual(["h", "é"]);
    expect(call("strings.split_n", "a,b,c", ",", 2)).toEqual(["a", "b,c"]);
    expect(call("replace", "aaa", "a", "b")).toBe("bbb");
    expect(call("substring", "héllo", 1, 3)).toBe("éll");
    expect(call("substring", "hello", 1, -1)).toBe("ello");
    expect(call("substring", "hello", 10, 1)).toBe("");
    expect(() => call("substring", "hello", -1, 1)).toThrow("negative offset");
    expect(call("strings.reverse", "héllo")).toBe("olléh");
    expect(call("strings.count", "cheese", "e")).toBe(3);
    expect(call("strings.count", "five", "")).toBe(5);
  });

  it("trims as Go does", () => {
    expect(call("trim", "  xx hi xx  ", " x")).toBe("hi");
    expect(call("trim_left", "xxhixx", "x")).toBe("hixx");
    expect(call("trim_right", "xxhixx", "x")).toBe("xxhi");
    expect(call("trim_prefix", "foobar", "foo")).toBe("bar");
    expect(call("trim_suffix", "foobar", "bar")).toBe("foo");
    expect(call("trim_space", "\t\n hi \u00a0")).toBe("hi");
    expect(call("upper", "abc")).toBe("ABC");
    expect(call("lower", "ABC")).toBe("abc");
  });

  it("formats integers in bases 2, 8, 10 and 16", () => {
    expect(call("format_int", 255, 16)).toBe("ff");
    expect(call("format_int", -1.9, 10)).toBe("-1");
    expect(call("format_int", 5, 2)).toBe("101");
    expect(call("format_int", BigNumber.parse("123456789012345678901") as BigNumber, 10)).toBe(
      "123456789012345678901",
    );
    expect(() => call("format_int", 5, 3)).toThrow("operand 2 must be one of {2, 8, 10, 16}");
  });
});

describe("strings.any_prefix_match / any_suffix_match", () => {
  it("accepts strings, arrays and sets on both sides", () => {
    expect(call("strings.any_prefix_match", "foobar", "foo")).toBe(true);
    expect(call("strings.any_prefix_match", ["x", "foobar"], RegoSet.of(["foo"]))).toBe(true);
    expect(call("strings.any_suffix_match", "foobar", ["baz", "bar"])).toBe(true);
    expect(call("strings.any_suffix_match", "foobar", "foo")).toBe(false);
  });

  it("reports OPA's type errors", () => {
    expect(() => call("strings.any_prefix_match", 1, "a")).toThrow(
      "operand 1 must be one of {string, set, array} but got number",
    );
    expect(() => call("strings.any_suffix_match", "a", ["b", 1])).toThrow(
      "operand 2 must be array of strings but got array containing number",
    );
  });
});

describe("strings.replace_n", () => {
  it("replaces patterns in key order without overlap", () => {
    const p = RegoObject.fromRecord({ "<": "&lt;", ">": "&gt;" });
    expect(call("strings.replace_n", p, "This is <b>HTML</b>!")).toBe("This is &lt;b&gt;HTML&lt;/b&gt;!");
    expect(call("strings.replace_n", RegoObject.fromRecord({ foo: "xxx", f: "x" }), "foobar")).toBe("xoobar");
  });
});

describe("strings.render_template", () => {
  it("substitutes fields", () => {
    const vars = RegoObject.fromRecord({ name: "world", n: 3, o: RegoObject.fromRecord({ x: "y" }) });
    expect(call("strings.render_template", "hello {{.name}} {{ .n }} {{.o.x}}", vars)).toBe(
      "hello world 3 y",
    );
    expect(call("strings.render_template", "a {{- .name -}}  b {{/* c */}}{{.n}}", vars)).toBe("aworldb 3");
    expect(call("strings.render_template", "{{.big}}", RegoObject.fromRecord({ big: 1000000 }))).toBe(
      "1e+06",
    );
    expect(() => call("strings.render_template", "x\n {{.missing}}", vars)).toThrow(
      'template: template:2:3: executing "template" at <.missing>: map has no entry for key "missing"',
    );
  });
});

describe("sprintf", () => {
  it("passes values to Go's fmt the way OPA converts them", () => {
    expect(call("sprintf", "%d items", [3])).toBe("3 items");
    expect(call("sprintf", "%s", [BigNumber.parse("123456789123456789123") as BigNumber])).toBe(
      "123456789123456789123",
    );
    expect(call("sprintf", "%v %v", [[1, "a"], RegoObject.fromRecord({ a: 1 })])).toBe('[1, "a"] {"a": 1}');
    expect(call("sprintf", "%v %s", [RegoSet.of([2, 1]), true])).toBe("{1, 2} true");
    expect(call("sprintf", "%.2f", [1.23456])).toBe("1.23");
    expect(call("sprintf", "%s", [1])).toBe("%!s(int=1)");
    expect(() => call("sprintf", "%s", "x")).toThrow("operand 2 must be array but got string");
  });
});
