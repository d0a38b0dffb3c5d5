// Evaluation: builtins that need the evaluator itself (membership, `walk`, `print`, `trace`)
// rather than plain values in and a value out. Their arities are known to the compiler here.

import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";

/** Arity of each builtin the evaluator implements itself (`print` is variadic: absent). */
export const SPECIAL_ARITY: ReadonlyMap<string, number> = new Map([
  ["internal.member_2", 2],
  ["internal.member_3", 3],
  ["walk", 1],
  ["trace", 1],
]);

/** The arity of a builtin by name: the evaluator's own, else the registry's (undefined if unknown). */
export function builtinArity(
  name: string,
  builtins: ReadonlyMap<string, { readonly arity: number }>,
): number | undefined {
  return SPECIAL_ARITY.get(name) ?? builtins.get(name)?.arity;
}

/** `x in xs`: whether a collection holds a value (array/set elements, object values). */
export function member2(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return (coll as readonly Value[]).some((v) => valuesEqual(v, x));
  if (coll instanceof RegoSet) return coll.has(x);
  if (coll instanceof RegoObject) {
    for (const e of coll.unordered()) if (valuesEqual(e.value, x)) return true;
  }
  return false;
}

/** `k, v in xs`: whether a collection holds `v` at key `k`. */
export function member3(k: Value, v: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    if (typeof k !== "number" || !Number.isInteger(k)) return false;
    const item = (coll as readonly Value[])[k];
    return item !== undefined && valuesEqual(item, v);
  }
  if (coll instanceof RegoSet) return coll.has(k) && valuesEqual(k, v);
  if (coll instanceof RegoObject) {
    const item = coll.get(k);
    return item !== undefined && valuesEqual(item, v);
  }
  return false;
}

/** Every `[path, value]` pair of a document, in pre-order, as `walk` produces them. */
export function* walkPairs(v: Value, path: Value[] = []): Generator<Value> {
  yield [[...path], v];
  if (Array.isArray(v)) {
    const arr = v as readonly Value[];
    for (let i = 0; i < arr.length; i++) yield* walkPairs(arr[i] as Value, [...path, i]);
  } else if (v instanceof RegoSet) {
    for (const x of v.values()) yield* walkPairs(x, [...path, x]);
  } else if (v instanceof RegoObject) {
    for (const e of v.entries()) yield* walkPairs(e.value, [...path, e.key]);
  }
}
