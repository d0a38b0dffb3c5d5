// Evaluation of planned rules: what a rule contributes to its node (a value, set elements,
// object entries, a function's result), computed by running its plan on a fresh slot array.

import type { CompiledRule } from "../compile/rule-tree.js";
import { COMPLETE_CONFLICT, checkSameValue, FUNCTION_CONFLICT } from "../compile/rule-conflicts.js";
import { insertNested } from "../value/path-object.js";
import { type RegoObject, RegoSet, type Value } from "../value/value.js";
import { FOUND, type Get, NO_SLOTS, newSlots, type Slots, type Step } from "./plan-scope.js";
import type { RulePlan } from "./rule-plan.js";
import type { PlanContext, PlanHost } from "./plan-host.js";

/** The value of a complete rule (not its else chain); undefined when its body fails. */
export function planRuleValue(plan: RulePlan, rule: CompiledRule, ev: PlanHost, c: PlanContext): Value | undefined {
  const s = plan.size === 0 ? NO_SLOTS : newSlots(plan.size);
  // A value that reads no variable: one solution decides, and the value follows it.
  if (rule.groundValue) return plan.body(ev, c, s, FOUND) ? plan.value(ev, c, s) : undefined;
  return singleValue(plan.body, plan.value, ev, c, s, rule, COMPLETE_CONFLICT);
}

/** A function rule's result for arguments (not its else chain); undefined when it fails. */
export function planFunctionValue(
  plan: RulePlan,
  rule: CompiledRule,
  ev: PlanHost,
  c: PlanContext,
  args: readonly Value[],
): Value | undefined {
  const s = newSlots(plan.size);
  for (let i = 0; i < plan.argSlots.length; i++) s[plan.argSlots[i] as number] = args[i];
  return singleValue(plan.call, plan.value, ev, c, s, rule, FUNCTION_CONFLICT);
}

/** Adds a set rule's elements to `out`. */
export function planSetElements(plan: RulePlan, ev: PlanHost, c: PlanContext, out: RegoSet): void {
  const s = newSlots(plan.size);
  const element = plan.element as Get;
  plan.body(ev, c, s, () => {
    const v = element(ev, c, s);
    if (v !== undefined) out.add(v);
    return false;
  });
}

/** Adds an object rule's entries (or, for `contains` under a ref head, set elements) to `out`. */
export function planObjectEntries(
  plan: RulePlan,
  rule: CompiledRule,
  ev: PlanHost,
  c: PlanContext,
  out: RegoObject,
): void {
  const s = newSlots(plan.size);
  // Ground keys and value (`c[7] := 1 if ...`): the first solution decides the one entry.
  const once = !plan.element && rule.groundKeys && rule.groundValue;
  plan.body(ev, c, s, () => {
    const keys: Value[] = new Array(plan.keys.length);
    for (let i = 0; i < plan.keys.length; i++) {
      const k = (plan.keys[i] as Get)(ev, c, s);
      if (k === undefined) return false;
      keys[i] = k;
    }
    const v = plan.element ? plan.element(ev, c, s) : plan.value(ev, c, s);
    if (v === undefined) return false;
    insertNested(out, keys, plan.element ? RegoSet.of([v]) : v, rule.location);
    return once;
  });
}

/** The one value `value` takes over every solution of `body`; two different ones conflict. */
function singleValue(
  body: Step,
  value: Get,
  ev: PlanHost,
  c: PlanContext,
  s: Slots,
  rule: CompiledRule,
  conflict: string,
): Value | undefined {
  let result: Value | undefined;
  body(ev, c, s, () => {
    const v = value(ev, c, s);
    if (v === undefined) return false;
    checkSameValue(result, v, conflict, rule.location);
    result = v;
    return rule.groundValue;
  });
  return result;
}
