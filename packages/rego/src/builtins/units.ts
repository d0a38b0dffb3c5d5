// Builtins: quantities with unit suffixes (`units.parse` for SI/binary suffixes, `units.parse_bytes`).

import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { fromBigInt, normalizeNumber, stringArg } from "./operands.js";
import { T_NUM, T_STR } from "./type-specs.js";
import { BigNumber } from "../value/big-number.js";

const KI = 1024n;

/** Multipliers of `units.parse`, as (mantissa, exponent-of-ten) or a power of 1024. */
const UNIT_MULTIPLIERS: Readonly<Record<string, BigNumber>> = {
  "": new BigNumber(1n, 0),
  m: new BigNumber(1n, -3),
  k: new BigNumber(1n, 3),
  K: new BigNumber(1n, 3),
  ki: new BigNumber(KI, 0),
  Ki: new BigNumber(KI, 0),
  M: new BigNumber(1n, 6),
  mi: new BigNumber(KI ** 2n, 0),
  Mi: new BigNumber(KI ** 2n, 0),
  g: new BigNumber(1n, 9),
  G: new BigNumber(1n, 9),
  gi: new BigNumber(KI ** 3n, 0),
  Gi: new BigNumber(KI ** 3n, 0),
  t: new BigNumber(1n, 12),
  T: new BigNumber(1n, 12),
  ti: new BigNumber(KI ** 4n, 0),
  Ti: new BigNumber(KI ** 4n, 0),
  p: new BigNumber(1n, 15),
  P: new BigNumber(1n, 15),
  pi: new BigNumber(KI ** 5n, 0),
  Pi: new BigNumber(KI ** 5n, 0),
  e: new BigNumber(1n, 18),
  E: new BigNumber(1n, 18),
  ei: new BigNumber(KI ** 6n, 0),
  Ei: new BigNumber(KI ** 6n, 0),
};

/** Multipliers of `units.parse_bytes` (suffix lower-cased first). */
const BYTE_MULTIPLIERS: Readonly<Record<string, bigint>> = {
  "": 1n,
  k: 1000n,
  kb: 1000n,
  ki: KI,
  kib: KI,
  m: 1000n ** 2n,
  mb: 1000n ** 2n,
  mi: KI ** 2n,
  mib: KI ** 2n,
  g: 1000n ** 3n,
  gb: 1000n ** 3n,
  gi: KI ** 3n,
  gib: KI ** 3n,
  t: 1000n ** 4n,
  tb: 1000n ** 4n,
  ti: KI ** 4n,
  tib: KI ** 4n,
  p: 1000n ** 5n,
  pb: 1000n ** 5n,
  pi: KI ** 5n,
  pib: KI ** 5n,
  e: 1000n ** 6n,
  eb: 1000n ** 6n,
  ei: KI ** 6n,
  eib: KI ** 6n,
};

/**
 * Splits `12.5Mi` (or `1e3K`) into its amount and unit as OPA does: the amount runs over digits,
 * dots, signs and an `e` exponent followed by a digit or sign; exponents of more than 6 digits
 * are refused.
 */
function splitAmount(s: string, builtin: string): [string, string] {
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let boundary = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (!isDigit(c) && c !== "." && c !== "e" && c !== "E" && c !== "+" && c !== "-") {
      boundary = i;
      break;
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (next === undefined || (!isDigit(next) && next !== "+" && next !== "-")) {
        boundary = i;
        break;
      }
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > 6) throw new BuiltinError("builtin", `${builtin}: exponent too large`);
    }
  }
  if (boundary < 0) return [s, ""];
  return [s.slice(0, boundary), s.slice(boundary)];
}

function parseAmount(num: string, message: string): BigNumber {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(num);
  const [, sign = "", int = "", frac = "", exp = "0"] = m ?? [];
  if (!m || int + frac === "") throw new BuiltinError("builtin", message);
  const n = BigNumber.parse(
    `${sign === "-" ? "-" : ""}${int === "" ? "0" : int}${frac === "" ? "" : `.${frac}`}e${exp}`,
  );
  if (!n) throw new BuiltinError("builtin", message);
  return n;
}

/** Rounds to 10 decimals, halves away from zero (big.Rat's FloatString(10), which OPA uses). */
function roundTo10(n: BigNumber): BigNumber {
  if (n.exponent >= -10) return n;
  const div = 10n ** BigInt(-10 - n.exponent);
  const neg = n.mantissa < 0n;
  const abs = neg ? -n.mantissa : n.mantissa;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return new BigNumber(neg ? -q : q, -10);
}

function times(a: BigNumber, b: BigNumber): BigNumber {
  return new BigNumber(a.mantissa * b.mantissa, a.exponent + b.exponent);
}

/** Unit builtins. */
export const UNIT_BUILTINS = defineBuiltins(
  {
    "units.parse": { args: [T_STR], result: T_NUM },
    "units.parse_bytes": { args: [T_STR], result: T_NUM },
  } satisfies Record<string, BuiltinDecl>,
  {
    "units.parse": (args) => {
      const s = stringArg(args, 0).replaceAll('"', "");
      if (s.includes(" ")) throw new BuiltinError("builtin", "spaces not allowed in resource strings");
      const [num, rawSuffix] = splitAmount(s, "units.parse");
      if (num === "") throw new BuiltinError("builtin", "no amount provided");
      const suffix = rawSuffix.length > 1 ? rawSuffix[0] + rawSuffix.slice(1).toLowerCase() : rawSuffix;
      const mult = UNIT_MULTIPLIERS[suffix];
      if (mult === undefined) throw new BuiltinError("builtin", `unit ${suffix} not recognized`);
      return normalizeNumber(roundTo10(times(parseAmount(num, "could not parse amount to a number"), mult)));
    },
    "units.parse_bytes": (args) => {
      const s = stringArg(args, 0).replaceAll('"', "").toLowerCase();
      if (s.includes(" ")) throw new BuiltinError("builtin", "spaces not allowed in resource strings");
      const [num, suffix] = splitAmount(s, "units.parse_bytes");
      if (num === "") throw new BuiltinError("builtin", "no byte amount provided");
      const mult = BYTE_MULTIPLIERS[suffix];
      if (mult === undefined) throw new BuiltinError("builtin", `byte unit ${suffix} not recognized`);
      const product = times(
        parseAmount(num, "could not parse byte amount to a number"),
        new BigNumber(mult, 0),
      );
      const whole =
        product.exponent >= 0
          ? product.mantissa * 10n ** BigInt(product.exponent)
          : product.mantissa / 10n ** BigInt(-product.exponent);
      return fromBigInt(whole);
    },
  },
);
