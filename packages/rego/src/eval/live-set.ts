// Evaluation: which rules below a subtree-indexed node may be defined for one input. Only those
// are visited; the others are known undefined without evaluating their bodies.

import type { RuleNode } from "../compile/rule-tree.js";

/** The nodes below a subtree-indexed node that may hold a value for one input. */
export class LiveSet {
  private readonly nodes = new Set<RuleNode>();
  private readonly leaves = new Map<RuleNode, [string, RuleNode][]>();

  /** Records `child` (named `name` under `parent`) as live. */
  add(parent: RuleNode, name: string, child: RuleNode): void {
    if (this.nodes.has(child)) return;
    this.nodes.add(child);
    if (child.kind === undefined) return;
    const list = this.leaves.get(parent);
    if (list) list.push([name, child]);
    else this.leaves.set(parent, [[name, child]]);
  }

  has(node: RuleNode): boolean {
    return this.nodes.has(node);
  }

  /** The live leaves directly under a node. */
  leavesUnder(node: RuleNode): readonly (readonly [string, RuleNode])[] {
    return this.leaves.get(node) ?? NO_LEAVES;
  }

  /** The live leaves directly under a node, in key order. */
  sortedLeavesUnder(node: RuleNode): readonly (readonly [string, RuleNode])[] {
    const list = this.leaves.get(node);
    if (list === undefined) return NO_LEAVES;
    if (list.length > 1) list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return list;
  }
}

const NO_LEAVES: readonly (readonly [string, RuleNode])[] = [];

const statics = new WeakMap<RuleNode, readonly (readonly [string, RuleNode])[]>();

/**
 * A node's children that a subtree index does not pick per input: those it does not cover, and
 * the covered paths (non-leaf children, an empty object where the index ruled them out), in key
 * order. The covered leaves are the live set's.
 */
export function staticChildren(node: RuleNode): readonly (readonly [string, RuleNode])[] {
  let list = statics.get(node);
  if (!list) {
    list = node.sortedChildren().filter(([, child]) => !child.coveredOnly || child.kind === undefined);
    statics.set(node, list);
  }
  return list;
}

const partitions = new WeakMap<
  RuleNode,
  { uncovered: (readonly [string, RuleNode])[]; coveredPaths: (readonly [string, RuleNode])[] }
>();

/** A node's children not covered by a subtree index, and its covered path (non-leaf) children. */
export function partitionChildren(node: RuleNode): {
  uncovered: (readonly [string, RuleNode])[];
  coveredPaths: (readonly [string, RuleNode])[];
} {
  let p = partitions.get(node);
  if (!p) {
    p = { uncovered: [], coveredPaths: [] };
    for (const [name, child] of node.children) {
      if (!child.coveredOnly) p.uncovered.push([name, child]);
      else if (child.kind === undefined) p.coveredPaths.push([name, child]);
    }
    partitions.set(node, p);
  }
  return p;
}
