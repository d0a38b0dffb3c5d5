// Builtins, used by `rego.parse_module`'s AST-to-value conversion: OPA's order over parsed
// terms and expressions (ast.Compare in OPA's v1/ast/compare.go). OPA writes the elements of a
// set literal and the keys of an object literal in this order, so the arrays it produces for
// them depend on it.

import { numberValue } from "../value/number-literal.js";
import type { Body, Expr, ExprKind, Term, WithModifier } from "../syntax/ast.js";
import { isTemplateString } from "../syntax/template-string.js";
import { compareValues } from "../value/value.js";

/** OPA's kinds of term value, as its sort order ranks them. */
type TermRank =
  | "null"
  | "boolean"
  | "number"
  | "string"
  | "templatestring"
  | "var"
  | "ref"
  | "array"
  | "object"
  | "set"
  | "arraycomp"
  | "objectcomp"
  | "setcomp"
  | "call";

// OPA's valueSortOrder: null < boolean < number < string < template string < var < ref <
// array < object < set < array/object/set comprehension < call.
const RANK: Readonly<Record<TermRank, number>> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  templatestring: 4,
  var: 5,
  ref: 6,
  array: 7,
  object: 8,
  set: 9,
  arraycomp: 10,
  objectcomp: 11,
  setcomp: 12,
  call: 13,
};

/** Compares two parsed terms as OPA's ast.Compare does (locations never matter). */
export function compareTerms(a: Term, b: Term): number {
  const ra = RANK[rankOf(a)];
  const rb = RANK[rankOf(b)];
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (a.type) {
    case "null":
      return 0;
    case "boolean":
      return compareValues(a.value, (b as typeof a).value);
    case "number":
      return compareValues(numberValue(a.text), numberValue((b as typeof a).text));
    case "string":
      return compareValues(a.value, (b as typeof a).value);
    case "var":
      return compareValues(a.name, (b as typeof a).name);
    case "ref": {
      const y = b as typeof a;
      return compareSlices([a.head, ...a.path], [y.head, ...y.path]);
    }
    case "array":
      return compareSlices(a.items, (b as typeof a).items);
    case "set":
      return compareSlices(sortedUnique(a.items), sortedUnique((b as typeof a).items));
    case "object":
      return compareEntries(sortedEntries(a.entries), sortedEntries((b as typeof a).entries));
    case "arraycomp":
    case "setcomp": {
      const y = b as typeof a;
      return compareTerms(a.term, y.term) || compareBodies(a.body, y.body);
    }
    case "objectcomp": {
      const y = b as typeof a;
      return compareTerms(a.key, y.key) || compareTerms(a.value, y.value) || compareBodies(a.body, y.body);
    }
    case "call": {
      // A template string is compared by its lowered parts: an order of our own, but consistent.
      const y = b as typeof a;
      return compareSlices([a.operator, ...a.args], [y.operator, ...y.args]);
    }
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Compares two bodies expression by expression, then by length (OPA's Body.Compare). */
export function compareBodies(a: Body, b: Body): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareExprs(a[i] as Expr, b[i] as Expr);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The terms in OPA's order with duplicates dropped (the first of equal terms is kept, as a
 * set literal keeps the first element it inserts).
 */
export function sortedUnique(items: readonly Term[]): Term[] {
  const sorted = [...items].sort(compareTerms);
  const out: Term[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || compareTerms(last, t) !== 0) out.push(t);
  }
  return out;
}

/**
 * The entries of an object literal in OPA's key order; for equal keys the first key is kept
 * with the last value (OPA's object insert replaces the value of a key it already holds).
 */
export function sortedEntries(entries: readonly (readonly [Term, Term])[]): (readonly [Term, Term])[] {
  const sorted = [...entries].sort((x, y) => compareTerms(x[0], y[0]));
  const out: [Term, Term][] = [];
  for (const [k, v] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && compareTerms(last[0], k) === 0) last[1] = v;
    else out.push([k, v]);
  }
  return out;
}

function rankOf(t: Term): TermRank {
  return isTemplateString(t) ? "templatestring" : t.type;
}

function compareSlices(a: readonly Term[], b: readonly Term[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareTerms(a[i] as Term, b[i] as Term);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareEntries(
  a: readonly (readonly [Term, Term])[],
  b: readonly (readonly [Term, Term])[],
): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = a[i] as readonly [Term, Term];
    const [kb, vb] = b[i] as readonly [Term, Term];
    const c = compareTerms(ka, kb) || compareTerms(va, vb);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// OPA's Expr.sortOrder: declarations < terms < calls < every.
const EXPR_RANK: Readonly<Record<ExprKind["type"], number>> = {
  some: 0,
  somein: 0,
  term: 1,
  callexpr: 2,
  every: 3,
};

/** Two expressions at the same index of their bodies, as OPA's Expr.Compare orders them. */
function compareExprs(a: Expr, b: Expr): number {
  const ra = EXPR_RANK[a.kind.type];
  const rb = EXPR_RANK[b.kind.type];
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a.negated !== b.negated) return a.negated ? 1 : -1;
  return compareKinds(a.kind, b.kind) || compareWiths(a.with, b.with);
}

function compareKinds(a: ExprKind, b: ExprKind): number {
  switch (a.type) {
    case "term":
      return compareTerms(a.term, (b as typeof a).term);
    case "callexpr": {
      const y = (b as typeof a).call;
      return compareSlices([a.call.operator, ...a.call.args], [y.operator, ...y.args]);
    }
    case "some":
    case "somein":
      return compareSlices(someSymbols(a), someSymbols(b as typeof a));
    case "every": {
      const y = b as typeof a;
      return (
        compareOptional(a.key, y.key) ||
        compareTerms(a.value, y.value) ||
        compareTerms(a.domain, y.domain) ||
        compareBodies(a.body, y.body)
      );
    }
    default: {
      const never: never = a;
      return never;
    }
  }
}

/**
 * The symbols OPA's SomeDecl holds: the declared vars, or for `some k, v in xs` the one call
 * `internal.member_3(k, v, xs)` (`internal.member_2(v, xs)` without a key).
 */
export function someSymbols(k: Extract<ExprKind, { type: "some" | "somein" }>): readonly Term[] {
  if (k.type === "some") return k.vars;
  const location = k.value.location;
  const member = k.key === undefined ? "member_2" : "member_3";
  const args = k.key === undefined ? [k.value, k.domain] : [k.key, k.value, k.domain];
  return [
    {
      type: "call",
      operator: {
        type: "ref",
        head: { type: "var", name: "internal", location },
        path: [{ type: "string", value: member, location }],
        location,
      },
      args,
      location,
    },
  ];
}

function compareOptional(a: Term | undefined, b: Term | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  return b === undefined ? 1 : compareTerms(a, b);
}

function compareWiths(a: readonly WithModifier[], b: readonly WithModifier[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as WithModifier;
    const y = b[i] as WithModifier;
    const c = compareTerms(x.target, y.target) || compareTerms(x.value, y.value);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
