// Domain layer, roles: looking up built-in and custom roles, and managing custom ones.
import { announceChange } from "../../store/announce-change.js";
import type { RolesTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { PRINCIPAL_KINDS, type PrincipalKind } from "../principals/principal.js";
import { checkDescription, checkSlug, isUniqueViolation } from "../validation/field-rules.js";
import { BUILT_IN_ROLES, findBuiltInRole, type Role } from "./built-in-roles.js";
import { isPermission, PERMISSIONS, type Permission } from "./permission-catalogue.js";

/** A custom role created or changed, as the write path reviews it (who may hold what it grants). */
export interface RoleChange {
  readonly entity: "role";
  readonly action: "create" | "update";
  /** The role as it will be. */
  readonly role: Role;
}

/** Input of createRole. */
export interface CreateRoleInput {
  /** Lowercase letters, digits, `-`, `_`; must not be a built-in role's name. */
  readonly name: string;
  readonly description?: string;
  readonly permissions: readonly string[];
  /** Restrict the role to these principal kinds; absent or null means any. */
  readonly principalKinds?: readonly string[] | null;
}

/** Input of updateRole; absent fields are left unchanged. */
export interface UpdateRoleInput {
  readonly description?: string;
  readonly permissions?: readonly string[];
  readonly principalKinds?: readonly string[] | null;
}

/** Maps a row to a Role. */
export function roleFromRow(row: RolesTable): Role {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    builtIn: false,
    permissions: JSON.parse(row.permissions) as Permission[],
    principalKinds:
      row.principal_kinds === null ? null : (JSON.parse(row.principal_kinds) as PrincipalKind[]),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function checkPermissions(value: unknown): Permission[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DomainError("invalid", "permissions must be a non-empty list of permission names", {
      field: "permissions",
    });
  }
  const out = new Set<Permission>();
  for (const [index, name] of value.entries()) {
    if (typeof name !== "string" || !isPermission(name)) {
      throw new DomainError(
        "invalid",
        `permissions[${index}] ${JSON.stringify(name)} is not a known permission; known: ${PERMISSIONS.join(", ")}`,
        { field: `permissions[${index}]` },
      );
    }
    out.add(name);
  }
  return [...out];
}

function checkPrincipalKinds(value: unknown): PrincipalKind[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) {
    throw new DomainError(
      "invalid",
      `principalKinds must be null or a non-empty list of ${PRINCIPAL_KINDS.join(", ")}`,
      {
        field: "principalKinds",
      },
    );
  }
  const out = new Set<PrincipalKind>();
  for (const [index, kind] of value.entries()) {
    if (!PRINCIPAL_KINDS.includes(kind as PrincipalKind)) {
      throw new DomainError(
        "invalid",
        `principalKinds[${index}] ${JSON.stringify(kind)} is not a principal kind; use ${PRINCIPAL_KINDS.join(" or ")}`,
        { field: `principalKinds[${index}]` },
      );
    }
    out.add(kind as PrincipalKind);
  }
  return [...out];
}

/** A built-in role (by id or name) or a custom role of the organization (by id or name), or `not_found`. */
export async function getRole(store: Store, organizationId: string, idOrName: string): Promise<Role> {
  const builtIn = findBuiltInRole(idOrName);
  if (builtIn) return builtIn;
  const row = await store.db
    .selectFrom("roles")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `role ${idOrName} not found`);
  return roleFromRow(row);
}

/** Lists the built-in roles, then the organization's custom roles by name. */
export async function listRoles(
  store: Store,
  organizationId: string,
  filter: { readonly page?: PageRequest } = {},
): Promise<Page<Role>> {
  const { limit, offset } = pageWindow(filter.page);
  const rows = await store.db
    .selectFrom("roles")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .orderBy("name")
    .execute();
  const all = [...BUILT_IN_ROLES, ...rows.map(roleFromRow)];
  return { items: all.slice(offset, offset + limit), total: all.length };
}

/** Creates a custom role. */
export async function createRole(
  store: Store,
  ctx: MutationContext<RoleChange>,
  input: CreateRoleInput,
): Promise<Role> {
  const name = checkSlug(input.name);
  if (findBuiltInRole(name)) {
    throw new DomainError("conflict", `"${name}" is a built-in role; choose another name`, { field: "name" });
  }
  const description = checkDescription(input.description);
  const permissions = checkPermissions(input.permissions);
  const principalKinds = checkPrincipalKinds(input.principalKinds);
  return guardedTransaction(store, ctx, async (tx, review) => {
    const now = ctx.now ?? Date.now();
    const row: RolesTable = {
      id: newId("role"),
      organization_id: ctx.organizationId,
      name,
      description,
      permissions: JSON.stringify(permissions),
      principal_kinds: principalKinds === null ? null : JSON.stringify(principalKinds),
      created_at: now,
      updated_at: now,
    };
    await review({ entity: "role", action: "create", role: roleFromRow(row) });
    try {
      await tx.db.insertInto("roles").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("conflict", `a role named "${name}" already exists; choose another name`, {
          field: "name",
        });
      }
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "role.create",
      resourceType: "role",
      resourceId: row.id,
      details: { name, permissions, principalKinds },
      occurredAt: now,
    });
    // Login policies name roles: a new role must be seen at once, on every instance.
    await announceChange(tx, { kind: "role.changed", organizationId: ctx.organizationId, roleId: row.id });
    return roleFromRow(row);
  });
}

async function getCustomRole(store: Store, organizationId: string, roleId: string): Promise<Role> {
  const role = await getRole(store, organizationId, roleId);
  if (role.builtIn) {
    throw new DomainError(
      "invalid",
      `${role.name} is a built-in role and cannot be changed; create a custom role instead`,
    );
  }
  return role;
}

/** Changes a custom role; built-in roles cannot be changed (`invalid`). */
export async function updateRole(
  store: Store,
  ctx: MutationContext<RoleChange>,
  roleId: string,
  input: UpdateRoleInput,
): Promise<Role> {
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  const permissions = input.permissions === undefined ? undefined : checkPermissions(input.permissions);
  const principalKinds =
    input.principalKinds === undefined ? undefined : checkPrincipalKinds(input.principalKinds);
  return guardedTransaction(store, ctx, async (tx, review) => {
    const role = await getCustomRole(tx, ctx.organizationId, roleId);
    const now = ctx.now ?? Date.now();
    const updated: Role = {
      ...role,
      description: description ?? role.description,
      permissions: permissions ?? role.permissions,
      principalKinds: principalKinds === undefined ? role.principalKinds : principalKinds,
      updatedAt: now,
    };
    await review({ entity: "role", action: "update", role: updated });
    await tx.db
      .updateTable("roles")
      .set({
        description: updated.description,
        permissions: JSON.stringify(updated.permissions),
        principal_kinds: updated.principalKinds === null ? null : JSON.stringify(updated.principalKinds),
        updated_at: now,
      })
      .where("id", "=", role.id)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "role.update",
      resourceType: "role",
      resourceId: role.id,
      details: { permissions: updated.permissions, principalKinds: updated.principalKinds },
      occurredAt: now,
    });
    await announceChange(tx, { kind: "role.changed", organizationId: ctx.organizationId, roleId: role.id });
    return updated;
  });
}

/** Deletes a custom role that no binding uses (`conflict` otherwise). */
export async function deleteRole(store: Store, ctx: MutationContext, roleId: string): Promise<void> {
  await store.transaction(async (tx) => {
    const role = await getCustomRole(tx, ctx.organizationId, roleId);
    const used = await tx.db
      .selectFrom("role_bindings")
      .select("id")
      .where("role_id", "=", role.id)
      .executeTakeFirst();
    if (used) {
      throw new DomainError(
        "conflict",
        `role ${role.name} is still bound (e.g. binding ${used.id}); delete its bindings first`,
      );
    }
    await tx.db.deleteFrom("roles").where("id", "=", role.id).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "role.delete",
      resourceType: "role",
      resourceId: role.id,
      details: { name: role.name },
      occurredAt: ctx.now,
    });
    await announceChange(tx, { kind: "role.changed", organizationId: ctx.organizationId, roleId: role.id });
  });
}
