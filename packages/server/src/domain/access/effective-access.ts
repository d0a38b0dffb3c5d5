// Domain layer, access: what a principal may do where, and why: its direct bindings, its
// teams' bindings (and, added by the login-policy layer, roles from login policies). Tokens
// carry no roles of their own, so a token (personal or not) never exceeds its principal.
import type { Store } from "../../store/store.js";
import { getPrincipal, type Principal, type PrincipalKind } from "../principals/principal.js";
import { findBuiltInRole, type Role } from "../roles/built-in-roles.js";
import type { Permission } from "../roles/permission-catalogue.js";
import type { SpaceTree } from "../spaces/space.js";

/** Why a principal holds a role in a space. */
export type AccessReason =
  | { readonly kind: "direct-binding"; readonly bindingId: string }
  | {
      readonly kind: "team-binding";
      readonly bindingId: string;
      readonly teamId: string;
      readonly teamName: string;
    }
  | {
      readonly kind: "login-policy";
      readonly policyId: string;
      readonly policyName: string;
      /** The rule (or rule location) that granted the role, when known. */
      readonly rule?: string;
    };

/** One role held in one space, for one reason. */
export interface AccessGrant {
  readonly spaceId: string;
  readonly roleId: string;
  readonly roleName: string;
  readonly permissions: readonly Permission[];
  readonly reason: AccessReason;
}

/** Everything a principal may do, indexed for fast permission checks. */
export interface EffectiveAccess {
  readonly organizationId: string;
  readonly principalId: string;
  readonly principalKind: PrincipalKind;
  readonly grants: readonly AccessGrant[];
  /** Permissions granted directly in each space (not counting inheritance). */
  readonly permissionsBySpace: ReadonlyMap<string, ReadonlySet<Permission>>;
}

/** Builds an EffectiveAccess from grants (used by resolveEffectiveAccess and to add login-policy roles). */
export function buildEffectiveAccess(
  organizationId: string,
  principalId: string,
  principalKind: PrincipalKind,
  grants: readonly AccessGrant[],
): EffectiveAccess {
  const permissionsBySpace = new Map<string, Set<Permission>>();
  for (const grant of grants) {
    let set = permissionsBySpace.get(grant.spaceId);
    if (!set) {
      set = new Set();
      permissionsBySpace.set(grant.spaceId, set);
    }
    for (const permission of grant.permissions) set.add(permission);
  }
  return { organizationId, principalId, principalKind, grants, permissionsBySpace };
}

/** Adds grants (e.g. roles from login policies) to an access; permissions are additive. */
export function addGrants(access: EffectiveAccess, grants: readonly AccessGrant[]): EffectiveAccess {
  return buildEffectiveAccess(access.organizationId, access.principalId, access.principalKind, [
    ...access.grants,
    ...grants,
  ]);
}

/** What a grant needs of a role. */
type GrantedRole = Pick<Role, "id" | "name" | "permissions" | "principalKinds">;

function grantOf(role: GrantedRole, spaceId: string, reason: AccessReason): AccessGrant {
  return { spaceId, roleId: role.id, roleName: role.name, permissions: role.permissions, reason };
}

/** Options of resolveEffectiveAccess. */
export interface ResolveAccessOptions {
  /**
   * Resolve a disabled principal's bindings too (what it would hold once enabled again), e.g. to
   * judge who may manage its credentials; by default a disabled principal holds nothing.
   */
  readonly includeDisabled?: boolean;
}

/**
 * Resolves a principal's direct and team bindings into an EffectiveAccess. A disabled principal
 * gets no grants (unless asked). Team bindings of roles the principal's kind may not hold are skipped.
 */
export async function resolveEffectiveAccess(
  store: Store,
  organizationId: string,
  principalId: string,
  options: ResolveAccessOptions = {},
): Promise<EffectiveAccess> {
  const principal = await getPrincipal(store, organizationId, principalId);
  return resolvePrincipalAccess(store, principal, options);
}

/** A role binding of a principal, direct or through a team, with its custom role's row when there is one. */
interface BindingRow {
  readonly id: string;
  readonly role_id: string;
  readonly space_id: string;
  readonly team_id: string | null;
  readonly team_name: string | null;
  readonly custom_id: string | null;
  readonly custom_name: string | null;
  readonly custom_permissions: string | null;
  readonly custom_principal_kinds: string | null;
}

function roleOfBinding(row: BindingRow): GrantedRole | null {
  const builtIn = findBuiltInRole(row.role_id);
  if (builtIn) return builtIn;
  // A binding to a role that no longer exists grants nothing.
  if (row.custom_id === null || row.custom_name === null || row.custom_permissions === null) return null;
  return {
    id: row.custom_id,
    name: row.custom_name,
    permissions: JSON.parse(row.custom_permissions) as Permission[],
    principalKinds:
      row.custom_principal_kinds === null
        ? null
        : (JSON.parse(row.custom_principal_kinds) as PrincipalKind[]),
  };
}

/**
 * `resolveEffectiveAccess` for a principal already loaded: its direct and team bindings, with
 * their custom roles, in one query.
 */
export async function resolvePrincipalAccess(
  store: Store,
  principal: Principal,
  options: ResolveAccessOptions = {},
): Promise<EffectiveAccess> {
  const organizationId = principal.organizationId;
  if (principal.disabled && options.includeDisabled !== true)
    return buildEffectiveAccess(organizationId, principal.id, principal.kind, []);
  const direct = store.db
    .selectFrom("role_bindings")
    .leftJoin("roles", (join) =>
      join
        .onRef("roles.id", "=", "role_bindings.role_id")
        .onRef("roles.organization_id", "=", "role_bindings.organization_id"),
    )
    .select((eb) => [
      "role_bindings.id as id",
      "role_bindings.role_id as role_id",
      "role_bindings.space_id as space_id",
      eb.val<string | null>(null).as("team_id"),
      eb.val<string | null>(null).as("team_name"),
      "roles.id as custom_id",
      "roles.name as custom_name",
      "roles.permissions as custom_permissions",
      "roles.principal_kinds as custom_principal_kinds",
    ])
    .where("role_bindings.organization_id", "=", organizationId)
    .where("role_bindings.principal_id", "=", principal.id);
  const viaTeams = store.db
    .selectFrom("role_bindings")
    .innerJoin("team_members", "team_members.team_id", "role_bindings.team_id")
    .innerJoin("teams", "teams.id", "role_bindings.team_id")
    .leftJoin("roles", (join) =>
      join
        .onRef("roles.id", "=", "role_bindings.role_id")
        .onRef("roles.organization_id", "=", "role_bindings.organization_id"),
    )
    .select([
      "role_bindings.id as id",
      "role_bindings.role_id as role_id",
      "role_bindings.space_id as space_id",
      "teams.id as team_id",
      "teams.name as team_name",
      "roles.id as custom_id",
      "roles.name as custom_name",
      "roles.permissions as custom_permissions",
      "roles.principal_kinds as custom_principal_kinds",
    ])
    .where("role_bindings.organization_id", "=", organizationId)
    .where("team_members.principal_id", "=", principal.id);
  const rows = (await direct.unionAll(viaTeams).execute()) as BindingRow[];
  const grants: AccessGrant[] = [];
  // Direct bindings first, then team bindings, as listed before they were read in one query.
  for (const row of rows) {
    if (row.team_id !== null) continue;
    const role = roleOfBinding(row);
    if (role) grants.push(grantOf(role, row.space_id, { kind: "direct-binding", bindingId: row.id }));
  }
  for (const row of rows) {
    if (row.team_id === null) continue;
    const role = roleOfBinding(row);
    if (!role || (role.principalKinds !== null && !role.principalKinds.includes(principal.kind))) continue;
    grants.push(
      grantOf(role, row.space_id, {
        kind: "team-binding",
        bindingId: row.id,
        teamId: row.team_id,
        teamName: row.team_name ?? "",
      }),
    );
  }
  return buildEffectiveAccess(organizationId, principal.id, principal.kind, grants);
}

/** True when the access grants `permission` in `spaceId` or in one of its ancestors. */
export function hasPermission(
  access: EffectiveAccess,
  permission: Permission,
  spaceId: string,
  spaceAncestors: readonly string[],
): boolean {
  if (access.permissionsBySpace.get(spaceId)?.has(permission)) return true;
  for (const ancestor of spaceAncestors) {
    if (access.permissionsBySpace.get(ancestor)?.has(permission)) return true;
  }
  return false;
}

/** The grants that give `permission` in `spaceId` (directly or from an ancestor): the "why". */
export function explainPermission(
  access: EffectiveAccess,
  permission: Permission,
  spaceId: string,
  spaceAncestors: readonly string[],
): AccessGrant[] {
  const spaces = new Set([spaceId, ...spaceAncestors]);
  return access.grants.filter((g) => spaces.has(g.spaceId) && g.permissions.includes(permission));
}

/** A role held in a space, with every reason and the space it was granted in. */
export interface EffectiveRole {
  readonly roleId: string;
  readonly roleName: string;
  /** The space of the binding: this space, or an ancestor it is inherited from. */
  readonly grantedInSpaceId: string;
  readonly reason: AccessReason;
  /** The permissions this role brings (so each permission can be traced to its grant). */
  readonly permissions: readonly Permission[];
}

/** What a principal may do in one space. */
export interface EffectiveSpaceAccess {
  readonly spaceId: string;
  readonly roles: readonly EffectiveRole[];
  readonly permissions: readonly Permission[];
}

/**
 * Per space, the roles (with reasons) and permissions in force. With a space tree, every space
 * of the organization that inherits something is listed; without, only the spaces of grants.
 */
export function summarizeEffectiveAccess(access: EffectiveAccess, tree?: SpaceTree): EffectiveSpaceAccess[] {
  const spaceIds = tree ? [...tree.spaces.keys()] : [...new Set(access.grants.map((g) => g.spaceId))];
  const out: EffectiveSpaceAccess[] = [];
  for (const spaceId of spaceIds) {
    const inScope = new Set([spaceId, ...(tree ? tree.ancestorIds(spaceId) : [])]);
    const grants = access.grants.filter((g) => inScope.has(g.spaceId));
    if (grants.length === 0) continue;
    const permissions = new Set<Permission>();
    for (const g of grants) for (const p of g.permissions) permissions.add(p);
    out.push({
      spaceId,
      roles: grants.map((g) => ({
        roleId: g.roleId,
        roleName: g.roleName,
        grantedInSpaceId: g.spaceId,
        reason: g.reason,
        permissions: [...g.permissions].sort(),
      })),
      permissions: [...permissions].sort(),
    });
  }
  return out;
}
