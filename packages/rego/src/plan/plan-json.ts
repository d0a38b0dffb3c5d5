// Planning: a query's one term as a getter of its JSON result. Most prepared queries name a rule
// or a package (`data.app.allow`, `data.spacelift`); a package's value is built as JSON directly,
// where building it as a Rego object would only be converted afterwards.

import type { CompiledPolicy } from "../compile/compiler.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { lookup } from "../value/lookup.js";
import type { Term } from "../syntax/ast.js";
import { type Json, toJson } from "../value/json.js";
import type { Value } from "../value/value.js";
import type { Slots } from "./plan-scope.js";
import { plansOf } from "./policy-plans.js";
import { NOT_JSON, type PlanContext, type PlanHost } from "./plan-host.js";

/** Computes a query term's value as JSON; undefined when the term is undefined. */
export type JsonGet = (ev: PlanHost, c: PlanContext, s: Slots) => Json | undefined;

/** The JSON getter of a query of one term without variables; undefined when it has no plan. */
export function planQueryJson(term: Term, policy: CompiledPolicy): JsonGet | undefined {
  const get = plansOf(policy).queryTerm(term);
  if (get === undefined) return undefined;
  const asJson: JsonGet = (ev, c, s) => {
    const v = get(ev, c, s);
    return v === undefined ? undefined : toJson(v);
  };
  const segs = dataPath(term);
  const pkg = segs && packageAt(segs, policy);
  if (segs === undefined || pkg === undefined) return asJson;
  if (pkg === SUBTREE) {
    // Under a subtree index, or with base documents: built like `materialize`, as JSON.
    return (ev, c, s) => {
      const v = ev.dataJson(segs, c);
      return v === NOT_JSON ? asJson(ev, c, s) : v;
    };
  }
  // The base document at the package's path, for the last data seen (values are immutable, so
  // the same data has the same document there): looked up when the engine's data changes.
  let lastData: Value | undefined;
  let lastBase: Value | undefined;
  return (ev, c, s) => {
    const data = ev.baseData;
    if (data !== lastData) {
      let base: Value | undefined = data;
      for (let j = 0; base !== undefined && j < segs.length; j++) base = lookup(base, segs[j] as string);
      lastData = data;
      lastBase = base;
    }
    if (lastBase === undefined) return ev.packageJson(pkg, c);
    const v = ev.dataJson(segs, c);
    return v === NOT_JSON ? asJson(ev, c, s) : v;
  };
}

/** A path above rules that a subtree index covers, where only `materialize`'s walk applies. */
const SUBTREE = Symbol("subtree");

/** The names of a `data` ref with a constant path of strings, else undefined. */
function dataPath(term: Term): readonly string[] | undefined {
  if (term.type !== "ref" || term.head.type !== "var" || term.head.name !== "data") return undefined;
  const segs: string[] = [];
  for (const p of term.path) {
    if (p.type !== "string") return undefined;
    segs.push(p.value);
  }
  return segs;
}

/**
 * The package node at a path, when it holds rules and is built as a plain package; SUBTREE when
 * it is under a subtree index (or its root); undefined for paths to or into rules and for paths
 * without rules.
 */
function packageAt(segs: readonly string[], policy: CompiledPolicy): RuleNode | typeof SUBTREE | undefined {
  let node: RuleNode = policy.root;
  for (const seg of segs) {
    const child = node.children.get(seg);
    if (!child?.hasRules() || child.kind !== undefined) return undefined;
    node = child;
  }
  return node.subtreeIndex || node.coveredOnly ? SUBTREE : node;
}
