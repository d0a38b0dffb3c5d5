// Domain layer, policies: upload (checked: at most 10 MB, UTF-8, parses and compiles) and
// download of a policy's Rego text, which is stored in the database.
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { checkLoginPoliciesOnSamples } from "../login-policies/login-policy-sample-check.js";
import { checkPolicyText, policyProblemsError } from "./policy-compilation.js";
import { getPolicy, getPolicyRow, type Policy, type PolicyGovernanceChange, publishPolicyChange } from "./policy.js";

/** The largest policy text accepted: 10 MB. */
export const MAX_POLICY_BYTES = 10 * 1024 * 1024;

/** Decodes uploaded bytes as UTF-8 text, refusing anything over 10 MB or not UTF-8. */
export function decodePolicyText(body: Uint8Array | string): string {
  const size = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
  if (size > MAX_POLICY_BYTES) {
    throw new DomainError(
      "too_large",
      `the policy is ${size} bytes; uploads are limited to 10 MB (${MAX_POLICY_BYTES} bytes): split it into smaller policies`,
    );
  }
  if (typeof body === "string") return body;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new DomainError("invalid", "the policy text is not valid UTF-8");
  }
}

/** Replaces a policy's Rego text after checking that it parses and compiles; nothing is stored otherwise. */
export async function uploadPolicySource(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  policyId: string,
  body: Uint8Array | string,
): Promise<Policy> {
  const source = decodePolicyText(body);
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const current = await getPolicyRow(tx, ctx.organizationId, policyId);
    const compiled = checkPolicyText(current.name, source, current.query);
    if (!compiled.ok) throw policyProblemsError(compiled.problems);
    await tx.db
      .updateTable("policies")
      .set({
        source,
        package: compiled.module.packagePath,
        rego_version: compiled.module.regoVersion,
        updated_at: now,
      })
      .where("id", "=", policyId)
      .execute();
    // A login policy that errors on recent login samples would lock those callers out: refuse it.
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { policyId });
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "policy.upload",
      resourceType: "policy",
      resourceId: policyId,
      details: { bytes: Buffer.byteLength(source, "utf8"), package: compiled.module.packagePath },
      occurredAt: now,
    });
    await publishPolicyChange(tx, ctx, { action: "policy.upload", policyIds: [policyId], setIds: [] });
    return getPolicy(tx, ctx.organizationId, policyId);
  });
}

/** A policy's Rego text; `not_found` when none was uploaded yet. */
export async function downloadPolicySource(store: Store, organizationId: string, policyId: string): Promise<string> {
  const row = await getPolicyRow(store, organizationId, policyId);
  if (row.source === null) {
    throw new DomainError("not_found", `policy ${policyId} has no Rego text yet; upload it first`);
  }
  return row.source;
}
