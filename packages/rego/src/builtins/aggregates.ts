// Builtins: aggregates over collections (`count`, `sum`, `product`, `max`, `min`, `sort`, and
// the Rego v0 `any` and `all`).

import type { BuiltinDecl, BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { addNumbers, multiplyNumbers } from "./numbers.js";
import { arg, collectionArg, operandElementError, operandOneOfError } from "./operands.js";
import {
  T_ANY,
  T_ARRAY_ANY,
  T_BOOL,
  T_NUM,
  T_OBJECT_ANY,
  T_SET_ANY,
  T_STR,
  tArray,
  tOneOf,
  tSet,
} from "./type-specs.js";
import {
  type RegoNumber,
  RegoObject,
  RegoSet,
  type Value,
  compareValues,
  isNumber,
  typeName,
} from "../value/value.js";

const COLLECTION = tOneOf(T_ARRAY_ANY, T_SET_ANY);
const NUMBERS = tOneOf(tArray(T_NUM), tSet(T_NUM));

function fold(start: RegoNumber, op: (a: RegoNumber, b: RegoNumber) => RegoNumber): BuiltinImpl {
  return (args) => {
    const coll = arg(args, 0);
    let acc = start;
    for (const v of collectionArg(args, 0)) {
      if (!isNumber(v)) throw operandElementError(1, coll, "number", v);
      acc = op(acc, v);
    }
    return acc;
  };
}

function extreme(sign: 1 | -1): BuiltinImpl {
  return (args) => {
    let best: Value | undefined;
    for (const v of collectionArg(args, 0)) {
      if (best === undefined || compareValues(v, best) * sign > 0) best = v;
    }
    return best;
  };
}

/** Aggregate builtins. */
export const AGGREGATE_BUILTINS = defineBuiltins(
  {
    count: { args: [tOneOf(T_STR, T_ARRAY_ANY, T_OBJECT_ANY, T_SET_ANY)], result: T_NUM },
    sum: { args: [NUMBERS], result: T_NUM },
    product: { args: [NUMBERS], result: T_NUM },
    max: { args: [COLLECTION], result: T_ANY },
    min: { args: [COLLECTION], result: T_ANY },
    sort: { args: [COLLECTION], result: T_ARRAY_ANY },
    any: { args: [COLLECTION], result: T_BOOL },
    all: { args: [COLLECTION], result: T_BOOL },
  } satisfies Record<string, BuiltinDecl>,
  {
    count: (args) => {
      const v = arg(args, 0);
      if (typeof v === "string") {
        let n = 0;
        for (const _ of v) n++;
        return n;
      }
      if (Array.isArray(v)) return v.length;
      if (v instanceof RegoSet || v instanceof RegoObject) return v.size;
      throw operandOneOfError(1, ["array", "object", "set", "string"], typeName(v));
    },
    sum: fold(0, addNumbers),
    product: fold(1, multiplyNumbers),
    max: extreme(1),
    min: extreme(-1),
    sort: (args) => {
      const v = arg(args, 0);
      if (v instanceof RegoSet) return [...v.values()];
      return [...collectionArg(args, 0)].sort(compareValues);
    },
    any: (args) => collectionArg(args, 0).some((v) => v === true),
    all: (args) => collectionArg(args, 0).every((v) => v === true),
  },
);
