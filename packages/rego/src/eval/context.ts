// Evaluation: the state an evaluation carries: variable frames, and the context that `with`
// changes (input, data overrides, function replacements), with the caches that belong to it.

import type { RuleNode } from "../compile/rule-tree.js";
import type { Value } from "../value/value.js";
import type { LiveSet } from "./live-set.js";

/** Marks a rule whose value is being computed (to detect recursion at run time). */
export const PENDING = Symbol("pending");

/** Variable bindings of one rule body or query (comprehensions share their rule's frame). */
export class Frame {
  readonly vals = new Map<string, Value>();
}

/** A replacement installed by `with` for a function or builtin. */
export type FunctionOverride =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "function"; readonly name: string };

/** What `with` can change: input, parts of data, functions; each change gets fresh caches. */
export interface Context {
  readonly input: Value | undefined;
  readonly dataOverrides: readonly { readonly path: readonly Value[]; readonly value: Value }[];
  readonly functionOverrides: ReadonlyMap<string, FunctionOverride>;
  readonly cache: Map<RuleNode, Value | undefined | typeof PENDING>;
  /** Per subtree-indexed node: the nodes below it that may hold a value in this context. */
  readonly live?: LiveSetCache;
}

/** Live sets per subtree-indexed node, for one context. */
export type LiveSetCache = Map<RuleNode, LiveSet>;
