// Domain layer, role bindings: (principal or team) x role x space; a binding applies in its
// space and every space below it. Roles restricted to principal kinds are enforced here.
import { announceChange } from "../../store/announce-change.js";
import type { RoleBindingsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { describePrincipalKind, getPrincipal } from "../principals/principal.js";
import type { Role } from "../roles/built-in-roles.js";
import { getRole } from "../roles/role.js";
import { getSpace } from "../spaces/space.js";
import { getTeam } from "../teams/team.js";

/** Who a binding is for. */
export type BindingSubject =
  | { readonly kind: "principal"; readonly principalId: string }
  | { readonly kind: "team"; readonly teamId: string };

/** A role binding. */
export interface RoleBinding {
  readonly id: string;
  readonly organizationId: string;
  readonly subject: BindingSubject;
  readonly roleId: string;
  readonly spaceId: string;
  readonly createdAt: number;
  readonly createdBy: string | null;
}

/** A role binding about to be made, as the write path reviews it: the role and where it will apply. */
export interface RoleBindingChange {
  readonly entity: "role-binding";
  readonly action: "create";
  readonly binding: RoleBinding;
  readonly role: Role;
}

/** Input of createRoleBinding; `roleId` may be a role's id or name. */
export interface CreateRoleBindingInput {
  readonly subject: BindingSubject;
  readonly roleId: string;
  readonly spaceId: string;
}

/** Maps a row to a RoleBinding. */
export function roleBindingFromRow(row: RoleBindingsTable): RoleBinding {
  const subject: BindingSubject =
    row.principal_id !== null
      ? { kind: "principal", principalId: row.principal_id }
      : { kind: "team", teamId: row.team_id ?? "" };
  return {
    id: row.id,
    organizationId: row.organization_id,
    subject,
    roleId: row.role_id,
    spaceId: row.space_id,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  };
}

function notFoundAsInvalid(field: string, what: string) {
  return (error: unknown): never => {
    if (error instanceof DomainError && error.code === "not_found") {
      throw new DomainError("invalid", `${what} does not exist in this organization`, { field });
    }
    throw error;
  };
}

/**
 * Binds a role to a principal or team in a space. Refuses (`invalid`) a role restricted to some
 * principal kinds for a principal of another kind (e.g. `artefact-contributor` to a user) and
 * for any team; `conflict` if the same binding exists.
 */
export async function createRoleBinding(
  store: Store,
  ctx: MutationContext<RoleBindingChange>,
  input: CreateRoleBindingInput,
): Promise<RoleBinding> {
  return guardedTransaction(store, ctx, async (tx, review) => {
    const org = ctx.organizationId;
    const role = await getRole(tx, org, input.roleId).catch(
      notFoundAsInvalid("roleId", `role ${input.roleId}`),
    );
    await getSpace(tx, org, input.spaceId).catch(notFoundAsInvalid("spaceId", `space ${input.spaceId}`));
    const subject = input.subject;
    switch (subject.kind) {
      case "principal": {
        const principal = await getPrincipal(tx, org, subject.principalId).catch(
          notFoundAsInvalid("subject.principalId", `principal ${subject.principalId}`),
        );
        if (role.principalKinds !== null && !role.principalKinds.includes(principal.kind)) {
          throw new DomainError(
            "invalid",
            `role ${role.name} can only be held by ${role.principalKinds.map(describePrincipalKind).join(" or ")}; ` +
              `${principal.id} is ${describePrincipalKind(principal.kind)}`,
            { field: "roleId" },
          );
        }
        break;
      }
      case "team": {
        await getTeam(tx, org, subject.teamId).catch(
          notFoundAsInvalid("subject.teamId", `team ${subject.teamId}`),
        );
        if (role.principalKinds !== null) {
          throw new DomainError(
            "invalid",
            `role ${role.name} can only be held by ${role.principalKinds.map(describePrincipalKind).join(" or ")}, ` +
              "so it cannot be bound to a team; bind it to each principal instead",
            { field: "roleId" },
          );
        }
        break;
      }
    }
    const principalId = subject.kind === "principal" ? subject.principalId : null;
    const teamId = subject.kind === "team" ? subject.teamId : null;
    let duplicate = tx.db
      .selectFrom("role_bindings")
      .select("id")
      .where("role_id", "=", role.id)
      .where("space_id", "=", input.spaceId);
    duplicate =
      principalId !== null
        ? duplicate.where("principal_id", "=", principalId)
        : duplicate.where("team_id", "=", teamId);
    const existing = await duplicate.executeTakeFirst();
    if (existing) {
      throw new DomainError("conflict", `the same binding already exists (${existing.id})`);
    }
    const now = ctx.now ?? Date.now();
    const row: RoleBindingsTable = {
      id: newId("rb"),
      organization_id: org,
      principal_id: principalId,
      team_id: teamId,
      role_id: role.id,
      space_id: input.spaceId,
      created_at: now,
      created_by: ctx.actor.principalId,
    };
    await review({ entity: "role-binding", action: "create", binding: roleBindingFromRow(row), role });
    await tx.db.insertInto("role_bindings").values(row).execute();
    await recordAuditEvent(tx, {
      organizationId: org,
      actor: ctx.actor,
      action: "role-binding.create",
      resourceType: "role-binding",
      resourceId: row.id,
      details: { principalId, teamId, roleId: role.id, roleName: role.name, spaceId: input.spaceId },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "binding.changed",
      organizationId: org,
      bindingId: row.id,
      principalId,
      teamId,
    });
    return roleBindingFromRow(row);
  });
}

/** A role binding of the organization, or `not_found`. */
export async function getRoleBinding(
  store: Store,
  organizationId: string,
  bindingId: string,
): Promise<RoleBinding> {
  const row = await store.db
    .selectFrom("role_bindings")
    .selectAll()
    .where("id", "=", bindingId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `role binding ${bindingId} not found`);
  return roleBindingFromRow(row);
}

/** Filters for listRoleBindings; all optional, combined with AND. */
export interface RoleBindingFilter {
  readonly principalId?: string;
  readonly teamId?: string;
  readonly roleId?: string;
  /** Bindings made in exactly this space. */
  readonly spaceId?: string;
  readonly page?: PageRequest;
}

/** Lists the organization's role bindings, oldest first. */
export async function listRoleBindings(
  store: Store,
  organizationId: string,
  filter: RoleBindingFilter = {},
): Promise<Page<RoleBinding>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("role_bindings").where("organization_id", "=", organizationId);
  if (filter.principalId !== undefined) query = query.where("principal_id", "=", filter.principalId);
  if (filter.teamId !== undefined) query = query.where("team_id", "=", filter.teamId);
  if (filter.roleId !== undefined) query = query.where("role_id", "=", filter.roleId);
  if (filter.spaceId !== undefined) query = query.where("space_id", "=", filter.spaceId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("created_at").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(roleBindingFromRow), total: Number(count.n) };
}

/** Deletes a role binding; takes effect on the next request. */
export async function deleteRoleBinding(
  store: Store,
  ctx: MutationContext,
  bindingId: string,
): Promise<void> {
  await store.transaction(async (tx) => {
    const binding = await getRoleBinding(tx, ctx.organizationId, bindingId);
    await tx.db.deleteFrom("role_bindings").where("id", "=", bindingId).execute();
    const principalId = binding.subject.kind === "principal" ? binding.subject.principalId : null;
    const teamId = binding.subject.kind === "team" ? binding.subject.teamId : null;
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "role-binding.delete",
      resourceType: "role-binding",
      resourceId: bindingId,
      details: { principalId, teamId, roleId: binding.roleId, spaceId: binding.spaceId },
      occurredAt: ctx.now,
    });
    await announceChange(tx, {
      kind: "binding.changed",
      organizationId: ctx.organizationId,
      bindingId,
      principalId,
      teamId,
    });
  });
}
