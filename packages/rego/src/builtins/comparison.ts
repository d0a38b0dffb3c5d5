// Builtins: comparison operators (`equal`, `neq`, `lt`, `lte`, `gt`, `gte`) over any values.

import type { Value } from "../value/value.js";
import type { BuiltinDecl, BuiltinDefinition, BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg } from "./operands.js";
import { T_ANY, T_BOOL } from "./type-specs.js";
import { compareValues, valuesEqual } from "../value/value.js";

const CMP: BuiltinDecl = { args: [T_ANY, T_ANY], result: T_BOOL };

function ordered(test: (c: number) => boolean): BuiltinImpl {
  return (args) => test(compareValues(arg(args, 0), arg(args, 1)));
}

// Two doubles (what policies compare nearly always: hours, timestamps, counts) compare as JS
// numbers: Rego numbers are finite, and -0 and 0 are equal both ways.
const BINARY: Readonly<Record<string, (a: Value, b: Value) => boolean>> = {
  equal: (a, b) => valuesEqual(a, b),
  neq: (a, b) => !valuesEqual(a, b),
  lt: (a, b) => (typeof a === "number" && typeof b === "number" ? a < b : compareValues(a, b) < 0),
  lte: (a, b) => (typeof a === "number" && typeof b === "number" ? a <= b : compareValues(a, b) <= 0),
  gt: (a, b) => (typeof a === "number" && typeof b === "number" ? a > b : compareValues(a, b) > 0),
  gte: (a, b) => (typeof a === "number" && typeof b === "number" ? a >= b : compareValues(a, b) >= 0),
};

/** Comparison builtins, using OPA's total order over values. */
export const COMPARISON_BUILTINS: readonly BuiltinDefinition[] = defineBuiltins(
  { equal: CMP, neq: CMP, lt: CMP, lte: CMP, gt: CMP, gte: CMP },
  {
    equal: (args) => valuesEqual(arg(args, 0), arg(args, 1)),
    neq: (args) => !valuesEqual(arg(args, 0), arg(args, 1)),
    lt: ordered((c) => c < 0),
    lte: ordered((c) => c <= 0),
    gt: ordered((c) => c > 0),
    gte: ordered((c) => c >= 0),
  },
).map((b) => ({ ...b, binary: BINARY[b.name] }));
