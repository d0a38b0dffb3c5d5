// Compile stage: the comparisons a rule index can select rules by. When many rules of one node
// begin by comparing the same input field with a constant (`input.request.timestamp_ns < 1500000000000000000`),
// the constants are sorted once; a value's place among them says which comparisons hold, found
// by a binary search instead of one comparison per rule. Only a rule's first expression counts:
// when it fails nothing else of the rule runs, so skipping the rule is exactly evaluating it.

import type { Expr, RefTerm, Term } from "../syntax/ast.js";
import { compareValues, type Value } from "../value/value.js";
import type { CompiledRule } from "./compiled-rule.js";

/** A comparison of an input field with a constant, as the first expression of a rule. */
export interface ComparisonTest {
  readonly ref: RefTerm;
  /** Holds when the field's value compares with `bound` this way (the field on the left). */
  readonly op: "lt" | "lte" | "gt" | "gte";
  readonly bound: Value;
}

/** The rules that compare one field, by the place of the field's value among their constants. */
export interface RangeTests {
  /** The distinct constants, in Rego's order. */
  readonly bounds: readonly Value[];
  /**
   * Per place of a value (2i: below bounds[i] and above the ones before; 2i+1: equal to
   * bounds[i]), the rules whose comparison holds there, in source order.
   */
  readonly byPlace: readonly (readonly CompiledRule[])[];
  /** Every rule comparing the field, in source order: the candidates when `with` replaces a function (`lt` may not mean `<`). */
  readonly all: readonly CompiledRule[];
}

// Places are kept per rule and constant: a bound on the lists made at compile time.
const MAX_TESTED = 256;

const FLIPPED = { lt: "gt", lte: "gte", gt: "lt", gte: "lte" } as const;

/**
 * The comparison a rule begins with, when its first expression compares a ground input ref
 * (`isRef`) with a constant (`constant` gives its value, or undefined).
 */
export function comparisonTest(
  rule: CompiledRule,
  isRef: (t: Term) => t is RefTerm,
  constant: (t: Term) => Value | undefined,
): ComparisonTest | undefined {
  if (rule.elseRule) return undefined;
  const e: Expr | undefined = rule.body[0];
  if (!e || e.negated || e.with.length > 0 || e.kind.type !== "callexpr") return undefined;
  const op = e.kind.call.operator;
  if (op.head.type !== "var" || op.path.length > 0) return undefined;
  const name = op.head.name;
  if (name !== "lt" && name !== "lte" && name !== "gt" && name !== "gte") return undefined;
  const [a, b] = e.kind.call.args as [Term, Term];
  if (e.kind.call.args.length !== 2) return undefined;
  if (isRef(a)) {
    const bound = constant(b);
    return bound === undefined ? undefined : { ref: a, op: name, bound };
  }
  if (isRef(b)) {
    const bound = constant(a);
    return bound === undefined ? undefined : { ref: b, op: FLIPPED[name], bound };
  }
  return undefined;
}

/** Sorts the tests' constants and lists, per place of a value, the rules whose test holds. */
export function buildRangeTests(
  tested: readonly { rule: CompiledRule; test: ComparisonTest }[],
): RangeTests | undefined {
  if (tested.length > MAX_TESTED) return undefined;
  const bounds: Value[] = [];
  for (const { test } of [...tested].sort((x, y) => compareValues(x.test.bound, y.test.bound))) {
    const last = bounds[bounds.length - 1];
    if (last === undefined || compareValues(last, test.bound) !== 0) bounds.push(test.bound);
  }
  const byPlace: CompiledRule[][] = [];
  for (let place = 0; place <= 2 * bounds.length; place++) {
    const rules: CompiledRule[] = [];
    for (const { rule, test } of tested) {
      if (holds(test.op, orderAt(place, indexOf(bounds, test.bound)))) rules.push(rule);
    }
    byPlace.push(rules.sort((x, y) => x.ordinal - y.ordinal));
  }
  const all = tested.map((t) => t.rule).sort((x, y) => x.ordinal - y.ordinal);
  return { bounds, byPlace, all };
}

/** The place of a value among sorted distinct bounds (see RangeTests.byPlace). */
export function placeOf(bounds: readonly Value[], v: Value): number {
  let lo = 0;
  let hi = bounds.length;
  // The first bound not below v.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareValues(bounds[mid] as Value, v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < bounds.length && compareValues(bounds[lo] as Value, v) === 0 ? 2 * lo + 1 : 2 * lo;
}

function indexOf(bounds: readonly Value[], bound: Value): number {
  return (placeOf(bounds, bound) - 1) / 2;
}

/** How a value at `place` compares with the bound at index `j`: -1, 0 or 1. */
function orderAt(place: number, j: number): number {
  if (place % 2 === 1) {
    const i = (place - 1) / 2;
    return i < j ? -1 : i > j ? 1 : 0;
  }
  return place / 2 <= j ? -1 : 1;
}

function holds(op: ComparisonTest["op"], order: number): boolean {
  switch (op) {
    case "lt":
      return order < 0;
    case "lte":
      return order <= 0;
    case "gt":
      return order > 0;
    case "gte":
      return order >= 0;
  }
}
