// Compile stage: safety. Reorders each body so that every variable is bound before it is
// needed (as OPA does), and reports variables that no ordering can bind as
// `rego_unsafe_var_error`. Comprehension and `every` bodies are ordered recursively, seeing the
// enclosing variables they close over as already bound.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, CallTerm, Expr, RefTerm, Term, WithModifier } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";

/** Arity of a callable (builtin or function), or undefined when unknown. */
export type ArityOf = (operator: RefTerm) => number | undefined;

type VarSet = ReadonlySet<string>;

/** Collects variable names in a term; `deep` includes those inside comprehensions. */
export function termVars(t: Term, out: Set<string>, deep: boolean): Set<string> {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return out;
    case "var":
      out.add(t.name);
      return out;
    case "ref":
      if (t.head.type !== "var" || (t.head.name !== "data" && t.head.name !== "input"))
        termVars(t.head, out, deep);
      for (const p of t.path) termVars(p, out, deep);
      return out;
    case "array":
    case "set":
      for (const i of t.items) termVars(i, out, deep);
      return out;
    case "object":
      for (const [k, v] of t.entries) {
        termVars(k, out, deep);
        termVars(v, out, deep);
      }
      return out;
    case "arraycomp":
    case "setcomp":
      if (deep) {
        termVars(t.term, out, deep);
        bodyVars(t.body, out, deep);
      }
      return out;
    case "objectcomp":
      if (deep) {
        termVars(t.key, out, deep);
        termVars(t.value, out, deep);
        bodyVars(t.body, out, deep);
      }
      return out;
    case "call":
      for (const a of t.args) termVars(a, out, deep);
      return out;
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** Collects variable names in an expression (`with` values included). */
export function exprVars(e: Expr, out: Set<string>, deep: boolean): Set<string> {
  const k = e.kind;
  switch (k.type) {
    case "term":
      termVars(k.term, out, deep);
      break;
    case "callexpr":
      termVars(k.call, out, deep);
      break;
    case "some":
      for (const v of k.vars) out.add(v.name);
      break;
    case "somein":
      if (k.key) termVars(k.key, out, deep);
      termVars(k.value, out, deep);
      termVars(k.domain, out, deep);
      break;
    case "every":
      termVars(k.domain, out, deep);
      if (deep) {
        if (k.key) out.add(k.key.name);
        out.add(k.value.name);
        bodyVars(k.body, out, deep);
      }
      break;
    default: {
      const never: never = k;
      return never;
    }
  }
  for (const w of e.with) termVars(w.value, out, deep);
  return out;
}

/** Collects variable names in a body. */
export function bodyVars(b: Body, out: Set<string>, deep: boolean): Set<string> {
  for (const e of b) exprVars(e, out, deep);
  return out;
}

/** Orders bodies and reports unsafe variables. */
export class SafetyChecker {
  readonly errors: RegoErrorDetail[] = [];

  constructor(private readonly arityOf: ArityOf) {}

  /**
   * Orders a body. `bound` are variables bound before it runs (function arguments, closure
   * variables); `outer` are variables of enclosing scopes. Returns the ordered body and the
   * variables bound at its end; reports unsafe variables as errors.
   */
  order(body: Body, bound: VarSet, outer: VarSet): { body: Body; bound: Set<string> } {
    const scopeVars = new Set(outer);
    bodyVars(body, scopeVars, false);
    const remaining = body.map((e, i) => ({ e, i }));
    const done = new Set(bound);
    const out: Expr[] = [];
    // Variables that appear in more than one expression: a negated expression may not bind them.
    const shared = sharedVars(body, outer);
    while (remaining.length > 0) {
      let progressed = false;
      for (let j = 0; j < remaining.length; j++) {
        const item = remaining[j] as { e: Expr; i: number };
        const r = this.check(item.e, done, scopeVars, shared);
        if (r) {
          for (const v of r.binds) done.add(v);
          out.push(r.expr);
          remaining.splice(j, 1);
          progressed = true;
          break;
        }
      }
      if (!progressed) {
        for (const { e } of remaining) this.reportUnsafe(e, done);
        return { body: [...out, ...remaining.map((r) => r.e)], bound: done };
      }
    }
    return { body: out, bound: done };
  }

  /** A rule head's term with the bodies of its comprehensions ordered, given what is bound. */
  orderTerm(t: Term, bound: VarSet, scopeVars: VarSet): Term {
    return this.nested(t, bound, scopeVars);
  }

  /** Reports head variables not bound by the body. */
  checkHeadTerms(terms: readonly (Term | undefined)[], bound: VarSet): void {
    for (const t of terms) {
      if (!t) continue;
      const missing = new Map<string, Location>();
      collectUnbound(t, bound, missing);
      for (const [name, location] of missing) this.unsafe(name, location);
    }
  }

  private reportUnsafe(e: Expr, bound: VarSet): void {
    const missing = new Map<string, Location>();
    const k = e.kind;
    switch (k.type) {
      case "term":
        collectUnbound(k.term, bound, missing);
        break;
      case "callexpr":
        collectUnbound(k.call, bound, missing);
        break;
      case "somein":
        collectUnbound(k.domain, bound, missing);
        break;
      case "every":
        collectUnbound(k.domain, bound, missing);
        break;
      case "some":
        break;
      default: {
        const never: never = k;
        throw new Error(`unexpected expression ${String(never)}`);
      }
    }
    if (missing.size === 0) collectUnbound(exprTerm(e), bound, missing);
    if (missing.size === 0) {
      this.errors.push({
        code: "rego_unsafe_var_error",
        message: "expression is unsafe",
        location: e.location,
      });
    }
    // A variable the compiler made (a template string's capture) is only worth naming when no
    // variable the author wrote is unsafe.
    const written = [...missing.keys()].some((name) => !name.startsWith("$"));
    for (const [name, location] of missing) if (!written || !name.startsWith("$")) this.unsafe(name, location);
  }

  private unsafe(name: string, location: Location): void {
    // A template string's capture variable is unsafe only through the hole's own variables,
    // which are reported at the same place.
    if (/^\$\d+$/.test(name) && this.errors.some((x) => x.location === location)) return;
    const shown = name.includes("$") && !name.startsWith("$") ? name.slice(0, name.indexOf("$")) : name;
    if (this.errors.some((x) => x.message === `var ${shown} is unsafe` && x.location === location)) return;
    this.errors.push({ code: "rego_unsafe_var_error", message: `var ${shown} is unsafe`, location });
  }

  /** Checks one expression against the bound set; returns what it binds, or undefined. */
  private check(
    e: Expr,
    bound: VarSet,
    scopeVars: VarSet,
    shared: VarSet,
  ): { binds: Set<string>; expr: Expr } | undefined {
    for (const w of e.with) {
      if (!this.evaluable(w.value, bound, scopeVars) && !namesFunction(w, scopeVars)) return undefined;
    }
    const k = e.kind;
    let binds: Set<string> | undefined;
    let expr = e;
    switch (k.type) {
      case "term": {
        binds = this.evaluable(k.term, bound, scopeVars);
        if (binds) expr = { ...e, kind: { type: "term", term: this.nested(k.term, bound, scopeVars) } };
        break;
      }
      case "callexpr": {
        binds = this.callCheck(k.call, bound, scopeVars);
        if (binds)
          expr = {
            ...e,
            kind: { type: "callexpr", call: this.nested(k.call, bound, scopeVars) as CallTerm },
          };
        break;
      }
      case "some":
        binds = new Set();
        break;
      case "somein": {
        const d = this.evaluable(k.domain, bound, scopeVars);
        if (!d) break;
        const after = union(bound, d);
        const b1 = k.key ? this.pattern(k.key, after, scopeVars) : new Set<string>();
        if (!b1) break;
        const b2 = this.pattern(k.value, union(after, b1), scopeVars);
        if (!b2) break;
        binds = union(union(d, b1), b2);
        expr = { ...e, kind: { ...k, domain: this.nested(k.domain, bound, scopeVars) } };
        break;
      }
      case "every": {
        const d = this.evaluable(k.domain, bound, scopeVars);
        if (!d) break;
        const closure = closureVars(k.body, scopeVars, [k.key?.name, k.value.name]);
        if (![...closure].every((v) => bound.has(v) || d.has(v))) break;
        const inner = new Set([...bound, ...d]);
        if (k.key) inner.add(k.key.name);
        inner.add(k.value.name);
        const innerOuter = new Set(scopeVars);
        if (k.key) innerOuter.add(k.key.name);
        innerOuter.add(k.value.name);
        const ordered = this.order(k.body, inner, innerOuter);
        binds = d;
        expr = { ...e, kind: { ...k, domain: this.nested(k.domain, bound, scopeVars), body: ordered.body } };
        break;
      }
      default: {
        const never: never = k;
        return never;
      }
    }
    if (!binds) return undefined;
    if (e.negated) {
      for (const v of binds) if (shared.has(v) && !bound.has(v)) return undefined;
      binds = new Set();
    }
    return { binds, expr };
  }

  private callCheck(call: CallTerm, bound: VarSet, scopeVars: VarSet): Set<string> | undefined {
    const op = call.operator;
    if (
      op.head.type === "var" &&
      op.path.length === 0 &&
      (op.head.name === "eq" || op.head.name === "assign")
    ) {
      const [a, b] = call.args as [Term, Term];
      return this.unify(a, b, bound, scopeVars);
    }
    const arity = this.arityOf(op);
    const args = call.args;
    if (arity !== undefined && args.length === arity + 1) {
      let acc = new Set<string>();
      for (let i = 0; i < arity; i++) {
        const r = this.evaluable(args[i] as Term, union(bound, acc), scopeVars);
        if (!r) return undefined;
        acc = union(acc, r);
      }
      const out = this.pattern(args[arity] as Term, union(bound, acc), scopeVars);
      return out && union(acc, out);
    }
    return this.evaluable(call, bound, scopeVars);
  }

  /**
   * What unifying `a` (left) with `b` binds, or undefined when it cannot run yet. As OPA's
   * unifier, two collection literals bind only through elements they pair up (same length;
   * same key), and a collection pattern is filled only by a value that may be one (see fills).
   */
  private unify(a: Term, b: Term, bound: VarSet, scopeVars: VarSet): Set<string> | undefined {
    if (a.type === "array" && b.type === "array") {
      if (a.items.length !== b.items.length) return this.evaluableAll([a, b], bound, scopeVars);
      return this.unifyPairs(
        a.items.map((x, i) => [x, b.items[i] as Term] as const),
        bound,
        scopeVars,
      );
    }
    if (a.type === "object" && b.type === "object") {
      if (a.entries.length !== b.entries.length) return this.evaluableAll([a, b], bound, scopeVars);
      const { pairs, unpaired } = pairEntries(a, b);
      const paired = this.unifyPairs(pairs, bound, scopeVars);
      if (!paired) return undefined;
      // Entries without a partner bind nothing: they must be evaluable on their own.
      const rest = this.evaluableAll(unpaired, union(bound, paired), scopeVars);
      return rest && union(paired, rest);
    }
    const eb = this.evaluable(b, bound, scopeVars);
    if (eb && fills(b, a, false)) {
      const pa = this.pattern(a, union(bound, eb), scopeVars);
      if (pa) return union(eb, pa);
    }
    const ea = this.evaluable(a, bound, scopeVars);
    if (ea && fills(a, b, true)) {
      const pb = this.pattern(b, union(bound, ea), scopeVars);
      if (pb) return union(ea, pb);
    }
    // Neither fills the other (`[x] = {}`): it can still run once both sides can.
    return ea && eb ? this.evaluableAll([a, b], bound, scopeVars) : undefined;
  }

  /** Unifies pairs of terms in whatever order lets each one run. */
  private unifyPairs(
    pairs: readonly (readonly [Term, Term])[],
    bound: VarSet,
    scopeVars: VarSet,
  ): Set<string> | undefined {
    let acc = new Set<string>();
    const pending = [...pairs];
    let progress = true;
    while (pending.length > 0 && progress) {
      progress = false;
      for (let i = 0; i < pending.length; i++) {
        const [x, y] = pending[i] as readonly [Term, Term];
        const r = this.unify(x, y, union(bound, acc), scopeVars);
        if (r) {
          acc = union(acc, r);
          pending.splice(i, 1);
          progress = true;
          break;
        }
      }
    }
    return pending.length === 0 ? acc : undefined;
  }

  /** What evaluating several terms binds, in whatever order lets each one run. */
  private evaluableAll(terms: readonly Term[], bound: VarSet, scopeVars: VarSet): Set<string> | undefined {
    let acc = new Set<string>();
    const pending = [...terms];
    let progress = true;
    while (pending.length > 0 && progress) {
      progress = false;
      for (let i = 0; i < pending.length; i++) {
        const r = this.evaluable(pending[i] as Term, union(bound, acc), scopeVars);
        if (r) {
          acc = union(acc, r);
          pending.splice(i, 1);
          progress = true;
          break;
        }
      }
    }
    return pending.length === 0 ? acc : undefined;
  }

  /** What matching a pattern term against a known value binds, or undefined. */
  private pattern(t: Term, bound: VarSet, scopeVars: VarSet): Set<string> | undefined {
    switch (t.type) {
      case "var":
        return bound.has(t.name) ? new Set() : new Set([t.name]);
      case "array": {
        let acc = new Set<string>();
        for (const i of t.items) {
          const r = this.pattern(i, union(bound, acc), scopeVars);
          if (!r) return undefined;
          acc = union(acc, r);
        }
        return acc;
      }
      case "object": {
        let acc = new Set<string>();
        for (const [k, v] of t.entries) {
          const rk = this.evaluable(k, union(bound, acc), scopeVars);
          if (!rk) return undefined;
          acc = union(acc, rk);
          const rv = this.pattern(v, union(bound, acc), scopeVars);
          if (!rv) return undefined;
          acc = union(acc, rv);
        }
        return acc;
      }
      default:
        return this.evaluable(t, bound, scopeVars);
    }
  }

  /** What evaluating a term binds (ref path variables), or undefined when it cannot run yet. */
  private evaluable(t: Term, bound: VarSet, scopeVars: VarSet): Set<string> | undefined {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return new Set();
      case "var":
        return bound.has(t.name) ? new Set() : undefined;
      case "ref": {
        let acc: Set<string>;
        if (t.head.type === "var") {
          const n = t.head.name;
          if (n !== "input" && n !== "data" && !bound.has(n)) return undefined;
          acc = new Set();
        } else {
          const r = this.evaluable(t.head, bound, scopeVars);
          if (!r) return undefined;
          acc = r;
        }
        for (const p of t.path) {
          const b = union(bound, acc);
          if (p.type === "var") {
            if (!b.has(p.name)) acc.add(p.name);
            continue;
          }
          const r = this.evaluable(p, b, scopeVars) ?? this.pattern(p, b, scopeVars);
          if (!r) return undefined;
          acc = union(acc, r);
        }
        return acc;
      }
      case "array":
      case "set":
        return this.evaluableAll(t.items, bound, scopeVars);
      case "object":
        return this.evaluableAll(
          t.entries.flatMap(([k, v]) => [k, v]),
          bound,
          scopeVars,
        );
      case "arraycomp":
      case "setcomp":
      case "objectcomp": {
        const inner = t.type === "objectcomp" ? [t.key, t.value] : [t.term];
        const vars = new Set<string>();
        bodyVars(t.body, vars, true);
        for (const x of inner) termVars(x, vars, true);
        for (const v of vars) if (scopeVars.has(v) && !bound.has(v)) return undefined;
        return new Set();
      }
      case "call":
        return this.evaluableAll(t.args, bound, scopeVars);
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  /** Orders the bodies of comprehensions inside a term, now that its closure is known. */
  private nested(t: Term, bound: VarSet, scopeVars: VarSet): Term {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        return t;
      case "ref":
        return {
          ...t,
          head: this.nested(t.head, bound, scopeVars),
          path: t.path.map((p) => this.nested(p, bound, scopeVars)),
        };
      case "array":
        return { ...t, items: t.items.map((i) => this.nested(i, bound, scopeVars)) };
      case "set":
        return { ...t, items: t.items.map((i) => this.nested(i, bound, scopeVars)) };
      case "object":
        return {
          ...t,
          entries: t.entries.map(
            ([k, v]) => [this.nested(k, bound, scopeVars), this.nested(v, bound, scopeVars)] as const,
          ),
        };
      case "call":
        return { ...t, args: t.args.map((a) => this.nested(a, bound, scopeVars)) };
      case "arraycomp":
      case "setcomp": {
        const innerOuter = new Set(scopeVars);
        termVars(t.term, innerOuter, false);
        const ordered = this.order(t.body, bound, innerOuter);
        this.checkHeadTerms([t.term], ordered.bound);
        return { ...t, body: ordered.body, term: this.nested(t.term, ordered.bound, innerOuter) };
      }
      case "objectcomp": {
        const innerOuter = new Set(scopeVars);
        termVars(t.key, innerOuter, false);
        termVars(t.value, innerOuter, false);
        const ordered = this.order(t.body, bound, innerOuter);
        this.checkHeadTerms([t.key, t.value], ordered.bound);
        return {
          ...t,
          body: ordered.body,
          key: this.nested(t.key, ordered.bound, innerOuter),
          value: this.nested(t.value, ordered.bound, innerOuter),
        };
      }
      default: {
        const never: never = t;
        return never;
      }
    }
  }
}

/** Whether a `with` replaces a function by another one named by its value (`with count as sum`). */
function namesFunction(w: WithModifier, scopeVars: VarSet): boolean {
  const target = w.target.head;
  if (target.type !== "var" || target.name === "input" || target.name === "data") return false;
  const v = w.value;
  if (v.type === "var") return !v.name.includes("$") && !scopeVars.has(`${v.name}$`);
  return v.type === "ref" && v.head.type === "var" && v.path.every((p) => p.type === "string");
}

/**
 * Whether OPA's unifier lets the value `source` bind the variables of `pattern` (`sourceLeft`:
 * the source is the left operand). Any value fills a variable; a collection pattern is filled
 * only by a variable, a ref or a call, or by a comprehension in the pairings OPA's unifier
 * lists (an array pattern by an array comprehension, or by any comprehension on its right; an
 * object pattern by an object comprehension on its left). A scalar or a literal of another
 * shape fills nothing, so `0 = [x]` leaves `x` unsafe.
 */
function fills(source: Term, pattern: Term, sourceLeft: boolean): boolean {
  if (pattern.type !== "array" && pattern.type !== "object") return true;
  switch (source.type) {
    case "var":
    case "ref":
    case "call":
      return true;
    case "arraycomp":
      return pattern.type === "array";
    case "setcomp":
      return pattern.type === "array" && !sourceLeft;
    case "objectcomp":
      return pattern.type === "array" ? !sourceLeft : sourceLeft;
    default:
      return false;
  }
}

/**
 * The values of two object literals paired by equal constant keys, and the entries (keys and
 * values, of either side) left without a partner.
 */
function pairEntries(
  a: Extract<Term, { type: "object" }>,
  b: Extract<Term, { type: "object" }>,
): { pairs: (readonly [Term, Term])[]; unpaired: Term[] } {
  const pairs: (readonly [Term, Term])[] = [];
  const unpaired: Term[] = [];
  const partnered = new Set<number>();
  for (const [ka, va] of a.entries) {
    const j = b.entries.findIndex(([kb], i) => !partnered.has(i) && sameConstant(ka, kb));
    const match = b.entries[j];
    if (!match) {
      unpaired.push(ka, va);
      continue;
    }
    partnered.add(j);
    pairs.push([va, match[1]]);
  }
  b.entries.forEach(([kb, vb], i) => {
    if (!partnered.has(i)) unpaired.push(kb, vb);
  });
  return { pairs, unpaired };
}

function sameConstant(a: Term, b: Term): boolean {
  if (a.type === "string" && b.type === "string") return a.value === b.value;
  if (a.type === "number" && b.type === "number") return a.text === b.text;
  if (a.type === "boolean" && b.type === "boolean") return a.value === b.value;
  return a.type === "null" && b.type === "null";
}

function exprTerm(e: Expr): Term {
  const k = e.kind;
  switch (k.type) {
    case "term":
      return k.term;
    case "callexpr":
      return k.call;
    case "somein":
      return k.domain;
    case "every":
      return k.domain;
    case "some":
      return { type: "null", location: e.location };
    default: {
      const never: never = k;
      return never;
    }
  }
}

function closureVars(body: Body, scopeVars: VarSet, own: readonly (string | undefined)[]): Set<string> {
  const vars = bodyVars(body, new Set(), true);
  const out = new Set<string>();
  for (const v of vars) if (scopeVars.has(v) && !own.includes(v)) out.add(v);
  return out;
}

function sharedVars(body: Body, outer: VarSet): Set<string> {
  const counts = new Map<string, number>();
  for (const e of body) {
    for (const v of exprVars(e, new Set(), true)) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const out = new Set<string>(outer);
  for (const [v, n] of counts) if (n > 1) out.add(v);
  return out;
}

function collectUnbound(t: Term, bound: VarSet, out: Map<string, Location>): void {
  const vars = new Map<string, Location>();
  walkVars(t, vars);
  for (const [name, loc] of vars) if (!bound.has(name) && !out.has(name)) out.set(name, loc);
}

function walkVars(t: Term, out: Map<string, Location>): void {
  switch (t.type) {
    case "var":
      if (!out.has(t.name)) out.set(t.name, t.location);
      return;
    case "ref":
      if (t.head.type === "var" && (t.head.name === "data" || t.head.name === "input")) {
        for (const p of t.path) if (p.type !== "var") walkVars(p, out);
        return;
      }
      walkVars(t.head, out);
      for (const p of t.path) if (p.type !== "var") walkVars(p, out);
      return;
    case "array":
    case "set":
      for (const i of t.items) walkVars(i, out);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        walkVars(k, out);
        walkVars(v, out);
      }
      return;
    case "call":
      for (const a of t.args) walkVars(a, out);
      return;
    default:
      return;
  }
}

function union(a: VarSet, b: VarSet): Set<string> {
  if (b.size === 0) return new Set(a);
  const out = new Set(a);
  for (const v of b) out.add(v);
  return out;
}
