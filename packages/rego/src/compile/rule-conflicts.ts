// Compile stage (rule semantics that plans and the evaluator check at run time): OPA's conflict
// errors between the values of one complete rule or function. Every path that combines such
// values (plans, the interpreter, nodes of several rules) checks here.

import { RegoError } from "../errors.js";
import type { Location } from "../syntax/location.js";
import { type Value, valuesEqual } from "../value/value.js";

/** Complete rules that disagree. */
export const COMPLETE_CONFLICT = "complete rules must not produce multiple outputs";
/** Function definitions that disagree for the same arguments. */
export const FUNCTION_CONFLICT = "functions must not produce multiple outputs for same inputs";

/** Throws `eval_conflict_error` at `location` when `v` differs from the value found before. */
export function checkSameValue(
  before: Value | undefined,
  v: Value,
  message: string,
  location: Location | undefined,
): void {
  if (before !== undefined && !valuesEqual(before, v))
    throw RegoError.of("eval_conflict_error", message, location);
}
