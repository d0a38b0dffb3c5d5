// Evaluation: a top-down evaluator over compiled rules, in continuation-passing style. Each
// step calls its continuation once per solution; a continuation returns true to stop the
// enumeration early (enough is known), false to ask for more. Variables are bound in a frame
// for exactly as long as the continuation runs, so backtracking needs no trail.

import { type BuiltinContext, BuiltinError, type HostCapabilities } from "../builtins/builtin.js";
import { type CompiledPolicy, findNode, namePath, operatorName } from "../compile/compiler.js";
import { candidates } from "../compile/rule-index.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import { NOT_JSON, type PlanHost } from "../plan/plan-host.js";
import { NO_SLOTS } from "../plan/plan-scope.js";
import { type PolicyPlans, plansOf } from "../plan/policy-plans.js";
import { planFunctionValue, planObjectEntries, planRuleValue, planSetElements } from "../plan/run-plan.js";
import type { Body, CallTerm, Expr, RefTerm, Term, WithModifier } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { formatValue } from "../value/format-value.js";
import { type Json, jsonObject, setJsonKey, toJson } from "../value/json.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import {
  type Budget,
  CHARS_PER_STEP,
  CHECK_EVERY,
  ELEMENT_BYTES,
  LONG_SCAN,
  SCAN_NS_PER_CHAR,
  SCANNED_CHARS_PER_STEP,
} from "./budget.js";
import { COMPLETE_CONFLICT, checkSameValue, FUNCTION_CONFLICT } from "../compile/rule-conflicts.js";
import { constantOf, NOT_CONSTANT } from "../compile/constants.js";
import { numberValue } from "../value/number-literal.js";
import {
  type Context,
  Frame,
  type FunctionOverride,
  type LiveSetCache,
  MISSING,
  NodeCache,
  PENDING,
  RootContext,
} from "./context.js";
import { FALLBACK, fastOf } from "./fast-path.js";
import { LiveSet, partitionChildren, staticChildren } from "./live-set.js";
import { logicalSize } from "../value/logical-size.js";
import { forEachElement, lookup } from "../value/lookup.js";
import { insertNested, structuralObject } from "../value/path-object.js";
import { builtinArity, member2, member3, walkPairs } from "../builtins/special-builtins.js";

export { Frame } from "./context.js";
export { lookup } from "../value/lookup.js";

/** Continuation for a solution: return true to stop enumerating. */
type K = () => boolean;
/** Continuation receiving a value. */
type VK = (v: Value) => boolean;

// The root context replaces no function (`with` copies before it adds).
const NO_OVERRIDES: ReadonlyMap<string, FunctionOverride> = new Map();

// An empty frame for data refs whose path is all constants (a plan's: the interpreter walks them).
const NO_VARS = new Frame();

// Positions under `data` are tracked only while `with` overrides some of it.
const NO_POS: readonly Value[] = [];

// Rule evaluations one inside another before the innermost is restarted from a shallow stack
// (see Evaluator.settleNode): well within the stack at every frame size the evaluator uses.
const MAX_RULE_DEPTH = 100;

/** Stops a rule evaluation nested too deep; carries the rule to compute first. Not an Error: no stack trace to capture. */
class TooDeep {
  constructor(readonly node: RuleNode) {}
}

/** What stays the same across the evaluations of one prepared query. */
export interface EvaluationSettings {
  readonly strictBuiltinErrors: boolean;
  readonly budget: Budget;
  readonly print: (message: string) => void;
  readonly capabilities: HostCapabilities;
  /** Run rules through their plans where they have one (default); false interprets every rule. */
  readonly plans?: boolean;
}

const nameCache = new WeakMap<RefTerm, string | null>();
const arityCache = new WeakMap<CallTerm, number | null>();
// Function nodes by name, per compiled policy (shared by all its evaluations).
const functionNodes = new WeakMap<CompiledPolicy, Map<string, RuleNode | undefined>>();

function callName(op: RefTerm): string | undefined {
  let n = nameCache.get(op);
  if (n === undefined) {
    n = operatorName(op) ?? null;
    nameCache.set(op, n);
  }
  return n ?? undefined;
}

/**
 * One evaluation of a query against a compiled policy and data. It is also what builtins see
 * of the evaluation (its `BuiltinContext`): the clock, read at most once, and a cache.
 */
export class Evaluator implements BuiltinContext, PlanHost {
  private readonly root: RuleNode;
  private nodeCacheOfPolicy: Map<string, RuleNode | undefined> | undefined;
  private readonly usePlans: boolean;
  /** The policy's plans (built on first use, shared by its evaluations). */
  private readonly plans: PolicyPlans;
  private readonly budget: Budget;
  private steps = 0;
  private bytes = 0;
  /** Rule evaluations in progress, one inside another (see settleNode). */
  private ruleDepth = 0;
  private nextCheck = CHECK_EVERY;
  private started = 0;
  private now: bigint | undefined;
  private cacheMap: Map<string, unknown> | undefined;
  /** Output sink of `print` (a builtin context's). */
  readonly print: (message: string) => void;
  /** Host capabilities (a builtin context's). */
  readonly capabilities: HostCapabilities;
  /** Random source (a builtin context's). */
  readonly random = Math.random;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly settings: EvaluationSettings,
    private readonly input: unknown,
    /** The base documents under `data`. */
    readonly baseData: Value,
    /** `time.now_ns()` when the caller fixes it; else the clock is read once, on first use. */
    nowNs: bigint | undefined,
  ) {
    this.root = policy.root;
    this.usePlans = settings.plans !== false;
    this.plans = plansOf(policy);
    this.budget = settings.budget;
    this.print = settings.print;
    this.capabilities = settings.capabilities;
    this.now = nowNs;
  }

  /** `time.now_ns()` of this evaluation: the clock is read once, on first use. */
  get nowNs(): bigint {
    this.now ??= BigInt(Date.now()) * 1_000_000n;
    return this.now;
  }

  /** The builtins' per-evaluation cache. */
  get cache(): Map<string, unknown> {
    this.cacheMap ??= new Map();
    return this.cacheMap;
  }

  private rootContext: Context | undefined;
  /** Top-level query expressions whose values the caller reports (set by `recordValuesOf`). */
  private recorded: Map<Expr, Value | undefined> | undefined;

  /** Asks the evaluator to remember the last value of these term expressions. */
  recordValuesOf(exprs: readonly Expr[]): void {
    this.recorded = new Map(exprs.map((e) => [e, undefined]));
  }

  /** The last value recorded for a term expression. */
  recordedValue(e: Expr): Value | undefined {
    return this.recorded?.get(e);
  }

  /**
   * The query expression whose value is captured (OPA's rewriteToCaptureValue): a query of one
   * expression without variables reports its value even when it is false. Set before `run`.
   */
  capturedExpr: Expr | undefined;

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
  // What plans use

  /** Counts one step (an expression, an enumerated element) against the budget. */
  tick(location: Location): void {
    if (++this.steps >= this.nextCheck) this.checkBudget(location);
  }

  /**
   * Charges the budget for a result about to be built: `elements` collection elements and
   * `chars` string characters (a builtin context's). Called before allocating, so that a result
   * too large for the budget is refused before it exists. Throws `eval_cancel_error`.
   */
  allocate(elements: number, chars = 0, location?: Location): void {
    // Whole steps only: a counter that turned fractional would slow every tick.
    this.steps += elements + Math.floor(chars / CHARS_PER_STEP);
    this.bytes += elements * ELEMENT_BYTES + chars * 2;
    if (this.steps >= this.nextCheck) this.checkBudget(location);
  }

  /** Charges work proportional to `chars` characters scanned (a builtin context's). */
  scan(chars: number): void {
    this.steps += Math.floor(chars / SCANNED_CHARS_PER_STEP);
    if (chars >= LONG_SCAN) this.checkBudget(undefined, (chars * SCAN_NS_PER_CHAR) / 1e6);
    else if (this.steps >= this.nextCheck) this.checkBudget(undefined);
  }

  // The clock is read here, whenever CHECK_EVERY steps were charged since the last check.
  private checkBudget(location: Location | undefined, upcomingMs = 0): void {
    this.started = this.budget.check(this.steps, this.bytes, this.started, location, upcomingMs);
    this.nextCheck = this.steps + CHECK_EVERY;
  }

  /** Calls a builtin's implementation, turning its failure into undefined or an error as OPA does. */
  callBuiltin(
    impl: (args: readonly Value[], ctx: BuiltinContext) => Value | undefined,
    name: string,
    args: readonly Value[],
    location: Location,
  ): Value | undefined {
    try {
      const bytes = this.bytes;
      const v = impl(args, this);
      if (this.bytes === bytes && v !== undefined) this.chargeResult(v);
      return v;
    } catch (e) {
      return this.builtinFailed(e, name, location);
    }
  }

  // A builtin's collection result is charged when returned, unless the builtin charged it itself
  // before building it (those whose result can outgrow their arguments do). Short strings cost
  // nothing: they are no larger than what the builtin read.
  private chargeResult(v: Value): void {
    if (typeof v === "string") {
      if (v.length > CHECK_EVERY) this.allocate(0, v.length);
    } else if (Array.isArray(v)) this.allocate(v.length);
    else if (v instanceof RegoObject || v instanceof RegoSet) this.allocate(v.size);
  }

  private builtinFailed(e: unknown, name: string, location: Location): undefined {
    if (e instanceof RegoError) {
      // A builtin raising an evaluation error of its own (a conflict) knows no location.
      throw e.location ? e : new RegoError(e.errors.map((d) => (d.location ? d : { ...d, location })));
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw e;
    if (!this.settings.strictBuiltinErrors) return undefined;
    const message = e instanceof Error ? e.message : String(e);
    const code = e instanceof BuiltinError && e.kind === "type" ? "eval_type_error" : "eval_builtin_error";
    throw RegoError.of(code, `${name}: ${message}`, location);
  }

  /** Whether rules run through their plans in this context (no `with` on data or functions). */
  private planned(c: Context): boolean {
    return this.usePlans && c.dataOverrides.length === 0 && c.functionOverrides.size === 0;
  }

  // -------------------------------------------------------------------------------------------
  // Bodies and expressions

  private evalBody(body: Body, i: number, f: Frame, c: Context, k: K): boolean {
    if (i === body.length) return k();
    const e = body[i] as Expr;
    return this.evalExpr(e, f, c, () => this.evalBody(body, i + 1, f, c, k));
  }

  private evalExpr(e: Expr, f: Frame, c: Context, k: K): boolean {
    this.tick(e.location);
    if (e.with.length > 0) {
      let result = false;
      const applied = this.applyWith(e.with, f, c, (c2) => {
        result = this.evalExprNegatable(e, f, c2, k);
        return true;
      });
      return applied ? result : false;
    }
    return this.evalExprNegatable(e, f, c, k);
  }

  private evalExprNegatable(e: Expr, f: Frame, c: Context, k: K): boolean {
    if (!e.negated) return this.evalExprKind(e, f, c, k);
    let found = false;
    this.evalExprKind(e, f, c, () => {
      found = true;
      return true;
    });
    return found ? false : k();
  }

  private evalExprKind(e: Expr, f: Frame, c: Context, k: K): boolean {
    const kind = e.kind;
    switch (kind.type) {
      case "term":
        return this.evalTerm(kind.term, f, c, (v) => {
          if (v === false && e !== this.capturedExpr) return false;
          if (this.recorded?.has(e)) this.recorded.set(e, v);
          return k();
        });
      case "callexpr":
        if (e === this.capturedExpr) {
          return this.evalCall(kind.call, f, c, (v) => {
            this.recorded?.set(e, v);
            return k();
          });
        }
        return this.evalCallExpr(kind.call, f, c, k);
      case "some":
        return k();
      case "somein":
        return this.evalTerm(kind.domain, f, c, (coll) =>
          forEachElement(coll, (key, value) => {
            this.tick(e.location);
            return kind.key
              ? this.unifyValue(kind.key, key, f, c, () => this.unifyValue(kind.value, value, f, c, k))
              : this.unifyValue(kind.value, value, f, c, k);
          }),
        );
      case "every":
        return this.evalTerm(kind.domain, f, c, (coll) => {
          if (!isCollection(coll)) return false;
          let all = true;
          forEachElement(coll, (key, value) => {
            this.tick(e.location);
            let ok = false;
            const bodyK = () => {
              ok = true;
              return true;
            };
            const withValue = () =>
              this.unifyValue(kind.value, value, f, c, () => this.evalBody(kind.body, 0, f, c, bodyK));
            if (kind.key) this.unifyValue(kind.key, key, f, c, withValue);
            else withValue();
            if (!ok) all = false;
            return !ok;
          });
          return all ? k() : false;
        });
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  private evalCallExpr(call: CallTerm, f: Frame, c: Context, k: K): boolean {
    const name = callName(call.operator);
    const args = call.args;
    if ((name === "eq" || name === "assign") && args.length === 2) {
      return this.unify(args[0] as Term, args[1] as Term, f, c, k);
    }
    if (name === "walk" && args.length === 2 && !c.functionOverrides.has("walk")) {
      return this.evalTerm(args[0] as Term, f, c, (doc) => {
        for (const pair of walkPairs(doc, this)) if (this.unifyValue(args[1] as Term, pair, f, c, k)) return true;
        return false;
      });
    }
    const arity = name === undefined ? undefined : this.callArity(call, name);
    if (arity !== undefined && args.length === arity + 1) {
      const inArgs = args.slice(0, arity);
      return this.evalArgs(inArgs, 0, [], f, c, (vals) => {
        const result = this.invoke(name as string, call, vals, c);
        return result === undefined ? false : this.unifyValue(args[arity] as Term, result, f, c, k);
      });
    }
    const fast = fastOf(call);
    if (fast) {
      const v = fast(this, f, c);
      if (v !== FALLBACK) return v === undefined || v === false ? false : k();
    }
    return this.evalCall(call, f, c, (v) => (v !== false ? k() : false));
  }

  /** A call's arity, looked up once per call site (the policy's functions never change). */
  private callArity(call: CallTerm, name: string): number | undefined {
    const cached = arityCache.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const arity = this.arityOf(name);
    arityCache.set(call, arity ?? null);
    return arity;
  }

  private arityOf(name: string): number | undefined {
    if (name.startsWith("data.")) {
      const node = this.functionNode(name);
      return node?.rules[0]?.args?.length ?? node?.defaultRule?.args?.length;
    }
    return builtinArity(name, this.policy.builtins);
  }

  // -------------------------------------------------------------------------------------------
  // with

  private applyWith(
    withs: readonly WithModifier[],
    f: Frame,
    c: Context,
    k: (c: Context) => boolean,
  ): boolean {
    let input = c.input;
    const dataOverrides = [...c.dataOverrides];
    const functionOverrides = new Map(c.functionOverrides);
    const apply = (i: number): boolean => {
      if (i === withs.length) {
        return k({ input, dataOverrides, functionOverrides, cache: new NodeCache() });
      }
      const w = withs[i] as WithModifier;
      const target = w.target;
      const head = target.head.type === "var" ? target.head.name : undefined;
      const path = target.path.map((p) => constantOf(p));
      if (path.some((p) => p === NOT_CONSTANT)) {
        throw RegoError.of(
          "rego_compile_error",
          "with keyword target must be a constant reference",
          w.location,
        );
      }
      const keys = path as Value[];
      if (head === "input") {
        return this.evalTerm(w.value, f, c, (v) => {
          input = setPath(input, keys, v);
          return apply(i + 1);
        });
      }
      const targetName = callName(target);
      const fnTarget =
        targetName !== undefined &&
        (targetName.startsWith("data.")
          ? this.functionNode(targetName) !== undefined
          : this.policy.builtins.has(targetName) || this.arityOf(targetName) !== undefined);
      if (fnTarget && targetName !== undefined) {
        const replacement = this.functionReplacement(w.value);
        if (replacement) {
          functionOverrides.set(targetName, { kind: "function", name: replacement });
          return apply(i + 1);
        }
        return this.evalTerm(w.value, f, c, (v) => {
          functionOverrides.set(targetName, { kind: "value", value: v });
          return apply(i + 1);
        });
      }
      if (head === "data") {
        return this.evalTerm(w.value, f, c, (v) => {
          dataOverrides.push({ path: keys, value: v });
          return apply(i + 1);
        });
      }
      throw RegoError.of(
        "rego_type_error",
        `with keyword target must reference existing input, data, or a function`,
        w.location,
      );
    };
    return apply(0);
  }

  /** When a `with` value names a function or builtin, its name. */
  private functionReplacement(t: Term): string | undefined {
    if (t.type === "ref") {
      const name = callName(t);
      if (name === undefined) return undefined;
      if (name.startsWith("data.")) return this.functionNode(name) ? name : undefined;
      return this.policy.builtins.has(name) ? name : undefined;
    }
    if (t.type === "var" && this.policy.builtins.has(t.name)) return t.name;
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Unification

  private unify(a: Term, b: Term, f: Frame, c: Context, k: K): boolean {
    if (a.type === "var" && !f.vals.has(a.name))
      return this.evalTerm(b, f, c, (v) => this.bind(a.name, v, f, k));
    if (b.type === "var" && !f.vals.has(b.name))
      return this.evalTerm(a, f, c, (v) => this.bind(b.name, v, f, k));
    if (a.type === "array" && b.type === "array") {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(
        a.items.map((x, i) => [x, b.items[i] as Term] as const),
        f,
        c,
        k,
      );
    }
    if (a.type === "object" && b.type === "object" && a.entries.length === b.entries.length) {
      const pairs: [Term, Term][] = [];
      for (const [ka, va] of a.entries) {
        const ca = constantOf(ka);
        const match = b.entries.find(
          ([kb]) =>
            ca !== NOT_CONSTANT &&
            constantOf(kb) !== NOT_CONSTANT &&
            valuesEqual(ca, constantOf(kb) as Value),
        );
        if (!match) break;
        pairs.push([va, match[1]]);
      }
      if (pairs.length === a.entries.length) return this.unifyPairs(pairs, f, c, k);
    }
    if (hasUnbound(a, f)) return this.evalTerm(b, f, c, (v) => this.unifyValue(a, v, f, c, k));
    return this.evalTerm(a, f, c, (v) => this.unifyValue(b, v, f, c, k));
  }

  /** Unifies pairs, each time choosing one that can run (not unbound on both sides). */
  private unifyPairs(pairs: readonly (readonly [Term, Term])[], f: Frame, c: Context, k: K): boolean {
    if (pairs.length === 0) return k();
    let pick = pairs.findIndex(([x, y]) => !(hasUnbound(x, f) && hasUnbound(y, f)));
    if (pick < 0) pick = 0;
    const [x, y] = pairs[pick] as readonly [Term, Term];
    const rest = pairs.filter((_, i) => i !== pick);
    return this.unify(x, y, f, c, () => this.unifyPairs(rest, f, c, k));
  }

  private bind(name: string, v: Value, f: Frame, k: K): boolean {
    // No try/finally: after an error the frame is never used again.
    f.vals.set(name, v);
    const stop = k();
    f.vals.delete(name);
    return stop;
  }

  private unifyValue(t: Term, v: Value, f: Frame, c: Context, k: K): boolean {
    switch (t.type) {
      case "var": {
        const cur = f.vals.get(t.name);
        if (cur === undefined) return this.bind(t.name, v, f, k);
        return valuesEqual(cur, v) ? k() : false;
      }
      case "array": {
        if (!Array.isArray(v)) return false;
        const arr = v as readonly Value[];
        if (arr.length !== t.items.length) return false;
        const step = (i: number): boolean =>
          i === arr.length
            ? k()
            : this.unifyValue(t.items[i] as Term, arr[i] as Value, f, c, () => step(i + 1));
        return step(0);
      }
      case "object": {
        if (!(v instanceof RegoObject) || v.size !== t.entries.length) return false;
        const step = (i: number): boolean => {
          if (i === t.entries.length) return k();
          const [kt, vt] = t.entries[i] as readonly [Term, Term];
          return this.evalTerm(kt, f, c, (key) => {
            const item = v.get(key);
            return item === undefined ? false : this.unifyValue(vt, item, f, c, () => step(i + 1));
          });
        };
        return step(0);
      }
      default:
        return this.evalTerm(t, f, c, (tv) => (valuesEqual(tv, v) ? k() : false));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  private evalTerm(t: Term, f: Frame, c: Context, vk: VK): boolean {
    switch (t.type) {
      case "null":
        return vk(null);
      case "boolean":
        return vk(t.value);
      case "number":
        return vk(numberValue(t.text));
      case "string":
        return vk(t.value);
      case "var": {
        const v = f.vals.get(t.name);
        if (v === undefined) {
          throw RegoError.of("eval_internal_error", `var ${t.name} is unbound`, t.location);
        }
        return vk(v);
      }
      case "ref": {
        const fast = fastOf(t);
        if (fast) {
          const v = fast(this, f, c);
          if (v !== FALLBACK) return v === undefined ? false : vk(v);
        }
        return this.evalRef(t, f, c, vk);
      }
      case "array": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        return this.evalArgs(t.items, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          return vk(vals);
        });
      }
      case "set": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        return this.evalArgs(t.items, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          return vk(RegoSet.of(vals));
        });
      }
      case "object": {
        const cv = constantOf(t);
        if (cv !== NOT_CONSTANT) return vk(cv);
        const flat = t.entries.flatMap(([a, b]) => [a, b]);
        return this.evalArgs(flat, 0, [], f, c, (vals) => {
          this.allocate(logicalSize(vals), 0, t.location);
          const o = new RegoObject();
          for (let i = 0; i < vals.length; i += 2) o.set(vals[i] as Value, vals[i + 1] as Value);
          return vk(o);
        });
      }
      case "arraycomp": {
        const out: Value[] = [];
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.term, f, c, (v) => {
            this.allocate(logicalSize(v), 0, t.location);
            out.push(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "setcomp": {
        const out = new RegoSet();
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.term, f, c, (v) => {
            this.allocate(logicalSize(v), 0, t.location);
            out.add(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "objectcomp": {
        const out = new RegoObject();
        this.evalBody(t.body, 0, f, c, () =>
          this.evalTerm(t.key, f, c, (key) =>
            this.evalTerm(t.value, f, c, (value) => {
              const prev = out.get(key);
              if (prev !== undefined && !valuesEqual(prev, value)) {
                throw RegoError.of("eval_conflict_error", "object keys must be unique", t.location);
              }
              this.allocate(logicalSize(key) + logicalSize(value), 0, t.location);
              out.set(key, value);
              return false;
            }),
          ),
        );
        return vk(out);
      }
      case "call": {
        const fast = fastOf(t);
        if (fast) {
          const v = fast(this, f, c);
          if (v !== FALLBACK) return v === undefined ? false : vk(v);
        }
        return this.evalCall(t, f, c, vk);
      }
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  /** Evaluates terms left to right (each may enumerate), then calls `k` with their values. */
  private evalArgs(
    terms: readonly Term[],
    i: number,
    acc: Value[],
    f: Frame,
    c: Context,
    k: (vals: Value[]) => boolean,
  ): boolean {
    if (i === terms.length) return k(acc.slice());
    if (i === 0) {
      const vals = this.fastValues(terms, f, c);
      if (vals === null) return false;
      if (vals !== undefined) return k(vals);
      if (terms.length > 1 && terms.some((t) => hasUnbound(t, f)))
        return this.evalArgsInOrder(terms, f, c, k);
    }
    const t = terms[i] as Term;
    return this.evalTerm(t, f, c, (v) => {
      acc[i] = v;
      return this.evalArgs(terms, i + 1, acc, f, c, k);
    });
  }

  /**
   * The values of terms that each have exactly one value or none (no enumeration): the values,
   * null when one is undefined, or undefined when some term needs the general path.
   */
  private fastValues(terms: readonly Term[], f: Frame, c: Context): Value[] | null | undefined {
    const out: Value[] = new Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as Term;
      const fast = fastOf(t);
      if (!fast) return undefined;
      const v = fast(this, f, c);
      if (v === FALLBACK) return undefined;
      if (v === undefined) return null;
      out[i] = v;
    }
    return out;
  }

  /** The single value of a data ref whose path is fully known, or undefined. */
  dataValue(path: readonly Term[], f: Frame, c: Context): Value | undefined {
    let out: Value | undefined;
    this.evalData(this.root, this.baseData, NO_POS, path, 0, f, c, (v) => {
      out = v;
      return true;
    });
    return out;
  }

  /** The value of a data ref whose path is a list of constant terms (a plan's), or undefined. */
  groundDataValue(path: readonly Term[], c: Context): Value | undefined {
    return this.dataValue(path, NO_VARS, c);
  }

  /** Calls a function or builtin by name (with `with` overrides applied). */
  call(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined {
    return this.invoke(name, call, args, c);
  }

  /** Like evalArgs, but terms with unbound variables go last (refs before them bind them). */
  private evalArgsInOrder(
    terms: readonly Term[],
    f: Frame,
    c: Context,
    k: (vals: Value[]) => boolean,
  ): boolean {
    const order = terms
      .map((_, i) => i)
      .sort((x, y) => Number(hasUnbound(terms[x] as Term, f)) - Number(hasUnbound(terms[y] as Term, f)));
    const acc: Value[] = new Array(terms.length);
    const step = (j: number): boolean => {
      if (j === order.length) return k(acc.slice());
      const idx = order[j] as number;
      const t = terms[idx] as Term;
      if (hasUnbound(t, f)) {
        // Still unbound: only a pattern can stand here; it takes no value of its own.
        throw RegoError.of("rego_unsafe_var_error", "expression is unsafe", t.location);
      }
      return this.evalTerm(t, f, c, (v) => {
        acc[idx] = v;
        return step(j + 1);
      });
    };
    return step(0);
  }

  // -------------------------------------------------------------------------------------------
  // References

  private evalRef(ref: RefTerm, f: Frame, c: Context, vk: VK): boolean {
    const head = ref.head;
    if (head.type === "var") {
      switch (head.name) {
        case "input":
          if (c.input === undefined) return false;
          return this.walk(c.input, ref.path, 0, f, c, vk);
        case "data":
          return this.evalData(this.root, this.baseData, [], ref.path, 0, f, c, vk);
        default: {
          const v = f.vals.get(head.name);
          if (v === undefined)
            throw RegoError.of("eval_internal_error", `var ${head.name} is unbound`, head.location);
          return this.walk(v, ref.path, 0, f, c, vk);
        }
      }
    }
    return this.evalTerm(head, f, c, (v) => this.walk(v, ref.path, 0, f, c, vk));
  }

  /** Walks a plain value along a ref path; unbound variables in the path enumerate. */
  private walk(v: Value, path: readonly Term[], i: number, f: Frame, c: Context, vk: VK): boolean {
    if (i === path.length) return vk(v);
    const p = path[i] as Term;
    if (p.type === "string") {
      const child = lookup(v, p.value);
      return child === undefined ? false : this.walk(child, path, i + 1, f, c, vk);
    }
    if (hasUnbound(p, f)) {
      return forEachElement(v, (key, child) => {
        this.tick(p.location);
        return this.unifyValue(p, key, f, c, () => this.walk(child, path, i + 1, f, c, vk));
      });
    }
    return this.evalTerm(p, f, c, (key) => {
      const child = lookup(v, key);
      return child === undefined ? false : this.walk(child, path, i + 1, f, c, vk);
    });
  }

  /** Walks `data`: the rule tree and base documents side by side. */
  private evalData(
    node: RuleNode | undefined,
    base: Value | undefined,
    pos: readonly Value[],
    path: readonly Term[],
    i: number,
    f: Frame,
    c: Context,
    vk: VK,
    liveIn?: LiveSet,
  ): boolean {
    const live = liveIn ?? (node?.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (c.dataOverrides.length > 0) {
      const o = findOverride(c.dataOverrides, pos);
      if (o !== undefined) return this.walk(o, path, i, f, c, vk);
    }
    if (node?.kind !== undefined) {
      const v = this.withOverridesBelow(this.nodeValue(node, c), pos, c);
      return v === undefined ? false : this.walk(v, path, i, f, c, vk);
    }
    if (i === path.length) {
      const v = this.materialize(node, base, pos, c, live);
      return v === undefined ? false : vk(v);
    }
    const p = path[i] as Term;
    const step = (k: Value): boolean => {
      // Base documents and rule paths are keyed by strings: `data.x[2]` means `data.x["2"]`.
      const key =
        typeof k === "number" && !(base !== undefined && lookup(base, k) !== undefined) ? String(k) : k;
      const named = typeof key === "string" ? node?.children.get(key) : undefined;
      const childNode =
        named && (!live || named.kind === undefined || !named.coveredOnly || live.has(named))
          ? named
          : undefined;
      const childBase = base === undefined ? undefined : lookup(base, key);
      const childPos = c.dataOverrides.length > 0 ? [...pos, key] : NO_POS;
      if (!childNode?.hasRules()) {
        if (c.dataOverrides.length > 0 && hasOverrideAtOrBelow(c.dataOverrides, childPos)) {
          return this.evalData(undefined, childBase, childPos, path, i + 1, f, c, vk);
        }
        if (childBase === undefined) return false;
        return childBase instanceof RegoObject
          ? this.evalData(undefined, childBase, childPos, path, i + 1, f, c, vk)
          : this.walk(childBase, path, i + 1, f, c, vk);
      }
      return this.evalData(childNode, childBase, childPos, path, i + 1, f, c, vk, live);
    };
    if (p.type === "string") return step(p.value);
    if (hasUnbound(p, f)) {
      const keys = new Map<string, Value>();
      if (node) {
        for (const [name, child] of node.children) {
          if (
            child.hasRules() &&
            (!live || child.kind === undefined || !child.coveredOnly || live.has(child))
          ) {
            keys.set(name, name);
          }
        }
      }
      if (base instanceof RegoObject)
        for (const key of base.keys())
          if (typeof key !== "string" || !keys.has(key))
            keys.set(typeof key === "string" ? key : `\u0000${keys.size}`, key);
      const sorted = [...keys.values()];
      return sorted.some((key) => this.unifyValue(p, key, f, c, () => step(key)));
    }
    return this.evalTerm(p, f, c, step);
  }

  /** The value of a data node and everything below it, merged with base documents. */
  private materialize(
    node: RuleNode | undefined,
    base: Value | undefined,
    pos: readonly Value[],
    c: Context,
    liveIn?: LiveSet,
  ): Value | undefined {
    const live = liveIn ?? (node?.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (c.dataOverrides.length > 0) {
      const o = findOverride(c.dataOverrides, pos);
      if (o !== undefined) return o;
    }
    if (!node?.hasRules()) return this.withOverridesBelow(base, pos, c);
    if (node.kind !== undefined) return this.withOverridesBelow(this.nodeValue(node, c), pos, c);
    // A path node's value depends only on the context when nothing under data is overridden.
    const cacheable = c.dataOverrides.length === 0 && liveIn === undefined;
    if (cacheable) {
      const cached = c.cache.get(node);
      if (cached !== MISSING) return cached as Value | undefined;
    }
    const v = this.materializePath(node, base, pos, c, live);
    if (cacheable) c.cache.set(node, v);
    return v;
  }

  private materializePath(
    node: RuleNode,
    base: Value | undefined,
    pos: readonly Value[],
    c: Context,
    live: LiveSet | undefined,
  ): Value | undefined {
    const out = structuralObject();
    if (base instanceof RegoObject) for (const e of base.entries()) out.set(e.key, e.value);
    let children: Iterable<readonly [string, RuleNode]> = node.sortedChildren();
    if (live) {
      // Only rules the index selected can be defined: leaves not selected are undefined (and
      // never visited), paths with no selected leaf below are empty objects.
      const { uncovered, coveredPaths } = partitionChildren(node);
      for (const [name, child] of coveredPaths) if (!live.has(child)) out.set(name, structuralObject());
      children = [
        ...uncovered,
        ...coveredPaths.filter(([, child]) => live.has(child)),
        ...live.leavesUnder(node),
      ];
    }
    for (const [name, child] of children) {
      const childPos = c.dataOverrides.length > 0 ? [...pos, name] : NO_POS;
      const v = this.materialize(
        child,
        base === undefined ? undefined : lookup(base, name),
        childPos,
        c,
        live,
      );
      if (v !== undefined) out.set(name, v);
    }
    return this.withOverridesBelow(out, pos, c);
  }

  /**
   * The JSON value of `data` at a path of names that ends above rules, as `dataValue` would
   * give it: walked like `evalData`, then built by `materializeJson`. Undefined when undefined;
   * NOT_JSON where the walk reaches a rule or `with` overrides data (the caller converts).
   */
  dataJson(segs: readonly string[], c: Context): Json | undefined | typeof NOT_JSON {
    if (c.dataOverrides.length > 0) return NOT_JSON;
    let node: RuleNode | undefined = this.root;
    let base: Value | undefined = this.baseData;
    let live: LiveSet | undefined;
    for (let i = 0; ; i++) {
      if (node !== undefined) {
        if (node.kind !== undefined) return NOT_JSON;
        live ??= node.subtreeIndex ? this.liveNodes(node, c) : undefined;
      }
      if (i === segs.length) return this.materializeJson(node, base, c, live);
      const key = segs[i] as string;
      const named: RuleNode | undefined = node?.children.get(key);
      const child: RuleNode | undefined =
        named && (!live || named.kind === undefined || !named.coveredOnly || live.has(named)) ? named : undefined;
      base = base === undefined ? undefined : lookup(base, key);
      if (!child?.hasRules()) {
        // Base documents only from here down.
        if (base === undefined) return undefined;
        node = undefined;
        live = undefined;
      } else node = child;
    }
  }

  /** The JSON value of a package node with no base document at its path (a plan's). */
  packageJson(node: RuleNode, c: Context): Json | undefined {
    return this.materializeJson(node, undefined, c, undefined);
  }

  /**
   * `materialize` as JSON, built directly, in a context without data overrides: the value of a
   * node and everything below it, merged with base documents, in key order. The value of a query
   * of a whole package, where building the object would only be converted.
   */
  materializeJson(
    node: RuleNode | undefined,
    base: Value | undefined,
    c: Context,
    liveIn: LiveSet | undefined,
  ): Json | undefined {
    if (!node?.hasRules()) return base === undefined ? undefined : toJson(base);
    if (node.kind !== undefined) {
      const v = this.nodeValue(node, c);
      return v === undefined ? undefined : toJson(v);
    }
    const live = liveIn ?? (node.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (liveIn === undefined) {
      const cached = c.cache.get(node);
      if (typeof cached !== "symbol") return cached === undefined ? undefined : toJson(cached);
    }
    if (base === undefined && live === undefined) {
      // A package: its children with rules, already in key order.
      const out = jsonObject();
      const { names, nodes } = node.ruleChildren();
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const child = nodes[i] as RuleNode;
        // A rule: straight to its value (this runs for every rule of a queried package).
        if (child.kind !== undefined) {
          this.setRuleJson(out, name, child, c);
          continue;
        }
        const v = this.materializeJson(child, undefined, c, undefined);
        if (v !== undefined) setJsonKey(out, name, v);
      }
      return out;
    }
    if (base === undefined && live !== undefined) return this.liveJson(node, c, live);
    // As materializePath: base's keys, then empty objects for paths the index ruled out, then
    // the children's values (replacing base's at the same key).
    const entries = new Map<string, Json>();
    if (base instanceof RegoObject) {
      for (const e of base.entries()) {
        if (typeof e.key !== "string") return toJson(this.materialize(node, base, NO_POS, c, liveIn) as Value);
        entries.set(e.key, toJson(e.value));
      }
    }
    let children: Iterable<readonly [string, RuleNode]> = node.sortedChildren();
    if (live) {
      const { uncovered, coveredPaths } = partitionChildren(node);
      for (const [name, child] of coveredPaths) if (!live.has(child)) entries.set(name, {});
      children = [...uncovered, ...coveredPaths.filter(([, child]) => live.has(child)), ...live.leavesUnder(node)];
    }
    for (const [name, child] of children) {
      const v = this.materializeJson(child, base === undefined ? undefined : lookup(base, name), c, live);
      if (v !== undefined) entries.set(name, v);
    }
    const out = jsonObject();
    for (const key of [...entries.keys()].sort()) setJsonKey(out, key, entries.get(key) as Json);
    return out;
  }

  /**
   * `materializeJson` of a node under a subtree index, without base documents: the children that
   * are there whatever the input (a covered path the index ruled out is an empty object), merged
   * in key order with the few leaves the index left live.
   */
  private liveJson(node: RuleNode, c: Context, live: LiveSet): Json {
    const out = jsonObject();
    const leaves = live.sortedLeavesUnder(node);
    let j = 0;
    for (const [name, child] of staticChildren(node)) {
      for (let leaf = leaves[j]; leaf !== undefined && leaf[0] < name; leaf = leaves[++j]) {
        this.setRuleJson(out, leaf[0], leaf[1], c);
      }
      const v = child.coveredOnly && !live.has(child) ? {} : this.materializeJson(child, undefined, c, live);
      if (v !== undefined) setJsonKey(out, name, v);
    }
    for (let leaf = leaves[j]; leaf !== undefined; leaf = leaves[++j]) this.setRuleJson(out, leaf[0], leaf[1], c);
    return out;
  }

  /** Sets `name` in a JSON object being built to a rule node's value, unless it is undefined. */
  private setRuleJson(out: { [key: string]: Json }, name: string, rule: RuleNode, c: Context): void {
    const v = this.nodeValue(rule, c);
    if (v !== undefined) setJsonKey(out, name, toJson(v));
  }

  /**
   * The value of a node above rules (a package) with no base document at its path, not itself
   * under a subtree index: an object of its children's values, in key order.
   */
  packageValue(node: RuleNode, c: Context): Value {
    const cached = c.cache.get(node);
    if (cached !== MISSING) return cached as Value;
    const out = structuralObject();
    for (const [name, child] of node.sortedChildren()) {
      if (!child.hasRules()) continue;
      let v: Value | undefined;
      if (child.kind !== undefined) v = this.nodeValue(child, c);
      else if (child.subtreeIndex) v = this.materialize(child, undefined, NO_POS, c);
      else v = this.packageValue(child, c);
      if (v !== undefined) out.set(name, v);
    }
    c.cache.set(node, out);
    return out;
  }

  /** The nodes below a subtree-indexed node whose rules may be defined for this input. */
  private liveNodes(node: RuleNode, c: Context): LiveSet {
    const sub = node.subtreeIndex as NonNullable<RuleNode["subtreeIndex"]>;
    const live: LiveSetCache = c.live ?? new Map();
    if (!c.live) (c as { live?: LiveSetCache }).live = live;
    const cached = live.get(node);
    if (cached) return cached;
    const v = this.indexValue(sub.index.ref, c);
    const out = new LiveSet();
    for (const rule of candidates(sub.index, v)) {
      const steps = sub.stepsOf.get(rule);
      if (!steps) continue;
      for (const [parent, seg, child] of steps) out.add(parent, seg, child);
    }
    live.set(node, out);
    return out;
  }

  private withOverridesBelow(v: Value | undefined, pos: readonly Value[], c: Context): Value | undefined {
    if (c.dataOverrides.length === 0) return v;
    let out = v;
    for (const o of c.dataOverrides) {
      if (o.path.length > pos.length && pos.every((p, j) => valuesEqual(p, o.path[j] as Value))) {
        out = setPath(out, o.path.slice(pos.length), o.value);
      }
    }
    return out;
  }

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
  private settleNode(node: RuleNode, deeper: RuleNode, c: Context): Value | undefined {
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

  private computeNode(node: RuleNode, c: Context): Value | undefined {
    c.cache.set(node, PENDING);
    this.ruleDepth++;
    let v: Value | undefined;
    try {
      // A complete node with a plan (see completeValue): straight to its closure.
      const run = node.kind === "complete" && this.planned(c) ? this.plans.node(node) : null;
      if (run) {
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

  private candidateRules(node: RuleNode, c: Context): readonly CompiledRule[] {
    const index = node.index;
    if (!index) return node.rules;
    return candidates(index, this.indexValue(index.ref, c));
  }

  /** The value of a rule index's ref (an input field) in a context. */
  private indexValue(ref: RefTerm, c: Context): Value | undefined {
    const get = this.plans.queryTerm(ref);
    if (get) return get(this, c, NO_SLOTS);
    let v: Value | undefined;
    this.evalRef(ref, new Frame(), c, (x) => {
      v = x;
      return true;
    });
    return v;
  }

  private completeValue(node: RuleNode, c: Context): Value | undefined {
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
  private ruleValue(rule: CompiledRule, c: Context): Value | undefined {
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

  private setValue(node: RuleNode, c: Context): Value {
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

  private objectValue(node: RuleNode, c: Context): Value {
    const out = structuralObject();
    const planned = this.planned(c);
    for (const rule of this.candidateRules(node, c)) {
      const plan = planned ? this.plans.rule(rule) : undefined;
      if (plan) {
        planObjectEntries(plan, rule, this, c, out);
        continue;
      }
      const f = new Frame();
      const element = rule.element;
      this.evalBody(rule.body, 0, f, c, () =>
        this.evalArgs(rule.keys, 0, [], f, c, (keys) =>
          element
            ? this.evalTerm(element, f, c, (v) => {
                insertNested(out, keys, RegoSet.of([v]), rule.location);
                return false;
              })
            : this.evalTerm(rule.value, f, c, (v) => {
                insertNested(out, keys, v, rule.location);
                return false;
              }),
        ),
      );
    }
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

  // -------------------------------------------------------------------------------------------
  // Calls

  /** Function nodes by name, shared by every evaluation of the policy. */
  private get nodeCache(): Map<string, RuleNode | undefined> {
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

  private functionNode(name: string): RuleNode | undefined {
    const cache = this.nodeCache;
    if (cache.has(name)) return cache.get(name);
    const node = findNode(this.root, namePath(name.slice(5)));
    const fn = node?.kind === "function" ? node : undefined;
    cache.set(name, fn);
    return fn;
  }

  private evalCall(call: CallTerm, f: Frame, c: Context, vk: VK): boolean {
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

  private invoke(name: string, call: CallTerm, args: readonly Value[], c: Context): Value | undefined {
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

  private callFunction(node: RuleNode, args: readonly Value[], c: Context): Value | undefined {
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

  private functionValue(rule: CompiledRule, args: readonly Value[], c: Context): Value | undefined {
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

  private evalPrint(call: CallTerm, f: Frame, c: Context, vk: VK): boolean {
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

// ---------------------------------------------------------------------------------------------
// Helpers

function hasUnbound(t: Term, f: Frame): boolean {
  switch (t.type) {
    case "var":
      return !f.vals.has(t.name);
    case "array":
    case "set":
      return t.items.some((i) => hasUnbound(i, f));
    case "object":
      return t.entries.some(([k, v]) => hasUnbound(k, f) || hasUnbound(v, f));
    default:
      return false;
  }
}

function findOverride(
  overrides: readonly { readonly path: readonly Value[]; readonly value: Value }[],
  pos: readonly Value[],
): Value | undefined {
  for (let j = overrides.length - 1; j >= 0; j--) {
    const o = overrides[j] as { path: readonly Value[]; value: Value };
    if (o.path.length === pos.length && o.path.every((p, n) => valuesEqual(p, pos[n] as Value)))
      return o.value;
  }
  return undefined;
}

function hasOverrideAtOrBelow(
  overrides: readonly { readonly path: readonly Value[] }[],
  pos: readonly Value[],
): boolean {
  return overrides.some(
    (o) => o.path.length >= pos.length && pos.every((p, n) => valuesEqual(p, o.path[n] as Value)),
  );
}

/** A copy of `v` with `path` set to `value`, creating objects along the way. */
export function setPath(v: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [Value, ...Value[]];
  const out = new RegoObject();
  if (v instanceof RegoObject) for (const e of v.entries()) out.set(e.key, e.value);
  out.set(head, setPath(v instanceof RegoObject ? v.get(head) : undefined, rest, value));
  return out;
}

function isCollection(v: Value): boolean {
  return Array.isArray(v) || v instanceof RegoObject || v instanceof RegoSet;
}
