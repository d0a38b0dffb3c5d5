import { describe, expect, it } from "vitest";
import type { Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { RAND_BUILTINS } from "./rand.js";

function context(values: number[]): BuiltinContext {
  let i = 0;
  return {
    nowNs: 0n,
    cache: new Map(),
    print: () => {},
    random: () => values[i++ % values.length] as number,
    capabilities: {},
  };
}

const intn = RAND_BUILTINS[0];
const call = (ctx: BuiltinContext, ...args: Value[]): Value | undefined => intn?.impl(args, ctx);

describe("rand.intn", () => {
  it("draws from the random source and caches per (str, n)", () => {
    const ctx = context([0.5, 0.99, 0.1]);
    expect(call(ctx, "a", 10)).toBe(5);
    expect(call(ctx, "a", 10)).toBe(5);
    expect(call(ctx, "b", 10)).toBe(9);
    expect(call(ctx, "a", -10)).toBe(5);
    expect(call(ctx, "a", 100)).toBe(10);
  });

  it("returns 0 for n = 0 and stays within range", () => {
    const ctx = context([0.999999999]);
    expect(call(ctx, "x", 0)).toBe(0);
    expect(call(ctx, "x", 3)).toBe(2);
  });

  it("a fresh evaluation draws again", () => {
    expect(call(context([0.2]), "k", 10)).toBe(2);
    expect(call(context([0.7]), "k", 10)).toBe(7);
  });

  it("rejects non-integers", () => {
    const ctx = context([0]);
    expect(() => call(ctx, "x", 1.5)).toThrow(BuiltinError);
    expect(() => call(ctx, "x", 1.5)).toThrow(
      "operand 2 must be integer number but got floating-point number",
    );
    expect(() => call(ctx, 1, 1)).toThrow("operand 1 must be string but got number");
  });
});
