// Domain layer, principals: deleting a principal, with its API keys, tokens, bindings and team
// memberships (cascaded by the database), telling every cache what went.
import { announceChange } from "../../store/announce-change.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import type { Principal } from "./principal.js";

/** Deletes the principal inside `tx`, audits it and publishes the change events. */
export async function removePrincipal(tx: Store, ctx: MutationContext, principal: Principal): Promise<void> {
  const tokens = await tx.db
    .selectFrom("tokens")
    .innerJoin("api_keys", "api_keys.id", "tokens.api_key_id")
    .select(["tokens.id", "tokens.public_id"])
    .where("api_keys.principal_id", "=", principal.id)
    .execute();
  const keys = await tx.db
    .selectFrom("api_keys")
    .select("id")
    .where("principal_id", "=", principal.id)
    .execute();
  await tx.db.deleteFrom("principals").where("id", "=", principal.id).execute();
  await recordAuditEvent(tx, {
    organizationId: ctx.organizationId,
    actor: ctx.actor,
    action: `${principal.kind}.delete`,
    resourceType: principal.kind,
    resourceId: principal.id,
    details: { name: principal.name, apiKeysDeleted: keys.length, tokensDeleted: tokens.length },
    occurredAt: ctx.now,
  });
  const org = ctx.organizationId;
  for (const t of tokens) {
    await announceChange(tx, {
      kind: "token.deleted",
      organizationId: org,
      tokenId: t.id,
      publicId: t.public_id,
    });
  }
  for (const k of keys)
    await announceChange(tx, { kind: "api-key.deleted", organizationId: org, apiKeyId: k.id });
  await announceChange(tx, { kind: "principal.changed", organizationId: org, principalId: principal.id });
}
