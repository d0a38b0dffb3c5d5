// Values (shared by planning and evaluation): objects built from rule paths. Rules with ref heads (`roles[s][r]`, `p.q.r`) build
// nested objects together; paths merge, sets from `contains` merge, and a value a rule produced is
// a leaf that nothing else may write into (OPA's conflict rules).

import { RegoError } from "../errors.js";
import type { Location } from "../syntax/location.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "./value.js";

/** An object built from rule paths (as opposed to a value a rule produced): only these merge. */
class PathObject extends RegoObject {}

const structural = { has: (o: RegoObject): boolean => o instanceof PathObject };

/** A new object built from rule paths. */
export function structuralObject(): RegoObject {
  return new PathObject();
}

/**
 * Sets `keys` in a nested object being built from rules. Paths merge; sets from `contains`
 * merge; a value a rule produced is a leaf: putting anything else there is a conflict.
 */
export function insertNested(
  root: RegoObject,
  keys: readonly Value[],
  value: Value,
  location: Location | undefined,
): void {
  let obj = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as Value;
    const next = obj.get(key);
    if (next === undefined) {
      const created = structuralObject();
      obj.set(key, created);
      obj = created;
    } else if (next instanceof RegoObject && structural.has(next)) {
      obj = next;
    } else {
      throw conflict(location);
    }
  }
  const last = keys[keys.length - 1] as Value;
  const prev = obj.get(last);
  if (prev === undefined) {
    obj.set(last, value instanceof RegoObject && structural.has(value) ? copyStructural(value) : value);
    return;
  }
  if (prev instanceof RegoSet && value instanceof RegoSet) {
    const merged = RegoSet.of(prev.unordered());
    for (const x of value.unordered()) merged.add(x);
    obj.set(last, merged);
    return;
  }
  if (
    prev instanceof RegoObject &&
    value instanceof RegoObject &&
    structural.has(prev) &&
    structural.has(value)
  ) {
    for (const e of value.entries()) insertNested(prev, [e.key], e.value, location);
    return;
  }
  if (!valuesEqual(prev, value)) throw conflict(location);
}

function copyStructural(o: RegoObject): RegoObject {
  const out = structuralObject();
  for (const e of o.entries()) {
    out.set(
      e.key,
      e.value instanceof RegoObject && structural.has(e.value) ? copyStructural(e.value) : e.value,
    );
  }
  return out;
}

function conflict(location: Location | undefined): RegoError {
  return RegoError.of("eval_conflict_error", "object keys must be unique", location);
}
