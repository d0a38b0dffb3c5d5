// Values (shared by planning and evaluation): looking a key up in a collection, as refs do, and walking its elements.

import { RegoObject, RegoSet, type Value } from "./value.js";

/** A collection's element at a key, or undefined. */
export function lookup(v: Value, key: Value): Value | undefined {
  if (v instanceof RegoObject) return v.get(key);
  if (Array.isArray(v)) {
    if (typeof key !== "number" || !Number.isInteger(key)) return undefined;
    return (v as readonly Value[])[key];
  }
  if (v instanceof RegoSet) return v.has(key) ? key : undefined;
  return undefined;
}

/** Calls `f(key, value)` per element of a collection, in OPA's order; true when `f` stopped. */
export function forEachElement(coll: Value, f: (key: Value, value: Value) => boolean): boolean {
  if (Array.isArray(coll)) {
    const arr = coll as readonly Value[];
    for (let j = 0; j < arr.length; j++) if (f(j, arr[j] as Value)) return true;
    return false;
  }
  if (coll instanceof RegoObject) {
    for (const e of coll.entries()) if (f(e.key, e.value)) return true;
    return false;
  }
  if (coll instanceof RegoSet) {
    for (const x of coll.values()) if (f(x, x)) return true;
  }
  return false;
}
