// Builtins: set algebra (`and`, `or`, `intersection`, `union`, deprecated `set_diff`).

import type { BuiltinDecl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { operandElementError, setArg } from "./operands.js";
import { T_SET_ANY, tSet } from "./type-specs.js";
import { RegoSet, type Value } from "../value/value.js";

const BINARY: BuiltinDecl = { args: [T_SET_ANY, T_SET_ANY], result: T_SET_ANY };
const OF_SETS: BuiltinDecl = { args: [tSet(T_SET_ANY)], result: T_SET_ANY };

/** The elements of `a` not in `b`. */
export function setDifference(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet();
  for (const v of a.unordered()) if (!b.has(v)) out.add(v);
  return out;
}

/** The elements in both sets. */
export function intersectSets(a: RegoSet, b: RegoSet): RegoSet {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RegoSet();
  for (const v of small.unordered()) if (large.has(v)) out.add(v);
  return out;
}

/** The elements in either set. */
export function unionSets(a: RegoSet, b: RegoSet): RegoSet {
  const out = RegoSet.of(a.unordered());
  for (const v of b.unordered()) out.add(v);
  return out;
}

function setsOf(outer: RegoSet): RegoSet[] {
  const out: RegoSet[] = [];
  for (const v of outer.unordered() as Iterable<Value>) {
    if (!(v instanceof RegoSet)) throw operandElementError(1, outer, "set", v);
    out.push(v);
  }
  return out;
}

/** Set builtins. */
export const SET_BUILTINS = defineBuiltins(
  { and: BINARY, or: BINARY, intersection: OF_SETS, union: OF_SETS, set_diff: BINARY },
  {
    and: (args) => intersectSets(setArg(args, 0), setArg(args, 1)),
    or: (args) => unionSets(setArg(args, 0), setArg(args, 1)),
    set_diff: (args) => setDifference(setArg(args, 0), setArg(args, 1)),
    intersection: (args) => {
      const sets = setsOf(setArg(args, 0));
      let acc = sets[0];
      if (acc === undefined) return new RegoSet();
      for (const s of sets.slice(1)) acc = intersectSets(acc, s);
      return acc;
    },
    union: (args) => {
      const out = new RegoSet();
      for (const s of setsOf(setArg(args, 0))) for (const v of s.unordered()) out.add(v);
      return out;
    },
  },
);
