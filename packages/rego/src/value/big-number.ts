// Values, used by every stage from compile on: exact decimal numbers for what a double cannot hold.

/**
 * An exact decimal number `mantissa * 10^exponent`, used only for numbers that a JS double
 * cannot represent exactly (big integers, long decimals). Always normalized: the mantissa has
 * no trailing zero digits (or is 0 with exponent 0).
 */
export class BigNumber {
  readonly mantissa: bigint;
  readonly exponent: number;
  /** The double `near` returns, once computed (private: values compare by their fields). */
  #near: number | undefined = undefined;

  constructor(mantissa: bigint, exponent: number) {
    let m = mantissa;
    let e = exponent;
    if (m === 0n) {
      e = 0;
    } else {
      while (m % 10n === 0n) {
        m /= 10n;
        e += 1;
      }
    }
    this.mantissa = m;
    this.exponent = e;
  }

  /** Parses a JSON/Rego number literal exactly; undefined if the text is not a number. */
  static parse(text: string): BigNumber | undefined {
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m) return undefined;
    const [, sign, int = "", frac = "", exp = "0"] = m;
    const digits = BigInt(int + frac) * (sign === "-" ? -1n : 1n);
    return new BigNumber(digits, Number(exp) - frac.length);
  }

  /** Whether this number is an integer. */
  isInteger(): boolean {
    return this.exponent >= 0;
  }

  /** The integer value as a bigint, or undefined when the number has a fractional part. */
  toBigInt(): bigint | undefined {
    if (this.exponent < 0) return undefined;
    return this.mantissa * 10n ** BigInt(this.exponent);
  }

  /** The nearest double (may be Infinity or lose precision). */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Canonical decimal text: plain digits for integers, `d.ddd` or `de±x` otherwise. */
  toString(): string {
    const neg = this.mantissa < 0n;
    const digits = (neg ? -this.mantissa : this.mantissa).toString();
    const sign = neg ? "-" : "";
    if (this.exponent >= 0) {
      if (this.exponent <= 30) return sign + digits + "0".repeat(this.exponent);
      return `${sign}${digits}e+${this.exponent}`;
    }
    const point = digits.length + this.exponent;
    if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
    if (point > -30) return `${sign}0.${"0".repeat(-point)}${digits}`;
    return `${sign}${digits}e${this.exponent}`;
  }

  /** Exact comparison: -1, 0 or 1. */
  compare(other: BigNumber): number {
    // Numbers far enough apart are ordered by their doubles (a timestamp in nanoseconds against
    // a cut-off, say), without a bigint power and two products per comparison.
    const x = this.near();
    const y = other.near();
    if (apart(x, y)) return x < y ? -1 : 1;
    if (this.exponent === other.exponent) {
      return this.mantissa < other.mantissa ? -1 : this.mantissa > other.mantissa ? 1 : 0;
    }
    const e = Math.min(this.exponent, other.exponent);
    const a = this.mantissa * 10n ** BigInt(this.exponent - e);
    const b = other.mantissa * 10n ** BigInt(other.exponent - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /**
   * A double within two roundings of this number (NaN where none is: the exponent is beyond the
   * table of exact powers of ten, or the mantissa or the product overflows), computed once.
   */
  near(): number {
    let v = this.#near;
    if (v === undefined) {
      const power = EXACT_POWERS_OF_TEN[Math.abs(this.exponent)];
      const m = Number(this.mantissa);
      v = power === undefined ? Number.NaN : this.exponent >= 0 ? m * power : m / power;
      if (!Number.isFinite(v)) v = Number.NaN;
      this.#near = v;
    }
    return v;
  }

  /** Exact conversion of a finite double to a BigNumber. */
  static fromNumber(n: number): BigNumber {
    if (Number.isInteger(n)) return new BigNumber(BigInt(n), 0);
    const parsed = BigNumber.parse(shortestDecimal(n));
    if (!parsed) throw new RangeError(`not a finite number: ${n}`);
    return parsed;
  }
}

/** The shortest decimal text of a double in plain or `e` notation that BigNumber.parse accepts. */
function shortestDecimal(n: number): string {
  return String(n).replace("e+", "e");
}

// 10^0 .. 10^22: every power of ten a double holds exactly (written as literals, which parse exactly).
const EXACT_POWERS_OF_TEN: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * True when two doubles, each within two roundings (a relative 2^-52) of an exact number, are
 * far enough apart that the exact numbers are ordered as they are. False for NaN.
 */
export function apart(x: number, y: number): boolean {
  return Math.abs(x - y) > 1e-14 * Math.max(Math.abs(x), Math.abs(y));
}
