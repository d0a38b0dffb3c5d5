import { describe, expect, it } from "vitest";
import { RegoObject } from "../value/value.js";
import { ARRAY_BUILTINS } from "./arrays.js";
import { callerFor } from "./test-context.js";

const call = callerFor(ARRAY_BUILTINS);

describe("array builtins", () => {
  it("concatenates", () => {
    expect(call("array.concat", [1], [2, 3])).toEqual([1, 2, 3]);
    expect(() => call("array.concat", new RegoObject(), [])).toThrow(
      "operand 1 must be array but got object",
    );
  });

  it("slices with clamping", () => {
    expect(call("array.slice", [1, 2, 3, 4], 1, 3)).toEqual([2, 3]);
    expect(call("array.slice", [1, 2, 3], -5, 10)).toEqual([1, 2, 3]);
    expect(call("array.slice", [1, 2, 3], 2, 1)).toEqual([]);
  });

  it("reverses without touching the input", () => {
    const a = [1, 2, 3];
    expect(call("array.reverse", a)).toEqual([3, 2, 1]);
    expect(a).toEqual([1, 2, 3]);
  });
});
