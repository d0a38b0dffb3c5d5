import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet } from "../value/value.js";
import { COMPARISON_BUILTINS } from "./comparison.js";
import { callerFor } from "./test-context.js";

const call = callerFor(COMPARISON_BUILTINS);

describe("comparison", () => {
  it("compares numbers exactly, including big ones", () => {
    expect(call("lt", 1, 2)).toBe(true);
    expect(call("gte", 2, 2)).toBe(true);
    expect(call("gt", BigNumber.parse("100000000000000000001") as BigNumber, 1e20)).toBe(true);
    expect(call("equal", 1, BigNumber.parse("1.0") as BigNumber)).toBe(true);
  });

  it("orders values of different types as OPA does", () => {
    expect(call("lt", null, false)).toBe(true);
    expect(call("lt", true, 0)).toBe(true);
    expect(call("lt", 100, "a")).toBe(true);
    expect(call("lt", "z", [])).toBe(true);
    expect(call("lt", [], new RegoObject())).toBe(true);
    expect(call("lt", new RegoObject(), new RegoSet())).toBe(true);
  });

  it("treats sets and objects as equal regardless of order", () => {
    expect(call("equal", RegoSet.of([1, 2]), RegoSet.of([2, 1]))).toBe(true);
    expect(call("neq", RegoObject.fromRecord({ a: 1 }), RegoObject.fromRecord({ a: 2 }))).toBe(true);
    expect(call("lte", [1, 2], [1, 3])).toBe(true);
  });
});
