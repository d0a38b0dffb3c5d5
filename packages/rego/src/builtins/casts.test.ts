import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { CAST_BUILTINS } from "./casts.js";
import { callerFor } from "./test-context.js";

const call = callerFor(CAST_BUILTINS);

describe("to_number", () => {
  it("converts null, booleans, numbers and numeric strings", () => {
    expect(call("to_number", "-42.0")).toBe(-42);
    expect(call("to_number", false)).toBe(0);
    expect(call("to_number", true)).toBe(1);
    expect(call("to_number", null)).toBe(0);
    expect(call("to_number", 100.1)).toBe(100.1);
    expect(call("to_number", ".5")).toBe(0.5);
    expect(String(call("to_number", "123456789012345678901234"))).toBe("123456789012345678901234");
    expect(call("to_number", "123456789012345678901234")).toBeInstanceOf(BigNumber);
  });

  it("fails on text that is not a number and on other types", () => {
    expect(() => call("to_number", "abc")).toThrow('strconv.ParseFloat: parsing "abc": invalid syntax');
    expect(() => call("to_number", "-Inf")).toThrow("operand 1 must be valid number string but got string");
    expect(() => call("to_number", "1e400")).toThrow(
      'strconv.ParseFloat: parsing "1e400": value out of range',
    );
    expect(() => call("to_number", [])).toThrow(
      "operand 1 must be one of {null, boolean, number, string} but got array",
    );
  });
});

describe("cast_*", () => {
  it("casts arrays and sets both ways", () => {
    expect(call("cast_array", RegoSet.of([2, 1]))).toEqual([1, 2]);
    const s = call("cast_set", [1, 1, 2]) as Value;
    expect(valuesEqual(s, RegoSet.of([1, 2]))).toBe(true);
  });

  it("asserts scalar and object types", () => {
    expect(call("cast_null", null)).toBeNull();
    expect(() => call("cast_null", new RegoObject())).toThrow("operand 1 must be null but got object");
    expect(call("cast_string", "a")).toBe("a");
    expect(() => call("cast_boolean", 1)).toThrow("operand 1 must be boolean but got number");
    expect(() => call("cast_object", [])).toThrow("operand 1 must be object but got array");
  });
});
