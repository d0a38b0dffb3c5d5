// Differential testing, generator: fast-check arbitraries of small Rego v1 modules, as a tree
// whose variable and rule references are indexes resolved when the tree is rendered. That keeps
// every shrink of a tree renderable: a reference to a variable that shrinking removed falls
// back to a constant, so fast-check can cut a failing module down to the few lines that matter.

import fc from "fast-check";
import type { Json } from "../value/json.js";

/** A term of a generated module. Indexes (`n`) pick among what is in scope when rendered. */
export type GenTerm =
  | { readonly t: "number"; readonly n: number }
  | { readonly t: "string"; readonly n: number }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "null" }
  | { readonly t: "input"; readonly path: readonly (string | number)[] }
  | { readonly t: "var"; readonly n: number }
  /** A variable that nothing binds (unless unification does): provokes safety errors. */
  | { readonly t: "free"; readonly n: number }
  | { readonly t: "rule"; readonly n: number; readonly arg: number }
  | { readonly t: "array"; readonly items: readonly GenTerm[] }
  | { readonly t: "set"; readonly items: readonly GenTerm[] }
  | { readonly t: "object"; readonly entries: readonly (readonly [GenTerm, GenTerm])[] }
  | { readonly t: "arith"; readonly op: ArithOp; readonly a: GenTerm; readonly b: GenTerm }
  | { readonly t: "ref"; readonly base: GenTerm; readonly key: GenTerm }
  | {
      readonly t: "call";
      readonly builtin: number;
      /** Per argument: a well-typed constant (a seed) or any term (perhaps ill-typed). */
      readonly args: readonly ({ readonly typed: number } | { readonly free: GenTerm })[];
    }
  | {
      readonly t: "compr";
      readonly kind: "array" | "set" | "object";
      readonly body: readonly GenLiteral[];
      readonly head: GenTerm;
      readonly value: GenTerm;
    };

/** An infix operator producing a value. */
export type ArithOp = "+" | "-" | "*" | "/" | "%" | "|" | "&";

/** A comparison operator. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A literal of a rule body. */
export type GenLiteral =
  | { readonly l: "assign"; readonly term: GenTerm }
  | { readonly l: "unify"; readonly a: GenTerm; readonly b: GenTerm }
  | { readonly l: "compare"; readonly op: CompareOp; readonly a: GenTerm; readonly b: GenTerm }
  | { readonly l: "term"; readonly term: GenTerm }
  | { readonly l: "in"; readonly a: GenTerm; readonly b: GenTerm }
  | { readonly l: "some"; readonly pair: boolean; readonly source: GenTerm }
  | { readonly l: "not"; readonly inner: GenLiteral }
  | {
      readonly l: "every";
      readonly pair: boolean;
      readonly source: GenTerm;
      readonly body: readonly GenLiteral[];
    }
  | {
      readonly l: "with";
      readonly inner: GenLiteral;
      /** `input`, `input.<key>`, or a rule of the module (by index). */
      readonly target:
        | { readonly k: "input"; readonly key: string | undefined }
        | { readonly k: "rule"; readonly n: number };
      readonly value: GenTerm;
    };

/** A body that may be empty (a rule without `if`). */
export type GenBody = readonly GenLiteral[];

/** One `else` branch: its value and its body. */
export interface GenElse {
  readonly value: GenTerm;
  readonly body: GenBody;
}

/** A rule of a generated module. Names come from small pools so that rules meet (and conflict). */
export type GenRule =
  | {
      readonly k: "complete";
      readonly name: number;
      readonly value: GenTerm | undefined;
      readonly body: GenBody;
      readonly elses: readonly GenElse[];
    }
  | { readonly k: "default"; readonly name: number; readonly seed: number }
  | { readonly k: "set"; readonly name: number; readonly key: GenTerm; readonly body: GenBody }
  | {
      readonly k: "object";
      readonly name: number;
      readonly key: GenTerm;
      readonly value: GenTerm;
      readonly body: GenBody;
    }
  | {
      readonly k: "function";
      readonly name: number;
      readonly arity: 1 | 2;
      readonly value: GenTerm;
      readonly body: GenBody;
      readonly elses: readonly GenElse[];
    }
  | {
      readonly k: "ref-head";
      readonly path: number;
      readonly varKey: boolean;
      readonly multi: boolean;
      readonly value: GenTerm;
      readonly body: GenBody;
    };

/** A generated case: a module, an input document, and whether builtin errors are strict. */
export interface GenCase {
  readonly rules: readonly GenRule[];
  readonly input: Json | undefined;
  readonly strict: boolean;
}

/** The keys inputs and input references use, few enough that references hit. */
export const INPUT_KEYS = ["a", "b", "c", "x"] as const;

const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(0.5, -2.5, 1e21, 1.5e-7, 9007199254740992),
  fc.constantFrom("", "a", "abc", "A", "10.0.0.1", "2024-01-02T03:04:05Z", "é", "1"),
  fc.boolean(),
  fc.constant(null),
);

/** Random JSON inputs over the shared keys. */
export const inputArbitrary: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 3, depthIdentifier: "input" },
    jsonLeaf,
    fc.array(tie("json"), { maxLength: 3, depthIdentifier: "input" }),
    fc.dictionary(fc.constantFrom(...INPUT_KEYS), tie("json"), { maxKeys: 3, depthIdentifier: "input" }),
  ),
})).json;

const DEPTH = "gen";

const arbs = fc.letrec<{ term: GenTerm; literal: GenLiteral; body: GenBody }>((tie) => {
  const term = tie("term");
  const literal = tie("literal");
  const body = tie("body");
  return {
    term: fc.oneof(
      { maxDepth: 3, depthIdentifier: DEPTH, withCrossShrink: true },
      fc.record({ t: fc.constant("number" as const), n: fc.nat(31) }),
      fc.record({ t: fc.constant("string" as const), n: fc.nat(63) }),
      fc.record({ t: fc.constant("var" as const), n: fc.nat(7) }),
      fc.record({
        t: fc.constant("input" as const),
        path: fc.array(fc.oneof(fc.constantFrom(...INPUT_KEYS), fc.nat(2)), { maxLength: 2 }),
      }),
      fc.record({ t: fc.constant("bool" as const), v: fc.boolean() }),
      fc.record({ t: fc.constant("null" as const) }),
      fc.record({ t: fc.constant("free" as const), n: fc.nat(1) }),
      fc.record({ t: fc.constant("rule" as const), n: fc.nat(15), arg: fc.nat(31) }),
      fc.record({
        t: fc.constant("call" as const),
        builtin: fc.nat(1023),
        args: fc.array(
          fc.oneof(
            { arbitrary: fc.record({ typed: fc.nat(1 << 16) }), weight: 3 },
            { arbitrary: fc.record({ free: term }), weight: 1 },
          ),
          { maxLength: 4, depthIdentifier: DEPTH },
        ),
      }),
      fc.record({
        t: fc.constant("array" as const),
        items: fc.array(term, { maxLength: 3, depthIdentifier: DEPTH }),
      }),
      fc.record({
        t: fc.constant("set" as const),
        items: fc.array(term, { maxLength: 3, depthIdentifier: DEPTH }),
      }),
      fc.record({
        t: fc.constant("object" as const),
        entries: fc.array(fc.tuple(term, term), { maxLength: 3, depthIdentifier: DEPTH }),
      }),
      fc.record({
        t: fc.constant("arith" as const),
        op: fc.constantFrom<ArithOp>("+", "-", "*", "/", "%", "|", "&"),
        a: term,
        b: term,
      }),
      fc.record({ t: fc.constant("ref" as const), base: term, key: term }),
      fc.record({
        t: fc.constant("compr" as const),
        kind: fc.constantFrom("array" as const, "set" as const, "object" as const),
        body: fc.array(literal, { minLength: 1, maxLength: 3, depthIdentifier: DEPTH }),
        head: term,
        value: term,
      }),
    ),
    literal: fc.oneof(
      { maxDepth: 3, depthIdentifier: DEPTH, withCrossShrink: true },
      fc.record({ l: fc.constant("assign" as const), term }),
      fc.record({ l: fc.constant("term" as const), term }),
      fc.record({
        l: fc.constant("compare" as const),
        op: fc.constantFrom<CompareOp>("==", "!=", "<", "<=", ">", ">="),
        a: term,
        b: term,
      }),
      fc.record({ l: fc.constant("unify" as const), a: term, b: term }),
      fc.record({ l: fc.constant("in" as const), a: term, b: term }),
      fc.record({ l: fc.constant("some" as const), pair: fc.boolean(), source: term }),
      fc.record({ l: fc.constant("not" as const), inner: literal }),
      fc.record({ l: fc.constant("every" as const), pair: fc.boolean(), source: term, body }),
      fc.record({
        l: fc.constant("with" as const),
        inner: literal,
        target: fc.oneof(
          fc.record({
            k: fc.constant("input" as const),
            key: fc.option(fc.constantFrom(...INPUT_KEYS), { nil: undefined }),
          }),
          fc.record({ k: fc.constant("rule" as const), n: fc.nat(15) }),
        ),
        value: term,
      }),
    ),
    body: fc.array(literal, { maxLength: 4, depthIdentifier: DEPTH }),
  };
});

const elses = fc.array(fc.record({ value: arbs.term, body: arbs.body }), { maxLength: 2 });

const ruleArbitrary: fc.Arbitrary<GenRule> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("complete" as const),
      name: fc.nat(3),
      value: fc.option(arbs.term, { nil: undefined }),
      body: arbs.body,
      elses,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ k: fc.constant("default" as const), name: fc.nat(3), seed: fc.nat(1 << 16) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("set" as const),
      name: fc.nat(1),
      key: arbs.term,
      body: arbs.body,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("object" as const),
      name: fc.nat(1),
      key: arbs.term,
      value: arbs.term,
      body: arbs.body,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("function" as const),
      name: fc.nat(1),
      arity: fc.constantFrom(1 as const, 2 as const),
      value: arbs.term,
      body: arbs.body,
      elses,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("ref-head" as const),
      path: fc.nat(2),
      varKey: fc.boolean(),
      multi: fc.boolean(),
      value: arbs.term,
      body: arbs.body,
    }),
    weight: 2,
  },
);

/** Generated cases: one to five rules, an input (or none), strict builtin errors or not. */
export const genCaseArbitrary: fc.Arbitrary<GenCase> = fc.record({
  rules: fc.array(ruleArbitrary, { minLength: 1, maxLength: 5 }),
  input: fc.option(inputArbitrary, { nil: undefined, freq: 4 }),
  strict: fc.boolean(),
});
