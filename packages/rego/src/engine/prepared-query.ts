// Engine: a query compiled once and evaluated many times (per request, per save).

import type { HostCapabilities } from "../builtins/builtin.js";
import { type CompiledPolicy, type CompiledQuery, callArity, operatorName } from "../compile/compiler.js";
import { type PolicyDependencies, policyDependencies } from "../compile/policy-dependencies.js";
import { termVars } from "../compile/safety.js";
import { RegoError } from "../errors.js";
import { Budget, type BudgetLimits } from "../eval/budget.js";
import { Evaluation, type EvaluationSettings, type Evaluator, Frame } from "../eval/evaluator.js";
import { type JsonGet, planQueryJson } from "../plan/plan-json.js";
import { NO_SLOTS } from "../plan/plan-scope.js";
import { plansOf } from "../plan/policy-plans.js";
import type { Body, Expr } from "../syntax/ast.js";
import { type ExactJson, toExactJson } from "../value/exact-json.js";
import { type Json, toJson } from "../value/json.js";
import type { Value } from "../value/value.js";
import type { EvaluateOptions, ExactQueryResult, ExpressionResult, QueryResult } from "./query-result.js";

/** Settings a prepared query takes from its engine. */
export interface PreparedQuerySettings {
  readonly strictBuiltinErrors: boolean;
  readonly budget: BudgetLimits;
  readonly print: (message: string) => void;
  readonly capabilities: HostCapabilities;
  /** Whether rules run through their plans (false: interpreted). */
  readonly plans: boolean;
}

/**
 * The expression of a query whose value is captured, as OPA's rewriteToCaptureValue does: a
 * query of one expression, not negated, without variables, that is a term or a call with a value
 * (not `=`, `:=`, nor a call given its output argument). Its value is reported even when false
 * (`data.app.allow` is `false`, not undefined); in any other query, false fails as usual.
 */
function capturedExpr(policy: CompiledPolicy, query: CompiledQuery): Expr | undefined {
  const e = query.body[0];
  if (query.body.length !== 1 || !e || e.negated) return undefined;
  const kind = e.kind;
  if (kind.type === "term") return termVars(kind.term, new Set(), true).size === 0 ? e : undefined;
  if (kind.type !== "callexpr") return undefined;
  const name = operatorName(kind.call.operator);
  if (name === undefined || name === "eq" || name === "assign") return undefined;
  if (callArity(policy, name) !== kind.call.args.length) return undefined;
  return termVars(kind.call, new Set(), true).size === 0 ? e : undefined;
}

/** The plan of the captured expression when it is a term without `with`. */
function singleTerm(
  policy: CompiledPolicy,
  e: Expr,
  original: Body,
): { get: JsonGet; location: ExpressionResult["location"] } | undefined {
  const o = original[0];
  if (original.length !== 1 || !o || e.with.length > 0 || e.kind.type !== "term") return undefined;
  const get = planQueryJson(e.kind.term, policy);
  return get ? { get, location: Object.freeze({ row: o.location.row, col: o.location.col }) } : undefined;
}

// The bindings of a solution of a query without variables: none (shared, as results are read-only).
const NO_BINDINGS: QueryResult["bindings"] = Object.freeze({});

/** A compiled query; `evaluate` runs it against the engine's current data. */
export class PreparedQuery {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly query: CompiledQuery,
    private readonly original: Body,
    private readonly data: () => Value,
    settings: PreparedQuerySettings,
    private readonly source: string,
  ) {
    for (const e of query.body) this.compiledByOffset.set(e.location.offset, e);
    this.termExprs = query.body.filter((e) => e.kind.type === "term" && !e.negated);
    this.texts = original.map((_, i) => this.expressionText(i));
    this.captured = capturedExpr(policy, query);
    this.evaluation = {
      strictBuiltinErrors: settings.strictBuiltinErrors,
      budget: new Budget(settings.budget),
      print: settings.print,
      capabilities: settings.capabilities,
      plans: settings.plans,
      policyPlans: plansOf(policy),
    };
    this.single = settings.plans && this.captured ? singleTerm(policy, this.captured, original) : undefined;
    if (this.captured) this.recordedExprs = [...this.termExprs, this.captured];
    else this.recordedExprs = this.termExprs;
  }

  /** What every evaluation of this query shares. */
  private readonly evaluation: EvaluationSettings;
  /** The expression whose value is reported even when false (see `capturedExpr`). */
  private readonly captured: Expr | undefined;
  private readonly recordedExprs: readonly Expr[];

  /** A query of one term without variables, planned: evaluated without the interpreter. */
  private readonly single:
    | { readonly get: JsonGet; readonly location: ExpressionResult["location"] }
    | undefined;
  private readonly compiledByOffset = new Map<number, Expr>();
  private readonly termExprs: readonly Expr[];
  private readonly texts: readonly string[];

  /** What this query reads of `input` and which builtins it calls, through every rule it reaches. */
  dependencies(): PolicyDependencies {
    return policyDependencies(this.policy, this.query);
  }

  /** The variables this query reports in its bindings. */
  get vars(): readonly string[] {
    return this.query.vars;
  }

  /** Evaluates the query; returns one result per solution. Throws RegoError (eval_*). */
  evaluate(options: EvaluateOptions = {}): QueryResult[] {
    return this.guarded(() => this.run(options));
  }

  /**
   * Like `evaluate`, but numbers a double cannot hold stay exact (JsonNumber), for printing
   * results as JSON text the way OPA does.
   */
  evaluateExact(options: EvaluateOptions = {}): ExactQueryResult[] {
    return this.guarded(() => this.collect(this.evaluator(options), toExactJson));
  }

  private guarded<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw RegoError.of(
          "eval_cancel_error",
          "evaluation exceeded the maximum depth (deeply nested data or recursion)",
        );
      }
      throw e;
    }
  }

  private run(options: EvaluateOptions): QueryResult[] {
    const evaluator = this.evaluator(options);
    if (this.single) {
      const v = this.single.get(evaluator, evaluator.initialContext(), NO_SLOTS);
      if (v === undefined) return [];
      // The location is the query's own, frozen: results are read-only, and shared parts of them
      // cost no allocation per evaluation.
      const expression = { value: v, text: this.texts[0] ?? "", location: this.single.location };
      return [{ expressions: [expression], bindings: NO_BINDINGS }];
    }
    return this.collect(evaluator, toJson);
  }

  /** Runs the query with the interpreter and converts each solution's values with `convert`. */
  private collect<J extends Json | ExactJson>(
    evaluator: Evaluator,
    convert: (v: Value) => J,
  ): { expressions: (Omit<ExpressionResult, "value"> & { value: J })[]; bindings: Record<string, J> }[] {
    const results: {
      expressions: (Omit<ExpressionResult, "value"> & { value: J })[];
      bindings: Record<string, J>;
    }[] = [];
    const frame = new Frame();
    evaluator.recordValuesOf(this.recordedExprs);
    evaluator.capturedExpr = this.captured;
    evaluator.run(this.query.body, frame, () => {
      const bindings: Record<string, J> = {};
      for (const v of this.query.vars) {
        const value = frame.vals.get(v);
        if (value !== undefined) bindings[v] = convert(value);
      }
      const expressions = this.original.map((e, i) => this.expression(i, e, evaluator, frame, convert));

      results.push({ expressions, bindings });
      return false;
    });
    return results;
  }

  private evaluator(options: EvaluateOptions): Evaluator {
    return new Evaluation(this.policy, this.evaluation, options.input, this.data(), options.nowNs);
  }

  /** Evaluates the query and returns the values of its first expression, one per solution. */
  values(options: EvaluateOptions = {}): Json[] {
    return this.evaluate(options).map((r) => r.expressions[0]?.value ?? null);
  }

  private expression<J extends Json | ExactJson>(
    i: number,
    e: Expr,
    evaluator: Evaluator,
    frame: Frame,
    convert: (v: Value) => J,
  ): Omit<ExpressionResult, "value"> & { value: J } {
    const compiled = this.compiledByOffset.get(e.location.offset);
    const recorded = compiled ? evaluator.recordedValue(compiled) : undefined;
    const v = recorded !== undefined ? recorded : evaluator.expressionValue(e, frame);
    const value = v === undefined ? (true as J) : convert(v);
    return { value, text: this.texts[i] ?? "", location: { row: e.location.row, col: e.location.col } };
  }

  /** The source text of the i-th expression: from its start to the next one's. */
  private expressionText(i: number): string {
    const start = this.original[i]?.location.offset ?? 0;
    const end = this.original[i + 1]?.location.offset ?? this.source.length;
    return this.source.slice(start, end).trim().replace(/;$/, "").trim();
  }
}
