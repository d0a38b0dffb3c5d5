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

/** Marks a node whose value is not computed yet in a context. */
export const MISSING = Symbol("missing");
const UNDEFINED = Symbol("undefined");

/** The values of rule nodes computed in one context (undefined is a value here: "no value"). */
export class NodeCache {
  private readonly values: unknown[] = [];

  /** The node's value, PENDING while it is being computed, or MISSING. */
  get(node: RuleNode): Value | undefined | typeof PENDING | typeof MISSING {
    const v = this.values[node.id];
    if (v === undefined) return MISSING;
    return v === UNDEFINED ? undefined : (v as Value | typeof PENDING);
  }

  /** Records the node's value (or PENDING). */
  set(node: RuleNode, v: Value | undefined | typeof PENDING): void {
    this.values[node.id] = v === undefined ? UNDEFINED : v;
  }

  /** Forgets the node's value. */
  delete(node: RuleNode): void {
    this.values[node.id] = undefined;
  }
}

/** What `with` can change: input, parts of data, functions; each change gets fresh caches. */
export interface Context {
  readonly input: Value | undefined;
  readonly dataOverrides: readonly { readonly path: readonly Value[]; readonly value: Value }[];
  readonly functionOverrides: ReadonlyMap<string, FunctionOverride>;
  readonly cache: NodeCache;
  /** Per subtree-indexed node: the nodes below it that may hold a value in this context. */
  readonly live?: LiveSetCache;
}

/** Live sets per subtree-indexed node, for one context. */
export type LiveSetCache = Map<RuleNode, LiveSet>;
