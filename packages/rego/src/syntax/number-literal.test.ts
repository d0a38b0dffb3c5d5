import { describe, expect, it } from "vitest";
import { checkNumberLiteral } from "./number-literal.js";

describe("checkNumberLiteral", () => {
  it("keeps valid literals as written", () => {
    expect(checkNumberLiteral(false, false, "12")).toEqual({ ok: true, text: "12" });
    expect(checkNumberLiteral(true, false, "1.5e3")).toEqual({ ok: true, text: "-1.5e3" });
    expect(checkNumberLiteral(false, false, "0.25")).toEqual({ ok: true, text: "0.25" });
    expect(checkNumberLiteral(false, false, "0e5")).toEqual({ ok: true, text: "0e5" });
    expect(checkNumberLiteral(false, true, "5")).toEqual({ ok: true, text: "0.5" });
    expect(checkNumberLiteral(false, false, "1e30000")).toEqual({ ok: true, text: "1e30000" });
  });

  it("refuses leading zeros, bad leading-dot forms and huge exponents", () => {
    expect(checkNumberLiteral(false, false, "007")).toEqual({
      ok: false,
      message: "expected number without leading zero",
    });
    expect(checkNumberLiteral(false, true, "5.5")).toEqual({ ok: false, message: "invalid float" });
    expect(checkNumberLiteral(false, false, "1e40000")).toEqual({ ok: false, message: "number too big" });
    expect(checkNumberLiteral(false, false, "1e-40000")).toEqual({ ok: false, message: "number too big" });
  });
});
