// Auth, request path step 3: does the caller hold a permission in a space (or an ancestor)?
import { hasPermission } from "../domain/access/effective-access.js";
import { DomainError } from "../domain/domain-error.js";
import type { Permission } from "../domain/roles/permission-catalogue.js";
import type { SpaceTree } from "../domain/spaces/space.js";
import type { Caller } from "./caller.js";

/** The id of the organization's root space in a tree. */
export function rootSpaceIdOf(tree: SpaceTree): string {
  for (const space of tree.spaces.values()) if (space.parentId === null) return space.id;
  throw new DomainError("not_found", `organization ${tree.organizationId} has no root space`);
}

/** True when the caller holds `permission` in the space (default: the root space) or above it. */
export function callerMay(caller: Caller, permission: Permission, spaceId?: string): boolean {
  const space = spaceId ?? rootSpaceIdOf(caller.spaces);
  return hasPermission(caller.access, permission, space, caller.spaces.ancestorIds(space));
}

/** Throws `forbidden` unless the caller holds `permission` in the space (default: root) or above it. */
export function requirePermission(caller: Caller, permission: Permission, spaceId?: string): void {
  if (callerMay(caller, permission, spaceId)) return;
  const where = spaceId === undefined ? "the organization's root space" : `space ${spaceId}`;
  throw new DomainError(
    "forbidden",
    `${caller.principal.id} lacks the permission ${permission} in ${where}; ask an admin for a role that grants it`,
  );
}
