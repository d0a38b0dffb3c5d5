import { describe, expect, it } from "vitest";
import { type CheckVerdict, compareVerdicts, readCheckLines } from "./check-comparison.js";

const refused = (...errors: [string, number, number][]): CheckVerdict => ({
  kind: "refused",
  errors: errors.map(([code, row, col]) => ({ code, message: "m", location: { file: "a.rego", row, col } })),
});

describe("readCheckLines", () => {
  it("reads file:row:col: code: message lines, joining continuation lines to their message", () => {
    const text =
      "/t/a.rego:3:9: rego_type_error: plus: invalid argument(s)\n\thave: (array, any)\nrego_compile_error: no place\n";
    expect(readCheckLines(text)).toEqual([
      {
        code: "rego_type_error",
        message: "plus: invalid argument(s)\n\thave: (array, any)",
        location: { file: "/t/a.rego", row: 3, col: 9 },
      },
      { code: "rego_compile_error", message: "no place" },
    ]);
  });
});

describe("compareVerdicts", () => {
  it("tells acceptance, codes and positions apart", () => {
    expect(compareVerdicts({ kind: "accepted" }, { kind: "accepted" })).toBe("same");
    expect(compareVerdicts({ kind: "accepted" }, refused(["rego_parse_error", 1, 1]))).toBe("acceptance");
    expect(compareVerdicts(refused(["rego_parse_error", 1, 1]), refused(["rego_type_error", 1, 1]))).toBe(
      "codes",
    );
    expect(compareVerdicts(refused(["rego_parse_error", 1, 1]), refused(["rego_parse_error", 1, 2]))).toBe(
      "positions",
    );
    expect(compareVerdicts(refused(["rego_parse_error", 2, 1]), refused(["rego_parse_error", 2, 1]))).toBe(
      "same",
    );
    expect(compareVerdicts({ kind: "broken", reason: "x" }, { kind: "accepted" })).toBe("broken");
  });
});
