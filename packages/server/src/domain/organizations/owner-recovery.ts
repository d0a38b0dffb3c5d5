// Domain layer, organizations: `keygate admin recover`: the operator, on the host (with direct
// access to the store, not through the API), issues a new owner token for an organization whose
// owners are locked out or lost their token. The owner is an enabled user bound to `admin` at the
// root space (the oldest), or a new user bound so when there is none; the token is shown once and
// the recovery is audited.
import type { Store } from "../../store/store.js";
import { type ApiKey, createApiKey } from "../api-keys/api-key.js";
import type { Actor } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import type { User } from "../principals/principal.js";
import { createUser, getUser } from "../principals/user.js";
import { createRoleBinding } from "../role-bindings/role-binding.js";
import { createToken, type Token } from "../tokens/token.js";
import { getOrganization, type Organization } from "./organization.js";

/** The actor of a recovery: the operator at the host's command line. */
export const RECOVERY_ACTOR: Actor = { principalId: null, via: "cli" };

/** Input of recoverOwnerToken. */
export interface RecoverOwnerInput {
  /** The organization's name or id. */
  readonly organization: string;
  /** Name of the user created when the organization has no enabled owner (default `recovered-admin-<time>`). */
  readonly newAdminName?: string;
  /** Expiry of the new token (epoch ms); default one day, since it is meant to repair, not to keep. */
  readonly tokenValidTo?: number | null;
  /** The current time in epoch ms (tests pin it). */
  readonly now?: number;
}

/** What recovery made; `tokenValue` is shown once. */
export interface RecoveredOwner {
  readonly organization: Organization;
  readonly owner: User;
  /** True when no enabled owner existed and `owner` was created. */
  readonly ownerCreated: boolean;
  readonly apiKey: ApiKey;
  readonly token: Token;
  readonly tokenValue: string;
}

/** How long a recovery token lives unless told otherwise. */
export const RECOVERY_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Issues a new owner token for an organization (see the module comment). */
export async function recoverOwnerToken(store: Store, input: RecoverOwnerInput): Promise<RecoveredOwner> {
  const organization = await getOrganization(store, input.organization);
  const now = input.now ?? Date.now();
  return store.transaction(async (tx) => {
    const root = await tx.db
      .selectFrom("spaces")
      .select("id")
      .where("organization_id", "=", organization.id)
      .where("parent_id", "is", null)
      .executeTakeFirst();
    if (!root) throw new DomainError("not_found", `organization ${organization.name} has no root space`);
    const ctx = { organizationId: organization.id, actor: RECOVERY_ACTOR, now };
    const owners = await tx.db
      .selectFrom("role_bindings")
      .innerJoin("principals", "principals.id", "role_bindings.principal_id")
      .select(["principals.id as id"])
      .where("role_bindings.organization_id", "=", organization.id)
      .where("role_bindings.role_id", "=", "role-admin")
      .where("role_bindings.space_id", "=", root.id)
      .where("principals.kind", "=", "user")
      .where("principals.disabled", "=", 0)
      .orderBy("principals.created_at")
      .orderBy("principals.id")
      .execute();
    let owner: User;
    let ownerCreated = false;
    if (owners[0] !== undefined) {
      owner = await getUser(tx, organization.id, owners[0].id);
    } else {
      const stampName = new Date(now).toISOString().slice(0, 19).replace(/[-:T]/g, "");
      owner = await createUser(tx, ctx, { name: input.newAdminName ?? `recovered-admin-${stampName}` });
      await createRoleBinding(tx, ctx, {
        subject: { kind: "principal", principalId: owner.id },
        roleId: "role-admin",
        spaceId: root.id,
      });
      ownerCreated = true;
    }
    // The owner's own key, created as the owner (the USER-key rule: only on oneself).
    const asOwner = { ...ctx, actor: { ...RECOVERY_ACTOR, principalId: owner.id } };
    const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
    const { apiKey } = await createApiKey(tx, asOwner, {
      principalId: owner.id,
      type: "USER",
      name: `recovery-${stamp}-${newId("r").slice(-4)}`,
      description: "Created by keygate admin recover",
    });
    const validTo = input.tokenValidTo === undefined ? now + RECOVERY_TOKEN_LIFETIME_MS : input.tokenValidTo;
    const issued = await createToken(tx, asOwner, {
      apiKeyId: apiKey.id,
      name: "recovery",
      description: "Owner token issued by keygate admin recover on the host",
      validTo,
    });
    await recordAuditEvent(tx, {
      organizationId: organization.id,
      actor: RECOVERY_ACTOR,
      action: "organization.recover-owner",
      resourceType: "token",
      resourceId: issued.token.id,
      details: {
        owner: owner.id,
        ownerName: owner.name,
        ownerCreated,
        apiKeyId: apiKey.id,
        validTo,
        how: "keygate admin recover, run by the operator on the host",
      },
      occurredAt: now,
    });
    return { organization, owner, ownerCreated, apiKey, token: issued.token, tokenValue: issued.value };
  });
}
