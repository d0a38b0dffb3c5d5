// Builtins: comparison operators (`equal`, `neq`, `lt`, `lte`, `gt`, `gte`) over any values.

import type { BuiltinDecl, BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg } from "./operands.js";
import { T_ANY, T_BOOL } from "./type-specs.js";
import { compareValues, valuesEqual } from "../value/value.js";

const CMP: BuiltinDecl = { args: [T_ANY, T_ANY], result: T_BOOL };

function ordered(test: (c: number) => boolean): BuiltinImpl {
  return (args) => test(compareValues(arg(args, 0), arg(args, 1)));
}

/** Comparison builtins, using OPA's total order over values. */
export const COMPARISON_BUILTINS = defineBuiltins(
  { equal: CMP, neq: CMP, lt: CMP, lte: CMP, gt: CMP, gte: CMP },
  {
    equal: (args) => valuesEqual(arg(args, 0), arg(args, 1)),
    neq: (args) => !valuesEqual(arg(args, 0), arg(args, 1)),
    lt: ordered((c) => c < 0),
    lte: ordered((c) => c <= 0),
    gt: ordered((c) => c > 0),
    gte: ordered((c) => c >= 0),
  },
);
