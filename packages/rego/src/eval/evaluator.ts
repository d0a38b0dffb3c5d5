// Evaluation (the last stage: runs the plans of the compiled policy and interprets the rest):
// one evaluation of a query. The evaluator is assembled from one class per concept (budget,
// expressions, terms, data refs, rule values); this last one adds calls of functions and
// builtins, and the entry points a prepared query uses.

import { member2, member3 } from "../builtins/special-builtins.js";
import { type CompiledPolicy, findNode, namePath } from "../compile/compiler.js";
import { checkSameValue, FUNCTION_CONFLICT } from "../compile/rule-conflicts.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import type { PlanHost } from "../plan/plan-host.js";
import { plansOf } from "../plan/policy-plans.js";
import { planFunctionValue } from "../plan/run-plan.js";
import type { Body, CallTerm, Expr, Term } from "../syntax/ast.js";
import { formatValue } from "../value/format-value.js";
import type { Value } from "../value/value.js";
import { CHECK_EVERY } from "./budget.js";
import { type Context, Frame, type FunctionOverride, NodeCache, RootContext } from "./context.js";
import { callName, type EvaluationSettings, type K, type VK } from "./evaluation-base.js";
import { RuleEvaluation } from "./rule-values.js";

export { lookup } from "../value/lookup.js";
export { Frame } from "./context.js";
export type { EvaluationSettings } from "./evaluation-base.js";

// The root context replaces no function (`with` copies before it adds).
const NO_OVERRIDES: ReadonlyMap<string, FunctionOverride> = new Map();

// Function nodes by name, per compiled policy (shared by all its evaluations).
const functionNodes = new WeakMap<CompiledPolicy, Map<string, RuleNode | undefined>>();

/**
 * One evaluation of a query against a compiled policy and data. It is also what builtins see
 * of the evaluation (its `BuiltinContext`): the clock, read at most once, and a cache.
 */
export class Evaluator extends RuleEvaluation implements PlanHost {
  // Never called: evaluations are constructed by `new Evaluation(...)` (see EvaluatorState below).
  private constructor() {
    super();
  }

  /** Asks the evaluator to remember the last value of these term expressions. */
  recordValuesOf(exprs: readonly Expr[]): void {
    this.recorded = new Map(exprs.map((e) => [e, undefined]));
  }

  /** The last value recorded for a term expression. */
  recordedValue(e: Expr): Value | undefined {
    return this.recorded?.get(e);
  }

  /** The evaluation's own context: its input, no overrides, caches shared by all its queries. */
  initialContext(): Context {
    this.rootContext ??= new RootContext(this.input, NO_OVERRIDES, this.root.treeSize);
    return this.rootContext;
  }

  /** Runs a body, calling `k` once per solution with the frame bound. */
  run(body: Body, frame: Frame, k: K): boolean {
    return this.evalBody(body, 0, frame, this.initialContext(), k);
  }

  /** Evaluates a term once in a frame (for reporting expression values). */
  firstValue(t: Term, frame: Frame): Value | undefined {
    let out: Value | undefined;
    this.evalTerm(t, frame, this.initialContext(), (v) => {
      out = v;
      return true;
    });
    return out;
  }

  /** The value OPA reports for a query expression in a solution: a term's or call's value, else true. */
  expressionValue(e: Expr, frame: Frame): Value | undefined {
    if (e.negated) return true;
    const k = e.kind;
    if (k.type === "term") return this.firstValue(k.term, frame);
    if (k.type !== "callexpr") return true;
    const name = callName(k.call.operator);
    if (name === undefined || name === "eq" || name === "assign" || name === "print") return true;
    const arity = this.arityOf(name);
    if (arity !== undefined && k.call.args.length !== arity) return true;
    return this.firstValue(k.call, frame);
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  /** Function nodes by name, shared by every evaluation of the policy. */
  protected get nodeCache(): Map<string, RuleNode | undefined> {
    if (!this.nodeCacheOfPolicy) {
      let nodes = functionNodes.get(this.policy);
      if (!nodes) {
        nodes = new Map();
        functionNodes.set(this.policy, nodes);
      }
      this.nodeCacheOfPolicy = nodes;
    }
    return this.nodeCacheOfPolicy;
  }

  protected functionNode(name: string): RuleNode | undefined {
    const cache = this.nodeCache;
    if (cache.has(name)) return cache.get(name);
    const node = findNode(this.root, namePath(name.slice(5)));
    const fn = node?.kind === "function" ? node : undefined;
    cache.set(name, fn);
    return fn;
  }

  protected evalCall(call: CallTerm, f: Frame, c: Context, vk: VK): boolean {
    const name = callName(call.operator);
    if (name === undefined) {
      throw RegoError.of("eval_internal_error", "dynamic function calls are not supported", call.location);
    }
    if (name === "print" && !c.functionOverrides.has("print")) return this.evalPrint(call, f, c, vk);
    return this.evalArgs(call.args, 0, [], f, c, (vals) => {
      const result = this.invoke(name, call, vals, c);
      return result === undefined ? false : vk(result);
    });
  }

  protected invoke(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined {
    const override = c.functionOverrides.size === 0 ? undefined : c.functionOverrides.get(name);
    if (override) {
      if (override.kind === "value") return override.value;
      // Inside a replacement, functions mean the originals again (a mock never calls a mock).
      return this.invoke(override.name, call, args, {
        ...c,
        functionOverrides: NO_OVERRIDES,
        cache: new NodeCache(),
      });
    }
    if (name.startsWith("data.")) {
      const node = this.functionNode(name);
      if (!node) throw RegoError.of("rego_type_error", `undefined function ${name}`, call.location);
      return this.callFunction(node, args, c);
    }
    switch (name) {
      case "internal.member_2":
        return member2(args[0] as Value, args[1] as Value);
      case "internal.member_3":
        return member3(args[0] as Value, args[1] as Value, args[2] as Value);
      case "trace":
        return true;
      case "walk":
        return undefined;
      default:
        break;
    }
    const b = this.policy.builtins.get(name);
    if (!b) throw RegoError.of("rego_type_error", `undefined function ${name}`, call.location);
    return this.callBuiltin(b.impl, name, args, call.location);
  }

  protected callFunction(node: RuleNode, args: readonly Value[], c: Context): Value | undefined {
    let result: Value | undefined;
    for (const rule of node.rules) {
      const v = this.functionValue(rule, args, c);
      if (v === undefined) continue;
      checkSameValue(result, v, FUNCTION_CONFLICT, rule.location);
      result = v;
    }
    if (result === undefined && node.defaultRule) return this.ruleValue(node.defaultRule, c);
    return result;
  }

  protected functionValue(rule: CompiledRule, args: readonly Value[], c: Context): Value | undefined {
    const plan = this.planned(c) ? this.plans.rule(rule) : undefined;
    if (plan) {
      const result = planFunctionValue(plan, rule, this, c, args);
      if (result === undefined && rule.elseRule) return this.functionValue(rule.elseRule, args, c);
      return result;
    }
    const f = new Frame();
    const params = rule.args ?? [];
    let result: Value | undefined;
    const bindArgs = (i: number): boolean => {
      if (i === params.length) {
        return this.evalBody(rule.body, 0, f, c, () =>
          this.evalTerm(rule.value, f, c, (v) => {
            checkSameValue(result, v, FUNCTION_CONFLICT, rule.location);
            result = v;
            return rule.groundValue;
          }),
        );
      }
      return this.unifyValue(params[i] as Term, args[i] as Value, f, c, () => bindArgs(i + 1));
    };
    bindArgs(0);
    if (result === undefined && rule.elseRule) return this.functionValue(rule.elseRule, args, c);
    return result;
  }

  protected evalPrint(call: CallTerm, f: Frame, c: Context, vk: VK): boolean {
    const parts = call.args.map((a) => {
      const values: Value[] = [];
      this.evalTerm(a, f, c, (v) => {
        values.push(v);
        return false;
      });
      if (values.length === 0) return "<undefined>";
      return values.map((v) => (typeof v === "string" ? v : formatValue(v))).join(" ");
    });
    this.print(parts.join(" "));
    return vk(true);
  }
}

type NewEvaluator = new (
  policy: CompiledPolicy,
  settings: EvaluationSettings,
  input: unknown,
  baseData: Value,
  nowNs: bigint | undefined,
) => Evaluator;

// An evaluation's state, set on an object with the Evaluator's prototype by a plain constructor
// function. `new` of the Evaluator class itself (six layers deep) costs every evaluation V8's
// search up the chain for a constructor and a generic allocation (~170 instructions, callgrind);
// a base constructor is allocated inline, as the one class before the split was.
function EvaluatorState(
  this: Record<string, unknown>,
  policy: CompiledPolicy,
  settings: EvaluationSettings,
  input: unknown,
  baseData: Value,
  nowNs: bigint | undefined,
): void {
  this.policy = policy;
  this.settings = settings;
  this.input = input;
  this.baseData = baseData;
  this.root = policy.root;
  this.usePlans = settings.plans !== false;
  this.plans = settings.policyPlans ?? plansOf(policy);
  this.budget = settings.budget;
  this.now = nowNs;
  this.print = settings.print;
  this.capabilities = settings.capabilities;
  this.steps = 0;
  this.bytes = 0;
  this.ruleDepth = 0;
  this.nextCheck = CHECK_EVERY;
  this.started = 0;
  initialState(this);
}

// The fields that start empty, set out of line: the constructor stays small enough for the
// engine to inline it where queries are evaluated (the one class before the split did the same
// with its field initializers).
function initialState(e: Record<string, unknown>): void {
  e.cacheMap = undefined;
  e.nodeCacheOfPolicy = undefined;
  e.rootContext = undefined;
  e.recorded = undefined;
  e.capturedExpr = undefined;
  e.random = Math.random;
}
EvaluatorState.prototype = Evaluator.prototype;

/**
 * Constructs one evaluation of a policy with the settings of its prepared query, an input, the
 * base documents under `data`, and `time.now_ns()` when the caller fixes it (else the clock is
 * read once, on first use). Called directly with `new`, so the engine inlines it.
 */
export const Evaluation = EvaluatorState as unknown as NewEvaluator;
