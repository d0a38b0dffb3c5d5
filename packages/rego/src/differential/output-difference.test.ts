import { describe, expect, it } from "vitest";
import { describeOutputDifference } from "./output-difference.js";

describe("describeOutputDifference", () => {
  it("names number text differences (big integers, float formatting)", () => {
    expect(
      describeOutputDifference('{\n  "x": 18446744073709551616\n}', '{\n  "x": 18446744073709552000\n}'),
    ).toBe("number text differs: opa 18446744073709551616, ours 18446744073709552000 (line 2)");
    expect(describeOutputDifference("[1e400]", "[null]")).toBe(
      "value differs at [0]: opa Infinity, ours null",
    );
  });

  it("shows negative zero as such", () => {
    expect(describeOutputDifference("[-0]", "[0]")).toBe("value differs at [0]: opa -0, ours 0");
  });

  it("tells escaping apart from other string differences, and keys from values", () => {
    expect(describeOutputDifference('["\\u003ca"]', '["<a"]')).toBe(
      'string escaping differs: opa "\\u003ca", ours "<a" (line 1)',
    );
    expect(describeOutputDifference('{"message": "m", "code": "c"}', '{"code": "c", "message": "m"}')).toBe(
      'key differs: opa "message", ours "code" (line 1)',
    );
    expect(describeOutputDifference('{"a": "x"}', '{"a": "y"}')).toBe(
      'value differs at .a: opa "x", ours "y"',
    );
  });

  it("compares values before text: key order only shows when the values are equal", () => {
    expect(
      describeOutputDifference(
        '{"errors": [{"message": "m1", "code": "c"}]}',
        '{"errors": [{"code": "c", "message": "m2"}]}',
      ),
    ).toBe('value differs at .errors[0].message: opa "m1", ours "m2"');
    expect(describeOutputDifference("[1, 2]", "[1]")).toBe("value differs at [1]: opa 2, ours (absent)");
  });

  it("reports whitespace-only differences and outputs that are not JSON", () => {
    expect(describeOutputDifference("{}", "{}\n")).toBe("whitespace differs");
    expect(describeOutputDifference("{}", "{} x")).toBe("length differs: opa (end), ours x (line end)");
  });
});
