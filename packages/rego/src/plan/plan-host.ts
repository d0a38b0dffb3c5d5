// Planning: what a plan needs from the evaluation that runs it. Plans are built before any
// evaluation and depend only on the compiled policy; the evaluator implements this host and
// hands each plan the context it runs in, so the dependency points from evaluation to planning.

import type { RuleNode } from "../compile/rule-tree.js";
import type { BuiltinContext } from "../builtins/builtin.js";
import type { CallTerm, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import type { Json } from "../value/json.js";
import type { RawInput } from "../value/raw-input.js";
import type { Value } from "../value/value.js";

/**
 * What a plan reads of the evaluation context it runs in. The evaluator's contexts extend it;
 * a plan passes the context it was given back to its host unchanged, never one of its own.
 */
export interface PlanContext {
  readonly input: Value | undefined;
  /** The caller's JSON input, when `input` is exactly that (no `with input` in effect). */
  readonly rawInput?: RawInput;
}

/** Marks a data path whose value cannot be built as JSON directly (the caller converts). */
export const NOT_JSON = Symbol("not JSON");

/**
 * The evaluation running a plan: its budget, its calls and the values of other rules. Methods
 * receive the plan's own context back (see PlanContext).
 */
export interface PlanHost {
  /** The base documents under `data`. */
  readonly baseData: Value;
  /** Counts one step (an expression, an enumerated element) against the budget. */
  tick(location: Location): void;
  /** Charges the budget for a collection about to be built (throws `eval_cancel_error`). */
  allocate(elements: number, chars?: number, location?: Location): void;
  /** Calls a builtin's implementation, turning its failure into undefined or an error as OPA does. */
  callBuiltin(
    impl: (args: readonly Value[], ctx: BuiltinContext) => Value | undefined,
    name: string,
    args: readonly Value[],
    location: Location,
  ): Value | undefined;
  /** Calls a function or builtin by name (with `with` overrides applied). */
  call(name: string, call: CallTerm, args: readonly Value[], c: PlanContext): Value | undefined;
  /** The value of a rule node in a context. */
  nodeValue(node: RuleNode, c: PlanContext): Value | undefined;
  /** The value of a package node with no base document at its path: its children's values. */
  packageValue(node: RuleNode, c: PlanContext): Value;
  /** The value of a data ref whose path is a list of constant terms, or undefined. */
  groundDataValue(path: readonly Term[], c: PlanContext): Value | undefined;
  /** The JSON value of `data` at a path of names above rules; NOT_JSON where it cannot be built so. */
  dataJson(segs: readonly string[], c: PlanContext): Json | undefined | typeof NOT_JSON;
  /** The JSON value of a package node with no base document at its path. */
  packageJson(node: RuleNode, c: PlanContext): Json | undefined;
}
