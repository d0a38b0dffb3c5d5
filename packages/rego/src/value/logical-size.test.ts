import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet, type Value } from "./value.js";
import { logicalSize } from "./logical-size.js";

describe("logical size", () => {
  it("counts scalars as one and collections as one plus their parts (object keys included)", () => {
    expect(logicalSize("abc")).toBe(1);
    expect(logicalSize([1, 2, 3])).toBe(4);
    expect(logicalSize(RegoSet.of([1, [2, 3]]))).toBe(5);
    const o = new RegoObject();
    o.set("a", [1]);
    expect(logicalSize(o)).toBe(4);
  });

  it("counts a shared part once per place it appears, in time linear in the distinct parts", () => {
    let x: Value = [1, 2];
    for (let i = 0; i < 60; i++) x = [x, x];
    // 3 for [1, 2], then s(n+1) = 2 s(n) + 1: 2^62 - 1 in all.
    expect(logicalSize(x)).toBe(2 ** 62 - 1);
  });

  it("measures a value nested 100,000 deep without a deep stack", () => {
    let x: Value = [];
    for (let i = 0; i < 100_000; i++) x = [x];
    expect(logicalSize(x)).toBe(100_001);
  });
});
