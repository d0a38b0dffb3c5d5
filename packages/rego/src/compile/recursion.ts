// Compile stage: recursion detection. Rego forbids rules that depend on themselves, directly or
// through other rules; OPA reports every rule on a cycle as `rego_recursion_error`. Its graph
// (ast/compile.go: NewGraph, GetRulesDynamicWithOpts, checkRecursion) has a vertex per rule and
// per else branch, and an edge for every `data` ref in a rule to each rule the ref may read,
// where a rule sits in OPA's rule tree at the ground prefix of its head ref (`a[0] := 0` at
// data.x.a[0], `a[x] := 0` at data.x.a), not at our node (data.x.a for both).
//
// The evaluator computes a node's rules together, so it also needs no node to read itself: `a[0]
// := 1 if a[1] == 2` next to `a[1] := 2` is no cycle for OPA, but computing node data.x.a would
// need data.x.a. Such node cycles are refused too, when OPA's graph has none to report.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, Expr, RefTerm, Term } from "../syntax/ast.js";
import { refToString } from "../syntax/term-facts.js";
import type { CompiledRule, RuleNode } from "./rule-tree.js";

/** The rule nodes of a tree in dependency order, and the cycles found on the way. */
export interface RuleDependencies {
  /** Every node with rules, after the nodes its rules read (on a cycle, in no particular order). */
  readonly order: readonly RuleNode[];
  /**
   * OPA's: one `rego_recursion_error` per rule (or else branch) on a cycle, in tree order, and
   * past its limit of 10 errors `error limit reached` instead of the rest. Without those, one
   * per node on a cycle of nodes (see the module comment).
   */
  readonly errors: readonly RegoErrorDetail[];
}

/** Orders rule nodes by what they read; finds cycles and reports them as OPA does. */
export function checkRecursion(root: RuleNode): RuleDependencies {
  const nodes: RuleNode[] = [];
  collectRuleNodes(root, nodes);
  const ruleErrors = recursionErrors(new RuleGraph(root, nodes).vertices);
  const edges = new Map<RuleNode, Set<RuleNode>>();
  for (const n of nodes) {
    const out = new Set<RuleNode>();
    const rules = n.defaultRule ? [...n.rules, n.defaultRule] : n.rules;
    for (const r of rules) {
      for (let branch: CompiledRule | undefined = r; branch; branch = branch.elseRule) {
        ruleReads(branch, false, (path) => nodesReadBy(path, root, out));
      }
    }
    edges.set(n, out);
  }
  const nodeOrder = walkDependencies(nodes, edges);
  return { order: nodeOrder.order, errors: ruleErrors.length > 0 ? ruleErrors : nodeOrder.errors };
}

/** OPA's CompileErrorLimitDefault: its compiler stops after this many errors. */
const ERROR_LIMIT = 10;

// A rule where OPA's rule tree holds it: below its node by the keys that lead its head ref up to
// the first one not a scalar constant (the ground prefix; OPA rewrites composite keys to vars).
interface PlacedRule {
  readonly node: RuleNode;
  readonly groundKeys: readonly Term[];
  /** The rule, then its else branches: each a vertex of the graph. */
  readonly vertices: readonly Vertex[];
}

// One vertex of the graph: a rule or an else branch, and the vertices its refs may read.
interface Vertex {
  readonly rule: CompiledRule;
  readonly node: RuleNode;
  /** OPA's name for it in messages: the full head ref (`data.x.a.b[0]`). */
  readonly name: string;
  readonly reads: Vertex[];
  /** Position in `RuleGraph.vertices` (tree order). */
  readonly id: number;
}

class RuleGraph {
  /** Every vertex, in tree order: nodes as `collectRuleNodes` lists them, rules in source order. */
  readonly vertices: Vertex[] = [];
  private readonly placedAt = new Map<RuleNode, PlacedRule[]>();
  private readonly placedBelow = new Map<RuleNode, readonly PlacedRule[]>();

  constructor(
    private readonly root: RuleNode,
    nodes: readonly RuleNode[],
  ) {
    for (const node of nodes) {
      const placed: PlacedRule[] = [];
      for (const top of node.defaultRule ? [...node.rules, node.defaultRule] : node.rules) {
        const vertices: Vertex[] = [];
        const name = ruleName(node, top);
        for (let r: CompiledRule | undefined = top; r; r = r.elseRule) {
          const v: Vertex = { rule: r, node, name, reads: [], id: this.vertices.length };
          vertices.push(v);
          this.vertices.push(v);
        }
        placed.push({ node, groundKeys: groundKeys(top.keys), vertices });
      }
      this.placedAt.set(node, placed);
    }
    for (const v of this.vertices) {
      const read = new Set<PlacedRule>();
      ruleReads(v.rule, true, (path) => this.rulesReadBy(path, read));
      for (const p of read) for (const w of p.vertices) v.reads.push(w);
    }
  }

  /**
   * The rules a `data` ref (its path after `data`) may read, as OPA's GetRulesDynamicWithOpts
   * finds them: every rule placed on the way down (a prefix of the ref: `a[x]` for `a.b`), every
   * rule placed below where the ref ends, and a segment known only at run time follows every
   * branch. A constant that is not a string leaves the node tree (our nodes are named by strings),
   * so it is only matched against the keys of the rules placed at the node.
   */
  private rulesReadBy(path: readonly Term[], out: Set<PlacedRule>): void {
    const pending: [RuleNode, number][] = [[this.root, 0]];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const [n, i] = item;
      for (const p of this.placedAt.get(n) ?? []) if (keysMayMatch(p.groundKeys, path, i)) out.add(p);
      const segment = path[i];
      if (segment === undefined) {
        for (const p of this.rulesBelow(n)) out.add(p);
      } else if (segment.type === "string") {
        const c = n.children.get(segment.value);
        if (c) pending.push([c, i + 1]);
      } else if (!isConstant(segment)) {
        for (const c of n.children.values()) pending.push([c, i + 1]);
      }
    }
  }

  /** The rules placed at the nodes below `node` (memoized: `data.pkg` may be read by many rules). */
  private rulesBelow(node: RuleNode): readonly PlacedRule[] {
    let found = this.placedBelow.get(node);
    if (!found) {
      const list: PlacedRule[] = [];
      const pending = [...node.children.values()];
      for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
        for (const p of this.placedAt.get(n) ?? []) list.push(p);
        for (const c of n.children.values()) pending.push(c);
      }
      found = list;
      this.placedBelow.set(node, found);
    }
    return found;
  }
}

/** The head keys up to the first that is not a scalar constant. */
function groundKeys(keys: readonly Term[]): readonly Term[] {
  const end = keys.findIndex((k) => !isScalar(k));
  return end < 0 ? keys : keys.slice(0, end);
}

/** Whether a rule placed `keys` below the node the ref reached at `i` may be what it reads. */
function keysMayMatch(keys: readonly Term[], path: readonly Term[], i: number): boolean {
  for (let j = 0; j < keys.length && i + j < path.length; j++) {
    const segment = path[i + j] as Term;
    if (isConstant(segment) && !sameScalar(segment, keys[j] as Term)) return false;
  }
  return true;
}

function isScalar(t: Term): boolean {
  return t.type === "string" || t.type === "number" || t.type === "boolean" || t.type === "null";
}

/** OPA's IsConstant: no variables, refs, calls or comprehensions anywhere in the term. */
function isConstant(t: Term): boolean {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
    case "set":
      return t.items.every(isConstant);
    case "object":
      return t.entries.every(([k, v]) => isConstant(k) && isConstant(v));
    default:
      return false;
  }
}

/**
 * Whether a constant ref segment names the same tree child as a scalar head key. A composite
 * constant never does: OPA keys its tree children by value, and composites by pointer.
 */
function sameScalar(segment: Term, key: Term): boolean {
  switch (segment.type) {
    case "string":
      return key.type === "string" && key.value === segment.value;
    case "number":
      return key.type === "number" && key.text === segment.text;
    case "boolean":
      return key.type === "boolean" && key.value === segment.value;
    case "null":
      return key.type === "null";
    default:
      return false;
  }
}

/** OPA's name for a rule: `data`, the node's path, the head's keys (`data.x.a["b c"][k]`). */
function ruleName(node: RuleNode, rule: CompiledRule): string {
  const location = rule.location;
  const ref: RefTerm = {
    type: "ref",
    head: { type: "var", name: "data", location },
    path: [...node.path.map((value): Term => ({ type: "string", value, location })), ...rule.keys],
    location,
  };
  return refToString(ref);
}

// A stack frame of Tarjan's walk: the vertex and the next of its reads to look at.
interface TarjanFrame {
  readonly v: Vertex;
  next: number;
}

/**
 * One error per vertex on a cycle (in a strongly connected component of more than one vertex, or
 * reading itself), naming a shortest way back to it, in tree order; OPA's limit applies. The
 * components come from Tarjan's algorithm with an explicit stack (a chain of 20,000 rules is
 * 20,000 deep).
 */
function recursionErrors(vertices: readonly Vertex[]): RegoErrorDetail[] {
  const component = new Int32Array(vertices.length).fill(-1);
  const componentSize: number[] = [];
  const index = new Int32Array(vertices.length).fill(-1);
  const low = new Int32Array(vertices.length);
  const stack: Vertex[] = [];
  const onStack = new Uint8Array(vertices.length);
  let counter = 0;
  for (const start of vertices) {
    if (index[start.id] !== -1) continue;
    const frames: TarjanFrame[] = [];
    const enter = (v: Vertex): void => {
      index[v.id] = low[v.id] = counter++;
      stack.push(v);
      onStack[v.id] = 1;
      frames.push({ v, next: 0 });
    };
    enter(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as TarjanFrame;
      const w = frame.v.reads[frame.next++];
      if (w !== undefined) {
        if (index[w.id] === -1) enter(w);
        else if (onStack[w.id]) low[frame.v.id] = Math.min(low[frame.v.id] as number, index[w.id] as number);
        continue;
      }
      frames.pop();
      const v = frame.v;
      const parent = frames[frames.length - 1];
      if (parent) low[parent.v.id] = Math.min(low[parent.v.id] as number, low[v.id] as number);
      if (low[v.id] !== index[v.id]) continue;
      const c = componentSize.length;
      let size = 0;
      for (let w2 = stack.pop(); w2 !== undefined; w2 = stack.pop()) {
        onStack[w2.id] = 0;
        component[w2.id] = c;
        size++;
        if (w2 === v) break;
      }
      componentSize.push(size);
    }
  }
  const errors: RegoErrorDetail[] = [];
  for (const v of vertices) {
    const c = component[v.id] as number;
    if ((componentSize[c] as number) === 1 && !v.reads.includes(v)) continue;
    if (errors.length === ERROR_LIMIT) {
      errors.push({ code: "rego_compile_error", message: "error limit reached" });
      break;
    }
    const cycle = wayBack(v, (w) => component[w.id] === c);
    errors.push({
      code: "rego_recursion_error",
      message: `rule ${v.name} is recursive: ${cycle.map((w) => w.name).join(" -> ")}`,
      location: v.rule.location,
    });
  }
  return errors;
}

/** A shortest cycle from `v` back to itself through vertices `inComponent` accepts (breadth first). */
function wayBack(v: Vertex, inComponent: (w: Vertex) => boolean): Vertex[] {
  const cameFrom = new Map<Vertex, Vertex>();
  const queue: Vertex[] = [v];
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head] as Vertex;
    for (const w of u.reads) {
      if (w === v) {
        const back: Vertex[] = [];
        for (let x = u; x !== v; x = cameFrom.get(x) as Vertex) back.push(x);
        return [v, ...back.reverse(), v];
      }
      if (!cameFrom.has(w) && inComponent(w)) {
        cameFrom.set(w, u);
        queue.push(w);
      }
    }
  }
  return [v, v];
}

// A node on the depth-first walk: its successors and the next one to visit.
interface Visit {
  readonly node: RuleNode;
  readonly next: Iterator<RuleNode>;
}

/**
 * A depth-first walk of the graph of nodes with an explicit stack; a successor already on the
 * stack closes a cycle, reported once per node. Nodes are listed as the walk leaves them, so
 * after everything they read.
 */
function walkDependencies(
  nodes: readonly RuleNode[],
  edges: ReadonlyMap<RuleNode, Set<RuleNode>>,
): RuleDependencies {
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

/**
 * The rule nodes the evaluator computes to read a `data` ref: the first node with rules on its
 * path (whole), or everything below where the path ends. Constant segments follow one child; a
 * segment known only at run time (`data[x].a`) may be any child, and the constant segments after
 * it still narrow what is read (only `a` below each).
 */
function nodesReadBy(path: readonly Term[], root: RuleNode, out: Set<RuleNode>): void {
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

function collectRuleNodes(root: RuleNode, out: RuleNode[]): void {
  const pending = [root];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    if (n.rules.length > 0 || n.defaultRule) out.push(n);
    // Reversed, so that nodes come out in the tree's order (the order errors are reported in).
    const children = [...n.children.values()];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i] as RuleNode);
  }
}

// What a rule (not its else branches) reads through `data`: the path after `data` of every ref and
// call operator in its head and body, and of `with` targets when asked: OPA's graph walks every
// ref of a rule, while evaluation never reads the document a `with` replaces.
type ReadPath = (path: readonly Term[]) => void;

function ruleReads(r: CompiledRule, withTargets: boolean, read: ReadPath): void {
  const reads: Reads = { withTargets, read };
  bodyReads(r.body, reads);
  for (const t of [r.value, r.element, ...r.keys, ...(r.args ?? [])]) if (t) termReads(t, reads);
}

interface Reads {
  readonly withTargets: boolean;
  readonly read: ReadPath;
}

function bodyReads(b: Body, read: Reads): void {
  for (const e of b) exprReads(e, read);
}

function exprReads(e: Expr, read: Reads): void {
  const k = e.kind;
  switch (k.type) {
    case "term":
      termReads(k.term, read);
      break;
    case "callexpr":
      termReads(k.call, read);
      break;
    case "some":
      break;
    case "somein":
      for (const t of [k.key, k.value, k.domain]) if (t) termReads(t, read);
      break;
    case "every":
      termReads(k.domain, read);
      bodyReads(k.body, read);
      break;
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
  for (const w of e.with) {
    if (read.withTargets) termReads(w.target, read);
    termReads(w.value, read);
  }
}

function termReads(t: Term, read: Reads): void {
  switch (t.type) {
    case "ref":
      if (t.head.type === "var" && t.head.name === "data") read.read(t.path);
      else termReads(t.head, read);
      for (const p of t.path) termReads(p, read);
      return;
    case "call":
      if (t.operator.head.type === "var" && t.operator.head.name === "data") read.read(t.operator.path);
      for (const a of t.args) termReads(a, read);
      return;
    case "array":
    case "set":
      for (const i of t.items) termReads(i, read);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        termReads(k, read);
        termReads(v, read);
      }
      return;
    case "arraycomp":
    case "setcomp":
      termReads(t.term, read);
      bodyReads(t.body, read);
      return;
    case "objectcomp":
      termReads(t.key, read);
      termReads(t.value, read);
      bodyReads(t.body, read);
      return;
    default:
      return;
  }
}
