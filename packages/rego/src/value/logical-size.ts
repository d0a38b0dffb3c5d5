// Values (shared by planning and evaluation): the logical size of a value, as the budget charges it. Values share their parts
// (`[x, x]` holds x twice without copying it), so twenty steps of `x := [x0, x0]` describe a
// document of a million elements in twenty small arrays; every walk over it (comparison, set
// insertion, JSON output, `walk`) pays the million. Collections an evaluation builds are
// charged their logical size, so such a document is refused while it is being built.

import { RegoObject, RegoSet, type Value } from "./value.js";

// Sizes of the collections measured so far (values are immutable, so a size never changes).
const sizes = new WeakMap<object, number>();

/**
 * The number of elements of a value counted as a tree: 1 for a scalar, 1 plus its elements'
 * (and keys') sizes for a collection. Shared parts count once per place they appear. Iterative,
 * and linear in the value's distinct collections.
 */
export function logicalSize(v: Value): number {
  if (!isCollection(v)) return 1;
  const flat = scalarSize(v);
  if (flat !== undefined) return flat;
  const known = sizes.get(v);
  if (known !== undefined) return known;
  const stack: Collection[] = [v];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Collection;
    if (sizes.has(top)) {
      stack.pop();
      continue;
    }
    let total = 1;
    let pending = false;
    forEachPart(top, (part) => {
      if (!isCollection(part)) total += 1;
      else {
        const s = scalarSize(part) ?? sizes.get(part);
        if (s !== undefined) total += s;
        else {
          stack.push(part);
          pending = true;
        }
      }
    });
    if (!pending) {
      sizes.set(top, total);
      stack.pop();
    }
  }
  return sizes.get(v) as number;
}

type Collection = readonly Value[] | RegoSet | RegoObject;

function isCollection(v: Value): v is Collection {
  return Array.isArray(v) || v instanceof RegoObject || v instanceof RegoSet;
}

// The size of an array of scalars (the common case: computed without remembering it); else undefined.
function scalarSize(v: Collection): number | undefined {
  if (!Array.isArray(v)) return undefined;
  const items = v as readonly Value[];
  for (let i = 0; i < items.length; i++) if (isCollection(items[i] as Value)) return undefined;
  return items.length + 1;
}

function forEachPart(v: Collection, f: (part: Value) => void): void {
  if (Array.isArray(v)) for (const x of v as readonly Value[]) f(x);
  else if (v instanceof RegoSet) for (const x of v.values()) f(x);
  else
    for (const e of (v as RegoObject).entries()) {
      f(e.key);
      f(e.value);
    }
}
