// Engine: the shapes callers pass to and get back from an evaluation (OPA's result set).

import type { ExactJson } from "../value/exact-json.js";
import type { Json } from "../value/json.js";

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** The input document (plain JSON); absent means `input` is undefined. */
  readonly input?: unknown;
  /** `time.now_ns()` for this evaluation (default: the current time). */
  readonly nowNs?: bigint;
}

/** One expression of the query and its value in a solution. */
export interface ExpressionResult {
  readonly value: Json;
  readonly text: string;
  readonly location: { readonly row: number; readonly col: number };
}

/** One solution of a query, as `opa eval --format json` prints it in `result`. */
export interface QueryResult {
  readonly expressions: readonly ExpressionResult[];
  readonly bindings: Readonly<Record<string, Json>>;
}

/** One solution with numbers kept exact (see PreparedQuery.evaluateExact). */
export interface ExactQueryResult {
  readonly expressions: readonly (Omit<ExpressionResult, "value"> & { readonly value: ExactJson })[];
  readonly bindings: Readonly<Record<string, ExactJson>>;
}
