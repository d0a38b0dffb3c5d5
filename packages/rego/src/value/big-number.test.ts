import { describe, expect, it } from "vitest";
import { apart, BigNumber } from "./big-number.js";
import { compareNumbers } from "./value.js";

/** The exact order of two big numbers, by bigint arithmetic only. */
function exactOrder(a: BigNumber, b: BigNumber): number {
  const e = Math.min(a.exponent, b.exponent);
  const x = a.mantissa * 10n ** BigInt(a.exponent - e);
  const y = b.mantissa * 10n ** BigInt(b.exponent - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A deterministic stream of pseudo-random integers below `n`. */
function randomInts(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s % n;
  };
}

const big = (text: string): BigNumber => BigNumber.parse(text) as BigNumber;

describe("BigNumber.compare", () => {
  it("orders numbers one unit apart at nanosecond scale, where doubles cannot tell them apart", () => {
    const ns = big("1764000000123456789");
    expect(ns.compare(big("1764000000123456790"))).toBe(-1);
    expect(ns.compare(big("1764000000123456788"))).toBe(1);
    expect(ns.compare(big("1764000000123456789"))).toBe(0);
    expect(big("1764000000000000000").compare(big("1764000000000000001"))).toBe(-1);
    expect(big("17640000000000000000000000000001").compare(big("1.764e31"))).toBe(1);
  });

  it("orders far-apart numbers of different exponents, signs and sizes", () => {
    expect(big("1764000000000000000").compare(big("1500000003000000000"))).toBe(1);
    expect(big("-1764000000000000000").compare(big("1500000003000000000"))).toBe(-1);
    expect(big("0").compare(big("0.000000000000000000000000000001"))).toBe(-1);
    expect(big("-0.000000000000000000000000000001").compare(big("0"))).toBe(-1);
    // Beyond the exact powers of ten and beyond doubles: the exact comparison decides.
    expect(big("1e400").compare(big("2e400"))).toBe(-1);
    expect(big("1e400").compare(big("1e-400"))).toBe(1);
    expect(big(`1${"0".repeat(400)}1`).compare(big(`1${"0".repeat(401)}`))).toBe(1);
  });

  it("agrees with exact arithmetic on many generated pairs", () => {
    const next = randomInts(14);
    const digits = (n: number): string => {
      let s = String(1 + next(9));
      for (let i = 1; i < n; i++) s += String(next(10));
      return s;
    };
    for (let i = 0; i < 5000; i++) {
      const m = digits(1 + next(30));
      // Half the pairs share most digits (close: the exact path), half are independent.
      const n = next(2) === 0 ? m.slice(0, m.length - 1) + String(next(10)) : digits(1 + next(30));
      const a = big(`${next(4) === 0 ? "-" : ""}${m}e${next(50) - 25}`);
      const b = big(`${next(4) === 0 ? "-" : ""}${n}e${next(50) - 25}`);
      expect(a.compare(b)).toBe(exactOrder(a, b));
      expect(b.compare(a)).toBe(exactOrder(b, a));
    }
  });

  it("keeps no visible state: a compared number equals a fresh one", () => {
    const a = big("1764000000123456789");
    a.compare(big("1"));
    expect(a).toEqual(big("1764000000123456789"));
  });
});

describe("compareNumbers with a double and a big number", () => {
  it("agrees with exact arithmetic near and far", () => {
    const d = 1764000000123456800; // a double; exactly 1764000000123456768
    const exact = String(BigInt(d));
    const cases: [number, string][] = [
      [d, exact],
      [d, (BigInt(d) + 1n).toString()],
      [d, (BigInt(d) - 1n).toString()],
      [d, "1764000000123456800"],
      [1.5, "1.5000000000000000000001"],
      [1.5, "1.4999999999999999999999"],
      [2, "1e400"],
      [-2, "-1e-400"],
      [0, "1e-400"],
    ];
    for (const [n, text] of cases) {
      const order = exactOrder(BigNumber.fromNumber(n), big(text));
      expect(compareNumbers(n, big(text))).toBe(order);
      expect(compareNumbers(big(text), n)).toBe(-order || 0);
    }
    expect(compareNumbers(d, big(exact))).toBe(0);
  });
});

describe("apart", () => {
  it("is false for NaN and for doubles within rounding of each other", () => {
    expect(apart(Number.NaN, 1)).toBe(false);
    expect(apart(1, 1 + Number.EPSILON)).toBe(false);
    expect(apart(1, 1.000001)).toBe(true);
    expect(apart(0, 1e-300)).toBe(true);
  });
});
