// Compile stage: the rule tree, the compiler's output. Every rule hangs at the node of its static
// path under `data` (`data.pkg.roles` for `roles[space][role] { ... }`); planning and the
// evaluator walk this tree alongside the base documents to answer any `data.` reference. Nothing
// downstream writes into it: plans and per-evaluation caches are kept beside it, by node and
// rule id.

import type { RefTerm, Term } from "../syntax/ast.js";
import type { CompiledRule, RuleKind } from "./compiled-rule.js";
import type { RuleIndex } from "./rule-index.js";

export type { CompiledRule, RuleKind } from "./compiled-rule.js";

/** A node of the rule tree: a path segment under `data`, its children and its rules. */
export class RuleNode {
  readonly children: ReadonlyMap<string, RuleNode> = new Map<string, RuleNode>();
  readonly rules: readonly CompiledRule[] = [];
  readonly defaultRule: CompiledRule | undefined;
  readonly kind: RuleKind | undefined;
  readonly index: RuleIndex | undefined;
  /** A module declares this package (an empty package is still an empty object). */
  readonly isPackage: boolean = false;
  /** Index over the rules of many single-rule leaves below (1,000 `roles["s"]["r"] { ... }`). */
  readonly subtreeIndex: SubtreeIndex | undefined;
  /** Every rule at and below this node is covered by an ancestor's subtree index. */
  readonly coveredOnly: boolean = false;
  /** Whether rules exist at or below this node, once the tree is complete. */
  readonly containsRules: boolean | undefined;
  /** Number of the node within its tree (0 for the root), for per-evaluation caches. */
  readonly id: number;

  constructor(
    readonly path: readonly string[],
    private readonly counter: { nodes: number; rules: number } = { nodes: 0, rules: 0 },
  ) {
    this.id = counter.nodes++;
  }

  /** Number of nodes in the whole tree this node belongs to. */
  get treeSize(): number {
    return this.counter.nodes;
  }

  /** Number of rules (else rules included) compiled into the whole tree so far. */
  get ruleCount(): number {
    return this.counter.rules;
  }

  /** A fresh id for a rule compiled into this tree (the compiler's, while it builds the tree). */
  nextRuleId(): number {
    return this.counter.rules++;
  }

  /** The child for a segment, created when missing (the compiler's, while it builds the tree). */
  child(segment: string): RuleNode {
    let c = this.children.get(segment);
    if (!c) {
      c = new RuleNode([...this.path, segment], this.counter);
      (this.children as Map<string, RuleNode>).set(segment, c);
    }
    return c;
  }

  private sorted: (readonly [string, RuleNode])[] | undefined;

  /** The children in key order (read once the tree is complete). */
  sortedChildren(): readonly (readonly [string, RuleNode])[] {
    this.sorted ??= [...this.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }

  private withRules: { readonly names: readonly string[]; readonly nodes: readonly RuleNode[] } | undefined;

  /** The children holding rules at or below them, in key order (read once the tree is complete). */
  ruleChildren(): { readonly names: readonly string[]; readonly nodes: readonly RuleNode[] } {
    if (!this.withRules) {
      const kept = this.sortedChildren().filter(([, c]) => c.hasRules());
      this.withRules = { names: kept.map(([n]) => n), nodes: kept.map(([, c]) => c) };
    }
    return this.withRules;
  }

  /** Whether this node or any node below holds rules. */
  hasRules(): boolean {
    if (this.containsRules !== undefined) return this.containsRules;
    if (this.rules.length > 0 || this.defaultRule || this.isPackage) return true;
    for (const c of this.children.values()) if (c.hasRules()) return true;
    return false;
  }

  /** The node's name as a data ref (`data.a.b`). */
  get name(): string {
    return ["data", ...this.path].join(".");
  }
}

/** The fields of a node the compiler sets while it builds the tree. */
type BuiltFields = "defaultRule" | "kind" | "index" | "isPackage" | "subtreeIndex" | "coveredOnly" | "containsRules";

/** A node as the compiler sees it while building the tree: its fields writable, its rules a list to add to. */
export type RuleNodeDraft = { -readonly [K in BuiltFields]: RuleNode[K] } & { readonly rules: CompiledRule[] };

/**
 * The writable view of a node, for the compiler while it builds the tree. Once compiled, the
 * tree is only read: planning and evaluation keep what they compute beside it.
 */
export function draft(node: RuleNode): RuleNodeDraft {
  return node as unknown as RuleNodeDraft;
}

/** One step down from a subtree-indexed node towards a leaf: the parent, the segment, the child. */
export type PathStep = readonly [parent: RuleNode, segment: string, child: RuleNode];

/** A subtree index: the rule index, and the way down to the leaf each indexed rule belongs to. */
export interface SubtreeIndex {
  readonly index: RuleIndex;
  /** Per indexed rule, the steps from the indexed node to the rule's leaf (the last child). */
  readonly stepsOf: ReadonlyMap<CompiledRule, readonly PathStep[]>;
}

/** Splits a rule head ref into its static path (leading strings) and dynamic key terms. */
export function splitHeadRef(ref: RefTerm): { staticPath: string[]; keys: Term[] } {
  const staticPath: string[] = [];
  const keys: Term[] = [];
  if (ref.head.type === "var") staticPath.push(ref.head.name);
  let dynamic = false;
  for (const p of ref.path) {
    if (!dynamic && p.type === "string") staticPath.push(p.value);
    else {
      dynamic = true;
      keys.push(p);
    }
  }
  return { staticPath, keys };
}
