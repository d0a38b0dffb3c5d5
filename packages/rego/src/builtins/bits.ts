// Builtins: bitwise operations on integers (`bits.and`, `bits.or`, `bits.xor`, `bits.negate`,
// `bits.lsh`, `bits.rsh`), exact for integers of any size.

import { type BuiltinDecl, BuiltinError, type BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { fromBigInt, integerArg } from "./operands.js";
import { T_NUM } from "./type-specs.js";

const MAX_SHIFT = 1n << 20n;

const BINARY: BuiltinDecl = { args: [T_NUM, T_NUM], result: T_NUM };

function binary(op: (a: bigint, b: bigint) => bigint): BuiltinImpl {
  return (args) => fromBigInt(op(integerArg(args, 0), integerArg(args, 1)));
}

function shiftCount(args: Parameters<BuiltinImpl>[0]): bigint {
  const n = integerArg(args, 1);
  if (n < 0n) {
    throw new BuiltinError("type", "operand 2 must be an unsigned integer number but got a negative integer");
  }
  // A shift this large would need gigabytes; OPA would exhaust memory, we refuse instead.
  if (n > MAX_SHIFT)
    throw new BuiltinError("builtin", `shift count ${n} is too large (at most ${MAX_SHIFT})`);
  return n;
}

/** Bitwise builtins. */
export const BITS_BUILTINS = defineBuiltins(
  {
    "bits.and": BINARY,
    "bits.or": BINARY,
    "bits.xor": BINARY,
    "bits.negate": { args: [T_NUM], result: T_NUM },
    "bits.lsh": BINARY,
    "bits.rsh": BINARY,
  } satisfies Record<string, BuiltinDecl>,
  {
    "bits.and": binary((a, b) => a & b),
    "bits.or": binary((a, b) => a | b),
    "bits.xor": binary((a, b) => a ^ b),
    "bits.negate": (args) => fromBigInt(~integerArg(args, 0)),
    "bits.lsh": (args) => fromBigInt(integerArg(args, 0) << shiftCount(args)),
    "bits.rsh": (args) => fromBigInt(integerArg(args, 0) >> shiftCount(args)),
  },
);
