import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { BITS_BUILTINS } from "./bits.js";
import { callerFor } from "./test-context.js";

const call = callerFor(BITS_BUILTINS);

describe("bits", () => {
  it("computes and, or, xor, negate", () => {
    expect(call("bits.and", 12, 10)).toBe(8);
    expect(call("bits.or", 12, 10)).toBe(14);
    expect(call("bits.xor", 12, 10)).toBe(6);
    expect(call("bits.negate", 5)).toBe(-6);
  });

  it("shifts exactly beyond 32 and 53 bits", () => {
    expect(call("bits.lsh", 1, 40)).toBe(2 ** 40);
    expect(String(call("bits.lsh", 1, 64))).toBe("18446744073709551616");
    expect(call("bits.rsh", BigNumber.parse("18446744073709551616") as BigNumber, 60)).toBe(16);
    expect(call("bits.rsh", -9, 1)).toBe(-5);
  });

  it("requires integers", () => {
    expect(() => call("bits.lsh", 1.5, 1)).toThrow(
      "operand 1 must be integer number but got floating-point number",
    );
    expect(() => call("bits.negate", 1.5)).toThrow(
      "operand 1 must be integer number but got floating-point number",
    );
    expect(() => call("bits.lsh", 2, -2)).toThrow(
      "operand 2 must be an unsigned integer number but got a negative integer",
    );
    expect(() => call("bits.and", "a", 1)).toThrow("operand 1 must be integer but got string");
  });
});
