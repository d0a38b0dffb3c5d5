// Domain layer, teams: IdP groups; a binding on a team reaches every member.
import { announceChange } from "../../store/announce-change.js";
import type { TeamsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkDescription, checkName, isUniqueViolation } from "../validation/field-rules.js";

/** A team (IdP group). */
export interface Team {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string;
  /** The group's id in the identity provider, when synchronised from one. */
  readonly externalId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Input of createTeam. */
export interface CreateTeamInput {
  readonly name: string;
  readonly description?: string;
  readonly externalId?: string;
}

/** Input of updateTeam; absent fields are left unchanged. */
export interface UpdateTeamInput {
  readonly name?: string;
  readonly description?: string;
  readonly externalId?: string | null;
}

/** Maps a row to a Team. */
export function teamFromRow(row: TeamsTable): Team {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    externalId: row.external_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function duplicateName(name: string): DomainError {
  return new DomainError("conflict", `a team named "${name}" already exists; choose another name`, {
    field: "name",
  });
}

/** Creates a team. */
export async function createTeam(store: Store, ctx: MutationContext, input: CreateTeamInput): Promise<Team> {
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  const externalId = input.externalId === undefined ? null : checkName(input.externalId, "externalId");
  return store.transaction(async (tx) => {
    const now = ctx.now ?? Date.now();
    const row: TeamsTable = {
      id: newId("team"),
      organization_id: ctx.organizationId,
      name,
      description,
      external_id: externalId,
      created_at: now,
      updated_at: now,
    };
    try {
      await tx.db.insertInto("teams").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "team.create",
      resourceType: "team",
      resourceId: row.id,
      details: { name },
      occurredAt: now,
    });
    return teamFromRow(row);
  });
}

/** A team of the organization, or `not_found`. */
export async function getTeam(store: Store, organizationId: string, teamId: string): Promise<Team> {
  const row = await store.db
    .selectFrom("teams")
    .selectAll()
    .where("id", "=", teamId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `team ${teamId} not found`);
  return teamFromRow(row);
}

/** Lists the organization's teams by name. */
export async function listTeams(
  store: Store,
  organizationId: string,
  filter: { readonly page?: PageRequest } = {},
): Promise<Page<Team>> {
  const { limit, offset } = pageWindow(filter.page);
  const query = store.db.selectFrom("teams").where("organization_id", "=", organizationId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(teamFromRow), total: Number(count.n) };
}

/** Renames or re-describes a team. */
export async function updateTeam(
  store: Store,
  ctx: MutationContext,
  teamId: string,
  input: UpdateTeamInput,
): Promise<Team> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  const externalId =
    input.externalId === undefined || input.externalId === null
      ? input.externalId
      : checkName(input.externalId, "externalId");
  return store.transaction(async (tx) => {
    const team = await getTeam(tx, ctx.organizationId, teamId);
    const now = ctx.now ?? Date.now();
    const updated: Team = {
      ...team,
      name: name ?? team.name,
      description: description ?? team.description,
      externalId: externalId === undefined ? team.externalId : externalId,
      updatedAt: now,
    };
    try {
      await tx.db
        .updateTable("teams")
        .set({
          name: updated.name,
          description: updated.description,
          external_id: updated.externalId,
          updated_at: now,
        })
        .where("id", "=", teamId)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(updated.name);
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "team.update",
      resourceType: "team",
      resourceId: teamId,
      details: { changed: Object.keys(input).filter((k) => input[k as keyof UpdateTeamInput] !== undefined) },
      occurredAt: now,
    });
    return updated;
  });
}

/** Deletes a team with its memberships and bindings. */
export async function deleteTeam(store: Store, ctx: MutationContext, teamId: string): Promise<void> {
  await store.transaction(async (tx) => {
    const team = await getTeam(tx, ctx.organizationId, teamId);
    await tx.db.deleteFrom("teams").where("id", "=", teamId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "team.delete",
      resourceType: "team",
      resourceId: teamId,
      details: { name: team.name },
      occurredAt: ctx.now,
    });
    await announceChange(tx, {
      kind: "team-membership.changed",
      organizationId: ctx.organizationId,
      teamId,
      principalId: null,
    });
  });
}
