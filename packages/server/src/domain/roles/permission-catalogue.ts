// Domain layer, roles: the fixed catalogue of permissions roles are made of. A permission is
// `<resource>.<verb>`; `.read` permissions cover get and list. `role-bindings.escalate` lets its
// holder bind (or put in a role) permissions it does not hold itself (Kubernetes' `escalate`).

/** Every permission Keygate knows, in display order. */
export const PERMISSIONS = [
  "organizations.read",
  "organizations.write",
  "spaces.read",
  "spaces.write",
  "users.read",
  "users.write",
  "service-accounts.read",
  "service-accounts.write",
  "teams.read",
  "teams.write",
  "roles.read",
  "roles.write",
  "role-bindings.read",
  "role-bindings.write",
  "role-bindings.escalate",
  "api-keys.read",
  "api-keys.write",
  "tokens.read",
  "tokens.create",
  "tokens.update",
  "tokens.rotate",
  "tokens.revoke",
  "tokens.delete",
  "delegate-tokens.read",
  "delegate-tokens.write",
  "policies.read",
  "policies.write",
  "policy-sets.read",
  "policy-sets.write",
  "policy-evaluations.read",
  "audit.read",
  "artefacts.read",
  "artefacts.write",
] as const;

/** A permission name from the catalogue. */
export type Permission = (typeof PERMISSIONS)[number];

const PERMISSION_SET: ReadonlySet<string> = new Set(PERMISSIONS);

/** True when `name` is a permission of the catalogue. */
export function isPermission(name: string): name is Permission {
  return PERMISSION_SET.has(name);
}

/** Every read permission (`*.read`). */
export const READ_PERMISSIONS: readonly Permission[] = PERMISSIONS.filter((p) => p.endsWith(".read"));
