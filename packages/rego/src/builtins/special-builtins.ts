// Builtins (shared leaf): builtins the evaluator runs itself (membership, `walk`, `print`,
// `trace`) rather than plain values in and a value out. Their arities are known to the compiler here.

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

/** What `walk` charges for each pair it produces (the evaluator's `allocate`). */
export interface WalkCharge {
  allocate(elements: number): void;
}

// One collection being walked: the path to it, its children's keys (undefined: the index for an
// array, the child itself for a set) and values, and the next child.
interface WalkFrame {
  readonly path: readonly Value[];
  readonly keys: readonly Value[] | undefined;
  readonly isSet: boolean;
  readonly values: readonly Value[];
  next: number;
}

/**
 * Every `[path, value]` pair of a document, in pre-order, as `walk` produces them. Iterative:
 * a document nested as deep as memory allows walks without deep recursion. Each pair is
 * charged (its path and the pair) before it is built.
 */
export function* walkPairs(root: Value, charge: WalkCharge): Generator<Value> {
  charge.allocate(2);
  yield [[], root];
  const stack: WalkFrame[] = [];
  const open = (v: Value, path: readonly Value[]): void => {
    if (Array.isArray(v)) stack.push({ path, keys: undefined, isSet: false, values: v, next: 0 });
    else if (v instanceof RegoSet)
      stack.push({ path, keys: undefined, isSet: true, values: v.values(), next: 0 });
    else if (v instanceof RegoObject) {
      const entries = v.entries();
      const keys = entries.map((e) => e.key);
      stack.push({ path, keys, isSet: false, values: entries.map((e) => e.value), next: 0 });
    }
  };
  open(root, []);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as WalkFrame;
    if (top.next === top.values.length) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    const child = top.values[i] as Value;
    const key = top.keys ? (top.keys[i] as Value) : top.isSet ? child : i;
    charge.allocate(top.path.length + 3);
    const path = [...top.path, key];
    yield [path, child];
    open(child, path);
  }
}
