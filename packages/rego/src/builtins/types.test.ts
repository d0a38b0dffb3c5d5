import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet } from "../value/value.js";
import { callerFor } from "./test-context.js";
import { TYPE_BUILTINS } from "./types.js";

const call = callerFor(TYPE_BUILTINS);

describe("type builtins", () => {
  it("names every type", () => {
    expect(call("type_name", null)).toBe("null");
    expect(call("type_name", BigNumber.parse("1e400") as BigNumber)).toBe("number");
    expect(call("type_name", RegoSet.of([]))).toBe("set");
    expect(call("type_name", new RegoObject())).toBe("object");
    expect(call("type_name", [])).toBe("array");
  });

  it("tests types with true or false", () => {
    expect(call("is_number", 1)).toBe(true);
    expect(call("is_number", "1")).toBe(false);
    expect(call("is_set", RegoSet.of([]))).toBe(true);
    expect(call("is_object", RegoSet.of([]))).toBe(false);
    expect(call("is_null", null)).toBe(true);
    expect(call("is_boolean", false)).toBe(true);
    expect(call("is_string", "")).toBe(true);
    expect(call("is_array", [])).toBe(true);
  });
});
