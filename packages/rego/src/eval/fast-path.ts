// Evaluation, fast paths (used by the interpreter): terms that have exactly one value or none
// (refs along known paths, calls on such terms) are evaluated by plain functions, built once per
// term, without continuations.

import { operatorName } from "../compile/compiler.js";
import type { CallTerm, RefTerm, Term } from "../syntax/ast.js";
import type { Value } from "../value/value.js";
import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import type { Context, Frame } from "./context.js";
import { lookup } from "../value/lookup.js";

/** Returned by a fast path that cannot decide: the general path must run. */
export const FALLBACK = Symbol("fallback");

/** What a fast path asks of the evaluator running it: calls and data refs. */
export interface FastHost {
  /** Calls a function or builtin by name (with `with` overrides applied). */
  call(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined;
  /** The single value of a data ref whose path is fully known, or undefined. */
  dataValue(path: readonly Term[], f: Frame, c: Context): Value | undefined;
}

/** Evaluates a single-valued term, or returns FALLBACK when it needs the general path. */
export type Fast = (ev: FastHost, f: Frame, c: Context) => Value | undefined | typeof FALLBACK;

const fastCache = new WeakMap<Term, Fast | null>();

/** The fast path of a term, built once per term, or null when it has none. */
export function fastOf(t: Term): Fast | null {
  let fast = fastCache.get(t);
  if (fast === undefined) {
    fast = buildFast(t);
    fastCache.set(t, fast);
  }
  return fast;
}

// Calls the evaluator treats specially (relations, printing): never on the fast path.
const SPECIAL_CALLS = new Set(["eq", "assign", "walk", "print"]);

function buildFast(t: Term): Fast | null {
  const cv = constantOf(t);
  if (cv !== NOT_CONSTANT) return () => cv;
  switch (t.type) {
    case "var": {
      const name = t.name;
      return (_ev, f) => {
        const v = f.vals.get(name);
        return v === undefined ? FALLBACK : v;
      };
    }
    case "ref":
      return buildFastRef(t);
    case "call": {
      const name = operatorName(t.operator);
      if (name === undefined || SPECIAL_CALLS.has(name)) return null;
      const fns = allFast(t.args);
      if (!fns) return null;
      return (ev, f, c) => {
        const vals: Value[] = new Array(fns.length);
        for (let i = 0; i < fns.length; i++) {
          const v = (fns[i] as Fast)(ev, f, c);
          if (v === FALLBACK || v === undefined) return v;
          vals[i] = v;
        }
        return ev.call(name, t, vals, c);
      };
    }
    case "array": {
      const fns = allFast(t.items);
      if (!fns) return null;
      return (ev, f, c) => {
        const out: Value[] = new Array(fns.length);
        for (let i = 0; i < fns.length; i++) {
          const v = (fns[i] as Fast)(ev, f, c);
          if (v === FALLBACK || v === undefined) return v;
          out[i] = v;
        }
        return out;
      };
    }
    default:
      return null;
  }
}

function allFast(terms: readonly Term[]): Fast[] | null {
  const out: Fast[] = [];
  for (const t of terms) {
    const fast = fastOf(t);
    if (!fast) return null;
    out.push(fast);
  }
  return out;
}

function buildFastRef(ref: RefTerm): Fast | null {
  const head = ref.head;
  if (head.type !== "var") return null;
  for (const p of ref.path) if (p.type !== "string" && p.type !== "number" && p.type !== "var") return null;
  const keys = allFast(ref.path);
  if (!keys) return null;
  const path = ref.path;
  if (head.name === "data") {
    return (ev, f, c) => {
      // With every path variable bound, the ref has one value or none.
      for (const p of path) if (p.type === "var" && !f.vals.has(p.name)) return FALLBACK;
      return ev.dataValue(path, f, c);
    };
  }
  const isInput = head.name === "input";
  const name = head.name;
  return (ev, f, c) => {
    let v: Value | undefined = isInput ? c.input : f.vals.get(name);
    if (v === undefined) return isInput ? undefined : FALLBACK;
    for (let i = 0; i < keys.length; i++) {
      const key = (keys[i] as Fast)(ev, f, c);
      if (key === FALLBACK) return FALLBACK;
      if (key === undefined) return undefined;
      v = lookup(v, key);
      if (v === undefined) return undefined;
    }
    return v;
  };
}
