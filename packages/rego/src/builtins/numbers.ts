// Builtins: arithmetic (`plus`, `minus`, `mul`, `div`, `rem`, rounding, `numbers.range*`).
// Doubles are the fast path; integers a double cannot hold exactly are computed with bigint.

import { type BuiltinContext, type BuiltinDecl, BuiltinError, type BuiltinImpl, operandError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { setDifference } from "./sets.js";
import {
  arg,
  fromBigInt,
  integerArg,
  normalizeNumber,
  numberArg,
  operandOneOfError,
  toBigInt,
} from "./operands.js";
import { BigNumber } from "../value/big-number.js";
import { type RegoNumber, RegoSet, type Value, isNumber, typeName } from "../value/value.js";

const NUM = { type: "number" } as const;
const NUM_OR_SET = { type: "any", of: [NUM, { type: "set", of: { type: "any" } }] } as const;

const DECLS = {
  plus: { args: [NUM, NUM], result: NUM },
  minus: { args: [NUM_OR_SET, NUM_OR_SET], result: NUM_OR_SET },
  mul: { args: [NUM, NUM], result: NUM },
  div: { args: [NUM, NUM], result: NUM },
  rem: { args: [NUM, NUM], result: NUM },
  abs: { args: [NUM], result: NUM },
  round: { args: [NUM], result: NUM },
  ceil: { args: [NUM], result: NUM },
  floor: { args: [NUM], result: NUM },
  "numbers.range": { args: [NUM, NUM], result: { type: "array", dynamic: NUM } },
  "numbers.range_step": { args: [NUM, NUM, NUM], result: { type: "array", dynamic: NUM } },
} satisfies Record<string, BuiltinDecl>;

function big(n: RegoNumber): BigNumber {
  return typeof n === "number" ? BigNumber.fromNumber(n) : n;
}

function exactAdd(a: BigNumber, b: BigNumber): BigNumber {
  const e = Math.min(a.exponent, b.exponent);
  return new BigNumber(
    a.mantissa * 10n ** BigInt(a.exponent - e) + b.mantissa * 10n ** BigInt(b.exponent - e),
    e,
  );
}

function negate(n: RegoNumber): RegoNumber {
  return typeof n === "number" ? -n : new BigNumber(-n.mantissa, n.exponent);
}

function asDouble(n: RegoNumber): number {
  return typeof n === "number" ? n : n.toNumber();
}

/** Adds two numbers: the double sum when it is exact for integers, else exact decimal arithmetic. */
export function addNumbers(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return r + 0;
  }
  return normalizeNumber(exactAdd(big(a), big(b)));
}

/** Multiplies two numbers, exactly when both are integers. */
export function multiplyNumbers(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return r + 0;
  }
  const x = big(a);
  const y = big(b);
  return normalizeNumber(new BigNumber(x.mantissa * y.mantissa, x.exponent + y.exponent));
}

const divide: BuiltinImpl = (args) => {
  const a = numberArg(args, 0);
  const b = numberArg(args, 1);
  if (asDouble(b) === 0 && big(b).mantissa === 0n) throw new BuiltinError("builtin", "divide by zero");
  const ia = toBigInt(a);
  const ib = toBigInt(b);
  if (ia !== undefined && ib !== undefined && (typeof a !== "number" || typeof b !== "number")) {
    if (ia % ib === 0n) return fromBigInt(ia / ib);
  }
  return asDouble(a) / asDouble(b) + 0;
};

const remainder: BuiltinImpl = (args) => {
  const a = numberArg(args, 0);
  const b = numberArg(args, 1);
  if (typeof a === "number" && typeof b === "number" && Number.isInteger(a) && Number.isInteger(b)) {
    if (b === 0) throw new BuiltinError("builtin", "modulo by zero");
    return (a % b) + 0;
  }
  const ia = toBigInt(a);
  const ib = toBigInt(b);
  if (ia === undefined || ib === undefined)
    throw new BuiltinError("builtin", "modulo on floating-point number");
  if (ib === 0n) throw new BuiltinError("builtin", "modulo by zero");
  return fromBigInt(ia % ib);
};

function rounding(fn: (x: number) => number): BuiltinImpl {
  return (args) => {
    const n = numberArg(args, 0);
    if (typeof n !== "number") return n.isInteger() ? n : fn(n.toNumber()) + 0;
    return fn(n) + 0;
  };
}

function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const minus: BuiltinImpl = (args) => {
  const a = arg(args, 0);
  const b = arg(args, 1);
  if (isNumber(a) && isNumber(b)) return addNumbers(a, negate(b));
  if (a instanceof RegoSet && b instanceof RegoSet) return setDifference(a, b);
  if (!isNumber(a) && !(a instanceof RegoSet)) throw operandOneOfError(1, ["number", "set"], typeName(a));
  if (isNumber(b)) throw operandError(2, "set", typeName(b));
  throw operandError(2, "number", typeName(b));
};

function range(from: bigint, to: bigint, step: bigint, ctx: BuiltinContext): Value[] {
  // Sized and charged before anything is built: a range the budget cannot hold is refused.
  const span = from <= to ? to - from : from - to;
  ctx.allocate?.(Number(span / step) + 1);
  const out: Value[] = [];
  if (from <= to) for (let i = from; i <= to; i += step) out.push(fromBigInt(i));
  else for (let i = from; i >= to; i -= step) out.push(fromBigInt(i));
  return out;
}

/** Arithmetic builtins. */
export const NUMBER_BUILTINS = defineBuiltins(DECLS, {
  plus: (args) => addNumbers(numberArg(args, 0), numberArg(args, 1)),
  minus,
  mul: (args) => multiplyNumbers(numberArg(args, 0), numberArg(args, 1)),
  div: divide,
  rem: remainder,
  abs: (args) => {
    const n = numberArg(args, 0);
    return typeof n === "number" ? Math.abs(n) : n.mantissa < 0n ? negate(n) : n;
  },
  round: rounding(roundHalfAwayFromZero),
  ceil: rounding(Math.ceil),
  floor: rounding(Math.floor),
  "numbers.range": (args, ctx) => range(integerArg(args, 0), integerArg(args, 1), 1n, ctx),
  "numbers.range_step": (args, ctx) => {
    const from = integerArg(args, 0);
    const to = integerArg(args, 1);
    const step = integerArg(args, 2);
    if (step <= 0n) throw new BuiltinError("builtin", "step must be a positive number above zero");
    return range(from, to, step, ctx);
  },
});
