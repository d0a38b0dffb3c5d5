import { describe, expect, it } from "vitest";
import type { Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { GLOB_BUILTINS } from "./glob.js";

const ctx: BuiltinContext = {
  nowNs: 0n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = GLOB_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b.impl(args, ctx);
}

const match = (pattern: string, delimiters: Value, value: string): Value | undefined =>
  call("glob.match", pattern, delimiters, value);

describe("glob.match", () => {
  it("stops * at delimiters and lets ** cross them", () => {
    expect(match("*.github.com", ["."], "api.github.com")).toBe(true);
    expect(match("*.github.com", ["."], "api.cdn.github.com")).toBe(false);
    expect(match("api.**.com", ["."], "api.github.com")).toBe(true);
    expect(match("api.**.com", ["."], "api.a.b.com")).toBe(true);
  });

  it("defaults to '.' for an empty delimiter list and to none for null", () => {
    expect(match("*.com", [], "a.b.com")).toBe(false);
    expect(match("*.com", null, "a.b.com")).toBe(true);
    expect(match("*:*", [":"], "a:b")).toBe(true);
    expect(match("*", ["/", ":"], "a/b")).toBe(false);
  });

  it("supports ?, classes, negated classes, alternatives and escapes", () => {
    expect(match("h?llo", [], "hello")).toBe(true);
    expect(match("h?llo", ["e"], "hello")).toBe(false);
    expect(match("[a-c]at", [], "bat")).toBe(true);
    expect(match("[!a-c]at", [], "bat")).toBe(false);
    expect(match("[!a-c]at", [], "rat")).toBe(true);
    expect(match("{api,www}.example.com", ["."], "www.example.com")).toBe(true);
    expect(match("{api,w{1,2}}.x", ["."], "w2.x")).toBe(true);
    expect(match("{api,www}.example.com", ["."], "ftp.example.com")).toBe(false);
    expect(match("\\*.x", ["."], "*.x")).toBe(true);
    expect(match("\\*.x", ["."], "a.x")).toBe(false);
    expect(match("a+b(c)", [], "a+b(c)")).toBe(true);
  });

  it("reports bad globs and operands", () => {
    expect(() => match("[abc", [], "a")).toThrow(BuiltinError);
    expect(() => match("{a,b", [], "a")).toThrow("unclosed '{'");
    expect(() => match("*", "x", "a")).toThrow("operand 2 must be array or null but got string");
  });
});

describe("glob.quote_meta", () => {
  it("escapes glob metacharacters only", () => {
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
    expect(call("glob.quote_meta", "[a]{b}?\\")).toBe("\\[a\\]\\{b\\}\\?\\\\");
    const quoted = call("glob.quote_meta", "*?[x]") as string;
    expect(match(quoted, [], "*?[x]")).toBe(true);
  });
});
