// Builtins: array functions (`array.concat`, `array.slice`, `array.reverse`, `array.flatten`).

import type { Value } from "../value/value.js";
import type { BuiltinDecl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arrayArg, smallIntegerArg } from "./operands.js";
import { T_ARRAY_ANY, T_NUM } from "./type-specs.js";

/** Array builtins. */
export const ARRAY_BUILTINS = defineBuiltins(
  {
    "array.concat": { args: [T_ARRAY_ANY, T_ARRAY_ANY], result: T_ARRAY_ANY },
    "array.slice": { args: [T_ARRAY_ANY, T_NUM, T_NUM], result: T_ARRAY_ANY },
    "array.reverse": { args: [T_ARRAY_ANY], result: T_ARRAY_ANY },
    "array.flatten": { args: [T_ARRAY_ANY], result: T_ARRAY_ANY },
  } satisfies Record<string, BuiltinDecl>,
  {
    "array.concat": (args, ctx) => {
      const a = arrayArg(args, 0);
      const b = arrayArg(args, 1);
      ctx.allocate?.(a.length + b.length);
      return [...a, ...b];
    },
    "array.slice": (args) => {
      const a = arrayArg(args, 0);
      let start = smallIntegerArg(args, 1);
      let stop = smallIntegerArg(args, 2);
      if (start < 0) start = 0;
      if (stop > a.length) stop = a.length;
      if (start >= stop) return [];
      return a.slice(start, stop);
    },
    "array.reverse": (args) => [...arrayArg(args, 0)].reverse(),
    // One level only, as OPA does: elements that are arrays are spliced in, anything else is kept.
    "array.flatten": (args) =>
      arrayArg(args, 0).flatMap((v): readonly Value[] => (Array.isArray(v) ? (v as readonly Value[]) : [v])),
  },
);
