import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet } from "../value/value.js";
import { AGGREGATE_BUILTINS } from "./aggregates.js";
import { callerFor } from "./test-context.js";

const call = callerFor(AGGREGATE_BUILTINS);

describe("aggregates", () => {
  it("counts code points, elements and keys", () => {
    expect(call("count", "héllo😀")).toBe(6);
    expect(call("count", [1, 2])).toBe(2);
    expect(call("count", RegoSet.of([1, 1, 2]))).toBe(2);
    expect(call("count", RegoObject.fromRecord({ a: 1 }))).toBe(1);
    expect(() => call("count", 1)).toThrow(
      "operand 1 must be one of {array, object, set, string} but got number",
    );
  });

  it("sums and multiplies, exactly for big integers", () => {
    expect(call("sum", [1, 2, 3.5])).toBe(6.5);
    expect(call("sum", [])).toBe(0);
    expect(call("product", RegoSet.of([2, 3, 4]))).toBe(24);
    expect(call("product", [])).toBe(1);
    expect(String(call("sum", [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]))).toBe("18014398509481982");
    expect(call("sum", [BigNumber.parse("100000000000000000000") as BigNumber, 1])).toBeInstanceOf(BigNumber);
    expect(() => call("sum", [1, "a"])).toThrow(
      "operand 1 must be array of numbers but got array containing string",
    );
    expect(() => call("sum", "x")).toThrow("operand 1 must be one of {set, array} but got string");
  });

  it("finds max and min in OPA's order; undefined when empty", () => {
    expect(call("max", [1, "a", null])).toBe("a");
    expect(call("min", RegoSet.of([3, 1, 2]))).toBe(1);
    expect(call("max", [])).toBeUndefined();
  });

  it("sorts arrays and sets", () => {
    expect(call("sort", [3, "b", 1, null])).toEqual([null, 1, 3, "b"]);
    expect(call("sort", RegoSet.of([2, 1]))).toEqual([1, 2]);
  });

  it("any and all look for true", () => {
    expect(call("any", [false, true])).toBe(true);
    expect(call("any", [])).toBe(false);
    expect(call("all", RegoSet.of([true]))).toBe(true);
    expect(call("all", [true, 1])).toBe(false);
    expect(call("all", [])).toBe(true);
  });
});
