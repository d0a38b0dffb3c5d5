// Domain layer, roles: the built-in roles, defined in code (same in every organization, with
// fixed ids) so that adding a permission to the catalogue needs no data migration.
import type { PrincipalKind } from "../principals/principal.js";
import { PERMISSIONS, type Permission, READ_PERMISSIONS } from "./permission-catalogue.js";

/** A role: a named set of permissions, optionally restricted to some principal kinds. */
export interface Role {
  readonly id: string;
  /** Null for built-in roles (shared by every organization). */
  readonly organizationId: string | null;
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly permissions: readonly Permission[];
  /** Kinds of principal that may hold the role; null means any. */
  readonly principalKinds: readonly PrincipalKind[] | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function builtIn(
  name: string,
  description: string,
  permissions: readonly Permission[],
  principalKinds: readonly PrincipalKind[] | null = null,
): Role {
  return {
    id: `role-${name}`,
    organizationId: null,
    name,
    description,
    builtIn: true,
    permissions,
    principalKinds,
    createdAt: 0,
    updatedAt: 0,
  };
}

/** The built-in roles: admin, viewer, token-manager, policy-author, artefact-contributor. */
export const BUILT_IN_ROLES: readonly Role[] = [
  builtIn("admin", "Everything, in the space and below", PERMISSIONS),
  builtIn("viewer", "Read everything, in the space and below", READ_PERMISSIONS),
  builtIn("token-manager", "Manage API keys and tokens of service accounts and users", [
    "spaces.read",
    "users.read",
    "service-accounts.read",
    "api-keys.read",
    "api-keys.write",
    "tokens.read",
    "tokens.create",
    "tokens.update",
    "tokens.rotate",
    "tokens.revoke",
    "tokens.delete",
  ]),
  builtIn("policy-author", "Write policies and policy sets, read evaluations", [
    "spaces.read",
    "policies.read",
    "policies.write",
    "policy-sets.read",
    "policy-sets.write",
    "policy-evaluations.read",
  ]),
  builtIn(
    "artefact-contributor",
    "Publish artefacts; only service accounts may hold it",
    ["spaces.read", "artefacts.read", "artefacts.write"],
    ["service-account"],
  ),
];

const BY_ID = new Map(BUILT_IN_ROLES.map((role) => [role.id, role]));
const BY_NAME = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));

/** The built-in role with this id (`role-admin`) or name (`admin`), if any. */
export function findBuiltInRole(idOrName: string): Role | undefined {
  return BY_ID.get(idOrName) ?? BY_NAME.get(idOrName);
}
