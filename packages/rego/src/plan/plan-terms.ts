// Planning: single-valued terms become getters, closures built once per rule that read slots,
// input, data and call builtins directly. A term that would enumerate (a ref with an unbound
// variable in its path) has no getter; the expression planner handles those.

import type { BuiltinDefinition } from "../builtins/builtin.js";
import { type CompiledPolicy, callArity, operatorName } from "../compile/compiler.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import { numberValue } from "../value/number-literal.js";
import { lookup } from "../value/lookup.js";
import { inputFieldId } from "../value/raw-input.js";
import { member2, member3 } from "../builtins/special-builtins.js";
import type { Body, CallTerm, RefTerm, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { logicalSize } from "../value/logical-size.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { constantGet, constantOfGet, DONE, type Get, NoPlan, type PlanScope, type Step, slotGet, slotOfGet } from "./plan-scope.js";

/** What planning a term needs: the policy, the body planner and the ref enumerator. */
export interface PlanEnv {
  readonly policy: CompiledPolicy;
  /** Plans a body in a scope, continuing with `next` after its last expression. */
  readonly body: (body: Body, scope: PlanScope, next: Step) => Step;
  /**
   * Plans the enumeration of a ref with unbound variables in its path: adds a step to
   * `hoists` that binds them, once per element, and returns a getter of the element.
   */
  readonly enumerate: (ref: RefTerm, scope: PlanScope, hoists: Hoists) => Get;
}

/**
 * Enumerations lifted out of an expression, outermost first: each binds the variables of one
 * ref (`input.items[i]`) and runs the rest of the expression once per element, as the
 * interpreter does when it evaluates the expression's terms left to right.
 */
export type Hoists = ((next: Step) => Step)[];

/** Whether a term holds a variable not bound at this point (comprehensions bind their own). */
export function hasUnbound(t: Term, sc: PlanScope): boolean {
  switch (t.type) {
    case "var":
      return !sc.isBound(t.name);
    case "ref":
      if (t.head.type !== "var" || (t.head.name !== "input" && t.head.name !== "data")) {
        if (hasUnbound(t.head, sc)) return true;
      }
      return t.path.some((p) => hasUnbound(p, sc));
    case "array":
    case "set":
      return t.items.some((i) => hasUnbound(i, sc));
    case "object":
      return t.entries.some(([k, v]) => hasUnbound(k, sc) || hasUnbound(v, sc));
    case "call":
      return t.args.some((a) => hasUnbound(a, sc));
    default:
      return false;
  }
}

/**
 * The getter of a term. A ref with unbound variables in its path is enumerated by a step added
 * to `hoists` when given; without them such a term throws NoPlan.
 */
export function planGet(t: Term, sc: PlanScope, env: PlanEnv, hoists?: Hoists): Get {
  const cv = constantOf(t);
  if (cv !== NOT_CONSTANT) return constantGet(cv);
  switch (t.type) {
    case "null":
      return () => null;
    case "boolean": {
      const b = t.value;
      return () => b;
    }
    case "number": {
      const n = numberValue(t.text);
      return () => n;
    }
    case "string": {
      const str = t.value;
      return () => str;
    }
    case "var": {
      if (!sc.isBound(t.name)) throw new NoPlan(`unbound variable ${t.name}`);
      const known = sc.constantOf(t.name);
      if (known !== undefined) return constantGet(known);
      return slotGet(sc.slot(t.name));
    }
    case "ref":
      if (hoists && t.path.some((p) => hasUnbound(p, sc))) return env.enumerate(t, sc, hoists);
      return planRef(t, sc, env, hoists);
    case "array": {
      const location = t.location;
      const items = t.items.map((x) => planGet(x, sc, env, hoists));
      const direct = directItems(items);
      if (direct) {
        // `[now, "UTC"]`: variables and constants only, read without a getter call each.
        const { slots, constants } = direct;
        return (ev, _c, s) => {
          const out: Value[] = new Array(slots.length);
          for (let i = 0; i < slots.length; i++) {
            const slot = slots[i] as number;
            const v = slot < 0 ? (constants[i] as Value) : s[slot];
            if (v === undefined) return undefined;
            out[i] = v;
          }
          ev.allocate(logicalSize(out), 0, location);
          return out;
        };
      }
      return (ev, c, s) => {
        const out: Value[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          const v = (items[i] as Get)(ev, c, s);
          if (v === undefined) return undefined;
          out[i] = v;
        }
        ev.allocate(logicalSize(out), 0, location);
        return out;
      };
    }
    case "set": {
      const items = t.items.map((x) => planGet(x, sc, env, hoists));
      const location = t.location;
      return (ev, c, s) => {
        const out = new RegoSet();
        for (const item of items) {
          const v = item(ev, c, s);
          if (v === undefined) return undefined;
          // Charged before it is added: adding hashes the element as a whole.
          ev.allocate(logicalSize(v), 0, location);
          out.add(v);
        }
        return out;
      };
    }
    case "object": {
      const entries = t.entries.map(([k, v]) => [planGet(k, sc, env, hoists), planGet(v, sc, env, hoists)] as const);
      const location = t.location;
      return (ev, c, s) => {
        const out = new RegoObject();
        for (const [kg, vg] of entries) {
          const k = kg(ev, c, s);
          if (k === undefined) return undefined;
          const v = vg(ev, c, s);
          if (v === undefined) return undefined;
          ev.allocate(logicalSize(k) + logicalSize(v), 0, location);
          out.set(k, v);
        }
        return out;
      };
    }
    case "arraycomp": {
      const inner = sc.child();
      const body = env.body(t.body, inner, DONE);
      const term = planGet(t.term, inner, env);
      const location = t.location;
      return (ev, c, s) => {
        const out: Value[] = [];
        body(ev, c, s, () => {
          const v = term(ev, c, s);
          if (v === undefined) return false;
          ev.allocate(logicalSize(v), 0, location);
          out.push(v);
          return false;
        });
        return out;
      };
    }
    case "setcomp": {
      const inner = sc.child();
      const body = env.body(t.body, inner, DONE);
      const term = planGet(t.term, inner, env);
      const location = t.location;
      return (ev, c, s) => {
        const out = new RegoSet();
        body(ev, c, s, () => {
          const v = term(ev, c, s);
          if (v === undefined) return false;
          ev.allocate(logicalSize(v), 0, location);
          out.add(v);
          return false;
        });
        return out;
      };
    }
    case "objectcomp": {
      const inner = sc.child();
      const body = env.body(t.body, inner, DONE);
      const key = planGet(t.key, inner, env);
      const value = planGet(t.value, inner, env);
      const location = t.location;
      return (ev, c, s) => {
        const out = new RegoObject();
        body(ev, c, s, () => {
          const k = key(ev, c, s);
          if (k === undefined) return false;
          const v = value(ev, c, s);
          if (v === undefined) return false;
          const prev = out.get(k);
          if (prev !== undefined && !valuesEqual(prev, v)) {
            throw RegoError.of("eval_conflict_error", "object keys must be unique", location);
          }
          ev.allocate(logicalSize(k) + logicalSize(v), 0, location);
          out.set(k, v);
          return false;
        });
        return out;
      };
    }
    case "call":
      return planCall(t, sc, env, hoists);
    default: {
      const never: never = t;
      return never;
    }
  }
}

/**
 * For getters that each read a slot or return a constant, the slot of each (-1 for a constant)
 * and the constants; undefined when any getter does more.
 */
function directItems(items: readonly Get[]): { slots: number[]; constants: (Value | undefined)[] } | undefined {
  const slots: number[] = [];
  const constants: (Value | undefined)[] = [];
  for (const get of items) {
    const slot = slotOfGet(get);
    const constant = slot === undefined ? constantOfGet(get) : undefined;
    if (slot === undefined && constant === undefined) return undefined;
    slots.push(slot ?? -1);
    constants.push(constant);
  }
  return { slots, constants };
}

/** The builtin a call names, with its arity checked against the arguments given. */
export function builtinOf(call: CallTerm, env: PlanEnv, argCount: number): BuiltinDefinition | undefined {
  const name = operatorName(call.operator);
  if (name === undefined) return undefined;
  const b = env.policy.builtins.get(name);
  return b && b.arity === argCount ? b : undefined;
}

// Calls the evaluator implements itself or that need the interpreter: never planned as values.
const UNPLANNED_CALLS = new Set(["eq", "assign", "walk", "print", "trace"]);

/** The getter of a call with exactly its inputs as arguments (a builtin or a policy function). */
export function planCall(t: CallTerm, sc: PlanScope, env: PlanEnv, hoists?: Hoists): Get {
  const name = operatorName(t.operator);
  if (name === undefined || UNPLANNED_CALLS.has(name)) throw new NoPlan(`call ${name ?? "(dynamic)"}`);
  const args = t.args.map((a) => planGet(a, sc, env, hoists));
  if (name === "internal.member_2" && args.length === 2) {
    const [x, coll] = args as [Get, Get];
    return (ev, c, s) => {
      const a = x(ev, c, s);
      if (a === undefined) return undefined;
      const b = coll(ev, c, s);
      return b === undefined ? undefined : member2(a, b);
    };
  }
  if (name === "internal.member_3" && args.length === 3) {
    const [k, v, coll] = args as [Get, Get, Get];
    return (ev, c, s) => {
      const a = k(ev, c, s);
      if (a === undefined) return undefined;
      const b = v(ev, c, s);
      if (b === undefined) return undefined;
      const d = coll(ev, c, s);
      return d === undefined ? undefined : member3(a, b, d);
    };
  }
  if (name.startsWith("data.")) {
    // One of the policy's functions (undefined arity: there is none of that name).
    if (callArity(env.policy, name) !== args.length) throw new NoPlan(`call ${name} with an output argument`);
    return callWith(args, (ev, c, vals) => ev.call(name, t, vals, c));
  }
  const b = builtinOf(t, env, args.length);
  if (!b) throw new NoPlan(`call ${name}`);
  const impl = b.prepare?.(args.map((a) => constantOfGet(a))) ?? b.impl;
  const location = t.location;
  // The common arities without an argument loop.
  if (args.length === 1) {
    const [a0] = args as [Get];
    const slot = slotOfGet(a0);
    if (slot !== undefined) {
      return (ev, _c, s) => {
        const v0 = s[slot];
        return v0 === undefined ? undefined : ev.callBuiltin(impl, name, [v0], location);
      };
    }
    return (ev, c, s) => {
      const v0 = a0(ev, c, s);
      return v0 === undefined ? undefined : ev.callBuiltin(impl, name, [v0], location);
    };
  }
  if (args.length === 2 && b.binary) {
    const [a0, a1] = args as [Get, Get];
    const binary = b.binary;
    return (ev, c, s) => {
      const v0 = a0(ev, c, s);
      if (v0 === undefined) return undefined;
      const v1 = a1(ev, c, s);
      return v1 === undefined ? undefined : binary(v0, v1);
    };
  }
  if (args.length === 2) {
    const [a0, a1] = args as [Get, Get];
    return (ev, c, s) => {
      const v0 = a0(ev, c, s);
      if (v0 === undefined) return undefined;
      const v1 = a1(ev, c, s);
      return v1 === undefined ? undefined : ev.callBuiltin(impl, name, [v0, v1], location);
    };
  }
  return callWith(args, (ev, _c, vals) => ev.callBuiltin(impl, name, vals, location));
}

function callWith(
  args: readonly Get[],
  fn: (ev: Parameters<Get>[0], c: Parameters<Get>[1], vals: Value[]) => Value | undefined,
): Get {
  return (ev, c, s) => {
    const vals: Value[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      const v = (args[i] as Get)(ev, c, s);
      if (v === undefined) return undefined;
      vals[i] = v;
    }
    return fn(ev, c, vals);
  };
}

function planRef(t: RefTerm, sc: PlanScope, env: PlanEnv, hoists: Hoists | undefined): Get {
  const head = t.head;
  if (head.type === "var" && head.name === "data") return planDataRef(t, sc, env, hoists);
  const keys = t.path.map((p) => planGet(p, sc, env, hoists));
  const base = planRefHead(head, sc, env, hoists);
  const constKeys = t.path.map((p) => constantOf(p));
  if (constKeys.every((k) => k !== NOT_CONSTANT)) {
    const ks = constKeys as Value[];
    if (head.type === "var" && head.name === "input" && ks.length <= 3) return inputPath(ks, env.policy);
    if (ks.length === 1) {
      const k0 = ks[0] as Value;
      const slot = slotOfGet(base);
      if (slot !== undefined && typeof k0 === "number" && Number.isInteger(k0)) {
        // `clock[0]`: a variable's element, by position when it is an array.
        return (_ev, _c, s) => {
          const v = s[slot];
          if (Array.isArray(v)) return (v as readonly Value[])[k0];
          return v === undefined ? undefined : lookup(v, k0);
        };
      }
      if (slot !== undefined) {
        // `x.name`: a variable's field.
        return (_ev, _c, s) => {
          const v = s[slot];
          return v === undefined ? undefined : lookup(v, k0);
        };
      }
      return (ev, c, s) => {
        const v = base(ev, c, s);
        return v === undefined ? undefined : lookup(v, k0);
      };
    }
    return (ev, c, s) => {
      let v = base(ev, c, s);
      for (let i = 0; v !== undefined && i < ks.length; i++) v = lookup(v, ks[i] as Value);
      return v;
    };
  }
  if (keys.length === 1) return lookupOne(base, keys[0] as Get);
  return (ev, c, s) => {
    let v = base(ev, c, s);
    for (let i = 0; v !== undefined && i < keys.length; i++) {
      const k = (keys[i] as Get)(ev, c, s);
      if (k === undefined) return undefined;
      v = lookup(v, k);
    }
    return v;
  };
}

/** `x[k]` for one computed key; a constant set (`days[weekday]`) is asked directly. */
function lookupOne(base: Get, key: Get): Get {
  const known = constantOfGet(base);
  const slot = slotOfGet(key);
  if (known instanceof RegoSet && slot !== undefined) {
    return (_ev, _c, s) => {
      const k = s[slot];
      return k !== undefined && known.has(k) ? k : undefined;
    };
  }
  if (known instanceof RegoSet) {
    return (ev, c, s) => {
      const k = key(ev, c, s);
      return k !== undefined && known.has(k) ? k : undefined;
    };
  }
  if (known !== undefined) {
    return (ev, c, s) => {
      const k = key(ev, c, s);
      return k === undefined ? undefined : lookup(known, k);
    };
  }
  return (ev, c, s) => {
    const v = base(ev, c, s);
    if (v === undefined) return undefined;
    const k = key(ev, c, s);
    return k === undefined ? undefined : lookup(v, k);
  };
}

/**
 * `input.a`, `input.a.b`, `input.a.b.c`: the most common refs, unrolled. A path of string keys
 * to a scalar reads the caller's JSON directly while the input is the caller's.
 */
function inputPath(ks: readonly Value[], policy: CompiledPolicy): Get {
  const step = (v: Value | undefined, k: Value): Value | undefined =>
    v === undefined ? undefined : v instanceof RegoObject ? v.get(k) : lookup(v, k);
  const [k0, k1, k2] = ks as [Value, Value, Value];
  let converted: Get;
  switch (ks.length) {
    case 0:
      return (_ev, c) => c.input;
    case 1:
      converted = (_ev, c) => step(c.input, k0);
      break;
    case 2:
      converted = (_ev, c) => step(step(c.input, k0), k1);
      break;
    default:
      converted = (_ev, c) => step(step(step(c.input, k0), k1), k2);
  }
  if (!ks.every((k) => typeof k === "string" && k !== "__proto__")) return converted;
  const names = ks as readonly string[];
  if (names.length === 1) {
    const key = names[0] as string;
    return (ev, c, s) => {
      const raw = c.rawInput;
      if (raw !== undefined) {
        const v = raw.field(key);
        if (typeof v !== "symbol") return v;
      }
      return converted(ev, c, s);
    };
  }
  const id = inputFieldId(policy, names[0] as string);
  return (ev, c, s) => {
    const raw = c.rawInput;
    if (raw !== undefined) {
      const v = raw.path(id, names);
      // CONVERT is the only symbol (the type test is the cheap comparison).
      if (typeof v !== "symbol") return v;
    }
    return converted(ev, c, s);
  };
}

/** The getter of a ref's head: input, a bound variable, or any other single-valued term. */
export function planRefHead(head: Term, sc: PlanScope, env: PlanEnv, hoists?: Hoists): Get {
  if (head.type === "var" && head.name === "input") return (_ev, c) => c.input;
  return planGet(head, sc, env, hoists);
}

/**
 * A data ref with a constant path, resolved against the rule tree once: a rule's value (and
 * a path into it), a base document, or, for a path that ends above rules (a package), the
 * interpreter's walk that merges rules with base documents.
 */
function planDataRef(t: RefTerm, sc: PlanScope, env: PlanEnv, hoists: Hoists | undefined): Get {
  const path = t.path;
  const segs: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const p = path[i] as Term;
    if (p.type === "string") {
      segs.push(p.value);
      continue;
    }
    if (constantOf(p) !== NOT_CONSTANT) return (ev, c) => ev.groundDataValue(path, c);
    // A computed key (`data.limits[input.kind]`): fine below a rule or in base documents; at
    // a package it would pick a rule by name, which the interpreter does.
    const below = belowRules(segs, env);
    if (below === undefined) throw new NoPlan("data ref choosing a rule by a computed name");
    const prefix = planDataPath(segs, path.slice(0, i), env);
    const keys = path.slice(i).map((k) => planGet(k, sc, env, hoists));
    // Base documents are keyed by strings: `data.x[2]` means `data.x["2"]` there (not in a
    // rule's value), unless the object has the number itself as a key.
    const baseKeys = below === "base";
    return (ev, c, s) => {
      let v = prefix(ev, c, s);
      for (let j = 0; v !== undefined && j < keys.length; j++) {
        const k = (keys[j] as Get)(ev, c, s);
        if (k === undefined) return undefined;
        const found: Value | undefined = lookup(v, k);
        v = found === undefined && baseKeys && typeof k === "number" && v instanceof RegoObject ? v.get(String(k)) : found;
      }
      return v;
    };
  }
  return planDataPath(segs, path, env);
}

/**
 * Where a data path leads: into a rule's value ("rule"), into base documents only ("base"), or
 * to a package above rules (undefined).
 */
function belowRules(segs: readonly string[], env: PlanEnv): "rule" | "base" | undefined {
  let node: RuleNode = env.policy.root;
  for (const seg of segs) {
    const child = node.children.get(seg);
    if (!child?.hasRules()) return "base";
    if (child.kind !== undefined) return child.kind === "function" ? undefined : "rule";
    node = child;
  }
  return undefined;
}

/**
 * The getter of `data` at a path of names. `terms` is the same path as terms, for the
 * interpreter's walk when the path ends above rules.
 */
export function planDataPath(segs: readonly string[], terms: readonly Term[], env: PlanEnv): Get {
  const path = terms;
  let node: RuleNode = env.policy.root;
  for (let i = 0; i < segs.length; i++) {
    const child = node.children.get(segs[i] as string);
    if (!child?.hasRules()) {
      // Only base documents from here down.
      return (ev) => {
        let v: Value | undefined = ev.baseData;
        for (let j = 0; v !== undefined && j < segs.length; j++) v = lookup(v, segs[j] as string);
        return v;
      };
    }
    if (child.kind !== undefined) {
      if (child.kind === "function") throw new NoPlan("function used as a value");
      const rest = segs.slice(i + 1);
      const leaf = child;
      if (rest.length === 0) return (ev, c) => ev.nodeValue(leaf, c);
      return (ev, c) => {
        let v = ev.nodeValue(leaf, c);
        for (let j = 0; v !== undefined && j < rest.length; j++) v = lookup(v, rest[j] as string);
        return v;
      };
    }
    node = child;
  }
  // A path above rules (a package): its rules' values, merged with base documents there.
  if (node.subtreeIndex || node.coveredOnly) return (ev, c) => ev.groundDataValue(path, c);
  const pkg = node;
  return (ev, c) => {
    let base: Value | undefined = ev.baseData;
    for (let j = 0; base !== undefined && j < segs.length; j++) base = lookup(base, segs[j] as string);
    return base === undefined ? ev.packageValue(pkg, c) : ev.groundDataValue(path, c);
  };
}


/**
 * A comparison (`a >= 2`, `x == "y"`) as a test, in one step: the operands are read and
 * compared without a getter for the comparison's value. Undefined for other calls.
 */
export function planComparisonTest(
  t: CallTerm,
  sc: PlanScope,
  env: PlanEnv,
  hoists: Hoists,
  location: Location,
): ((next: Step) => Step) | undefined {
  const binary = t.args.length === 2 ? builtinOf(t, env, 2)?.binary : undefined;
  if (!binary) return undefined;
  const a0 = planGet(t.args[0] as Term, sc, env, hoists);
  const a1 = planGet(t.args[1] as Term, sc, env, hoists);
  const k1 = constantOfGet(a1);
  if (k1 !== undefined) {
    return (next) => (ev, c, s, k) => {
      ev.tick(location);
      const x = a0(ev, c, s);
      if (x === undefined) return false;
      const r = binary(x, k1);
      return r === undefined || r === false ? false : next(ev, c, s, k);
    };
  }
  return (next) => (ev, c, s, k) => {
    ev.tick(location);
    const x = a0(ev, c, s);
    if (x === undefined) return false;
    const y = a1(ev, c, s);
    if (y === undefined) return false;
    const r = binary(x, y);
    return r === undefined || r === false ? false : next(ev, c, s, k);
  };
}

/** A step that fails unless a getter's value is defined and not false (a term as a test). */
export function planTest(get: Get, next: Step, location: Location): Step {
  if (next === DONE) {
    return (ev, c, s, k) => {
      ev.tick(location);
      const v = get(ev, c, s);
      return v === undefined || v === false ? false : k();
    };
  }
  return (ev, c, s, k) => {
    ev.tick(location);
    const v = get(ev, c, s);
    return v === undefined || v === false ? false : next(ev, c, s, k);
  };
}
