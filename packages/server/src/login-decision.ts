// Package entry `@keygate/server/login-decision`: the login decision's rules (allow/deny, roles by
// space) as pure functions with no node: imports, for the browser console, which evaluates draft
// login policies with @keygate/rego on sample inputs and decides with these, exactly as the server
// does (the server's own decideLogin combines its results with the same functions). Also the space
// tree builder the rules need, from the API's spaces.
export {
  callerScope,
  combineLoginResults,
  type EvaluatedLoginSet,
  failedLoginPolicyResult,
  type IgnoredRole,
  type IgnoredRoleCode,
  type LoginDecision,
  type LoginPolicyInfo,
  type LoginPolicyResult,
  type LoginPolicySetInfo,
  type LoginRefusal,
  type LoginResolver,
  type LoginRole,
  loginDocumentOf,
  loginPolicyResultOf,
  type RoleEntry,
  roleEntriesOf,
  setAppliesToCaller,
} from "./domain/login-policies/login-rules.js";
export { messagesOf } from "./domain/policy-evaluations/policy-messages.js";
export { spaceIdByReference } from "./domain/spaces/space-reference.js";
export { buildSpaceTree, type SpaceTreeOf, type TreeSpace } from "./domain/spaces/space-tree.js";
