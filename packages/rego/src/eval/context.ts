// Evaluation: the state an evaluation carries: variable frames, and the context that `with`
// changes (input, data overrides, function replacements), with the caches that belong to it.

import type { RuleNode } from "../compile/rule-tree.js";
import type { PlanContext } from "../plan/plan-host.js";
import { fromJsonLazy } from "../value/json.js";
import type { Value } from "../value/value.js";
import type { LiveSet } from "./live-set.js";
import { RawInput } from "../value/raw-input.js";

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
// Nodes a cache makes room for up front; larger trees grow it as nodes are computed.
const PRESIZED_NODES = 64;
// The root context overrides no data.
const NO_DATA_OVERRIDES: Context["dataOverrides"] = [];

/** The values of rule nodes computed in one context (undefined is a value here: "no value"). */
export class NodeCache {
  private readonly values: unknown[];

  /**
   * A cache for a tree of `nodes` nodes. Room for the first ones is made at once: an array grown
   * from empty by a write at a high index would be copied, and over-allocated, on the way.
   */
  constructor(nodes = 0) {
    this.values = nodes > 0 ? new Array(Math.min(nodes, PRESIZED_NODES)) : [];
  }

  /** The node's value, PENDING while it is being computed, or MISSING. */
  get(node: RuleNode): Value | undefined | typeof PENDING | typeof MISSING {
    const v = this.values[node.id];
    if (v === undefined) return MISSING;
    // Values are never symbols: testing the type first keeps the comparisons cheap (a compare
    // against a symbol of a value of any type is a call in optimized code).
    if (typeof v !== "symbol") return v as Value;
    return v === UNDEFINED ? undefined : (v as typeof PENDING);
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
export interface Context extends PlanContext {
  readonly input: Value | undefined;
  /**
   * The caller's JSON input, when `input` is exactly that (no `with input` in effect): planned
   * refs to scalar fields read it directly, without converting anything.
   */
  readonly rawInput?: RawInput;
  readonly dataOverrides: readonly { readonly path: readonly Value[]; readonly value: Value }[];
  readonly functionOverrides: ReadonlyMap<string, FunctionOverride>;
  readonly cache: NodeCache;
  /** Per subtree-indexed node: the nodes below it that may hold a value in this context. */
  readonly live?: LiveSetCache;
}

/** Live sets per subtree-indexed node, for one context. */
export type LiveSetCache = Map<RuleNode, LiveSet>;

/**
 * The context an evaluation starts in: the caller's input (converted on first use as a whole
 * value), no overrides, fresh caches.
 */
export class RootContext implements Context {
  private converted: Value | undefined;
  private raw: unknown;
  readonly rawInput: RawInput | undefined;
  readonly dataOverrides = NO_DATA_OVERRIDES;
  readonly cache: NodeCache;

  constructor(
    raw: unknown,
    readonly functionOverrides: ReadonlyMap<string, FunctionOverride>,
    nodes: number,
  ) {
    this.cache = new NodeCache(nodes);
    this.raw = raw;
    this.rawInput = RawInput.of(raw);
  }

  /** The input as a Rego value (objects convert lazily, field by field). */
  get input(): Value | undefined {
    if (this.raw !== undefined) {
      this.converted = fromJsonLazy(this.raw);
      this.raw = undefined;
    }
    return this.converted;
  }
}
