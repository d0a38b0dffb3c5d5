// Planning: bodies and expressions become chains of steps. Each step does its expression's work
// and calls the next step once per solution, binding slots for exactly as long as the rest of
// the chain runs; the last step calls the caller's continuation.

import { callArity, operatorName } from "../compile/compiler.js";
import { termVars } from "../compile/safety.js";
import { forEachElement } from "../value/lookup.js";
import type { Body, CallTerm, Expr, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { constantOfGet, DONE, FOUND, type Get, NoPlan, type PlanScope, type Step } from "./plan-scope.js";
import {
  type Hoists,
  hasUnbound,
  type PlanEnv,
  planCall,
  planComparisonTest,
  planGet,
  planTest,
} from "./plan-terms.js";

/** Builds a step once the step after it is known. */
type Builder = (next: Step) => Step;

/** Plans a body: its expressions in order, then `next`. Throws NoPlan for what has none. */
export function planBody(body: Body, sc: PlanScope, env: PlanEnv, next: Step): Step {
  const builders = body.map((e) => planExpr(e, sc, env));
  let step = next;
  for (let i = builders.length - 1; i >= 0; i--) step = (builders[i] as Builder)(step);
  return step;
}

// Every planned expression counts against the budget in the step that does its own work (a
// test, a comparison, a binding, an iteration), once per time it runs; an iteration (`some in`,
// `every`) counts once more per element it enumerates.

function planExpr(e: Expr, sc: PlanScope, env: PlanEnv): Builder {
  if (e.with.length > 0) throw new NoPlan("with");
  const location = e.location;
  if (e.negated) {
    // Bindings made inside a negation stay inside it.
    const inner = planKind(e, sc.child(), env)(DONE);
    return (next) => (ev, c, s, k) => {
      ev.tick(location);
      return inner(ev, c, s, FOUND) ? false : next(ev, c, s, k);
    };
  }
  return planKind(e, sc, env);
}

/** Counts a step against the budget before it runs (for steps that do not count themselves). */
function counted(location: Location, build: Builder): Builder {
  return (next) => {
    const step = build(next);
    return (ev, c, s, k) => {
      ev.tick(location);
      return step(ev, c, s, k);
    };
  };
}

function planKind(e: Expr, sc: PlanScope, env: PlanEnv): Builder {
  const kind = e.kind;
  const location = e.location;
  switch (kind.type) {
    case "term": {
      const hoists: Hoists = [];
      const get = planGet(kind.term, sc, env, hoists);
      bindAll(kind.term, sc);
      return chain(hoists, (next) => planTest(get, next, location));
    }
    case "callexpr":
      return planCallExpr(kind.call, sc, env, location);
    case "some":
      return (next) => next;
    case "somein": {
      const hoists: Hoists = [];
      const domain = planGet(kind.domain, sc, env, hoists);
      const keySlot = sc.temp();
      const valueSlot = sc.temp();
      const matchKey = kind.key ? planMatch(kind.key, sc, env, (_ev, _c, s) => s[keySlot]) : undefined;
      const matchValue = planMatch(kind.value, sc, env, (_ev, _c, s) => s[valueSlot]);
      return chain(hoists, (next) => {
        const vm = matchValue(next);
        const first = matchKey ? matchKey(vm) : vm;
        return (ev, c, s, k) => {
          ev.tick(location);
          const coll = domain(ev, c, s);
          if (coll === undefined) return false;
          return forEachElement(coll, (key, value) => {
            ev.tick(location);
            s[keySlot] = key;
            s[valueSlot] = value;
            return first(ev, c, s, k);
          });
        };
      });
    }
    case "every": {
      const hoists: Hoists = [];
      const domain = planGet(kind.domain, sc, env, hoists);
      const inner = sc.child();
      const keySlot = kind.key ? inner.slot(kind.key.name) : inner.temp();
      if (kind.key) inner.bind(kind.key.name);
      const valueSlot = inner.slot(kind.value.name);
      inner.bind(kind.value.name);
      const body = planBody(kind.body, inner, env, DONE);
      return chain(hoists, (next) => (ev, c, s, k) => {
        ev.tick(location);
        const coll = domain(ev, c, s);
        if (!(Array.isArray(coll) || coll instanceof RegoObject || coll instanceof RegoSet)) return false;
        const failed = forEachElement(coll, (key, value) => {
          ev.tick(location);
          s[keySlot] = key;
          s[valueSlot] = value;
          return !body(ev, c, s, FOUND);
        });
        s[keySlot] = undefined;
        s[valueSlot] = undefined;
        return failed ? false : next(ev, c, s, k);
      });
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function planCallExpr(call: CallTerm, sc: PlanScope, env: PlanEnv, location: Location): Builder {
  const name = operatorName(call.operator);
  const args = call.args;
  if ((name === "eq" || name === "assign") && args.length === 2) {
    return planUnify(args[0] as Term, args[1] as Term, sc, env, location);
  }
  const arity = name === undefined ? undefined : callArity(env.policy, name);
  const hoists: Hoists = [];
  if (arity !== undefined && args.length === arity + 1) {
    // `f(x, out)`: the last argument receives the result.
    const result = planCall({ ...call, args: args.slice(0, arity) }, sc, env, hoists);
    return chain(hoists, counted(location, planMatch(args[arity] as Term, sc, env, result)));
  }
  const comparison = planComparisonTest(call, sc, env, hoists, location);
  if (comparison) {
    bindAll(call, sc);
    return chain(hoists, comparison);
  }
  const get = planGet(call, sc, env, hoists);
  bindAll(call, sc);
  return chain(hoists, (next) => planTest(get, next, location));
}

/** `a = b` and `a := b`: binds whichever side has unbound variables, else compares. */
function planUnify(a: Term, b: Term, sc: PlanScope, env: PlanEnv, location: Location): Builder {
  const aUnbound = hasUnbound(a, sc);
  const bUnbound = hasUnbound(b, sc);
  const hoists: Hoists = [];
  if (!aUnbound && !bUnbound) {
    const ga = planGet(a, sc, env);
    const gb = planGet(b, sc, env);
    return (next) => planEqual(ga, gb, next, location);
  }
  // As the interpreter does: the side with unbound variables is matched against the other's values.
  const [pattern, other] = aUnbound && !(b.type === "var" && bUnbound) ? [a, b] : [b, a];
  const value = planGet(other, sc, env, hoists);
  if (pattern.type === "var") {
    // `x := <constant>`: x reads as the constant from here on, without a slot, and the
    // expression has nothing left to do at run time.
    const known = hoists.length === 0 ? constantOfGet(value) : undefined;
    if (known !== undefined) {
      sc.bindConstant(pattern.name, known);
      return (next) => next;
    }
    const slot = sc.slot(pattern.name);
    sc.bind(pattern.name);
    return chain(hoists, (next) => bindSlot(slot, value, next, location));
  }
  if (isPattern(pattern, sc)) return chain(hoists, counted(location, planMatch(pattern, sc, env, value)));
  const get = planGet(pattern, sc, env, hoists);
  return chain(hoists, (next) => planEqual(get, value, next, location));
}

/** Binds a slot to a getter's value while the rest of the body runs, counting one step. */
function bindSlot(slot: number, value: Get, next: Step, location: Location): Step {
  return (ev, c, s, k) => {
    ev.tick(location);
    const v = value(ev, c, s);
    if (v === undefined) return false;
    s[slot] = v;
    const stop = next(ev, c, s, k);
    s[slot] = undefined;
    return stop;
  };
}

/** Whether a term binds by matching (variables, arrays and objects of them), not by enumerating. */
function isPattern(t: Term, sc: PlanScope): boolean {
  switch (t.type) {
    case "var":
      return true;
    case "array":
      return t.items.every((i) => isPattern(i, sc));
    case "object":
      return t.entries.every(([k, v]) => !hasUnbound(k, sc) && isPattern(v, sc));
    default:
      return !hasUnbound(t, sc);
  }
}

function planEqual(a: Get, b: Get, next: Step, location?: Location): Step {
  if (location) {
    return (ev, c, s, k) => {
      ev.tick(location);
      const x = a(ev, c, s);
      if (x === undefined) return false;
      const y = b(ev, c, s);
      return y !== undefined && valuesEqual(x, y) ? next(ev, c, s, k) : false;
    };
  }
  return (ev, c, s, k) => {
    const x = a(ev, c, s);
    if (x === undefined) return false;
    const y = b(ev, c, s);
    return y !== undefined && valuesEqual(x, y) ? next(ev, c, s, k) : false;
  };
}

/** Matches the value `read` gives against a pattern, binding its unbound variables. */
export function planMatch(p: Term, sc: PlanScope, env: PlanEnv, read: Get): Builder {
  if (!hasUnbound(p, sc)) {
    const get = planGet(p, sc, env);
    return (next) => planEqual(read, get, next);
  }
  switch (p.type) {
    case "var": {
      const slot = sc.slot(p.name);
      sc.bind(p.name);
      return (next) => (ev, c, s, k) => {
        const v = read(ev, c, s);
        if (v === undefined) return false;
        s[slot] = v;
        const stop = next(ev, c, s, k);
        s[slot] = undefined;
        return stop;
      };
    }
    case "array": {
      const tmp = sc.temp();
      const n = p.items.length;
      const items = p.items.map((item, j) =>
        planMatch(item, sc, env, (_ev, _c, s) => (s[tmp] as readonly Value[])[j]),
      );
      return (next) => {
        let first = next;
        for (let j = items.length - 1; j >= 0; j--) first = (items[j] as Builder)(first);
        return (ev, c, s, k) => {
          const v = read(ev, c, s);
          if (!Array.isArray(v) || v.length !== n) return false;
          s[tmp] = v;
          return first(ev, c, s, k);
        };
      };
    }
    case "object": {
      const tmp = sc.temp();
      const n = p.entries.length;
      const entries = p.entries.map(([key, value]) => {
        const kg = planGet(key, sc, env);
        return planMatch(value, sc, env, (ev, c, s) => {
          const kv = kg(ev, c, s);
          return kv === undefined ? undefined : (s[tmp] as RegoObject).get(kv);
        });
      });
      return (next) => {
        let first = next;
        for (let j = entries.length - 1; j >= 0; j--) first = (entries[j] as Builder)(first);
        return (ev, c, s, k) => {
          const v = read(ev, c, s);
          if (!(v instanceof RegoObject) || v.size !== n) return false;
          s[tmp] = v;
          return first(ev, c, s, k);
        };
      };
    }
    default:
      throw new NoPlan(`pattern ${p.type}`);
  }
}

/** The hoisted enumerations, outermost first, around the expression's own step. */
function chain(hoists: Hoists, build: Builder): Builder {
  return (next) => {
    let step = build(next);
    for (let i = hoists.length - 1; i >= 0; i--) step = (hoists[i] as Builder)(step);
    return step;
  };
}

/** After an expression, every variable it mentions (outside comprehensions) is bound. */
function bindAll(t: Term, sc: PlanScope): void {
  for (const v of termVars(t, new Set(), false)) if (!sc.isBound(v)) sc.bind(v);
}
