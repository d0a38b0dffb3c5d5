// Planning: the shapes a planned rule is made of, and the scope that tracks, while a body is
// planned, which variable lives in which slot and which variables are bound at each point.
//
// A planned body runs on a slot array instead of a map of names: every variable of a rule (and
// of the comprehensions, negations and `every` bodies inside it) has a fixed index, and an
// unbound slot holds `undefined`. Which variables are bound before each expression is known
// statically, because the compiler has already ordered the body so that every expression's
// inputs are bound by the ones before it.

import type { Value } from "../value/value.js";
import type { PlanContext, PlanHost } from "./plan-host.js";

/** The variables of one rule evaluation, by slot. */
export type Slots = (Value | undefined)[];

/** A final continuation: called once per solution; returns true to stop enumerating. */
export type K = () => boolean;

/** One planned expression (and the rest of its body after it): true when enumeration stopped. */
export type Step = (ev: PlanHost, c: PlanContext, s: Slots, k: K) => boolean;

/** A planned single-valued term: its value, or undefined when it has none. */
export type Get = (ev: PlanHost, c: PlanContext, s: Slots) => Value | undefined;

/** The end of a body: the solution is complete. */
export const DONE: Step = (_ev, _c, _s, k) => k();

/** Stops at the first solution (negation, `every`): the caller only asks whether there is one. */
export const FOUND: K = () => true;

/** Thrown while planning when a construct has no plan; the rule then runs on the interpreter. */
export class NoPlan extends Error {
  constructor(readonly construct: string) {
    super(`no plan for ${construct}`);
  }
}

// The constants getters stand for: a step reading one needs no call.
const constantGetters = new WeakMap<Get, Value>();

/** The getter of a constant value. */
export function constantGet(v: Value): Get {
  const get: Get = () => v;
  constantGetters.set(get, v);
  return get;
}

// The slots getters read: a step reading one can read the slot itself.
const slotGetters = new WeakMap<Get, number>();

/** The getter of a variable's slot. */
export function slotGet(i: number): Get {
  const get: Get = (_ev, _c, s) => s[i];
  slotGetters.set(get, i);
  return get;
}

/** The slot a getter reads, when it is a slot's getter; else undefined. */
export function slotOfGet(get: Get): number | undefined {
  return slotGetters.get(get);
}

/** The value a getter always returns, when it is a constant's getter; else undefined. */
export function constantOfGet(get: Get): Value | undefined {
  return constantGetters.get(get);
}

/**
 * Slot allocation for one rule, and the variables bound at the current point of a body. A
 * variable bound to a constant (`days := {"Tuesday", "Thursday"}`) has no slot: reading it is
 * reading the constant.
 */
export class PlanScope {
  private constructor(
    private readonly slots: Map<string, number>,
    private readonly counter: { n: number },
    private readonly bound: Set<string>,
    private readonly constants: Map<string, Value>,
  ) {}

  /** A scope for a new rule: no slots, nothing bound. */
  static root(): PlanScope {
    return new PlanScope(new Map(), { n: 0 }, new Set(), new Map());
  }

  /** A nested scope (comprehension, negation, `every`): same slots, its own bindings. */
  child(): PlanScope {
    return new PlanScope(this.slots, this.counter, new Set(this.bound), new Map(this.constants));
  }

  /** Marks a variable bound, from this point on, to a constant. */
  bindConstant(name: string, v: Value): void {
    this.bound.add(name);
    this.constants.set(name, v);
  }

  /** The constant a bound variable holds, if it was bound to one. */
  constantOf(name: string): Value | undefined {
    return this.constants.get(name);
  }

  /** The slot of a variable, allocated on first use. */
  slot(name: string): number {
    let i = this.slots.get(name);
    if (i === undefined) {
      i = this.counter.n++;
      this.slots.set(name, i);
    }
    return i;
  }

  /** A fresh slot for an intermediate value (an array being matched, a call's result). */
  temp(): number {
    return this.counter.n++;
  }

  /** Whether a variable is bound at this point. */
  isBound(name: string): boolean {
    return this.bound.has(name);
  }

  /** Marks a variable bound from this point on (a new binding: it holds no constant). */
  bind(name: string): void {
    this.bound.add(name);
    this.constants.delete(name);
  }

  /** Number of slots a rule evaluation needs. */
  get size(): number {
    return this.counter.n;
  }
}

/** The slots of a term planned outside any rule (a query's term, an index's ref): none. */
export const NO_SLOTS: Slots = [];

/** A slot array of the given size, every slot unbound. */
export function newSlots(n: number): Slots {
  const s: Slots = new Array(n);
  for (let i = 0; i < n; i++) s[i] = undefined;
  return s;
}
