// Evaluation (the interpreter, over the compiled policy): bodies and expressions, in
// continuation-passing style. Each step calls its continuation once per solution; a continuation
// returns true to stop the enumeration early. `with` modifiers install their context here.

import { builtinArity, walkPairs } from "../builtins/special-builtins.js";
import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import type { Body, CallTerm, Expr, Term, WithModifier } from "../syntax/ast.js";
import { forEachElement } from "../value/lookup.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";
import { type Context, type Frame, NodeCache } from "./context.js";
import { callName, EvaluationBase, type K, type VK } from "./evaluation-base.js";
import { FALLBACK, fastOf } from "./fast-path.js";

const arityCache = new WeakMap<CallTerm, number | null>();

/** Bodies, expressions and `with`: the interpreter's outer loop. */
export abstract class ExpressionEvaluation extends EvaluationBase {
  abstract call(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined;
  abstract dataValue(path: readonly Term[], f: Frame, c: Context): Value | undefined;
  protected abstract evalArgs(
    terms: readonly Term[],
    i: number,
    acc: Value[],
    f: Frame,
    c: Context,
    k: (vals: Value[]) => boolean,
  ): boolean;
  protected abstract evalCall(call: CallTerm, f: Frame, c: Context, vk: VK): boolean;
  protected abstract evalTerm(t: Term, f: Frame, c: Context, vk: VK): boolean;
  protected abstract functionNode(name: string): RuleNode | undefined;
  protected abstract invoke(
    name: string,
    call: CallTerm,
    args: readonly Value[],
    c: Context,
  ): Value | undefined;
  protected abstract unify(a: Term, b: Term, f: Frame, c: Context, k: K): boolean;
  protected abstract unifyValue(t: Term, v: Value, f: Frame, c: Context, k: K): boolean;

  // -------------------------------------------------------------------------------------------
  // Bodies and expressions

  protected evalBody(body: Body, i: number, f: Frame, c: Context, k: K): boolean {
    if (i === body.length) return k();
    const e = body[i] as Expr;
    return this.evalExpr(e, f, c, () => this.evalBody(body, i + 1, f, c, k));
  }

  protected evalExpr(e: Expr, f: Frame, c: Context, k: K): boolean {
    this.tick(e.location);
    if (e.with.length > 0) {
      let result = false;
      const applied = this.applyWith(e.with, f, c, (c2) => {
        result = this.evalExprNegatable(e, f, c2, k);
        return true;
      });
      return applied ? result : false;
    }
    return this.evalExprNegatable(e, f, c, k);
  }

  protected evalExprNegatable(e: Expr, f: Frame, c: Context, k: K): boolean {
    if (!e.negated) return this.evalExprKind(e, f, c, k);
    let found = false;
    this.evalExprKind(e, f, c, () => {
      found = true;
      return true;
    });
    return found ? false : k();
  }

  protected evalExprKind(e: Expr, f: Frame, c: Context, k: K): boolean {
    const kind = e.kind;
    switch (kind.type) {
      case "term":
        return this.evalTerm(kind.term, f, c, (v) => {
          if (v === false && e !== this.capturedExpr) return false;
          if (this.recorded?.has(e)) this.recorded.set(e, v);
          return k();
        });
      case "callexpr":
        if (e === this.capturedExpr) {
          return this.evalCall(kind.call, f, c, (v) => {
            this.recorded?.set(e, v);
            return k();
          });
        }
        return this.evalCallExpr(kind.call, f, c, k);
      case "some":
        return k();
      case "somein":
        return this.evalTerm(kind.domain, f, c, (coll) =>
          forEachElement(coll, (key, value) => {
            this.tick(e.location);
            return kind.key
              ? this.unifyValue(kind.key, key, f, c, () => this.unifyValue(kind.value, value, f, c, k))
              : this.unifyValue(kind.value, value, f, c, k);
          }),
        );
      case "every":
        return this.evalTerm(kind.domain, f, c, (coll) => {
          if (!isCollection(coll)) return false;
          let all = true;
          forEachElement(coll, (key, value) => {
            this.tick(e.location);
            let ok = false;
            const bodyK = () => {
              ok = true;
              return true;
            };
            const withValue = () =>
              this.unifyValue(kind.value, value, f, c, () => this.evalBody(kind.body, 0, f, c, bodyK));
            if (kind.key) this.unifyValue(kind.key, key, f, c, withValue);
            else withValue();
            if (!ok) all = false;
            return !ok;
          });
          return all ? k() : false;
        });
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  protected evalCallExpr(call: CallTerm, f: Frame, c: Context, k: K): boolean {
    const name = callName(call.operator);
    const args = call.args;
    if ((name === "eq" || name === "assign") && args.length === 2) {
      return this.unify(args[0] as Term, args[1] as Term, f, c, k);
    }
    if (name === "walk" && args.length === 2 && !c.functionOverrides.has("walk")) {
      return this.evalTerm(args[0] as Term, f, c, (doc) => {
        for (const pair of walkPairs(doc, this))
          if (this.unifyValue(args[1] as Term, pair, f, c, k)) return true;
        return false;
      });
    }
    const arity = name === undefined ? undefined : this.callArity(call, name);
    if (arity !== undefined && args.length === arity + 1) {
      const inArgs = args.slice(0, arity);
      return this.evalArgs(inArgs, 0, [], f, c, (vals) => {
        const result = this.invoke(name as string, call, vals, c);
        return result === undefined ? false : this.unifyValue(args[arity] as Term, result, f, c, k);
      });
    }
    const fast = fastOf(call);
    if (fast) {
      const v = fast(this, f, c);
      if (v !== FALLBACK) return v === undefined || v === false ? false : k();
    }
    return this.evalCall(call, f, c, (v) => (v !== false ? k() : false));
  }

  /** A call's arity, looked up once per call site (the policy's functions never change). */
  protected callArity(call: CallTerm, name: string): number | undefined {
    const cached = arityCache.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const arity = this.arityOf(name);
    arityCache.set(call, arity ?? null);
    return arity;
  }

  protected arityOf(name: string): number | undefined {
    if (name.startsWith("data.")) {
      const node = this.functionNode(name);
      return node?.rules[0]?.args?.length ?? node?.defaultRule?.args?.length;
    }
    return builtinArity(name, this.policy.builtins);
  }

  // -------------------------------------------------------------------------------------------
  // with

  protected applyWith(
    withs: readonly WithModifier[],
    f: Frame,
    c: Context,
    k: (c: Context) => boolean,
  ): boolean {
    let input = c.input;
    const dataOverrides = [...c.dataOverrides];
    const functionOverrides = new Map(c.functionOverrides);
    const apply = (i: number): boolean => {
      if (i === withs.length) {
        return k({ input, dataOverrides, functionOverrides, cache: new NodeCache() });
      }
      const w = withs[i] as WithModifier;
      const target = w.target;
      const head = target.head.type === "var" ? target.head.name : undefined;
      const path = target.path.map((p) => constantOf(p));
      if (path.some((p) => p === NOT_CONSTANT)) {
        throw RegoError.of(
          "rego_compile_error",
          "with keyword target must be a constant reference",
          w.location,
        );
      }
      const keys = path as Value[];
      if (head === "input") {
        return this.evalTerm(w.value, f, c, (v) => {
          input = setPath(input, keys, v);
          return apply(i + 1);
        });
      }
      const targetName = callName(target);
      const fnTarget =
        targetName !== undefined &&
        (targetName.startsWith("data.")
          ? this.functionNode(targetName) !== undefined
          : this.policy.builtins.has(targetName) || this.arityOf(targetName) !== undefined);
      if (fnTarget && targetName !== undefined) {
        const replacement = this.functionReplacement(w.value);
        if (replacement) {
          functionOverrides.set(targetName, { kind: "function", name: replacement });
          return apply(i + 1);
        }
        return this.evalTerm(w.value, f, c, (v) => {
          functionOverrides.set(targetName, { kind: "value", value: v });
          return apply(i + 1);
        });
      }
      if (head === "data") {
        return this.evalTerm(w.value, f, c, (v) => {
          dataOverrides.push({ path: keys, value: v });
          return apply(i + 1);
        });
      }
      throw RegoError.of(
        "rego_type_error",
        `with keyword target must reference existing input, data, or a function`,
        w.location,
      );
    };
    return apply(0);
  }

  /** When a `with` value names a function or builtin, its name. */
  protected functionReplacement(t: Term): string | undefined {
    if (t.type === "ref") {
      const name = callName(t);
      if (name === undefined) return undefined;
      if (name.startsWith("data.")) return this.functionNode(name) ? name : undefined;
      return this.policy.builtins.has(name) ? name : undefined;
    }
    if (t.type === "var" && this.policy.builtins.has(t.name)) return t.name;
    return undefined;
  }
}

/** A copy of `v` with `path` set to `value`, creating objects along the way. */
export function setPath(v: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [Value, ...Value[]];
  const out = new RegoObject();
  if (v instanceof RegoObject) for (const e of v.entries()) out.set(e.key, e.value);
  out.set(head, setPath(v instanceof RegoObject ? v.get(head) : undefined, rest, value));
  return out;
}

function isCollection(v: Value): boolean {
  return Array.isArray(v) || v instanceof RegoObject || v instanceof RegoSet;
}
