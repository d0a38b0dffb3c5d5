// @keygate/rego: a Rego (Open Policy Agent) engine in TypeScript. This is the public API.

export type { BuiltinContext, BuiltinDefinition, HostCapabilities } from "./builtins/builtin.js";
export { BuiltinError } from "./builtins/builtin.js";
export type { BuiltinCall, InputRead, PolicyDependencies } from "./compile/policy-dependencies.js";
export { Engine, type EngineOptions, type ModuleSource } from "./engine/engine.js";
export { PreparedQuery } from "./engine/prepared-query.js";
export type {
  EvaluateOptions,
  ExactQueryResult,
  ExpressionResult,
  QueryResult,
} from "./engine/query-result.js";
export { formatRegoError, RegoError, type RegoErrorCode, type RegoErrorDetail } from "./errors.js";
export type { BudgetLimits } from "./eval/budget.js";
export type { Module, RegoVersion } from "./syntax/ast.js";
export type { Location } from "./syntax/location.js";
export { parseModule, parseQuery, parseTerm } from "./syntax/parser.js";
export {
  type PolicySource,
  runTests,
  type TestOutcome,
  type TestProgress,
  type TestReport,
  type TestResult,
  type TestRunOptions,
} from "./test-runner/test-runner.js";
export { type ExactJson, JsonNumber, stringifyExactJson } from "./value/exact-json.js";
export type { Json } from "./value/json.js";
