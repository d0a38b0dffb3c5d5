// Domain layer, organizations: `keygate init`: a new organization with its root space, a first
// admin user bound to `admin` on the root space, and a personal access token for that user.
import type { Store } from "../../store/store.js";
import { type ApiKey, createApiKey } from "../api-keys/api-key.js";
import { type Actor, SYSTEM_ACTOR } from "../audit/actor.js";
import { createDefaultDelegateToken, type IssuedDelegateToken } from "../delegate-tokens/delegate-token.js";
import type { User } from "../principals/principal.js";
import { createUser } from "../principals/user.js";
import { createRoleBinding, type RoleBinding } from "../role-bindings/role-binding.js";
import type { Space } from "../spaces/space.js";
import { createToken, type Token } from "../tokens/token.js";
import { createOrganization, type Organization } from "./organization.js";

/** Input of bootstrapOrganization. */
export interface BootstrapOrganizationInput {
  readonly organizationName: string;
  readonly organizationDisplayName?: string;
  readonly adminName: string;
  readonly adminEmail?: string;
  /** Expiry of the admin's first token (epoch ms); none by default. */
  readonly tokenValidTo?: number | null;
}

/** What bootstrap made; `tokenValue` and `delegateTokenValue` are token texts, shown once. */
export interface BootstrappedOrganization {
  readonly organization: Organization;
  readonly rootSpace: Space;
  readonly admin: User;
  readonly adminBinding: RoleBinding;
  readonly apiKey: ApiKey;
  readonly token: Token;
  readonly tokenValue: string;
  /** The organization's default delegate token. */
  readonly delegateToken: IssuedDelegateToken["delegateToken"];
  readonly delegateTokenValue: string;
}

/** Creates an organization, its root space, an admin user with `admin` on the root and their first token. */
export async function bootstrapOrganization(
  store: Store,
  input: BootstrapOrganizationInput,
  actor: Actor = SYSTEM_ACTOR,
): Promise<BootstrappedOrganization> {
  return store.transaction(async (tx) => {
    const { organization, rootSpace } = await createOrganization(tx, actor, {
      name: input.organizationName,
      ...(input.organizationDisplayName !== undefined ? { displayName: input.organizationDisplayName } : {}),
    });
    const ctx = { organizationId: organization.id, actor };
    // Every organization has a default delegate token; its value is shown this once.
    const delegate = await createDefaultDelegateToken(tx, ctx);
    const admin = await createUser(tx, ctx, {
      name: input.adminName,
      ...(input.adminEmail !== undefined ? { email: input.adminEmail } : {}),
    });
    const adminBinding = await createRoleBinding(tx, ctx, {
      subject: { kind: "principal", principalId: admin.id },
      roleId: "role-admin",
      spaceId: rootSpace.id,
    });
    // The admin's own key: created as the admin, so the USER-key rule (only on oneself) holds.
    const asAdmin = { organizationId: organization.id, actor: { ...actor, principalId: admin.id } };
    const { apiKey } = await createApiKey(tx, asAdmin, {
      principalId: admin.id,
      type: "USER",
      name: "bootstrap",
      description: "Created by keygate init",
    });
    const issued = await createToken(tx, asAdmin, {
      apiKeyId: apiKey.id,
      name: "bootstrap",
      description: "First admin token, created by keygate init",
      ...(input.tokenValidTo !== undefined ? { validTo: input.tokenValidTo } : {}),
    });
    return {
      organization,
      rootSpace,
      admin,
      adminBinding,
      apiKey,
      token: issued.token,
      tokenValue: issued.value,
      delegateToken: delegate.delegateToken,
      delegateTokenValue: delegate.value,
    };
  });
}
