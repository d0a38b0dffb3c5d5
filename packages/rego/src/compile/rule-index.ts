// Compile stage: rule indexing. When many rules of one node test the same input field against
// constants (`input.session.login == "key-7"`), the evaluator reads that field once and
// evaluates only the rules whose constant matches, instead of every rule. Where no equality is
// shared widely enough, rules that begin by comparing one field with constants (range-index.ts)
// are selected by the place of the field's value among those constants, and rules that begin by
// testing one field's address against constant networks (cidr-index.ts) by the networks holding it.

import type { Expr, RefTerm, Term } from "../syntax/ast.js";
import { numberValue } from "../value/number-literal.js";
import { type Value, valueKey } from "../value/value.js";
import { buildCidrTests, type CidrTests, cidrMatches, cidrTest } from "./cidr-index.js";
import type { CompiledRule } from "./compiled-rule.js";
import { buildRangeTests, comparisonTest, placeOf, type RangeTests } from "./range-index.js";

/** An index over a node's rules on one ground ref. */
export interface RuleIndex {
  /** The ref whose value selects the rules (`input.session.login`). */
  readonly ref: RefTerm;
  /**
   * Canonical key of the constant → the candidates for it: the rules testing for it and those in
   * `always`, merged in source order once (a lookup allocates nothing). Unused when `rest` is set.
   */
  readonly buckets: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Rules that do not test the ref: always candidates (of `rest`, when set). */
  readonly always: readonly CompiledRule[];
  /**
   * An index of `always` on another ref (`input.request.method` where most of them test that):
   * the candidates are then the rules testing for the first ref's value and `rest`'s candidates.
   */
  readonly rest: RuleIndex | undefined;
  /** With `rest`: per constant, only the rules testing for it (source order). */
  readonly tested: ReadonlyMap<string, readonly CompiledRule[]>;
  /**
   * An index on comparisons instead of equalities (`buckets` and `tested` are then empty): the
   * rules comparing the ref, by the place of its value among their constants.
   */
  readonly range: RangeTests | undefined;
  /**
   * An index on network tests instead (`buckets` and `tested` are then empty): the rules testing
   * the ref's address, by the networks holding it.
   */
  readonly cidr: CidrTests | undefined;
  /** With `rest`, `range` or `cidr`: the merged candidates per constant (or place, or networks) and list of `rest`'s candidates, once made. */
  readonly merged: Map<string, Map<readonly CompiledRule[], readonly CompiledRule[]>>;
  /** The last lookup's answer (see `candidateRules`). */
  readonly last: LastLookup;
}

/**
 * The last lookup of an index: the value read (for a range index, its place among the constants),
 * the list of `rest`'s candidates it was merged with, and the candidates. A caller's requests
 * read the same login, method and address again and again: the same answer is then given without
 * keying the value or looking it up. The lists are immutable, so sharing the answer is safe.
 */
interface LastLookup {
  read: Value | number | undefined;
  others: readonly CompiledRule[] | undefined;
  answer: readonly CompiledRule[];
}

function noLookup(): LastLookup {
  return { read: undefined, others: undefined, answer: [] };
}

/** Reads the value of an index's ref (an input field) in a context of evaluation. */
export type IndexRefReader<C> = (ref: RefTerm, c: C) => Value | undefined;

/** Whether functions are replaced (`with lt as f`) in a context: comparisons then select no rules. */
export type FunctionsReplaced<C> = (c: C) => boolean;

const MIN_RULES = 8;

// Indexes one inside another at most (each on a ref of its own): enough for the kinds of test a
// policy mixes (an equality or two, a comparison, a network), and a bound on the merged lists kept.
const MAX_DEPTH = 4;

/** Builds an index for a node's rules when enough of them share an indexable equality. */
export function buildRuleIndex(rules: readonly CompiledRule[], depth = 1): RuleIndex | undefined {
  if (rules.length < MIN_RULES) return undefined;
  const perRule = rules.map((r) => indexableTests(r));
  const counts = new Map<string, { ref: RefTerm; n: number }>();
  for (const tests of perRule) {
    const seen = new Set<string>();
    for (const t of tests) {
      if (seen.has(t.refKey)) continue;
      seen.add(t.refKey);
      const c = counts.get(t.refKey);
      if (c) c.n++;
      else counts.set(t.refKey, { ref: t.ref, n: 1 });
    }
  }
  let best: { key: string; ref: RefTerm; n: number } | undefined;
  for (const [key, c] of counts) if (!best || c.n > best.n) best = { key, ref: c.ref, n: c.n };
  if (!best || best.n < MIN_RULES / 2)
    return buildComparisonIndex(rules, depth) ?? buildNetworkIndex(rules, depth);
  const tested = new Map<string, CompiledRule[]>();
  const always: CompiledRule[] = [];
  rules.forEach((rule, i) => {
    const test = (perRule[i] ?? []).find((t) => t.refKey === best.key);
    if (!test) {
      always.push(rule);
      return;
    }
    const list = tested.get(test.valueKey);
    if (list) list.push(rule);
    else tested.set(test.valueKey, [rule]);
  });
  const rest = depth < MAX_DEPTH ? buildRuleIndex(always, depth + 1) : undefined;
  const buckets = new Map<string, readonly CompiledRule[]>();
  if (!rest)
    for (const [key, list] of tested) buckets.set(key, always.length > 0 ? mergeRules(list, always) : list);
  return {
    ref: best.ref,
    buckets,
    always,
    rest,
    tested,
    range: undefined,
    cidr: undefined,
    merged: new Map(),
    last: noLookup(),
  };
}

/** An index on the comparisons most rules begin with, when enough of them share a ref. */
function buildComparisonIndex(rules: readonly CompiledRule[], depth: number): RuleIndex | undefined {
  return buildFirstTestIndex(
    rules,
    depth,
    (r) => comparisonTest(r, groundRef, scalar),
    (tested) => {
      const range = buildRangeTests(tested);
      return range && { range, cidr: undefined };
    },
  );
}

/** An index on the network tests most rules begin with, when enough of them share a ref. */
function buildNetworkIndex(rules: readonly CompiledRule[], depth: number): RuleIndex | undefined {
  return buildFirstTestIndex(
    rules,
    depth,
    (r) => cidrTest(r, groundRef),
    (tested) => {
      const cidr = buildCidrTests(tested);
      return cidr && { range: undefined, cidr };
    },
  );
}

/**
 * An index on the tests of one kind that rules begin with (`testOf`), on the ref most of them test
 * when at least MIN_RULES / 2 do; `build` makes the lookup of those rules, or declines.
 */
function buildFirstTestIndex<T extends { readonly ref: RefTerm }>(
  rules: readonly CompiledRule[],
  depth: number,
  testOf: (rule: CompiledRule) => T | undefined,
  build: (
    tested: readonly { rule: CompiledRule; test: T }[],
  ) => Pick<RuleIndex, "range" | "cidr"> | undefined,
): RuleIndex | undefined {
  const tests = rules.map(testOf);
  const counts = new Map<string, number>();
  for (const t of tests) if (t) counts.set(refKey(t.ref), (counts.get(refKey(t.ref)) ?? 0) + 1);
  let bestKey: string | undefined;
  for (const [key, n] of counts) if (bestKey === undefined || n > (counts.get(bestKey) ?? 0)) bestKey = key;
  if (bestKey === undefined || (counts.get(bestKey) ?? 0) < MIN_RULES / 2) return undefined;
  const tested: { rule: CompiledRule; test: T }[] = [];
  const always: CompiledRule[] = [];
  rules.forEach((rule, i) => {
    const test = tests[i];
    if (test && refKey(test.ref) === bestKey) tested.push({ rule, test });
    else always.push(rule);
  });
  const lookup = build(tested);
  const first = tested[0];
  if (!lookup || !first) return undefined;
  const rest = depth < MAX_DEPTH ? buildRuleIndex(always, depth + 1) : undefined;
  return {
    ref: first.test.ref,
    buckets: new Map(),
    always,
    rest,
    tested: new Map(),
    ...lookup,
    merged: new Map(),
    last: noLookup(),
  };
}

/** The candidate rules for a value of the index ref (undefined: the ref is undefined). */
export function candidates(index: RuleIndex, v: Value | undefined): readonly CompiledRule[] {
  if (v === undefined) return index.always;
  return index.buckets.get(valueKey(v)) ?? index.always;
}

/**
 * The candidate rules of an index whose refs `read` gives the values of, in source order: the
 * rules whose indexed tests can all hold (a rule testing a ref for another constant, or a ref
 * that is undefined, cannot succeed; nor one whose first comparison fails, unless `replaced`).
 */
export function candidateRules<C>(
  index: RuleIndex,
  read: IndexRefReader<C>,
  replaced: FunctionsReplaced<C>,
  c: C,
): readonly CompiledRule[] {
  const rest = index.rest;
  const range = index.range;
  const cidr = index.cidr;
  // A replaced comparison or network test (OPA lets `with` replace `lt`, or a builtin) may hold
  // anywhere: every rule is a candidate. Equalities select as they do in OPA, whose index ignores
  // such replacements.
  const tests = range ?? cidr;
  if (tests && replaced(c)) {
    const others = rest ? candidateRules(rest, read, replaced, c) : index.always;
    return mergedOnce(index, "#all", tests.all, others);
  }
  const v = read(index.ref, c);
  const others = rest ? candidateRules(rest, read, replaced, c) : index.always;
  if (v === undefined) return others;
  // Values are immutable: the same value (a string, or the same object) selects the same rules.
  const last = index.last;
  const at = range ? placeOf(range.bounds, v) : v;
  if (last.others === others && last.read === at) return last.answer;
  const answer = lookUp(index, v, at, others);
  last.read = at;
  last.others = others;
  last.answer = answer;
  return answer;
}

/** candidateRules for a defined value `v` (`at`: its place, for a range index) and `rest`'s candidates. */
function lookUp(
  index: RuleIndex,
  v: Value,
  at: Value | number,
  others: readonly CompiledRule[],
): readonly CompiledRule[] {
  const { range, cidr } = index;
  if (range) {
    const own = range.byPlace[at as number];
    return own === undefined || own.length === 0 ? others : mergedOnce(index, `#${at}`, own, others);
  }
  if (cidr) {
    // Not a plain address (a network, or a value the builtin refuses): every rule tests it.
    const match = cidrMatches(cidr, v);
    if (match === undefined) return mergedOnce(index, "#all", cidr.all, others);
    return match.rules.length === 0 ? others : mergedOnce(index, match.key, match.rules, others);
  }
  if (!index.rest) return candidates(index, v);
  const key = valueKey(v);
  const own = index.tested.get(key);
  return own ? mergedOnce(index, key, own, others) : others;
}

/** The rules of `own` and `others` in source order, merged once per key and list of others. */
function mergedOnce(
  index: RuleIndex,
  key: string,
  own: readonly CompiledRule[],
  others: readonly CompiledRule[],
): readonly CompiledRule[] {
  let byOthers = index.merged.get(key);
  if (!byOthers) {
    byOthers = new Map();
    index.merged.set(key, byOthers);
  }
  let list = byOthers.get(others);
  if (!list) {
    list = others.length === 0 ? own : mergeRules(own, others);
    byOthers.set(others, list);
  }
  return list;
}

/** Two lists of rules in source order, merged in source order. */
function mergeRules(a: readonly CompiledRule[], b: readonly CompiledRule[]): CompiledRule[] {
  return [...a, ...b].sort((x, y) => x.ordinal - y.ordinal);
}

interface IndexableTest {
  readonly ref: RefTerm;
  readonly refKey: string;
  readonly valueKey: string;
}

function indexableTests(rule: CompiledRule): IndexableTest[] {
  if (rule.elseRule) return [];
  const out: IndexableTest[] = [];
  for (const e of rule.body) {
    const t = test(e);
    if (t) out.push(t);
  }
  return out;
}

function test(e: Expr): IndexableTest | undefined {
  if (e.negated || e.with.length > 0 || e.kind.type !== "callexpr") return undefined;
  const call = e.kind.call;
  const op = call.operator;
  if (op.head.type !== "var" || op.path.length > 0) return undefined;
  if (op.head.name !== "eq" && op.head.name !== "equal") return undefined;
  const [a, b] = call.args as [Term, Term];
  const pair = groundRef(a) ? ([a, b] as const) : groundRef(b) ? ([b, a] as const) : undefined;
  if (!pair) return undefined;
  const [ref, other] = pair as [RefTerm, Term];
  const v = scalar(other);
  if (v === undefined) return undefined;
  return { ref, refKey: refKey(ref), valueKey: valueKey(v) };
}

function groundRef(t: Term): t is RefTerm {
  return (
    t.type === "ref" &&
    t.head.type === "var" &&
    t.head.name === "input" &&
    t.path.every((p) => p.type === "string" || p.type === "number")
  );
}

function scalar(t: Term): Value | undefined {
  switch (t.type) {
    case "string":
      return t.value;
    case "boolean":
      return t.value;
    case "null":
      return null;
    case "number":
      return numberValue(t.text);
    default:
      return undefined;
  }
}

function refKey(ref: RefTerm): string {
  return JSON.stringify(
    ref.path.map((p) => (p.type === "string" ? p.value : p.type === "number" ? `#${p.text}` : "?")),
  );
}
