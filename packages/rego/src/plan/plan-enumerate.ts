// Planning: refs with unbound variables in their path (`input.items[i].tags[_]`). Each becomes a
// step that walks the collection, binds the variables once per element and runs the rest of the
// expression; the expression reads the element from a slot.

import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import { forEachElement, lookup } from "../value/lookup.js";
import type { RefTerm, Term } from "../syntax/ast.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";
import { constantOfGet, type Get, type K, NoPlan, type PlanScope, type Slots, type Step } from "./plan-scope.js";
import { type Hoists, hasUnbound, type PlanEnv, planDataPath, planGet, planRefHead } from "./plan-terms.js";
import type { PlanContext, PlanHost } from "./plan-host.js";

/** One segment of an enumerated path: a key to look up, or a variable to bind per element. */
type Segment = { readonly get: Get; readonly slot?: undefined } | { readonly slot: number; readonly get?: undefined };

/** Plans the enumeration of a ref (see PlanEnv.enumerate). */
export function planEnumerate(t: RefTerm, sc: PlanScope, env: PlanEnv, hoists: Hoists): Get {
  // Each element enumerated counts one step against the budget.
  const location = t.location;
  let base: Get;
  let rest: readonly Term[];
  if (t.head.type === "var" && t.head.name === "data") {
    const first = t.path.findIndex((p) => hasUnbound(p, sc));
    const prefix = t.path.slice(0, first);
    const names: string[] = [];
    for (const p of prefix) {
      if (p.type !== "string") throw new NoPlan("data ref with a non-string key");
      names.push(p.value);
    }
    base = planDataPath(names, prefix, env);
    rest = t.path.slice(first);
  } else {
    base = planRefHead(t.head, sc, env, hoists);
    rest = t.path;
  }
  const segments: Segment[] = [];
  for (const p of rest) {
    if (p.type === "var" && !sc.isBound(p.name)) {
      segments.push({ slot: sc.slot(p.name) });
      sc.bind(p.name);
    } else if (hasUnbound(p, sc)) {
      throw new NoPlan("pattern in a ref path");
    } else {
      const cv = constantOf(p);
      segments.push({ get: cv !== NOT_CONSTANT ? () => cv : planGet(p, sc, env, hoists) });
    }
  }
  const out = sc.temp();
  const known = constantOfGet(base);
  const only = segments.length === 1 ? segments[0]?.slot : undefined;
  if (known !== undefined && only !== undefined) {
    // `s := {"a", "b"}; s[x]`: the elements of a constant, listed once.
    const keys: Value[] = [];
    const values: Value[] = [];
    forEachElement(known, (k, v) => {
      keys.push(k);
      values.push(v);
      return false;
    });
    hoists.push((next) => (ev, c, s, k) => {
      for (let j = 0; j < keys.length; j++) {
        ev.tick(location);
        s[only] = keys[j];
        s[out] = values[j];
        if (next(ev, c, s, k)) {
          s[only] = undefined;
          return true;
        }
      }
      s[only] = undefined;
      return false;
    });
    return (_ev, _c, s) => s[out];
  }
  hoists.push((next) => {
    const walk = (ev: PlanHost, c: PlanContext, s: Slots, k: K, v: Value, i: number): boolean => {
      if (i === segments.length) {
        s[out] = v;
        return next(ev, c, s, k);
      }
      const seg = segments[i] as Segment;
      if (seg.slot === undefined) {
        const key = seg.get(ev, c, s);
        if (key === undefined) return false;
        const child = lookup(v, key);
        return child === undefined ? false : walk(ev, c, s, k, child, i + 1);
      }
      const slot = seg.slot;
      let stop = false;
      if (Array.isArray(v)) {
        const arr = v as readonly Value[];
        for (let j = 0; j < arr.length && !stop; j++) {
          ev.tick(location);
          s[slot] = j;
          stop = walk(ev, c, s, k, arr[j] as Value, i + 1);
        }
      } else if (v instanceof RegoObject) {
        for (const e of v.entries()) {
          ev.tick(location);
          s[slot] = e.key;
          stop = walk(ev, c, s, k, e.value, i + 1);
          if (stop) break;
        }
      } else if (v instanceof RegoSet) {
        for (const x of v.values()) {
          ev.tick(location);
          s[slot] = x;
          stop = walk(ev, c, s, k, x, i + 1);
          if (stop) break;
        }
      }
      s[slot] = undefined;
      return stop;
    };
    const step: Step = (ev, c, s, k) => {
      const v = base(ev, c, s);
      return v === undefined ? false : walk(ev, c, s, k, v, 0);
    };
    return step;
  });
  return (_ev, _c, s) => s[out];
}
