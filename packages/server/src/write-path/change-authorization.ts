// Write path, step 1: authorize a change beyond its permission (which the route checked): the
// escalation rule. Binding a role (to a principal or a team), adding a member to a team that holds
// roles, and putting permissions in a custom role need the caller to hold those permissions where
// they will apply (or `role-bindings.escalate` there); issuing, changing, rotating, revoking or
// deleting a principal's API keys and tokens needs everything that principal may do to be something
// the caller may do. Delegate tokens belong to a space, not to a principal: their permission suffices.
// A login policy can grant any role in the spaces its set applies to, so creating or changing one
// (its source, its set's policies, spaces or entity types) needs `role-bindings.escalate` there.
import type { EffectiveAccess } from "../domain/access/effective-access.js";
import {
  ESCALATE_PERMISSION,
  type MissingPermissions,
  permissionsLackedOver,
  permissionsLackedToGrant,
} from "../domain/access/escalation-rule.js";
import { DomainError } from "../domain/domain-error.js";
import type { PolicyGovernanceChange } from "../domain/policies/policy.js";
import { getPrincipal, type Principal } from "../domain/principals/principal.js";
import { PERMISSIONS, type Permission } from "../domain/roles/permission-catalogue.js";
import { getRole } from "../domain/roles/role.js";
import { loadSpaceTree, type SpaceTree } from "../domain/spaces/space.js";
import type { Store } from "../store/store.js";
import { credentialHolderAccess } from "./credential-holder-access.js";
import type { PendingChange } from "./pending-change.js";

/**
 * On whose authority a change is made: an authenticated principal's access (with the space tree it
 * was checked against, when the caller has one loaded), or the system's own.
 */
export type WriteAuthority =
  | {
      readonly kind: "principal";
      readonly principalId: string;
      readonly access: EffectiveAccess;
      readonly spaces?: SpaceTree;
    }
  | { readonly kind: "system" };

function describeMissing(missing: readonly MissingPermissions[], tree: SpaceTree): string {
  return missing
    .map((m) => {
      const name = tree.spaces.get(m.spaceId)?.name;
      return `${m.permissions.join(", ")} in space ${name === undefined ? m.spaceId : `${name} (${m.spaceId})`}`;
    })
    .join("; ");
}

function refused(message: string, missing: readonly MissingPermissions[]): DomainError {
  return new DomainError("forbidden", message, {
    details: {
      missingPermissions: missing.map((m) => ({ spaceId: m.spaceId, permissions: [...m.permissions] })),
    },
  });
}

function escalationRefused(
  what: string,
  missing: readonly MissingPermissions[],
  tree: SpaceTree,
): DomainError {
  return refused(
    `${what} would grant permissions you do not hold: you lack ${describeMissing(missing, tree)}; ` +
      "ask someone who holds them (or role-bindings.escalate there) to do it",
    missing,
  );
}

const CREDENTIAL_VERBS: Record<string, string> = {
  "token.create": "issuing a token for",
  "token.update": "changing a token of",
  "token.rotate": "rotating a token of",
  "token.revoke": "revoking a token of",
  "token.delete": "deleting a token of",
  "api-key.create": "creating an API key for",
  "api-key.update": "changing an API key of",
  "api-key.delete": "deleting an API key of",
  "invitation.create": "inviting",
};

function rootSpaceIdOf(tree: SpaceTree): string {
  for (const space of tree.spaces.values()) if (space.parentId === null) return space.id;
  throw new DomainError("not_found", `organization ${tree.organizationId} has no root space`);
}

function lackedToGrant(
  caller: EffectiveAccess,
  tree: SpaceTree,
  grants: readonly { readonly spaceId: string; readonly permissions: readonly Permission[] }[],
): MissingPermissions[] {
  const bySpace = new Map<string, Set<Permission>>();
  for (const grant of grants) {
    for (const permission of permissionsLackedToGrant(caller, tree, grant.spaceId, grant.permissions)) {
      const set = bySpace.get(grant.spaceId) ?? new Set<Permission>();
      set.add(permission);
      bySpace.set(grant.spaceId, set);
    }
  }
  return [...bySpace].map(([spaceId, set]) => ({ spaceId, permissions: [...set].sort() }));
}

/** True when `access` holds every permission there is in the root space: no principal can hold more. */
function holdsEverything(access: EffectiveAccess, tree: SpaceTree): boolean {
  const root = rootSpaceIdOf(tree);
  const held = access.permissionsBySpace.get(root);
  if (held === undefined) return false;
  for (const permission of PERMISSIONS) if (!held.has(permission)) return false;
  return true;
}

async function credentialRule(
  root: Store,
  tx: Store,
  authority: Extract<WriteAuthority, { kind: "principal" }>,
  organizationId: string,
  holder: Principal,
  what: string,
  now: number,
): Promise<void> {
  // Managing one's own credentials grants nothing one does not already hold.
  if (holder.id === authority.principalId) return;
  // The tree the caller's access was checked against; the stored one when there is none.
  let tree = authority.spaces ?? (await loadSpaceTree(tx, organizationId));
  // Whoever holds every permission in the root space holds all that any principal may.
  if (holdsEverything(authority.access, tree)) return;
  const target = await credentialHolderAccess(root, tx, holder, now);
  // A space the caller's tree does not know yet (created since it was loaded): judge on the stored tree.
  if (
    authority.spaces !== undefined &&
    [...target.permissionsBySpace.keys()].some((id) => !tree.spaces.has(id))
  ) {
    tree = await loadSpaceTree(tx, organizationId);
  }
  const missing = permissionsLackedOver(authority.access, tree, target);
  if (missing.length > 0) {
    throw refused(
      `${CREDENTIAL_VERBS[what] ?? what} principal ${holder.id} is refused: that principal may do more than you ` +
        `(you lack ${describeMissing(missing, tree)}), and only someone holding all its permissions may manage its credentials`,
      missing,
    );
  }
}

async function loginPolicyRule(
  tx: Store,
  authority: Extract<WriteAuthority, { kind: "principal" }>,
  organizationId: string,
  change: PolicyGovernanceChange,
): Promise<void> {
  if (change.policyIds.length === 0 && change.setIds.length === 0) return;
  // The login sets the change touched, as they are after it.
  let query = tx.db
    .selectFrom("policy_sets")
    .select(["id", "name", "global", "entity_types"])
    .where("organization_id", "=", organizationId);
  query = query.where((eb) =>
    eb.or([
      ...(change.setIds.length > 0 ? [eb("id", "in", [...change.setIds])] : []),
      ...(change.policyIds.length > 0
        ? [
            eb(
              "id",
              "in",
              eb
                .selectFrom("policy_set_policies")
                .select("policy_set_id")
                .where("policy_id", "in", [...change.policyIds]),
            ),
          ]
        : []),
    ]),
  );
  const sets = (await query.execute()).filter((set) =>
    (JSON.parse(set.entity_types) as unknown[]).includes("login"),
  );
  if (sets.length === 0) return;
  const tree = await loadSpaceTree(tx, organizationId);
  const grants: { spaceId: string; permissions: readonly Permission[] }[] = [];
  for (const set of sets) {
    const spaces = set.global
      ? [rootSpaceIdOf(tree)]
      : (
          await tx.db
            .selectFrom("policy_set_spaces")
            .select("space_id")
            .where("policy_set_id", "=", set.id)
            .execute()
        ).map((row) => row.space_id);
    for (const spaceId of spaces) grants.push({ spaceId, permissions: [ESCALATE_PERMISSION] });
  }
  const missing = lackedToGrant(authority.access, tree, grants);
  if (missing.length > 0) {
    const names = sets.map((s) => s.name).join(", ");
    throw refused(
      `${change.action} touches login policy set ${names}, whose policies can grant any role: ` +
        `you lack ${describeMissing(missing, tree)}`,
      missing,
    );
  }
}

/**
 * Throws DomainError `forbidden` (details: `missingPermissions`, per space) when the change would
 * let the caller grant itself, or reach through a credential, more than it holds. Runs inside the
 * change's transaction (`tx`); `root` is the store the write path was built on.
 */
export async function authorizeChange(
  root: Store,
  tx: Store,
  authority: WriteAuthority,
  organizationId: string,
  change: PendingChange,
  now: number,
): Promise<void> {
  if (authority.kind === "system") return;
  switch (change.entity) {
    case "token":
      // The key's principal as the write loaded it.
      return credentialRule(
        root,
        tx,
        authority,
        organizationId,
        change.holder,
        `token.${change.action}`,
        now,
      );
    case "api-key": {
      const holder = await getPrincipal(tx, organizationId, change.apiKey.principalId);
      return credentialRule(root, tx, authority, organizationId, holder, `api-key.${change.action}`, now);
    }
    case "role-binding": {
      const tree = await loadSpaceTree(tx, organizationId);
      const missing = lackedToGrant(authority.access, tree, [
        { spaceId: change.binding.spaceId, permissions: change.role.permissions },
      ]);
      if (missing.length > 0) throw escalationRefused(`binding role ${change.role.name}`, missing, tree);
      return;
    }
    case "team-member": {
      // A new member gets every role bound to the team, each where it is bound.
      const rows = await tx.db
        .selectFrom("role_bindings")
        .select(["role_id", "space_id"])
        .where("organization_id", "=", organizationId)
        .where("team_id", "=", change.teamId)
        .execute();
      if (rows.length === 0) return;
      const tree = await loadSpaceTree(tx, organizationId);
      const grants = [];
      for (const row of rows) {
        // A binding to a role that no longer exists grants nothing.
        const role = await getRole(tx, organizationId, row.role_id).catch((error: unknown) => {
          if (error instanceof DomainError && error.code === "not_found") return undefined;
          throw error;
        });
        if (role) grants.push({ spaceId: row.space_id, permissions: role.permissions });
      }
      const missing = lackedToGrant(authority.access, tree, grants);
      if (missing.length > 0) {
        throw escalationRefused(`adding ${change.principalId} to team ${change.teamId}`, missing, tree);
      }
      return;
    }
    case "role": {
      // Custom roles are the organization's and may be bound anywhere: their permissions count at the root.
      const tree = await loadSpaceTree(tx, organizationId);
      const missing = lackedToGrant(authority.access, tree, [
        { spaceId: rootSpaceIdOf(tree), permissions: change.role.permissions },
      ]);
      if (missing.length > 0)
        throw escalationRefused(
          `${change.action === "create" ? "creating" : "changing"} role ${change.role.name}`,
          missing,
          tree,
        );
      return;
    }
    case "policy-governance":
      return loginPolicyRule(tx, authority, organizationId, change);
    case "invitation":
      // An invitation's secret is a credential for the invited user (its holder mints their token):
      // inviting is issuing a credential. Revoking one takes nothing away from anyone but the
      // holder; accepting is the invited user acting on their own account.
      switch (change.action) {
        case "create": {
          const holder = await getPrincipal(tx, organizationId, change.invitation.userId);
          return credentialRule(root, tx, authority, organizationId, holder, "invitation.create", now);
        }
        case "revoke":
        case "accept":
          return;
      }
      return;
    case "session":
      // A session acts with exactly its own token's permissions: it grants nothing.
      return;
    case "service-account":
    case "delegate-token":
      return;
  }
}
