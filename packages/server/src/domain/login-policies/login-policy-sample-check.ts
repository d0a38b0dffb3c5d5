// Domain layer, login policies: the check run before a login policy takes effect. Attaching or
// changing a login policy set, and uploading or changing a policy that belongs to one, first
// evaluates the affected login policies on the organization's recent real login samples (with the
// request path's budget); a policy that errors on any of them is refused with the error and the
// sample, so a broken policy never reaches the request path. Run inside the change's transaction
// (it sees the change; refusing rolls it back). A leaf of the domain: it reads the tables itself,
// so the policy and policy-set modules can call it without an import circle.
import { RegoError } from "@keygate/rego";
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { policyFileName } from "../policies/policy-compilation.js";
import { compileModule, evaluateValue, packageRef } from "../policies/policy-module.js";
import { listPolicySamples, type PolicySample } from "../policy-evaluations/policy-sample.js";
import { loginInputFromJson } from "./login-input-json.js";
import { loginPolicyLimits } from "./login-policy-limits.js";

/** How many of the most recent login samples a changed login policy is evaluated on. */
export const LOGIN_SAMPLES_CHECKED = 10;

/** Which login policies a change touches: those of one set, or one policy (in whichever login sets hold it). */
export type LoginPolicyChange = { readonly setId: string } | { readonly policyId: string };

/** What identifies a sample to a person: its id, time, and who called from where. */
export interface LoginSampleSummary {
  readonly id: string;
  readonly createdAt: number;
  readonly login: unknown;
  readonly kind: unknown;
  readonly remoteIp: unknown;
}

function summaryOf(sample: PolicySample): LoginSampleSummary {
  const input = sample.input as {
    session?: Record<string, unknown>;
    request?: Record<string, unknown>;
  } | null;
  return {
    id: sample.id,
    createdAt: sample.createdAt,
    login: input?.session?.login ?? null,
    kind: input?.session?.kind ?? null,
    remoteIp: input?.request?.remote_ip ?? null,
  };
}

/** The ids of the policies (with source) a change puts in effect in login sets that apply somewhere. */
async function affectedLoginPolicies(
  store: Store,
  organizationId: string,
  change: LoginPolicyChange,
): Promise<{ id: string; name: string; source: string }[]> {
  let sets = store.db
    .selectFrom("policy_sets")
    .select(["id", "global", "entity_types", "events"])
    .where("organization_id", "=", organizationId);
  if ("setId" in change) sets = sets.where("id", "=", change.setId);
  const setRows = await sets.execute();
  const loginSetIds: string[] = [];
  for (const row of setRows) {
    const types = JSON.parse(row.entity_types) as unknown[];
    const events = JSON.parse(row.events) as unknown[];
    if (types.includes("login") && events.includes("onLogin")) loginSetIds.push(row.id);
  }
  if (loginSetIds.length === 0) return [];
  // A set in effect: global, or attached to at least one space.
  const attached = new Set(
    (
      await store.db
        .selectFrom("policy_set_spaces")
        .select("policy_set_id")
        .where("policy_set_id", "in", loginSetIds)
        .execute()
    ).map((r) => r.policy_set_id),
  );
  const global = new Set(setRows.filter((r) => r.global !== 0).map((r) => r.id));
  const inEffect = loginSetIds.filter((id) => global.has(id) || attached.has(id));
  if (inEffect.length === 0) return [];
  let members = store.db
    .selectFrom("policy_set_policies")
    .innerJoin("policies", "policies.id", "policy_set_policies.policy_id")
    .select(["policies.id as id", "policies.name as name", "policies.source as source"])
    .where("policies.organization_id", "=", organizationId)
    .where("policy_set_policies.policy_set_id", "in", inEffect);
  if ("policyId" in change) members = members.where("policies.id", "=", change.policyId);
  const rows = await members.execute();
  const seen = new Set<string>();
  const out: { id: string; name: string; source: string }[] = [];
  for (const row of rows) {
    if (row.source === null || seen.has(row.id)) continue;
    seen.add(row.id);
    out.push({ id: row.id, name: row.name, source: row.source });
  }
  return out;
}

/**
 * Refuses (DomainError `invalid`, 422) a change that puts in effect a login policy which errors on
 * one of the organization's recent login samples; the error names the policy, the error and the
 * sample (`details.sample`). Call inside the change's transaction, after the change is written.
 */
export async function checkLoginPoliciesOnSamples(
  store: Store,
  organizationId: string,
  change: LoginPolicyChange,
): Promise<void> {
  const policies = await affectedLoginPolicies(store, organizationId, change);
  if (policies.length === 0) return;
  const samples = await listPolicySamples(store, organizationId, "login", LOGIN_SAMPLES_CHECKED);
  if (samples.length === 0) return;
  const { timeoutMs, maxSteps } = loginPolicyLimits();
  for (const policy of policies) {
    const compiled = compileModule(policyFileName(policy.name), policy.source, (pkg) => [packageRef(pkg)], {
      budget: { timeoutMs, maxSteps },
    });
    // Text that does not compile was refused when uploaded; nothing to evaluate.
    if (!compiled.ok) continue;
    const [document] = compiled.module.queries;
    if (document === undefined) continue;
    for (const sample of samples) {
      const input = loginInputFromJson(sample.input);
      const ts = (input as { request?: { timestamp_ns?: unknown } } | null)?.request?.timestamp_ns;
      try {
        // The sample's own time, so time windows judge it as they did then.
        evaluateValue(document, input, typeof ts === "bigint" ? ts : undefined);
      } catch (error) {
        if (!(error instanceof RegoError)) throw error;
        const summary = summaryOf(sample);
        throw new DomainError(
          "invalid",
          `login policy ${policy.name} could not be evaluated on recent login sample ${sample.id} ` +
            `(${String(summary.login)} from ${String(summary.remoteIp)}): ${error.message}; ` +
            "it would refuse that caller on every request, so it is not put in effect",
          {
            field: "/data",
            details: { policyId: policy.id, policyName: policy.name, error: error.message, sample: summary },
          },
        );
      }
    }
  }
}
