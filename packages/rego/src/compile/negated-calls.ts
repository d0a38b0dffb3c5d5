// Compile stage, after name resolution: the dynamic terms of a negated expression are evaluated
// before the negation, as OPA's RewriteDynamicTerms stage does. `not f(obj.missing)` becomes
// `$d0 = obj.missing; not f($d0)`: when the argument is undefined the body fails, rather than
// the negation succeeding. (OPA rewrites every expression so; only negated ones change meaning.)

import type { Body, CallTerm, Expr, RefTerm, Rule, Term, VarTerm } from "../syntax/ast.js";
import type { RenameCounter } from "./resolve.js";

/** Rewrites every negated expression of a rule (bodies, else branches, nested bodies). */
export function rewriteNegatedCalls(rule: Rule, counter: RenameCounter): Rule {
  const rw = new Rewriter(counter);
  const h = rule.head;
  return {
    ...rule,
    head: {
      ...h,
      key: h.key && rw.nested(h.key),
      value: h.value && rw.nested(h.value),
    },
    body: rw.body(rule.body),
    elseRule: rule.elseRule ? rewriteNegatedCalls(rule.elseRule, counter) : undefined,
  };
}

/** The same rewrite for a query. */
export function rewriteNegatedCallsInQuery(body: Body, counter: RenameCounter): Body {
  return new Rewriter(counter).body(body);
}

class Rewriter {
  constructor(private readonly counter: RenameCounter) {}

  body(body: Body): Body {
    const out: Expr[] = [];
    for (const e of body) {
      const expr = this.nestedInExpr(e);
      if (!expr.negated) {
        out.push(expr);
        continue;
      }
      const before: Expr[] = [];
      const k = expr.kind;
      switch (k.type) {
        case "callexpr": {
          // Unification keeps its refs in place (only their dynamic indexes move out), as in
          // OPA's rewriteDynamicsEqExpr; other calls have every dynamic argument bound first.
          const args = isUnification(k.call)
            ? k.call.args.map((a) => this.inTerm(a, expr, before))
            : k.call.args.map((a) => this.extract(a, expr, before));
          out.push(...before, { ...expr, kind: { type: "callexpr", call: { ...k.call, args } } });
          break;
        }
        case "term": {
          const term = k.term.type === "ref" ? this.refIndexes(k.term, expr, before) : k.term;
          out.push(...before, { ...expr, kind: { type: "term", term } });
          break;
        }
        case "some":
        case "somein":
        case "every":
          out.push(expr);
          break;
        default: {
          const never: never = k;
          throw new Error(`unexpected expression ${String(never)}`);
        }
      }
    }
    return out;
  }

  /** Rewrites the bodies nested in an expression (comprehensions, `every`). */
  private nestedInExpr(e: Expr): Expr {
    const k = e.kind;
    switch (k.type) {
      case "term":
        return { ...e, kind: { type: "term", term: this.nested(k.term) } };
      case "callexpr":
        return { ...e, kind: { type: "callexpr", call: this.nested(k.call) as CallTerm } };
      case "every":
        return { ...e, kind: { ...k, domain: this.nested(k.domain), body: this.body(k.body) } };
      case "somein":
        return { ...e, kind: { ...k, domain: this.nested(k.domain) } };
      case "some":
        return e;
      default: {
        const never: never = k;
        throw new Error(`unexpected expression ${String(never)}`);
      }
    }
  }

  /** A term with the bodies of its comprehensions rewritten. */
  nested(t: Term): Term {
    switch (t.type) {
      case "arraycomp":
      case "setcomp":
        return { ...t, term: this.nested(t.term), body: this.body(t.body) };
      case "objectcomp":
        return { ...t, key: this.nested(t.key), value: this.nested(t.value), body: this.body(t.body) };
      case "array":
      case "set":
        return { ...t, items: t.items.map((i) => this.nested(i)) };
      case "object":
        return { ...t, entries: t.entries.map(([k, v]) => [this.nested(k), this.nested(v)] as const) };
      case "call":
        return { ...t, args: t.args.map((a) => this.nested(a)) };
      case "ref":
        return { ...t, path: t.path.map((p) => this.nested(p)) };
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        return t;
      default: {
        const never: never = t;
        throw new Error(`unexpected term ${String(never)}`);
      }
    }
  }

  /**
   * An argument of a negated call: refs, calls and comprehensions are bound to a fresh variable
   * by an expression placed before the negation (their own dynamic parts first); collections
   * have their elements so treated; scalars and variables stay.
   */
  private extract(t: Term, original: Expr, before: Expr[]): Term {
    switch (t.type) {
      case "ref":
        return this.bind(this.refIndexes(t, original, before), original, before);
      case "call":
        return this.bind(
          { ...t, args: t.args.map((a) => this.extract(a, original, before)) },
          original,
          before,
        );
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
        return this.bind(t, original, before);
      case "array":
      case "set":
        return { ...t, items: t.items.map((i) => this.extract(i, original, before)) };
      case "object":
        return {
          ...t,
          entries: t.entries.map(
            ([k, v]) => [this.extract(k, original, before), this.extract(v, original, before)] as const,
          ),
        };
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        return t;
      default: {
        const never: never = t;
        throw new Error(`unexpected term ${String(never)}`);
      }
    }
  }

  /** An operand of `=`: a ref keeps its place, a comprehension too, anything else is extracted. */
  private inTerm(t: Term, original: Expr, before: Expr[]): Term {
    switch (t.type) {
      case "ref":
        return this.refIndexes(t, original, before);
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
        return t;
      default:
        return this.extract(t, original, before);
    }
  }

  /** A ref whose dynamic indexes (refs, calls) are bound first. */
  private refIndexes(t: RefTerm, original: Expr, before: Expr[]): RefTerm {
    const path = t.path.map((p) =>
      p.type === "ref" || p.type === "call" ? this.extract(p, original, before) : p,
    );
    return { ...t, path };
  }

  /** `$dN = t` before the negation (with its `with` modifiers); the fresh variable in its place. */
  private bind(t: Term, original: Expr, before: Expr[]): VarTerm {
    const v: VarTerm = { type: "var", name: `$dyn${this.counter.next++}`, location: t.location };
    const call: CallTerm = {
      type: "call",
      operator: {
        type: "ref",
        head: { type: "var", name: "eq", location: t.location },
        path: [],
        location: t.location,
      },
      args: [v, t],
      location: t.location,
    };
    before.push({
      kind: { type: "callexpr", call },
      negated: false,
      with: original.with,
      location: t.location,
    });
    return v;
  }
}

/** Whether a call is the unification `a = b`. */
function isUnification(call: CallTerm): boolean {
  const op = call.operator;
  return op.head.type === "var" && op.head.name === "eq" && op.path.length === 0 && call.args.length === 2;
}
