// HTTP API: which status a caller lacking a permission gets. HCP Terraform answers 404 ("not found,
// or user unauthorized to perform action") for policies, policy sets and policy evaluations, and
// Keygate does the same there; every other resource answers 403 when the caller may read it but not
// do the action, else 404, so that a caller learns nothing of what it cannot see.

import type { Caller } from "../../auth/caller.js";
import { callerMay, requirePermission } from "../../auth/permission-check.js";
import { apiKeySpace, isOwnPersonalKey } from "../../auth/resource-scope.js";
import type { ApiKey } from "../../domain/api-keys/api-key.js";
import { DomainError } from "../../domain/domain-error.js";
import type { Principal } from "../../domain/principals/principal.js";
import { PERMISSIONS, type Permission } from "../../domain/roles/permission-catalogue.js";
import type { Store } from "../../store/store.js";

/** The permission that lets a caller see what `permission` acts on (`tokens.revoke` → `tokens.read`). */
export function readPermissionOf(permission: Permission): Permission {
  const read = `${permission.slice(0, permission.indexOf("."))}.read`;
  return (PERMISSIONS as readonly string[]).includes(read) ? (read as Permission) : permission;
}

/** The 404 a caller gets for something it may not see; `details.lacking` lets the audit log record a refused change. */
function hidden(caller: Caller, permission: Permission, spaceId: string | undefined): DomainError {
  const where = spaceId === undefined ? "" : ` in space ${spaceId}`;
  return new DomainError(
    "not_found",
    `not found, or ${caller.principal.id} lacks the permission ${permission}${where}`,
    { details: { lacking: permission } },
  );
}

/** Policies, policy sets and policy evaluations: `not_found` (404, as HCP Terraform) unless the caller holds `permission`. */
export function requireOrNotFound(caller: Caller, permission: Permission, spaceId?: string): void {
  if (!callerMay(caller, permission, spaceId)) throw hidden(caller, permission, spaceId);
}

/**
 * Every other resource: `not_found` (404) when the caller may not read it (`readable` says it may,
 * e.g. its own user), else `forbidden` (403) when it lacks `permission`.
 */
export function requireVisible(
  caller: Caller,
  permission: Permission,
  spaceId?: string,
  readable = false,
): void {
  const read = readPermissionOf(permission);
  if (!readable && !callerMay(caller, read, spaceId)) throw hidden(caller, read, spaceId);
  requirePermission(caller, permission, spaceId);
}

/** `requireVisible` for an API key or its tokens, in the key's space; a caller's own personal key is always allowed. */
export async function requireVisibleOnApiKey(
  store: Store,
  caller: Caller,
  apiKey: ApiKey,
  permission: Permission,
): Promise<void> {
  if (isOwnPersonalKey(caller, apiKey)) return;
  requireVisible(caller, permission, await apiKeySpace(store, apiKey));
}

/**
 * `requireVisibleOnApiKey` for a key whose principal is already loaded (`holder`): no query. A
 * service account's keys and tokens sit in its space, a user's in the root space.
 */
export function requireVisibleOnHeldApiKey(
  caller: Caller,
  apiKey: ApiKey,
  holder: Principal,
  permission: Permission,
): void {
  if (isOwnPersonalKey(caller, apiKey)) return;
  requireVisible(caller, permission, holder.kind === "service-account" ? holder.spaceId : undefined);
}
