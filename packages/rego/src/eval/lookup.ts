// Evaluation: looking a key up in a collection, as refs do.

import { RegoObject, RegoSet, type Value } from "../value/value.js";

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
