// Planning: a complete rule node as one closure. With every rule of the node planned, its
// value in a context (no `with` replacements) is computed without the evaluator's per-rule
// dispatch: candidate selection, plan lookup and the conflict check are decided once here.

import { operatorName } from "../compile/compiler.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import { COMPLETE_CONFLICT, checkSameValue } from "../compile/rule-conflicts.js";
import type { CallTerm } from "../syntax/ast.js";
import type { Value } from "../value/value.js";
import { constantOfGet, FOUND, NO_SLOTS, newSlots } from "./plan-scope.js";
import type { RulePlan } from "./rule-plan.js";
import { planRuleValue } from "./run-plan.js";
import type { PlanContext, PlanHost } from "./plan-host.js";

/** Computes a complete node's value in a context without overrides. */
export type NodeRun = (ev: PlanHost, c: PlanContext) => Value | undefined;

/**
 * The closure computing a complete node's value, or null when the evaluator's general path is
 * needed: an indexed node, a rule with `else` or without a plan.
 */
export function planComplete(
  node: RuleNode,
  planOf: (rule: CompiledRule) => RulePlan | undefined,
): NodeRun | null {
  if (node.kind !== "complete" || node.index) return null;
  const rules: CompiledRule[] = [];
  const plans: RulePlan[] = [];
  const seen = new Set<string>();
  for (const r of node.rules) {
    const p = r.elseRule ? undefined : planOf(r);
    if (!p) return null;
    // A rule written the same way twice (modules that each repeat `allow { input.session.member }`)
    // gives the same value twice: one evaluation is enough. Plans exclude `print`, the one call
    // whose effect would show; a rule calling one of the policy's functions is kept, since the
    // function (interpreted, say) may print.
    const key = ruleKey(r);
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    rules.push(r);
    plans.push(p);
  }
  const fallback = node.defaultRule;
  const fallbackPlan = fallback && !fallback.elseRule ? planOf(fallback) : undefined;
  if (fallback && !fallbackPlan) return null;
  const orDefault: NodeRun =
    fallback && fallbackPlan ? (ev, c) => planRuleValue(fallbackPlan, fallback, ev, c) : () => undefined;
  if (rules.length === 1) {
    const rule = rules[0] as CompiledRule;
    const plan = plans[0] as RulePlan;
    if (rule.groundValue) {
      // planRuleValue's first case, without its call: the most common node of all.
      const { size, body, value } = plan;
      const constant = constantOfGet(value);
      if (constant !== undefined) {
        // `allow if input.session.member`: a constant value (`true`) needs no getter call.
        return (ev, c) => (body(ev, c, size === 0 ? NO_SLOTS : newSlots(size), FOUND) ? constant : orDefault(ev, c));
      }
      return (ev, c) => {
        const s = size === 0 ? NO_SLOTS : newSlots(size);
        return body(ev, c, s, FOUND) ? value(ev, c, s) : orDefault(ev, c);
      };
    }
    return (ev, c) => {
      const v = planRuleValue(plan, rule, ev, c);
      return v !== undefined ? v : orDefault(ev, c);
    };
  }
  return (ev, c) => {
    let result: Value | undefined;
    let from: CompiledRule | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      const v = planRuleValue(plans[i] as RulePlan, rule, ev, c);
      if (v === undefined) continue;
      checkSameValue(result, v, COMPLETE_CONFLICT, rule.location ?? from?.location);
      result = v;
      from = rule;
    }
    return result !== undefined ? result : orDefault(ev, c);
  };
}

/**
 * A rule's value and body, without source locations: equal for rules written the same way.
 * Undefined for a rule that calls one of the policy's functions (never merged).
 */
function ruleKey(rule: CompiledRule): string | undefined {
  let callsFunction = false;
  const key = JSON.stringify([rule.value, rule.body], (k, v) => {
    if (k === "location") return undefined;
    if (isCall(v) && operatorName(v.operator)?.startsWith("data.")) callsFunction = true;
    return v;
  });
  return callsFunction ? undefined : key;
}

function isCall(v: unknown): v is CallTerm {
  return typeof v === "object" && v !== null && (v as { type?: unknown }).type === "call";
}
