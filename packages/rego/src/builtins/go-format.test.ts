import { describe, expect, it } from "vitest";
import { type GoArg, goSprintf } from "./go-format.js";

const int = (n: number | bigint): GoArg => ({ kind: "int", value: BigInt(n) });
const flt = (n: number): GoArg => ({ kind: "float", value: n });
const str = (s: string): GoArg => ({ kind: "string", value: s });

describe("goSprintf", () => {
  it("formats integers with verbs, widths and flags", () => {
    expect(goSprintf("%d|%5d|%-5d|%05d|%+d", [int(42), int(42), int(42), int(42), int(5)])).toBe(
      "42|   42|42   |00042|+5",
    );
    expect(goSprintf("%x %X %o %b %#x %c", [int(255), int(255), int(255), int(5), int(255), int(65)])).toBe(
      "ff FF 377 101 0xff A",
    );
    expect(goSprintf("%05d", [int(-42)])).toBe("-0042");
  });

  it("formats floats as Go does", () => {
    expect(goSprintf("%.2f", [flt(1.23456)])).toBe("1.23");
    expect(goSprintf("%f", [flt(1.5)])).toBe("1.500000");
    expect(goSprintf("%8.3f", [flt(1.23456)])).toBe("   1.235");
    expect(goSprintf("%e", [flt(1234.5678)])).toBe("1.234568e+03");
    expect(goSprintf("%g", [flt(0.000012345)])).toBe("1.2345e-05");
    expect(goSprintf("%v", [flt(1.5)])).toBe("1.5");
    expect(goSprintf("%v", [flt(1234567.5)])).toBe("1.2345675e+06");
    expect(goSprintf("%.3g", [flt(1.23456)])).toBe("1.23");
  });

  it("rounds exact ties to even like strconv", () => {
    expect(goSprintf("%.0f %.0f %.2f", [flt(2.5), flt(3.5), flt(0.125)])).toBe("2 4 0.12");
    expect(goSprintf("%.2f", [flt(2.675)])).toBe("2.67");
    expect(goSprintf("%.1f", [flt(9.96)])).toBe("10.0");
  });

  it("formats strings", () => {
    expect(
      goSprintf("%s|%q|%.3s|%6s|%-4s|%x", [
        str("hi"),
        str('a"b'),
        str("abcdef"),
        str("ab"),
        str("ab"),
        str("hi"),
      ]),
    ).toBe('hi|"a\\"b"|abc|    ab|ab  |6869');
  });

  it("reports wrong verbs, missing and extra arguments as Go does", () => {
    expect(goSprintf("%s", [int(1)])).toBe("%!s(int=1)");
    expect(goSprintf("%d", [str("a")])).toBe("%!d(string=a)");
    expect(goSprintf("%t", [str("true")])).toBe("%!t(string=true)");
    expect(goSprintf("%d %d", [int(1)])).toBe("1 %!d(MISSING)");
    expect(goSprintf("%d", [int(1), int(2)])).toBe("1%!(EXTRA int=2)");
    expect(goSprintf("100%%", [])).toBe("100%");
    expect(goSprintf("%T %T %T", [int(1), flt(1.5), str("")])).toBe("int float64 string");
  });

  it("prints big integers with %s and %d", () => {
    const b: GoArg = { kind: "bigint", value: 123456789123456789123n };
    expect(goSprintf("%s %d %v", [b, b, b])).toBe(
      "123456789123456789123 123456789123456789123 123456789123456789123",
    );
    expect(goSprintf("%f", [b])).toBe("%!f(big.Int=123456789123456789123)");
  });
});
