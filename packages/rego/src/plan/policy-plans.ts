// Planning: the plans of one compiled policy, kept beside its rule tree (by rule and node id)
// and built on first use. The compiled policy itself is never written to; every evaluation of
// the policy shares these plans.

import type { CompiledPolicy } from "../compile/compiler.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import type { Term } from "../syntax/ast.js";
import { type NodeRun, planComplete } from "./node-plan.js";
import type { Get } from "./plan-scope.js";
import type { PlanEnv } from "./plan-terms.js";
import { buildQueryGet, buildRulePlan, planEnv, type RulePlan } from "./rule-plan.js";

/** The plans of one compiled policy: per rule, per complete node, per one-term query. */
export class PolicyPlans {
  private readonly env: PlanEnv;
  // undefined: not planned yet; null: planned, and interpreted instead. Filled up front: an
  // array written at scattered ids from empty turns into a slow dictionary.
  private readonly rules: (RulePlan | null | undefined)[];
  /**
   * Per complete node id, its closure once built (null: none; undefined: not built yet). Read
   * directly where every rule node is computed; `node` builds it.
   */
  readonly nodeRuns: readonly (NodeRun | null | undefined)[];
  private readonly nodes: (NodeRun | null | undefined)[];
  private readonly queries = new WeakMap<Term, Get | null>();
  private readonly ruleOf = (rule: CompiledRule): RulePlan | undefined => this.rule(rule);

  constructor(policy: CompiledPolicy) {
    this.env = planEnv(policy);
    this.rules = new Array(policy.root.ruleCount).fill(undefined);
    this.nodes = new Array(policy.root.treeSize).fill(undefined);
    this.nodeRuns = this.nodes;
  }

  /** The plan of a rule, built on first use; undefined when the rule must be interpreted. */
  rule(rule: CompiledRule): RulePlan | undefined {
    // Small enough to be inlined where rules are evaluated; building is out of line.
    const plan = this.rules[rule.id];
    if (plan !== undefined) return plan ?? undefined;
    return this.buildRule(rule);
  }

  private buildRule(rule: CompiledRule): RulePlan | undefined {
    const plan = buildRulePlan(rule, this.env);
    this.rules[rule.id] = plan;
    return plan ?? undefined;
  }

  /** A complete node's value as one closure, built on first use; null when it has none. */
  node(node: RuleNode): NodeRun | null {
    const run = this.nodes[node.id];
    return run !== undefined ? run : this.buildNode(node);
  }

  private buildNode(node: RuleNode): NodeRun | null {
    const run = planComplete(node, this.ruleOf);
    this.nodes[node.id] = run;
    return run;
  }

  /** The getter of a query (or index ref) that is one term, built on first use; undefined without a plan. */
  queryTerm(term: Term): Get | undefined {
    let get = this.queries.get(term);
    if (get === undefined) {
      get = buildQueryGet(term, this.env) ?? null;
      this.queries.set(term, get);
    }
    return get ?? undefined;
  }
}

const plansByPolicy = new WeakMap<CompiledPolicy, PolicyPlans>();

/** The plans of a compiled policy (one set per policy, shared by its evaluations). */
export function plansOf(policy: CompiledPolicy): PolicyPlans {
  let plans = plansByPolicy.get(policy);
  if (!plans) {
    plans = new PolicyPlans(policy);
    plansByPolicy.set(policy, plans);
  }
  return plans;
}

/** The plan of a rule of a policy; undefined when the rule must be interpreted. */
export function planOf(rule: CompiledRule, policy: CompiledPolicy): RulePlan | undefined {
  return plansOf(policy).rule(rule);
}
