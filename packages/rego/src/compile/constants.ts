// Compile stage: the values of literal terms, computed once per term (planning and evaluation
// read them off the compiled policy's terms).

import type { Term } from "../syntax/ast.js";
import { numberValue } from "../value/number-literal.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";

/** The value of a term made only of literals, or undefined if it holds vars, refs or calls. */
export function constantValue(t: Term): Value | undefined {
  switch (t.type) {
    case "null":
      return null;
    case "boolean":
      return t.value;
    case "number":
      return numberValue(t.text);
    case "string":
      return t.value;
    case "array": {
      const out: Value[] = [];
      for (const i of t.items) {
        const v = constantValue(i);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case "set": {
      const s = new RegoSet();
      for (const i of t.items) {
        const v = constantValue(i);
        if (v === undefined) return undefined;
        s.add(v);
      }
      return s;
    }
    case "object": {
      const o = new RegoObject();
      for (const [k, val] of t.entries) {
        const kv = constantValue(k);
        const vv = constantValue(val);
        if (kv === undefined || vv === undefined) return undefined;
        o.set(kv, vv);
      }
      return o;
    }
    default:
      return undefined;
  }
}

/** Marks a term that is not a literal. */
export const NOT_CONSTANT = Symbol("not-constant");
const constantCache = new WeakMap<Term, Value | typeof NOT_CONSTANT>();

/** The value of a literal term, computed once per term; NOT_CONSTANT otherwise. */
export function constantOf(t: Term): Value | typeof NOT_CONSTANT {
  let c = constantCache.get(t);
  if (c === undefined) {
    c = constantValue(t) ?? NOT_CONSTANT;
    constantCache.set(t, c);
  }
  return c;
}
