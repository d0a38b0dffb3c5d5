// Test support for login-policy tests: an organization with its owner's credential, service
// accounts' credentials made on demand, and login policy sets attached and removed.
import type { Store } from "../../store/store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { createPolicy, deletePolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySet, deletePolicySet } from "../policy-sets/policy-set.js";
import { createServiceAccount } from "../principals/service-account.js";
import type { LoginCredential } from "./login-input.js";

/** An organization "acme" (owner "alice") to attach login policies to. */
export interface LoginPolicyFixture {
  readonly org: BootstrappedOrganization;
  readonly ctx: MutationContext;
  /** The owner's credential (the bootstrap token). */
  readonly owner: LoginCredential;
  /** A new service account named `name` in `spaceId` (default the root) with an API key: its credential. */
  credentialOf(name: string, spaceId?: string): Promise<LoginCredential>;
  /** Attaches a login policy set holding `source` (global, or to `spaceId`); resolves to its removal. */
  withLoginPolicy(source: string, spaceId?: string): Promise<() => Promise<void>>;
}

/** Bootstraps the fixture's organization on `store`. */
export async function loginPolicyFixture(store: Store): Promise<LoginPolicyFixture> {
  const org = await bootstrapOrganization(store, { organizationName: "acme", adminName: "alice" });
  // Not annotated: each domain function takes it as the context of its own kind of change.
  const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" as const } };
  return {
    org,
    ctx,
    owner: {
      organizationId: org.organization.id,
      principalId: org.admin.id,
      tokenId: org.token.id,
      apiKeyId: org.apiKey.id,
    },
    async credentialOf(name, spaceId = org.rootSpace.id) {
      const sa = (await createServiceAccount(store, ctx, { spaceId, name })).serviceAccount;
      const key = (await createApiKey(store, ctx, { principalId: sa.id, type: "SERVICE", name })).apiKey;
      return { organizationId: org.organization.id, principalId: sa.id, apiKeyId: key.id };
    },
    async withLoginPolicy(source, spaceId) {
      const policy = await createPolicy(store, ctx, { name: `p${Math.random().toString(36).slice(2, 8)}` });
      await uploadPolicySource(store, ctx, policy.id, source);
      const set = await createPolicySet(store, ctx, {
        name: `login-${policy.name}`,
        entityTypes: ["login"],
        policyIds: [policy.id],
        ...(spaceId === undefined ? { global: true } : { spaceIds: [spaceId] }),
      });
      return async () => {
        await deletePolicySet(store, ctx, set.id);
        await deletePolicy(store, ctx, policy.id);
      };
    },
  };
}
