import { describe, expect, it } from "vitest";
import { BigNumber } from "./big-number.js";
import { formatValue, goQuote } from "./format-value.js";
import { RegoObject, RegoSet } from "./value.js";

describe("formatValue", () => {
  it("prints scalars as OPA terms", () => {
    expect(formatValue(null)).toBe("null");
    expect(formatValue(true)).toBe("true");
    expect(formatValue(1.5)).toBe("1.5");
    expect(formatValue(BigNumber.parse("123456789012345678901234") as BigNumber)).toBe(
      "123456789012345678901234",
    );
    expect(formatValue('a"b\n')).toBe('"a\\"b\\n"');
  });

  it("prints composites with OPA's separators and sort order", () => {
    expect(formatValue([1, "a"])).toBe('[1, "a"]');
    expect(formatValue(RegoObject.fromRecord({ b: 2, a: [1] }))).toBe('{"a": [1], "b": 2}');
    expect(formatValue(RegoSet.of([2, 1]))).toBe("{1, 2}");
    expect(formatValue(new RegoSet())).toBe("set()");
    expect(formatValue(new RegoObject())).toBe("{}");
    expect(formatValue([])).toBe("[]");
  });

  it("quotes like Go's strconv.Quote", () => {
    expect(goQuote("é\u0007\u0000")).toBe('"é\\a\\x00"');
    expect(goQuote("\u00ad")).toBe('"\\u00ad"');
  });
});
