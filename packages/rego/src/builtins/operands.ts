// Builtins: operand checks shared by the builtin namespaces, raising OPA's operand type errors.

import { BuiltinError, operandError } from "./builtin.js";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, type RegoNumber, RegoSet, type Value, isNumber, typeName } from "../value/value.js";

/** The argument at `index` (0-based); arity is checked by the compiler, so a gap is a bug. */
export function arg(args: readonly Value[], index: number): Value {
  const v = args[index];
  if (v === undefined) throw new RangeError(`missing builtin argument ${index + 1}`);
  return v;
}

/** The operand at `index` as a number, or OPA's `operand N must be number` error. */
export function numberArg(args: readonly Value[], index: number): RegoNumber {
  const v = arg(args, index);
  if (!isNumber(v)) throw operandError(index + 1, "number", typeName(v));
  return v;
}

/** The operand at `index` as a string, or OPA's `operand N must be string` error. */
export function stringArg(args: readonly Value[], index: number): string {
  const v = arg(args, index);
  if (typeof v !== "string") throw operandError(index + 1, "string", typeName(v));
  return v;
}

/** The operand at `index` as a boolean, or OPA's `operand N must be boolean` error. */
export function booleanArg(args: readonly Value[], index: number): boolean {
  const v = arg(args, index);
  if (typeof v !== "boolean") throw operandError(index + 1, "boolean", typeName(v));
  return v;
}

/** The operand at `index` as an array, or OPA's `operand N must be array` error. */
export function arrayArg(args: readonly Value[], index: number): readonly Value[] {
  const v = arg(args, index);
  if (!Array.isArray(v)) throw operandError(index + 1, "array", typeName(v));
  return v as readonly Value[];
}

/** The operand at `index` as a set, or OPA's `operand N must be set` error. */
export function setArg(args: readonly Value[], index: number): RegoSet {
  const v = arg(args, index);
  if (!(v instanceof RegoSet)) throw operandError(index + 1, "set", typeName(v));
  return v;
}

/** The operand at `index` as an object, or OPA's `operand N must be object` error. */
export function objectArg(args: readonly Value[], index: number): RegoObject {
  const v = arg(args, index);
  if (!(v instanceof RegoObject)) throw operandError(index + 1, "object", typeName(v));
  return v;
}

/** The integer value of a number, or undefined when it has a fractional part. */
export function toBigInt(n: RegoNumber): bigint | undefined {
  if (typeof n === "number") return Number.isInteger(n) ? BigInt(n) : undefined;
  return n.toBigInt();
}

/** The operand at `index` as an exact integer (OPA's BigIntOperand, with its error texts). */
export function integerArg(args: readonly Value[], index: number): bigint {
  const v = arg(args, index);
  if (!isNumber(v)) throw operandError(index + 1, "integer", typeName(v));
  const n: RegoNumber = v;
  const i = toBigInt(n);
  if (i === undefined) throw operandError(index + 1, "integer number", "floating-point number");
  return i;
}

/** The operand at `index` as a safe JS integer (for lengths and positions). */
export function smallIntegerArg(args: readonly Value[], index: number): number {
  const n = numberArg(args, index);
  if (typeof n === "number") {
    if (!Number.isInteger(n)) throw operandError(index + 1, "integer number", "floating-point number");
    return n;
  }
  const i = n.toBigInt();
  if (i === undefined) throw operandError(index + 1, "integer number", "floating-point number");
  return Number(i);
}

/** A number value from a bigint: a double when exact, else a BigNumber. */
export function fromBigInt(i: bigint): RegoNumber {
  if (i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(i);
  return new BigNumber(i, 0);
}

/** A number value from a BigNumber: a double when the double is exactly the same number. */
export function normalizeNumber(n: BigNumber): RegoNumber {
  const i = n.toBigInt();
  if (i !== undefined) return fromBigInt(i);
  const d = n.toNumber();
  if (Number.isFinite(d) && BigNumber.fromNumber(d).compare(n) === 0) return d;
  return n;
}

/** OPA's operand error for several accepted types: `operand N must be one of {a, b} but got c`. */
export function operandOneOfError(position: number, expected: readonly string[], got: string): BuiltinError {
  if (expected.length === 1) return operandError(position, expected[0] ?? "", got);
  return new BuiltinError(
    "type",
    `operand ${position} must be one of {${expected.join(", ")}} but got ${got}`,
  );
}

/** OPA's error for a bad element: `operand N must be array of numbers but got array containing string`. */
export function operandElementError(
  position: number,
  collection: Value,
  expected: string,
  got: Value,
): BuiltinError {
  const kind = typeName(collection);
  return new BuiltinError(
    "type",
    `operand ${position} must be ${kind} of ${expected}s but got ${kind} containing ${typeName(got)}`,
  );
}

/** The elements of an array or set operand, or OPA's `must be one of {set, array}` error. */
export function collectionArg(args: readonly Value[], index: number): readonly Value[] {
  const v = arg(args, index);
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.values();
  throw operandOneOfError(index + 1, ["set", "array"], typeName(v));
}
