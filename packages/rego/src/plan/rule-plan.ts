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

/** The planning environment of a policy: how bodies and enumerations inside terms are planned. */
export function planEnv(policy: CompiledPolicy): PlanEnv {
  const env: PlanEnv = {
    policy,
    body: (body, scope, next) => planBody(body, scope, env, next),
    enumerate: (ref, scope, hoists) => planEnumerate(ref, scope, env, hoists),
  };
  return env;
}

/**
 * The getter of a query that is one term without variables (`data.pkg.allow`), the common
 * shape of a prepared query; undefined when the term has no plan.
 */
export function buildQueryGet(term: Term, env: PlanEnv): Get | undefined {
  try {
    return planGet(term, PlanScope.root(), env);
  } catch (e) {
    if (e instanceof NoPlan) return undefined;
    throw e;
  }
}

/** A rule's plan; null when the rule has a construct without a plan and must be interpreted. */
export function buildRulePlan(rule: CompiledRule, env: PlanEnv): RulePlan | null {
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
