// Builtins: the contract between the evaluator and every builtin function.

import type { Value } from "../value/value.js";

/** What a builtin may use from the evaluation that calls it. */
export interface BuiltinContext {
  /** `time.now_ns()` for this evaluation: fixed for its whole duration. */
  readonly nowNs: bigint;
  /** Per-evaluation cache (e.g. `rand.intn` results, parsed regexes) keyed by builtin name. */
  readonly cache: Map<string, unknown>;
  /** Output sink for `print` (never stdout by default). */
  print(message: string): void;
  /** Random source in [0, 1); replaceable for tests. */
  random(): number;
  /** Host capabilities: network builtins are refused unless the host enables them. */
  readonly capabilities: HostCapabilities;
  /**
   * Charges the evaluation's budget for a result about to be built (`elements` collection
   * elements, `chars` string characters); throws `eval_cancel_error` when that is over budget.
   * Builtins whose result can outgrow their arguments call it BEFORE building. Absent outside
   * an evaluation (direct calls in tests and tools).
   */
  allocate?(elements: number, chars?: number): void;
  /** Charges work over `chars` characters of input (long scans, e.g. regex matching). */
  scan?(chars: number): void;
}

/** Host-provided capabilities; all off by default. */
export interface HostCapabilities {
  /** Implementation of `http.send`, when the host allows it. */
  readonly httpSend?: (request: Value) => Value;
}

/** A builtin implementation: returns a value, or undefined for "undefined", or throws BuiltinError. */
export type BuiltinImpl = (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;

/** A builtin function: its full dotted name, arity and implementation. */
export interface BuiltinDefinition {
  readonly name: string;
  readonly arity: number;
  readonly impl: BuiltinImpl;
  /**
   * The same function on two arguments without an argument array, for builtins that never
   * fail (comparisons); planned rules call it directly.
   */
  readonly binary?: (a: Value, b: Value) => Value;
  /**
   * The implementation for calls whose arguments are partly known when the policy is planned
   * (`constants[i]` is the i-th argument's value, or undefined when computed): work on them done
   * once (a CIDR parsed), with the same results and errors as `impl`; undefined when nothing is
   * gained, or when the constants would make `impl` fail (it then fails at the call, as always).
   */
  readonly prepare?: (constants: readonly (Value | undefined)[]) => BuiltinImpl | undefined;
  /** True when the result may differ between calls with the same arguments (rand, time.now_ns). */
  readonly nondeterministic?: boolean;
  /** Argument and result types, for compile-time checks (as in OPA's capabilities.json). */
  readonly decl?: BuiltinDecl;
}

/** A builtin's signature: argument types, result type, and a variadic tail if any. */
export interface BuiltinDecl {
  readonly args: readonly TypeSpec[];
  readonly result?: TypeSpec;
  readonly variadic?: TypeSpec;
}

/** A type in a builtin signature, in the shape of OPA's capabilities.json `decl` entries. */
export type TypeSpec =
  | { readonly type: "any"; readonly of?: readonly TypeSpec[] }
  | { readonly type: "null" }
  | { readonly type: "boolean" }
  | { readonly type: "number" }
  | { readonly type: "string" }
  | { readonly type: "array"; readonly static?: readonly TypeSpec[]; readonly dynamic?: TypeSpec }
  | { readonly type: "set"; readonly of?: TypeSpec }
  | {
      readonly type: "object";
      readonly static?: readonly { readonly key: string; readonly value: TypeSpec }[];
      readonly dynamic?: { readonly key: TypeSpec; readonly value: TypeSpec };
    }
  | { readonly type: "function"; readonly args: readonly TypeSpec[]; readonly result?: TypeSpec };

/**
 * An error raised by a builtin. `type` errors (wrong operand types) become `eval_type_error`,
 * others `eval_builtin_error`; the evaluator adds the call's location and name.
 */
export class BuiltinError extends Error {
  readonly kind: "type" | "builtin";

  constructor(kind: "type" | "builtin", message: string) {
    super(message);
    this.name = "BuiltinError";
    this.kind = kind;
  }
}

/** Raises the operand type error OPA gives: `operand N must be T but got U`. */
export function operandError(position: number, expected: string, got: string): BuiltinError {
  return new BuiltinError("type", `operand ${position} must be ${expected} but got ${got}`);
}
