// Builtins: object functions (`object.get`, `object.keys`, `object.remove`, `object.filter`,
// `object.union`, `object.union_n`, `object.subset`).

import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, arrayArg, objectArg, operandElementError, operandOneOfError } from "./operands.js";
import { T_ANY, T_ARRAY_ANY, T_BOOL, T_OBJECT_ANY, T_SET_ANY, tArray, tOneOf } from "./type-specs.js";
import { RegoObject, RegoSet, type Value, typeName, valueKey, valuesEqual } from "../value/value.js";

const KEYS = tOneOf(T_ARRAY_ANY, T_OBJECT_ANY, T_SET_ANY);
const SUBSET_ARG = KEYS;

/** Finds the value at `path` inside `v` (objects by key, arrays by index, sets by member). */
export function findPath(v: Value, path: readonly Value[]): Value | undefined {
  let cur: Value = v;
  for (const step of path) {
    if (cur instanceof RegoObject) {
      const next = cur.get(step);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if (typeof step !== "number" || !Number.isInteger(step)) return undefined;
      const next = (cur as readonly Value[])[step];
      if (next === undefined) return undefined;
      cur = next;
    } else if (cur instanceof RegoSet) {
      if (!cur.has(step)) return undefined;
      cur = step;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** The canonical keys named by an array, set or object (its keys) operand. */
function keySet(args: readonly Value[], index: number): Set<string> {
  const v = arg(args, index);
  if (Array.isArray(v)) return new Set((v as readonly Value[]).map(valueKey));
  if (v instanceof RegoSet) return new Set([...v.unordered()].map(valueKey));
  if (v instanceof RegoObject) return new Set([...v.unordered()].map((e) => valueKey(e.key)));
  throw operandOneOfError(index + 1, ["object", "set", "array"], typeName(v));
}

function filterEntries(o: RegoObject, keep: (key: string) => boolean): RegoObject {
  const out = new RegoObject();
  for (const e of o.unordered()) if (keep(valueKey(e.key))) out.set(e.key, e.value);
  return out;
}

/** Merges `b` into `a`, recursively where both sides hold objects; `b` wins conflicts. */
export function mergeObjects(a: RegoObject, b: RegoObject): RegoObject {
  const out = RegoObject.of([...a.unordered()].map((e) => [e.key, e.value] as const));
  for (const e of b.unordered()) {
    const existing = out.get(e.key);
    if (existing instanceof RegoObject && e.value instanceof RegoObject) {
      out.set(e.key, mergeObjects(existing, e.value));
    } else {
      out.set(e.key, e.value);
    }
  }
  return out;
}

function objectSubset(sup: RegoObject, sub: RegoObject): boolean {
  for (const e of sub.unordered()) {
    const s = sup.get(e.key);
    if (s === undefined || !nestedSubset(s, e.value)) return false;
  }
  return true;
}

function setSubset(sup: RegoSet, sub: RegoSet): boolean {
  for (const v of sub.unordered()) if (!sup.has(v)) return false;
  return true;
}

function arraySubset(sup: readonly Value[], sub: readonly Value[]): boolean {
  if (sub.length === 0) return true;
  for (let i = 0; i + sub.length <= sup.length; i++) {
    if (sub.every((v, j) => valuesEqual(sup[i + j] as Value, v))) return true;
  }
  return false;
}

function arraySetSubset(sup: readonly Value[], sub: RegoSet): boolean {
  const keys = new Set(sup.map(valueKey));
  for (const v of sub.unordered()) if (!keys.has(valueKey(v))) return false;
  return true;
}

/** Subset test for a pair of operands of matching kinds; undefined when the kinds do not match. */
function subsetOf(sup: Value, sub: Value): boolean | undefined {
  if (sup instanceof RegoObject && sub instanceof RegoObject) return objectSubset(sup, sub);
  if (sup instanceof RegoSet && sub instanceof RegoSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
  if (Array.isArray(sup) && sub instanceof RegoSet) return arraySetSubset(sup, sub);
  return undefined;
}

function nestedSubset(sup: Value, sub: Value): boolean {
  return subsetOf(sup, sub) ?? valuesEqual(sup, sub);
}

/** Object builtins. */
export const OBJECT_BUILTINS = defineBuiltins(
  {
    "object.get": { args: [T_OBJECT_ANY, T_ANY, T_ANY], result: T_ANY },
    "object.keys": { args: [T_OBJECT_ANY], result: T_SET_ANY },
    "object.remove": { args: [T_OBJECT_ANY, KEYS], result: T_OBJECT_ANY },
    "object.filter": { args: [T_OBJECT_ANY, KEYS], result: T_OBJECT_ANY },
    "object.union": { args: [T_OBJECT_ANY, T_OBJECT_ANY], result: T_OBJECT_ANY },
    "object.union_n": { args: [tArray(T_OBJECT_ANY)], result: T_OBJECT_ANY },
    "object.subset": { args: [SUBSET_ARG, SUBSET_ARG], result: T_BOOL },
  } satisfies Record<string, BuiltinDecl>,
  {
    "object.get": (args) => {
      const o = objectArg(args, 0);
      const key = arg(args, 1);
      const fallback = arg(args, 2);
      if (!Array.isArray(key)) return o.get(key) ?? fallback;
      return findPath(o, key as readonly Value[]) ?? fallback;
    },
    "object.keys": (args) => RegoSet.of(objectArg(args, 0).keys()),
    "object.remove": (args) => {
      const o = objectArg(args, 0);
      const keys = keySet(args, 1);
      return filterEntries(o, (k) => !keys.has(k));
    },
    "object.filter": (args) => {
      const o = objectArg(args, 0);
      const keys = keySet(args, 1);
      return filterEntries(o, (k) => keys.has(k));
    },
    "object.union": (args) => mergeObjects(objectArg(args, 0), objectArg(args, 1)),
    "object.union_n": (args) => {
      const list = arrayArg(args, 0);
      let acc = new RegoObject();
      for (const v of list) {
        if (!(v instanceof RegoObject)) throw operandElementError(1, list, "object", v);
        acc = mergeObjects(acc, v);
      }
      return acc;
    },
    "object.subset": (args) => {
      const result = subsetOf(arg(args, 0), arg(args, 1));
      if (result === undefined) {
        throw new BuiltinError(
          "type",
          "both arguments to object.subset must be of the same type or array and set",
        );
      }
      return result;
    },
  },
);
