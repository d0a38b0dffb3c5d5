// Compile stage, analysis: what a compiled query depends on. Walks the query and every rule it can
// reach through `data` (functions included, transitively) and reports the parts of `input` read
// (as static path prefixes) and the builtins called, each with the engine's own `nondeterministic`
// flag. Hosts use it to decide whether a decision may be reused; it never evaluates anything.

import type { Body, Expr, RefTerm, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { type CompiledPolicy, type CompiledQuery, findNode, operatorName } from "./compiler.js";
import type { CompiledRule, RuleNode } from "./rule-tree.js";

/** A read of `input`: the static path prefix read (`[]` is the whole input) and where. */
export interface InputRead {
  /** The segments up to the first one not known at compile time (`input.a[x].b` reads `["a"]`). */
  readonly path: readonly string[];
  readonly location: Location;
}

/** A builtin called by the query or a rule it reaches. */
export interface BuiltinCall {
  readonly name: string;
  /** The engine's flag: the result may differ between calls with the same arguments. */
  readonly nondeterministic: boolean;
  readonly location: Location;
}

/** Everything a query depends on besides its rules' text. */
export interface PolicyDependencies {
  /** Every read of `input`, in walk order. */
  readonly inputs: readonly InputRead[];
  /** Every builtin call, in walk order (one entry per call site). */
  readonly builtins: readonly BuiltinCall[];
}

/** The dependencies of a compiled query over a compiled policy (see the module comment). */
export function policyDependencies(policy: CompiledPolicy, query: CompiledQuery): PolicyDependencies {
  const walker = new DependencyWalker(policy);
  walker.body(query.body);
  return { inputs: walker.inputs, builtins: walker.builtins };
}

class DependencyWalker {
  readonly inputs: InputRead[] = [];
  readonly builtins: BuiltinCall[] = [];
  private readonly visitedNodes = new Set<RuleNode>();

  constructor(private readonly policy: CompiledPolicy) {}

  body(body: Body): void {
    for (const e of body) this.expr(e);
  }

  private expr(e: Expr): void {
    // `with` values are read; their targets replace documents or builtins, which reads nothing.
    for (const w of e.with) this.term(w.value);
    const k = e.kind;
    switch (k.type) {
      case "term":
        this.term(k.term);
        return;
      case "callexpr":
        this.term(k.call);
        return;
      case "some":
        return;
      case "somein":
        if (k.key) this.term(k.key);
        this.term(k.value);
        this.term(k.domain);
        return;
      case "every":
        this.term(k.domain);
        this.body(k.body);
        return;
      default: {
        const never: never = k;
        throw new Error(`unexpected expression ${String(never)}`);
      }
    }
  }

  private term(t: Term): void {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return;
      case "var":
        // A bare `input` (after resolution, normally a ref): the whole document.
        if (t.name === "input") this.inputs.push({ path: [], location: t.location });
        return;
      case "ref":
        this.ref(t);
        return;
      case "array":
      case "set":
        for (const i of t.items) this.term(i);
        return;
      case "object":
        for (const [a, b] of t.entries) {
          this.term(a);
          this.term(b);
        }
        return;
      case "arraycomp":
      case "setcomp":
        this.term(t.term);
        this.body(t.body);
        return;
      case "objectcomp":
        this.term(t.key);
        this.term(t.value);
        this.body(t.body);
        return;
      case "call":
        this.call(t.operator, t.location);
        for (const a of t.args) this.term(a);
        return;
      default: {
        const never: never = t;
        throw new Error(`unexpected term ${String(never)}`);
      }
    }
  }

  private ref(t: RefTerm): void {
    for (const p of t.path) this.term(p);
    const head = t.head;
    if (head.type !== "var") {
      this.term(head);
      return;
    }
    if (head.name === "input") {
      this.inputs.push({ path: staticPrefix(t.path), location: t.location });
      return;
    }
    if (head.name === "data") this.data(staticPrefix(t.path));
  }

  private call(operator: RefTerm, location: Location): void {
    const name = operatorName(operator);
    if (name === undefined) {
      // A computed operator cannot name a builtin; walk it as a reference.
      this.ref(operator);
      return;
    }
    if (name.startsWith("data.")) {
      this.data(name.slice(5).split("."));
      return;
    }
    const builtin = this.policy.builtins.get(name);
    this.builtins.push({ name, nondeterministic: builtin?.nondeterministic === true, location });
  }

  /** Every rule at and below the deepest node a `data` path reaches (its static segments). */
  private data(path: readonly string[]): void {
    let node: RuleNode = this.policy.root;
    for (const segment of path) {
      const next = findNode(node, [segment]);
      if (!next) break;
      node = next;
    }
    this.node(node);
  }

  private node(node: RuleNode): void {
    if (this.visitedNodes.has(node)) return;
    this.visitedNodes.add(node);
    for (const r of node.rules) this.rule(r);
    if (node.defaultRule) this.rule(node.defaultRule);
    for (const child of node.children.values()) this.node(child);
  }

  private rule(rule: CompiledRule): void {
    for (const k of rule.keys) this.term(k);
    if (rule.element) this.term(rule.element);
    this.term(rule.value);
    for (const a of rule.args ?? []) this.term(a);
    this.body(rule.body);
    if (rule.elseRule) this.rule(rule.elseRule);
  }
}

/** The string segments of a path up to the first one that is not a string constant. */
function staticPrefix(path: readonly Term[]): string[] {
  const out: string[] = [];
  for (const p of path) {
    if (p.type !== "string") break;
    out.push(p.value);
  }
  return out;
}
