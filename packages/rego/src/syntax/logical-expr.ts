// Syntax stage, used by the parser: OPA 1.20's logical keywords (`import future.keywords.and`,
// `.or`, `.not`) lowered to expressions the compiler and evaluator already know. An operand (a
// single expression, or an explicit `{ body }`) becomes the set comprehension `{true | body}`,
// which holds `true` exactly when the operand succeeds and, being a comprehension, sees the
// enclosing variables while keeping its own local; `a and b` is the intersection of the
// operands' sets, `a or b` their union, and the whole expression holds when the result is
// `{true}`. A negated block `not { body }` holds when `{true | body}` is empty. None of them
// binds variables outside or branches evaluation, as OPA's documentation specifies.

import type { Body, CallTerm, Expr, RefTerm, SetComprehension, Term } from "./ast.js";
import type { Location } from "./location.js";

/** A logical operand: the set `{true | body}` of an operand or of a combination of operands. */
export type LogicalSet = Term;

/** Sets of single-expression operands (which declare no variables of their own). */
const implicitSets = new WeakSet<Term>();

/** The set of one operand: `{true | body}`. */
export function operandSet(body: Body, location: Location): SetComprehension {
  return { type: "setcomp", term: { type: "boolean", value: true, location }, body, location };
}

/** The set of a single-expression operand. */
export function implicitOperandSet(e: Expr): SetComprehension {
  const set = operandSet([e], e.location);
  implicitSets.add(set);
  return set;
}

/**
 * `lhs and rhs` (intersection) or `lhs or rhs` (union) of two operand sets. Single-expression
 * operands joined by `and` share one body, so the right one is not evaluated when the left fails.
 */
export function combine(op: "and" | "or", lhs: LogicalSet, rhs: LogicalSet, location: Location): LogicalSet {
  if (
    op === "and" &&
    lhs.type === "setcomp" &&
    rhs.type === "setcomp" &&
    implicitSets.has(lhs) &&
    implicitSets.has(rhs)
  ) {
    const merged = operandSet([...lhs.body, ...rhs.body], lhs.location);
    implicitSets.add(merged);
    return merged;
  }
  return call(op, [lhs, rhs], location);
}

/** The expression that holds when a combination of operands succeeds: `set == {true}`. */
export function logicalExpr(set: LogicalSet, location: Location): Expr {
  const whole: Term = { type: "set", items: [{ type: "boolean", value: true, location }], location };
  return {
    kind: { type: "callexpr", call: call("equal", [set, whole], location) },
    negated: false,
    with: [],
    location,
  };
}

/** The expression of a negated block `not { body }`: `{true | body} == set()`. */
export function notBlockExpr(body: Body, location: Location): Expr {
  const empty: Term = { type: "set", items: [], location };
  const c = call("equal", [operandSet(body, location), empty], location);
  return { kind: { type: "callexpr", call: c }, negated: false, with: [], location };
}

/** The set of an expression that is already whole (a combination, a negated block). */
export function exprSet(e: Expr): LogicalSet {
  return operandSet([e], e.location);
}

function call(name: string, args: Term[], location: Location): CallTerm {
  const operator: RefTerm = { type: "ref", head: { type: "var", name, location }, path: [], location };
  return { type: "call", operator, args, location };
}
