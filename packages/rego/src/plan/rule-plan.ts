// Planning: a compiled rule as closures over slots, built once per rule and policy. The
// evaluator runs a rule's plan instead of interpreting its body whenever the context has no
// `with` replacements of data or functions; a rule with a construct the planner does not cover
// (`with`, `print`, dynamic calls, patterns inside refs) has no plan and is interpreted.

import type { CompiledPolicy } from "../compile/compiler.js";
import type { CompiledRule } from "../compile/rule-tree.js";
import type { Term } from "../syntax/ast.js";
import { planBody, planMatch } from "./plan-body.js";
import { planEnumerate } from "./plan-enumerate.js";
import { DONE, type Get, NoPlan, PlanScope, type Step } from "./plan-scope.js";
import { type PlanEnv, planGet } from "./plan-terms.js";

/** A rule's plan: its body as steps, and getters of its head's parts after the body. */
export interface RulePlan {
  /** Slots one evaluation needs. */
  readonly size: number;
  /** Function rules: the slots the arguments go in before `body` runs (it matches them). */
  readonly argSlots: readonly number[];
  /** The body. */
  readonly body: Step;
  /** Functions: argument matching, then the body. */
  readonly call: Step;
  /** The value (complete rules, functions, object entries). */
  readonly value: Get;
  /** The set element (set rules, `contains` under a ref head). */
  readonly element: Get | undefined;
  /** The dynamic keys of an object rule, one per level. */
  readonly keys: readonly Get[];
}

const envs = new WeakMap<CompiledPolicy, PlanEnv>();

/** The plan of a rule, built on first use; undefined when the rule must be interpreted. */
export function planOf(rule: CompiledRule, policy: CompiledPolicy): RulePlan | undefined {
  let plan = rule.plan;
  if (plan === undefined) {
    plan = buildPlan(rule, envOf(policy));
    rule.plan = plan;
  }
  return plan ?? undefined;
}

/**
 * The getter of a query that is one term without variables (`data.pkg.allow`), the common
 * shape of a prepared query; undefined when the term has no plan.
 */
export function planQueryTerm(term: Term, policy: CompiledPolicy): Get | undefined {
  try {
    return planGet(term, PlanScope.root(), envOf(policy));
  } catch (e) {
    if (e instanceof NoPlan) return undefined;
    throw e;
  }
}

function envOf(policy: CompiledPolicy): PlanEnv {
  let env = envs.get(policy);
  if (!env) {
    const e: PlanEnv = {
      policy,
      body: (body, scope, next) => planBody(body, scope, e, next),
      enumerate: (ref, scope, hoists) => planEnumerate(ref, scope, e, hoists),
    };
    env = e;
    envs.set(policy, env);
  }
  return env;
}

function buildPlan(rule: CompiledRule, env: PlanEnv): RulePlan | null {
  try {
    const sc = PlanScope.root();
    const params = rule.args ?? [];
    const argSlots = params.map(() => sc.temp());
    // Arguments are matched against the parameters first, like the head of a body.
    const matchers = params.map((p: Term, i) => planMatch(p, sc, env, (_ev, _c, s) => s[argSlots[i] as number]));
    const body = planBody(rule.body, sc, env, DONE);
    let call: Step = body;
    for (let i = matchers.length - 1; i >= 0; i--) call = (matchers[i] as (next: Step) => Step)(call);
    const value = planGet(rule.value, sc, env);
    const element = rule.element ? planGet(rule.element, sc, env) : undefined;
    const keys = rule.keys.map((k) => planGet(k, sc, env));
    return { size: sc.size, argSlots, body, call, value, element, keys };
  } catch (e) {
    if (e instanceof NoPlan) return null;
    throw e;
  }
}
