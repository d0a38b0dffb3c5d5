// Evaluation (runs the plans of the compiled policy, else interprets its rules): the value of a
// rule node in a context, cached there: complete values, sets and objects of many rules,
// through the rule index where the compiler built one.

import { constantValue } from "../compile/constants.js";
import { COMPLETE_CONFLICT, checkSameValue } from "../compile/rule-conflicts.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import { NO_SLOTS } from "../plan/plan-scope.js";
import { planObjectEntries, planRuleValue, planSetElements } from "../plan/run-plan.js";
import type { RefTerm, Term } from "../syntax/ast.js";
import { lookup } from "../value/lookup.js";
import { insertNested, structuralObject } from "../value/path-object.js";
import { type RegoObject, RegoSet, type Value } from "../value/value.js";
import { type Context, Frame, PENDING } from "./context.js";
import { DataEvaluation } from "./data-refs.js";

// Rule evaluations one inside another before the innermost is restarted from a shallow stack
// (see Evaluator.settleNode): well within the stack at every frame size the evaluator uses.
const MAX_RULE_DEPTH = 100;

/** Stops a rule evaluation nested too deep; carries the rule to compute first. Not an Error: no stack trace to capture. */
class TooDeep {
  constructor(readonly node: RuleNode) {}
}

/** Rule nodes' values, through their plans or the interpreter. */
export abstract class RuleEvaluation extends DataEvaluation {
  // -------------------------------------------------------------------------------------------
  // Rules

  /** The value of a rule node in a context, computed once per context. */
  nodeValue(node: RuleNode, c: Context): Value | undefined {
    const cached = c.cache.get(node);
    // Only PENDING and MISSING are symbols (testing the type first is the cheap comparison).
    if (typeof cached !== "symbol") return cached;
    if (cached === PENDING) {
      throw RegoError.of("rego_recursion_error", `rule ${node.name} is recursive`, node.rules[0]?.location);
    }
    if (c === this.rootContext) {
      if (this.ruleDepth === 0) {
        try {
          return this.computeNode(node, c);
        } catch (e) {
          if (!(e instanceof TooDeep)) throw e;
          return this.settleNode(node, e.node, c);
        }
      }
      if (this.ruleDepth >= MAX_RULE_DEPTH) throw new TooDeep(node);
    }
    return this.computeNode(node, c);
  }

  /**
   * The outermost rule evaluation of the root context. A rule that needs a rule that needs a
   * rule... (a chain of 20,000) would need as deep a stack: past MAX_RULE_DEPTH the innermost
   * rule's evaluation stops (TooDeep), that rule is computed here first, from a shallow stack,
   * and the stopped evaluation starts again, finding its value cached. Each restart goes
   * MAX_RULE_DEPTH further down, so a chain costs about twice its length, never a deep stack.
   */
  protected settleNode(node: RuleNode, deeper: RuleNode, c: Context): Value | undefined {
    const pending: RuleNode[] = [node, deeper];
    for (;;) {
      const target = pending[pending.length - 1] as RuleNode;
      try {
        const cached = c.cache.get(target);
        const v = typeof cached !== "symbol" ? cached : this.computeNode(target, c);
        pending.pop();
        if (pending.length === 0) return v;
      } catch (e) {
        if (!(e instanceof TooDeep)) throw e;
        pending.push(e.node);
      }
    }
  }

  protected computeNode(node: RuleNode, c: Context): Value | undefined {
    c.cache.set(node, PENDING);
    this.ruleDepth++;
    let v: Value | undefined;
    try {
      // A complete node planned before (see completeValue): straight to its closure. Only the
      // array is read here (as the node's own field was before plans left the rule tree).
      const run = this.plans.nodeRuns[node.id];
      if (run && this.planned(c)) {
        v = run(this, c);
        c.cache.set(node, v);
        return v;
      }
      switch (node.kind) {
        case "complete":
          v = this.completeValue(node, c);
          break;
        case "set":
          v = this.setValue(node, c);
          break;
        case "object":
          v = this.objectValue(node, c);
          break;
        case "function":
        case undefined:
          v = undefined;
          break;
        default: {
          const never: never = node.kind;
          return never;
        }
      }
    } catch (e) {
      c.cache.delete(node);
      throw e;
    } finally {
      this.ruleDepth--;
    }
    c.cache.set(node, v);
    return v;
  }

  protected candidateRules(node: RuleNode, c: Context): readonly CompiledRule[] {
    const index = node.index;
    if (!index) return node.rules;
    return this.indexCandidates(index, c);
  }

  /** The value of a rule index's ref (an input field) in a context. */
  protected indexValue(ref: RefTerm, c: Context): Value | undefined {
    const get = this.plans.queryTerm(ref);
    if (get) return get(this, c, NO_SLOTS);
    let v: Value | undefined;
    this.evalRef(ref, new Frame(), c, (x) => {
      v = x;
      return true;
    });
    return v;
  }

  protected completeValue(node: RuleNode, c: Context): Value | undefined {
    if (this.planned(c)) {
      const run = this.plans.node(node);
      if (run) return run(this, c);
    }
    let result: Value | undefined;
    let from: CompiledRule | undefined;
    for (const rule of this.candidateRules(node, c)) {
      const v = this.ruleValue(rule, c);
      if (v === undefined) continue;
      checkSameValue(result, v, COMPLETE_CONFLICT, rule.location ?? from?.location);
      result = v;
      from = rule;
    }
    if (result === undefined && node.defaultRule) result = this.ruleValue(node.defaultRule, c);
    return result;
  }

  /** The value a complete rule (with its else chain) produces, if any. */
  protected ruleValue(rule: CompiledRule, c: Context): Value | undefined {
    const plan = this.planned(c) ? this.plans.rule(rule) : undefined;
    if (plan) {
      const result = planRuleValue(plan, rule, this, c);
      if (result === undefined && rule.elseRule) return this.ruleValue(rule.elseRule, c);
      return result;
    }
    const f = new Frame();
    let result: Value | undefined;
    this.evalBody(rule.body, 0, f, c, () =>
      this.evalTerm(rule.value, f, c, (v) => {
        checkSameValue(result, v, COMPLETE_CONFLICT, rule.location);
        result = v;
        return rule.groundValue;
      }),
    );
    if (result === undefined && rule.elseRule) return this.ruleValue(rule.elseRule, c);
    return result;
  }

  protected setValue(node: RuleNode, c: Context): Value {
    const out = new RegoSet();
    const planned = this.planned(c);
    for (const rule of this.candidateRules(node, c)) {
      const plan = planned ? this.plans.rule(rule) : undefined;
      if (plan) {
        planSetElements(plan, this, c, out);
        continue;
      }
      const f = new Frame();
      const element = rule.element as Term;
      this.evalBody(rule.body, 0, f, c, () =>
        this.evalTerm(element, f, c, (v) => {
          out.add(v);
          return false;
        }),
      );
    }
    return out;
  }

  protected objectValue(node: RuleNode, c: Context): Value {
    const out = structuralObject();
    const planned = this.planned(c);
    let defaults = false;
    for (const rule of this.candidateRules(node, c)) {
      if (rule.isDefault) {
        defaults = true;
        continue;
      }
      const plan = planned ? this.plans.rule(rule) : undefined;
      if (plan) {
        planObjectEntries(plan, rule, this, c, out);
        continue;
      }
      const f = new Frame();
      const element = rule.element;
      // Ground keys and value (`c[7] := 1 if ...`): the first solution decides the one entry.
      const once = !element && rule.groundKeys && rule.groundValue;
      this.evalBody(rule.body, 0, f, c, () =>
        this.evalArgs(rule.keys, 0, [], f, c, (keys) =>
          element
            ? this.evalTerm(element, f, c, (v) => {
                insertNested(out, keys, RegoSet.of([v]), rule.location);
                return false;
              })
            : this.evalTerm(rule.value, f, c, (v) => {
                insertNested(out, keys, v, rule.location);
                return once;
              }),
        ),
      );
    }
    if (defaults) this.keyedDefaults(node, out, c);
    for (const [name, child] of node.children) {
      if (!child.hasRules()) continue;
      const v = this.materialize(child, undefined, [...node.path, name], c);
      if (v !== undefined) insertNested(out, [name], v, child.rules[0]?.location ?? node.rules[0]?.location);
    }
    if (out.size === 0 && node.defaultRule) {
      const d = this.ruleValue(node.defaultRule, c);
      if (d !== undefined) return d;
    }
    return out;
  }

  /** Adds the values of keyed defaults (`default p[true] := 1`) at the paths no rule gave a value. */
  private keyedDefaults(node: RuleNode, out: RegoObject, c: Context): void {
    for (const rule of node.rules) {
      if (!rule.isDefault) continue;
      const keys: Value[] = [];
      for (const k of rule.keys) {
        // constantValue, not constantOf: a `null` key is a literal too.
        const v = constantValue(k);
        if (v === undefined) return;
        keys.push(v);
      }
      let at: Value | undefined = out;
      for (const k of keys) at = at === undefined ? undefined : lookup(at, k);
      if (at !== undefined) continue;
      const v = this.ruleValue(rule, c);
      if (v !== undefined) insertNested(out, keys, v, rule.location);
    }
  }
}
