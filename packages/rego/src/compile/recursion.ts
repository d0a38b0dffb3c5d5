// Compile stage: recursion detection. Rego forbids rules that depend on themselves, directly or
// through other rules; OPA reports each cycle as `rego_recursion_error`.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, Expr, Term } from "../syntax/ast.js";
import type { CompiledRule, RuleNode } from "./rule-tree.js";

/** Finds cycles between rule nodes and reports one error per rule on a cycle. */
export function checkRecursion(root: RuleNode): RegoErrorDetail[] {
  const nodes: RuleNode[] = [];
  collectRuleNodes(root, nodes);
  const edges = new Map<RuleNode, Set<RuleNode>>();
  for (const n of nodes) {
    const out = new Set<RuleNode>();
    const rules = n.defaultRule ? [...n.rules, n.defaultRule] : n.rules;
    for (const r of rules) ruleDeps(r, root, out);
    edges.set(n, out);
  }
  const errors: RegoErrorDetail[] = [];
  const reported = new Set<RuleNode>();
  const state = new Map<RuleNode, 1 | 2>();
  const stack: RuleNode[] = [];
  const visit = (n: RuleNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(m));
        if (!reported.has(m)) {
          reported.add(m);
          const loc = m.rules[0]?.location ?? m.defaultRule?.location;
          errors.push({
            code: "rego_recursion_error",
            message: `rule ${m.name} is recursive: ${[...cycle, m].map((x) => x.name).join(" -> ")}`,
            ...(loc ? { location: loc } : {}),
          });
        }
      } else if (s === undefined) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of nodes) if (!state.has(n)) visit(n);
  return errors;
}

function collectRuleNodes(n: RuleNode, out: RuleNode[]): void {
  if (n.rules.length > 0 || n.defaultRule) out.push(n);
  for (const c of n.children.values()) collectRuleNodes(c, out);
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

function refDeps(path: readonly Term[], root: RuleNode, out: Set<RuleNode>): void {
  let n = root;
  for (const p of path) {
    if (n.rules.length > 0 || n.defaultRule) {
      out.add(n);
      return;
    }
    if (p.type !== "string" && p.type !== "number") break;
    const c = n.children.get(p.type === "string" ? p.value : p.text);
    if (!c) return;
    n = c;
  }
  addSubtree(n, out);
}

function addSubtree(n: RuleNode, out: Set<RuleNode>): void {
  if (n.rules.length > 0 || n.defaultRule) out.add(n);
  for (const c of n.children.values()) addSubtree(c, out);
}
