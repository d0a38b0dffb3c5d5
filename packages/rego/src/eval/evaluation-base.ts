// Evaluation (runs plans and interprets the compiled policy; below it: plan, compile, syntax):
// what one evaluation holds and charges. Its budget (steps, memory, the clock), its calls into
// builtins, and the switch between plans and the interpreter. The evaluator's other parts
// (expressions, terms, data refs, rule values, calls) extend it, one concept per file.

import { type BuiltinContext, BuiltinError, type HostCapabilities } from "../builtins/builtin.js";
import { type CompiledPolicy, operatorName } from "../compile/compiler.js";
import type { RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import type { PolicyPlans } from "../plan/policy-plans.js";
import type { Expr, RefTerm } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";
import {
  type Budget,
  CHARS_PER_STEP,
  CHECK_EVERY,
  ELEMENT_BYTES,
  LONG_SCAN,
  SCAN_NS_PER_CHAR,
  SCANNED_CHARS_PER_STEP,
} from "./budget.js";
import type { Context } from "./context.js";

/** Continuation for a solution: return true to stop enumerating. */
export type K = () => boolean;
/** Continuation receiving a value. */
export type VK = (v: Value) => boolean;

/** What stays the same across the evaluations of one prepared query. */
export interface EvaluationSettings {
  readonly strictBuiltinErrors: boolean;
  readonly budget: Budget;
  readonly print: (message: string) => void;
  readonly capabilities: HostCapabilities;
  /** Run rules through their plans where they have one (default); false interprets every rule. */
  readonly plans?: boolean;
  /** The policy's plans, found once per prepared query (else once per evaluation). */
  readonly policyPlans?: PolicyPlans;
}

const nameCache = new WeakMap<RefTerm, string | null>();

/** The name a call's operator refers to, computed once per operator. */
export function callName(op: RefTerm): string | undefined {
  let n = nameCache.get(op);
  if (n === undefined) {
    n = operatorName(op) ?? null;
    nameCache.set(op, n);
  }
  return n ?? undefined;
}

/** One evaluation's state and budget; also what builtins see of it (its `BuiltinContext`). */
export abstract class EvaluationBase implements BuiltinContext {
  // The state is declared here and set by the Evaluator's constructor (the one class that is
  // constructed): a constructor per layer would cost every evaluation a call that the engine
  // does not inline.
  declare protected policy: CompiledPolicy;
  declare protected settings: EvaluationSettings;
  declare protected input: unknown;
  /** The base documents under `data`. */
  declare baseData: Value;
  declare protected root: RuleNode;
  declare protected nodeCacheOfPolicy: Map<string, RuleNode | undefined> | undefined;
  declare protected usePlans: boolean;
  /** The policy's plans (built on first use, shared by its evaluations). */
  declare protected plans: PolicyPlans;
  declare protected budget: Budget;
  declare protected steps: number;
  declare protected bytes: number;
  /** Rule evaluations in progress, one inside another (see settleNode). */
  declare protected ruleDepth: number;
  declare protected nextCheck: number;
  declare protected started: number;
  declare protected now: bigint | undefined;
  declare protected cacheMap: Map<string, unknown> | undefined;
  /** Output sink of `print` (a builtin context's). */
  declare print: (message: string) => void;
  /** Host capabilities (a builtin context's). */
  declare capabilities: HostCapabilities;
  /** Random source (a builtin context's). */
  declare random: () => number;
  declare protected rootContext: Context | undefined;
  /** Top-level query expressions whose values the caller reports (set by `recordValuesOf`). */
  declare protected recorded: Map<Expr, Value | undefined> | undefined;
  /**
   * The query expression whose value is captured (OPA's rewriteToCaptureValue): a query of one
   * expression without variables reports its value even when it is false. Set before `run`.
   */
  declare capturedExpr: Expr | undefined;

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
  protected checkBudget(location: Location | undefined, upcomingMs = 0): void {
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
  protected chargeResult(v: Value): void {
    if (typeof v === "string") {
      if (v.length > CHECK_EVERY) this.allocate(0, v.length);
    } else if (Array.isArray(v)) this.allocate(v.length);
    else if (v instanceof RegoObject || v instanceof RegoSet) this.allocate(v.size);
  }

  protected builtinFailed(e: unknown, name: string, location: Location): undefined {
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
  protected planned(c: Context): boolean {
    return this.usePlans && c.dataOverrides.length === 0 && c.functionOverrides.size === 0;
  }
}
