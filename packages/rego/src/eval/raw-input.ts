// Evaluation: reading scalar fields of the caller's JSON input directly. A login policy reads a
// handful of strings and numbers from its input; walking the plain record for them costs a few
// property loads, where converting the records they sit in would allocate an object per level.

import type { Value } from "../value/value.js";

/** Returned when a path does not end at a scalar of a plain record: convert and look up instead. */
export const CONVERT = Symbol("convert");

/**
 * The value at constant string `keys` below `raw`, when every record on the way is a plain
 * object (as JSON.parse makes) and the field found is a scalar or absent; else CONVERT. Agrees
 * with looking the path up in `fromJsonLazy(raw)`.
 */
export function rawPath(raw: object, keys: readonly string[]): Value | undefined | typeof CONVERT {
  let v: unknown = raw;
  for (let i = 0; i < keys.length; i++) {
    if (typeof v !== "object" || v === null) return CONVERT;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return CONVERT;
    const k = keys[i] as string;
    if (k === "__proto__") return CONVERT;
    v = (v as Record<string, unknown>)[k];
    if (v === undefined) return undefined;
  }
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : CONVERT;
    default:
      return v === null ? null : CONVERT;
  }
}
