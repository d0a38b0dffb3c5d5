// Evaluation (the interpreter, over the compiled policy): terms and unification. Variables are
// bound in a frame for exactly as long as the continuation runs, so backtracking needs no trail.

import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import type { CallTerm, RefTerm, Term } from "../syntax/ast.js";
import { logicalSize } from "../value/logical-size.js";
import { numberValue } from "../value/number-literal.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { type Context, Frame } from "./context.js";
import type { K, VK } from "./evaluation-base.js";
import { ExpressionEvaluation } from "./expressions.js";
import { FALLBACK, fastOf } from "./fast-path.js";
import type { LiveSet } from "./live-set.js";

// An empty frame for data refs whose path is all constants (a plan's: the interpreter walks them).
const NO_VARS = new Frame();

// Positions under `data` are tracked only while `with` overrides some of it.
export const NO_POS: readonly Value[] = [];

/** Terms, their values and their unification with other terms and values. */
export abstract class TermEvaluation extends ExpressionEvaluation {
  protected abstract evalData(
    node: RuleNode | undefined,
    base: Value | undefined,
    pos: readonly Value[],
    path: readonly Term[],
    i: number,
    f: Frame,
    c: Context,
    vk: VK,
    liveIn?: LiveSet,
  ): boolean;
  protected abstract evalRef(ref: RefTerm, f: Frame, c: Context, vk: VK): boolean;

  // -------------------------------------------------------------------------------------------
  // Unification

  protected unify(a: Term, b: Term, f: Frame, c: Context, k: K): boolean {
    if (a.type === "var" && !f.vals.has(a.name))
      return this.evalTerm(b, f, c, (v) => this.bind(a.name, v, f, k));
    if (b.type === "var" && !f.vals.has(b.name))
      return this.evalTerm(a, f, c, (v) => this.bind(b.name, v, f, k));
    if (a.type === "array" && b.type === "array") {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(
        a.items.map((x, i) => [x, b.items[i] as Term] as const),
        f,
        c,
        k,
      );
    }
    if (a.type === "object" && b.type === "object" && a.entries.length === b.entries.length) {
      const pairs: [Term, Term][] = [];
      for (const [ka, va] of a.entries) {
        const ca = constantOf(ka);
        const match = b.entries.find(
          ([kb]) =>
            ca !== NOT_CONSTANT &&
            constantOf(kb) !== NOT_CONSTANT &&
            valuesEqual(ca, constantOf(kb) as Value),
        );
        if (!match) break;
        pairs.push([va, match[1]]);
      }
      if (pairs.length === a.entries.length) return this.unifyPairs(pairs, f, c, k);
    }
    if (hasUnbound(a, f)) return this.evalTerm(b, f, c, (v) => this.unifyValue(a, v, f, c, k));
    return this.evalTerm(a, f, c, (v) => this.unifyValue(b, v, f, c, k));
  }

  /** Unifies pairs, each time choosing one that can run (not unbound on both sides). */
  protected unifyPairs(pairs: readonly (readonly [Term, Term])[], f: Frame, c: Context, k: K): boolean {
    if (pairs.length === 0) return k();
    let pick = pairs.findIndex(([x, y]) => !(hasUnbound(x, f) && hasUnbound(y, f)));
    if (pick < 0) pick = 0;
    const [x, y] = pairs[pick] as readonly [Term, Term];
    const rest = pairs.filter((_, i) => i !== pick);
    return this.unify(x, y, f, c, () => this.unifyPairs(rest, f, c, k));
  }

  protected bind(name: string, v: Value, f: Frame, k: K): boolean {
    // No try/finally: after an error the frame is never used again.
    f.vals.set(name, v);
    const stop = k();
    f.vals.delete(name);
    return stop;
  }

  protected unifyValue(t: Term, v: Value, f: Frame, c: Context, k: K): boolean {
    switch (t.type) {
      case "var": {
        const cur = f.vals.get(t.name);
        if (cur === undefined) return this.bind(t.name, v, f, k);
        return valuesEqual(cur, v) ? k() : false;
      }
      case "array": {
        if (!Array.isArray(v)) return false;
        const arr = v as readonly Value[];
        if (arr.length !== t.items.length) return false;
        const step = (i: number): boolean =>
          i === arr.length
            ? k()
            : this.unifyValue(t.items[i] as Term, arr[i] as Value, f, c, () => step(i + 1));
        return step(0);
      }
      case "object": {
        if (!(v instanceof RegoObject) || v.size !== t.entries.length) return false;
        const step = (i: number): boolean => {
          if (i === t.entries.length) return k();
          const [kt, vt] = t.entries[i] as readonly [Term, Term];
          return this.evalTerm(kt, f, c, (key) => {
            const item = v.get(key);
            return item === undefined ? false : this.unifyValue(vt, item, f, c, () => step(i + 1));
          });
        };
        return step(0);
      }
      default:
        return this.evalTerm(t, f, c, (tv) => (valuesEqual(tv, v) ? k() : false));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  protected evalTerm(t: Term, f: Frame, c: Context, vk: VK): boolean {
    switch (t.type) {
      case "null":
        return vk(null);
      case "boolean":
        return vk(t.value);
      case "number":
        return vk(numberValue(t.text));
      case "string":
        return vk(t.value);
      case "var": {
        const v = f.vals.get(t.name);
        if (v === undefined) {
          throw RegoError.of("eval_internal_error", `var ${t.name} is unbound`, t.location);
        }
        return vk(v);
      }
      case "ref": {
        const fast = fastOf(t);
        if (fast) {
          const v = fast(this, f, c);
          if (v !== FALLBACK) return v === undefined ? false : vk(v);
        }
        return this.evalRef(t, f, c, vk);
      }
      case "array": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        return this.evalArgs(t.items, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          return vk(vals);
        });
      }
      case "set": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        return this.evalArgs(t.items, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          return vk(RegoSet.of(vals));
        });
      }
      case "object": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        const flat = t.entries.flatMap(([a, b]) => [a, b]);
        return this.evalArgs(flat, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          const o = new RegoObject();
          for (let i = 0; i < vals.length; i += 2) o.set(vals[i] as Value, vals[i + 1] as Value);
          return vk(o);
        });
      }
      case "arraycomp": {
        const out: Value[] = [];
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.term, f, c, (v) => {
            this.allocate(logicalSize(v), 0, t.location);
            out.push(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "setcomp": {
        const out = new RegoSet();
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.term, f, c, (v) => {
            this.allocate(logicalSize(v), 0, t.location);
            out.add(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "objectcomp": {
        const out = new RegoObject();
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.key, f, c, (key) =>
            this.evalTerm(t.value, f, c, (value) => {
              const prev = out.get(key);
              if (prev !== undefined && !valuesEqual(prev, value)) {
                throw RegoError.of("eval_conflict_error", "object keys must be unique", t.location);
              }
              this.allocate(logicalSize(key) + logicalSize(value), 0, t.location);
              out.set(key, value);
              return false;
            }),
          ),
        );
        return vk(out);
      }
      case "call": {
        const fast = fastOf(t);
        if (fast) {
          const v = fast(this, f, c);
          if (v !== FALLBACK) return v === undefined ? false : vk(v);
        }
        return this.evalCall(t, f, c, vk);
      }
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  /** Evaluates terms left to right (each may enumerate), then calls `k` with their values. */
  protected evalArgs(
    terms: readonly Term[],
    i: number,
    acc: Value[],
    f: Frame,
    c: Context,
    k: (vals: Value[]) => boolean,
  ): boolean {
    if (i === terms.length) return k(acc.slice());
    if (i === 0) {
      const vals = this.fastValues(terms, f, c);
      if (vals === null) return false;
      if (vals !== undefined) return k(vals);
      if (terms.length > 1 && terms.some((t) => hasUnbound(t, f)))
        return this.evalArgsInOrder(terms, f, c, k);
    }
    const t = terms[i] as Term;
    return this.evalTerm(t, f, c, (v) => {
      acc[i] = v;
      return this.evalArgs(terms, i + 1, acc, f, c, k);
    });
  }

  /**
   * The values of terms that each have exactly one value or none (no enumeration): the values,
   * null when one is undefined, or undefined when some term needs the general path.
   */
  protected fastValues(terms: readonly Term[], f: Frame, c: Context): Value[] | null | undefined {
    const out: Value[] = new Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as Term;
      const fast = fastOf(t);
      if (!fast) return undefined;
      const v = fast(this, f, c);
      if (v === FALLBACK) return undefined;
      if (v === undefined) return null;
      out[i] = v;
    }
    return out;
  }

  /** The single value of a data ref whose path is fully known, or undefined. */
  dataValue(path: readonly Term[], f: Frame, c: Context): Value | undefined {
    let out: Value | undefined;
    this.evalData(this.root, this.baseData, NO_POS, path, 0, f, c, (v) => {
      out = v;
      return true;
    });
    return out;
  }

  /** The value of a data ref whose path is a list of constant terms (a plan's), or undefined. */
  groundDataValue(path: readonly Term[], c: Context): Value | undefined {
    return this.dataValue(path, NO_VARS, c);
  }

  /** Calls a function or builtin by name (with `with` overrides applied). */
  call(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined {
    return this.invoke(name, call, args, c);
  }

  /** Like evalArgs, but terms with unbound variables go last (refs before them bind them). */
  protected evalArgsInOrder(
    terms: readonly Term[],
    f: Frame,
    c: Context,
    k: (vals: Value[]) => boolean,
  ): boolean {
    const order = terms
      .map((_, i) => i)
      .sort((x, y) => Number(hasUnbound(terms[x] as Term, f)) - Number(hasUnbound(terms[y] as Term, f)));
    const acc: Value[] = new Array(terms.length);
    const step = (j: number): boolean => {
      if (j === order.length) return k(acc.slice());
      const idx = order[j] as number;
      const t = terms[idx] as Term;
      if (hasUnbound(t, f)) {
        // Still unbound: only a pattern can stand here; it takes no value of its own.
        throw RegoError.of("rego_unsafe_var_error", "expression is unsafe", t.location);
      }
      return this.evalTerm(t, f, c, (v) => {
        acc[idx] = v;
        return step(j + 1);
      });
    };
    return step(0);
  }
}

/** Whether a term holds a variable the frame does not bind. */
export function hasUnbound(t: Term, f: Frame): boolean {
  switch (t.type) {
    case "var":
      return !f.vals.has(t.name);
    case "array":
    case "set":
      return t.items.some((i) => hasUnbound(i, f));
    case "object":
      return t.entries.some(([k, v]) => hasUnbound(k, f) || hasUnbound(v, f));
    default:
      return false;
  }
}
