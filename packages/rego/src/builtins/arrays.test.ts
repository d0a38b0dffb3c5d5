import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet } from "../value/value.js";
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

  it("flattens one level: nested arrays are spliced in, other values kept", () => {
    expect(call("array.flatten", [1, [2, [3]], 4])).toEqual([1, 2, [3], 4]);
    // A single-element nested array is flattened too (OPA issue #8272).
    expect(call("array.flatten", [-1, 1, [2]])).toEqual([-1, 1, 2]);
    expect(call("array.flatten", [[], [1, 2], [], [3]])).toEqual([1, 2, 3]);
    expect(call("array.flatten", [])).toEqual([]);
    const set = new RegoSet();
    set.add(1);
    const obj = RegoObject.fromRecord({ a: [1] });
    expect(call("array.flatten", ["a", null, set, obj, [true]])).toEqual(["a", null, set, obj, true]);
  });

  it("leaves its input alone and rejects non-arrays", () => {
    const inner = [2, 3];
    const a = [1, inner];
    expect(call("array.flatten", a)).toEqual([1, 2, 3]);
    expect(a).toEqual([1, [2, 3]]);
    expect(inner).toEqual([2, 3]);
    expect(() => call("array.flatten", "abc")).toThrow("operand 1 must be array but got string");
    expect(() => call("array.flatten", new RegoSet())).toThrow("operand 1 must be array but got set");
  });
});
