import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoSet, type Value, valuesEqual } from "../value/value.js";
import { NUMBER_BUILTINS } from "./numbers.js";
import { callerFor } from "./test-context.js";

const call = callerFor(NUMBER_BUILTINS);
const big = (s: string): BigNumber => BigNumber.parse(s) as BigNumber;
const text = (v: Value | undefined): string => (v instanceof BigNumber ? v.toString() : String(v));

describe("arithmetic", () => {
  it("adds, subtracts, multiplies and divides doubles", () => {
    expect(call("plus", 1, 2)).toBe(3);
    expect(call("minus", 1, 4)).toBe(-3);
    expect(call("mul", 2.5, 4)).toBe(10);
    expect(call("div", 7, 2)).toBe(3.5);
    expect(call("plus", 0.1, 0.2)).toBeCloseTo(0.3);
  });

  it("is exact for integers beyond 2^53", () => {
    expect(text(call("plus", Number.MAX_SAFE_INTEGER, 2))).toBe("9007199254740993");
    expect(text(call("plus", big("123456789012345678901234567890"), 1))).toBe(
      "123456789012345678901234567891",
    );
    expect(text(call("mul", big("99999999999999999999"), big("99999999999999999999")))).toBe(
      "9999999999999999999800000000000000000001",
    );
    expect(text(call("minus", big("100000000000000000000"), 1))).toBe("99999999999999999999");
    expect(text(call("div", big("1000000000000000000000"), 1000))).toBe("1000000000000000000");
  });

  it("gives back a plain double when the exact result fits", () => {
    expect(call("minus", big("100000000000000000001"), big("100000000000000000000"))).toBe(1);
    expect(call("div", 1e109, 1e100)).toBe(1e9);
  });

  it("raises OPA's division errors", () => {
    expect(() => call("div", 1, 0)).toThrow("divide by zero");
    expect(() => call("rem", 1, 0)).toThrow("modulo by zero");
    expect(() => call("rem", 1.5, 1)).toThrow("modulo on floating-point number");
  });

  it("computes remainders with the dividend's sign", () => {
    expect(call("rem", 7, 3)).toBe(1);
    expect(call("rem", -7, 3)).toBe(-1);
    expect(text(call("rem", big("100000000000000000007"), 10))).toBe("7");
  });

  it("reports operand types", () => {
    expect(() => call("plus", "a", 1)).toThrow("operand 1 must be number but got string");
    expect(() => call("mul", 1, null)).toThrow("operand 2 must be number but got null");
  });
});

describe("minus on sets", () => {
  it("is set difference", () => {
    const r = call("minus", RegoSet.of([1, 2, 3]), RegoSet.of([2]));
    expect(valuesEqual(r as Value, RegoSet.of([1, 3]))).toBe(true);
  });

  it("rejects mixed operands as OPA does", () => {
    expect(() => call("minus", "a", 1)).toThrow("operand 1 must be one of {number, set} but got string");
    expect(() => call("minus", RegoSet.of([]), 1)).toThrow("operand 2 must be set but got number");
    expect(() => call("minus", 1, RegoSet.of([]))).toThrow("operand 2 must be number but got set");
  });
});

describe("rounding", () => {
  it("rounds half away from zero", () => {
    expect(call("round", 1.5)).toBe(2);
    expect(call("round", -1.5)).toBe(-2);
    expect(call("round", 1.4)).toBe(1);
    expect(call("ceil", 1.1)).toBe(2);
    expect(call("floor", -1.1)).toBe(-2);
    expect(call("abs", -3)).toBe(3);
    expect(text(call("abs", big("-100000000000000000000")))).toBe("100000000000000000000");
  });
});

describe("numbers.range", () => {
  it("counts up and down inclusively", () => {
    expect(call("numbers.range", -2, 3)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(call("numbers.range", 0, 0)).toEqual([0]);
    expect(call("numbers.range", 2, -1)).toEqual([2, 1, 0, -1]);
  });

  it("steps, and rejects non-positive steps", () => {
    expect(call("numbers.range_step", 0, 10, 2)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(call("numbers.range_step", 0, -10, 2)).toEqual([0, -2, -4, -6, -8, -10]);
    expect(call("numbers.range_step", 2, 5, 2)).toEqual([2, 4]);
    expect(() => call("numbers.range_step", 0, 10, -2)).toThrow("step must be a positive number above zero");
  });

  it("requires integers", () => {
    expect(() => call("numbers.range", 1.5, 2)).toThrow(
      "operand 1 must be integer number but got floating-point number",
    );
  });
});
