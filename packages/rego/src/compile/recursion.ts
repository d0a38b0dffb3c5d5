// Compile stage: recursion detection. Rego forbids rules that depend on themselves, directly or
// through other rules; OPA reports each cycle as `rego_recursion_error`.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, Expr, Term } from "../syntax/ast.js";
import type { CompiledRule, RuleNode } from "./rule-tree.js";

/** The rule nodes of a tree in dependency order, and the cycles found on the way. */
export interface RuleDependencies {
  /** Every node with rules, after the nodes its rules read (on a cycle, in no particular order). */
  readonly order: readonly RuleNode[];
  /** One `rego_recursion_error` per rule on a cycle. */
  readonly errors: readonly RegoErrorDetail[];
}

/** Orders rule nodes by what they read; finds cycles and reports one error per rule on a cycle. */
export function checkRecursion(root: RuleNode): RuleDependencies {
  const nodes: RuleNode[] = [];
  collectRuleNodes(root, nodes);
  const edges = new Map<RuleNode, Set<RuleNode>>();
  for (const n of nodes) {
    const out = new Set<RuleNode>();
    const rules = n.defaultRule ? [...n.rules, n.defaultRule] : n.rules;
    for (const r of rules) ruleDeps(r, root, out);
    edges.set(n, out);
  }
  return walkDependencies(nodes, edges);
}

// A node on the depth-first walk: its successors and the next one to visit.
interface Visit {
  readonly node: RuleNode;
  readonly next: Iterator<RuleNode>;
}

/**
 * A depth-first walk of the dependency graph with an explicit stack (a chain of 20,000 rules
 * is 20,000 deep); a successor already on the stack closes a cycle, reported once per node.
 * Nodes are listed as the walk leaves them, so after everything they read.
 */
function walkDependencies(nodes: readonly RuleNode[], edges: ReadonlyMap<RuleNode, Set<RuleNode>>): RuleDependencies {
  const errors: RegoErrorDetail[] = [];
  const order: RuleNode[] = [];
  const reported = new Set<RuleNode>();
  const state = new Map<RuleNode, 1 | 2>();
  const onStack: RuleNode[] = [];
  const visits: Visit[] = [];
  const enter = (n: RuleNode): void => {
    state.set(n, 1);
    onStack.push(n);
    visits.push({ node: n, next: (edges.get(n) ?? new Set<RuleNode>()).values() });
  };
  for (const start of nodes) {
    if (state.has(start)) continue;
    enter(start);
    while (visits.length > 0) {
      const top = visits[visits.length - 1] as Visit;
      const step = top.next.next();
      if (step.done) {
        visits.pop();
        onStack.pop();
        state.set(top.node, 2);
        order.push(top.node);
        continue;
      }
      const m = step.value;
      const s = state.get(m);
      if (s === undefined) enter(m);
      else if (s === 1 && !reported.has(m)) {
        reported.add(m);
        const cycle = onStack.slice(onStack.indexOf(m));
        const loc = m.rules[0]?.location ?? m.defaultRule?.location;
        errors.push({
          code: "rego_recursion_error",
          message: `rule ${m.name} is recursive: ${[...cycle, m].map((x) => x.name).join(" -> ")}`,
          ...(loc ? { location: loc } : {}),
        });
      }
    }
  }
  return { order, errors };
}

function collectRuleNodes(root: RuleNode, out: RuleNode[]): void {
  const pending = [root];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    if (n.rules.length > 0 || n.defaultRule) out.push(n);
    // Reversed, so that nodes come out in the tree's order (the order errors are reported in).
    const children = [...n.children.values()];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i] as RuleNode);
  }
}

function ruleDeps(r: CompiledRule, root: RuleNode, out: Set<RuleNode>): void {
  bodyDeps(r.body, root, out);
  for (const t of [r.value, r.element, ...r.keys, ...(r.args ?? [])]) if (t) termDeps(t, root, out);
  if (r.elseRule) ruleDeps(r.elseRule, root, out);
}

function bodyDeps(b: Body, root: RuleNode, out: Set<RuleNode>): void {
  for (const e of b) exprDeps(e, root, out);
}

function exprDeps(e: Expr, root: RuleNode, out: Set<RuleNode>): void {
  const k = e.kind;
  switch (k.type) {
    case "term":
      termDeps(k.term, root, out);
      break;
    case "callexpr":
      termDeps(k.call, root, out);
      break;
    case "some":
      break;
    case "somein":
      for (const t of [k.key, k.value, k.domain]) if (t) termDeps(t, root, out);
      break;
    case "every":
      termDeps(k.domain, root, out);
      bodyDeps(k.body, root, out);
      break;
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
  for (const w of e.with) termDeps(w.value, root, out);
}

function termDeps(t: Term, root: RuleNode, out: Set<RuleNode>): void {
  switch (t.type) {
    case "ref":
      if (t.head.type === "var" && t.head.name === "data") refDeps(t.path, root, out);
      else termDeps(t.head, root, out);
      for (const p of t.path) termDeps(p, root, out);
      return;
    case "call":
      if (t.operator.head.type === "var" && t.operator.head.name === "data")
        refDeps(t.operator.path, root, out);
      for (const a of t.args) termDeps(a, root, out);
      return;
    case "array":
    case "set":
      for (const i of t.items) termDeps(i, root, out);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        termDeps(k, root, out);
        termDeps(v, root, out);
      }
      return;
    case "arraycomp":
    case "setcomp":
      termDeps(t.term, root, out);
      bodyDeps(t.body, root, out);
      return;
    case "objectcomp":
      termDeps(t.key, root, out);
      termDeps(t.value, root, out);
      bodyDeps(t.body, root, out);
      return;
    default:
      return;
  }
}

/**
 * The rule nodes a `data` ref may read. Constant segments follow one child; a segment known only
 * at run time (`data[x].a`) may be any child, and the constant segments after it still narrow
 * what is read (only `a` below each), as OPA does. A node with rules is read whole; the end of
 * the path reads everything below it.
 */
function refDeps(path: readonly Term[], root: RuleNode, out: Set<RuleNode>): void {
  const pending: [RuleNode, number][] = [[root, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [n, i] = item;
    if (n.rules.length > 0 || n.defaultRule) {
      out.add(n);
      continue;
    }
    const p = path[i];
    if (p === undefined) {
      addSubtree(n, out);
      continue;
    }
    const key = p.type === "string" ? p.value : p.type === "number" ? p.text : undefined;
    if (key !== undefined) {
      const c = n.children.get(key);
      if (c) pending.push([c, i + 1]);
    } else for (const c of n.children.values()) pending.push([c, i + 1]);
  }
}

function addSubtree(root: RuleNode, out: Set<RuleNode>): void {
  const pending = [root];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    if (n.rules.length > 0 || n.defaultRule) out.add(n);
    for (const c of n.children.values()) pending.push(c);
  }
}
