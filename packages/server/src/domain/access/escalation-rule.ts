// Domain layer, access: Kubernetes' escalation rule as plain functions over effective access. A
// caller may grant (bind, or put in a role) only permissions it holds where they will apply, unless
// it holds `role-bindings.escalate` there; and may manage the credentials of a principal only when
// everything that principal may do is something the caller may do too.
import type { Permission } from "../roles/permission-catalogue.js";
import type { SpaceTree } from "../spaces/space.js";
import { type EffectiveAccess, hasPermission } from "./effective-access.js";

/** Permissions a caller lacks in one space. */
export interface MissingPermissions {
  readonly spaceId: string;
  readonly permissions: readonly Permission[];
}

/** The permission that waives the bind rule in a space (and below). */
export const ESCALATE_PERMISSION: Permission = "role-bindings.escalate";

/** Of `required`, the permissions `holder` lacks in `spaceId` (held there or in an ancestor), sorted. */
export function permissionsLackedIn(
  holder: EffectiveAccess,
  tree: SpaceTree,
  spaceId: string,
  required: Iterable<Permission>,
): Permission[] {
  const ancestors = tree.ancestorIds(spaceId);
  const lacked = new Set<Permission>();
  for (const permission of required) {
    if (!hasPermission(holder, permission, spaceId, ancestors)) lacked.add(permission);
  }
  return [...lacked].sort();
}

/**
 * The bind rule: what the caller lacks to grant `permissions` in `spaceId` (a role binding there,
 * a team whose bindings a member joins, a role's new content). Nothing when the caller holds every
 * one of them there, or `role-bindings.escalate` there.
 */
export function permissionsLackedToGrant(
  caller: EffectiveAccess,
  tree: SpaceTree,
  spaceId: string,
  permissions: Iterable<Permission>,
): Permission[] {
  if (hasPermission(caller, ESCALATE_PERMISSION, spaceId, tree.ancestorIds(spaceId))) return [];
  return permissionsLackedIn(caller, tree, spaceId, permissions);
}

/**
 * The credential rule: what the caller lacks of the target principal's access, per space where the
 * target holds something. A credential of the target acts everywhere the target may act, so every
 * grant counts, not only those of the credential's space; since access is inherited downwards,
 * comparing each grant in the space it was made in covers every space below it.
 */
export function permissionsLackedOver(
  caller: EffectiveAccess,
  tree: SpaceTree,
  target: EffectiveAccess,
): MissingPermissions[] {
  const out: MissingPermissions[] = [];
  for (const [spaceId, permissions] of target.permissionsBySpace) {
    // A grant in a space that no longer exists applies nowhere.
    if (!tree.spaces.has(spaceId)) continue;
    const lacked = permissionsLackedIn(caller, tree, spaceId, permissions);
    if (lacked.length > 0) out.push({ spaceId, permissions: lacked });
  }
  return out.sort((a, b) => (a.spaceId < b.spaceId ? -1 : a.spaceId > b.spaceId ? 1 : 0));
}
