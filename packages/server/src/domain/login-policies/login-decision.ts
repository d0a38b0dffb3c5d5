// Domain layer, login policies: evaluates the compiled login policy sets on a login input and
// decides with the login rules (login-rules.ts, shared with the browser console): this module adds
// only the evaluation of each compiled policy by the Rego engine.
import { RegoError } from "@keygate/rego";
import { evaluateValue } from "../policies/policy-module.js";
import type { CompiledPolicySet } from "../policy-evaluations/compiled-policy-sets.js";
import {
  combineLoginResults,
  failedLoginPolicyResult,
  type LoginDecision,
  type LoginPolicyInfo,
  type LoginPolicyResult,
  type LoginResolver,
  loginPolicyResultOf,
} from "./login-rules.js";

export {
  callerScope,
  type IgnoredRole,
  type IgnoredRoleCode,
  type LoginDecision,
  type LoginPolicyResult,
  type LoginRefusal,
  type LoginResolver,
  loginDocumentOf,
  type RoleEntry,
  roleEntriesOf,
  setAppliesToCaller,
} from "./login-rules.js";

const infos = new WeakMap<CompiledPolicySet["policies"][number], LoginPolicyInfo>();

/** What the login rules need of a compiled policy besides its document, made once per policy. */
function infoOf(policy: CompiledPolicySet["policies"][number]): LoginPolicyInfo {
  let info = infos.get(policy);
  if (info === undefined) {
    info = Object.freeze({
      policyId: policy.policyId,
      policyName: policy.policyName,
      definesAllow:
        policy.ok &&
        policy.syntax.rules.some((r) => r.head.ref.head.type === "var" && r.head.ref.head.name === "allow"),
    });
    infos.set(policy, info);
  }
  return info;
}

/** Evaluates one compiled login policy. */
export function evaluateLoginPolicy(
  set: CompiledPolicySet["set"],
  policy: CompiledPolicySet["policies"][number],
  input: unknown,
  nowNs?: bigint,
): LoginPolicyResult {
  const info = infoOf(policy);
  if (!policy.ok || policy.queries.kind !== "login") {
    const why = policy.ok ? "not compiled for login" : policy.problems.map((p) => p.message).join("; ");
    return failedLoginPolicyResult(
      set,
      { ...info, definesAllow: false },
      `login policy ${info.policyName} does not compile: ${why}`,
    );
  }
  try {
    return loginPolicyResultOf(set, info, evaluateValue(policy.queries.document, input, nowNs));
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    return failedLoginPolicyResult(
      set,
      info,
      `login policy ${info.policyName} could not be evaluated: ${e.message}`,
    );
  }
}

/** Evaluates the login sets on the input (`time.now_ns()` is `nowNs`) and turns their roles into grants. */
export function decideLogin(
  sets: readonly CompiledPolicySet[],
  input: unknown,
  resolver: LoginResolver,
  nowNs?: bigint,
): LoginDecision {
  return combineLoginResults(
    sets.map(({ set, policies }) => ({
      set,
      results: policies.map((policy) => evaluateLoginPolicy(set, policy, input, nowNs)),
    })),
    input,
    resolver,
  );
}
