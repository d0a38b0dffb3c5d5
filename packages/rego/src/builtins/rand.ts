// Builtins: `rand.intn`, random integers that stay fixed for a (string, n) pair within one evaluation.

import { BigNumber } from "../value/big-number.js";
import { typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, operandError, type TypeSpec } from "./builtin.js";

const CACHE_KEY = "rand.intn";

function integerOperand(v: Value, pos: number): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw operandError(pos, "integer number", "floating-point number");
    return v;
  }
  if (v instanceof BigNumber) {
    const n = v.toBigInt();
    if (n === undefined) throw operandError(pos, "integer number", "floating-point number");
    return Number(n);
  }
  throw operandError(pos, "number", typeName(v));
}

/** `rand.intn(str, n)`: a random integer in [0, |n|), the same for equal (str, n) in one evaluation. */
export const RAND_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "rand.intn",
    arity: 2,
    nondeterministic: true,
    decl: { args: [{ type: "string" }, { type: "number" }] satisfies TypeSpec[], result: { type: "number" } },
    impl: (args, ctx) => {
      const s = args[0] as Value;
      if (typeof s !== "string") throw operandError(1, "string", typeName(s));
      let n = integerOperand(args[1] as Value, 2);
      if (n === 0) return 0;
      if (n < 0) n = -n;
      let cache = ctx.cache.get(CACHE_KEY) as Map<string, number> | undefined;
      if (!cache) {
        cache = new Map();
        ctx.cache.set(CACHE_KEY, cache);
      }
      const key = `${s}-${n}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const result = Math.min(n - 1, Math.floor(ctx.random() * n));
      cache.set(key, result);
      return result;
    },
  },
];
