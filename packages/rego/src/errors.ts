// Shared by every stage: errors are values with OPA's codes, a message and a location.

import { formatLocation, type Location } from "./syntax/location.js";

/** OPA's error codes, used verbatim (the conformance data checks them). */
export type RegoErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_type_error"
  | "rego_unsafe_var_error"
  | "rego_recursion_error"
  | "eval_conflict_error"
  | "eval_type_error"
  | "eval_builtin_error"
  | "eval_cancel_error"
  | "eval_with_merge_error"
  | "eval_internal_error";

/** One problem in a policy or during its evaluation. */
export interface RegoErrorDetail {
  readonly code: RegoErrorCode;
  readonly message: string;
  readonly location?: Location;
}

/** Thrown by the engine's public API; carries every error found (a module may have many). */
export class RegoError extends Error {
  readonly code: RegoErrorCode;
  readonly location: Location | undefined;
  readonly errors: readonly RegoErrorDetail[];

  constructor(errors: readonly RegoErrorDetail[]) {
    const first = errors[0] ?? { code: "eval_internal_error" as const, message: "unknown error" };
    super(errors.map(formatRegoError).join("\n"));
    this.name = "RegoError";
    this.code = first.code;
    this.location = first.location;
    this.errors = errors;
  }

  /** Builds a RegoError holding a single detail. */
  static of(code: RegoErrorCode, message: string, location?: Location): RegoError {
    return new RegoError([location ? { code, message, location } : { code, message }]);
  }
}

/** Formats one error as `file:row:col: code: message` (as `opa check` prints it). */
export function formatRegoError(e: RegoErrorDetail): string {
  return e.location ? `${formatLocation(e.location)}: ${e.code}: ${e.message}` : `${e.code}: ${e.message}`;
}
