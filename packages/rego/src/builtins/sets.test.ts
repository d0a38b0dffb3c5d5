import { describe, expect, it } from "vitest";
import { RegoSet, type Value, valuesEqual } from "../value/value.js";
import { SET_BUILTINS } from "./sets.js";
import { callerFor } from "./test-context.js";

const call = callerFor(SET_BUILTINS);
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("set builtins", () => {
  it("intersects and unites pairs", () => {
    eq(call("and", RegoSet.of([1, 2, 3]), RegoSet.of([2, 3, 4])), RegoSet.of([2, 3]));
    eq(call("or", RegoSet.of([1]), RegoSet.of([2])), RegoSet.of([1, 2]));
    eq(call("set_diff", RegoSet.of([1, 2]), RegoSet.of([2])), RegoSet.of([1]));
  });

  it("intersects and unites sets of sets", () => {
    const sets = RegoSet.of([RegoSet.of([1, 2, 3]), RegoSet.of([2, 3]), RegoSet.of([3, 4])]);
    eq(call("intersection", sets), RegoSet.of([3]));
    eq(call("union", sets), RegoSet.of([1, 2, 3, 4]));
    eq(call("intersection", RegoSet.of([])), RegoSet.of([]));
  });

  it("reports non-set operands and elements", () => {
    expect(() => call("and", [1], RegoSet.of([]))).toThrow("operand 1 must be set but got array");
    expect(() => call("union", RegoSet.of([1]))).toThrow(
      "operand 1 must be set of sets but got set containing number",
    );
  });
});
