// Domain layer, teams: who is in which team; changes take effect on the next request.
import { announceChange } from "../../store/announce-change.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { getPrincipal, type Principal, principalFromRow } from "../principals/principal.js";
import { getTeam, type Team, teamFromRow } from "./team.js";

/** A principal joining a team (and so every role bound to it), as the write path reviews it. */
export interface TeamMemberChange {
  readonly entity: "team-member";
  readonly action: "add";
  readonly teamId: string;
  readonly principalId: string;
}

/** Adds a principal (user or service account) to a team; `conflict` if already a member. */
export async function addTeamMember(
  store: Store,
  ctx: MutationContext<TeamMemberChange>,
  teamId: string,
  principalId: string,
): Promise<void> {
  await guardedTransaction(store, ctx, async (tx, review) => {
    await getTeam(tx, ctx.organizationId, teamId);
    await getPrincipal(tx, ctx.organizationId, principalId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === "not_found") {
        throw new DomainError("invalid", `principal ${principalId} does not exist in this organization`, {
          field: "principalId",
        });
      }
      throw error;
    });
    const existing = await tx.db
      .selectFrom("team_members")
      .select("team_id")
      .where("team_id", "=", teamId)
      .where("principal_id", "=", principalId)
      .executeTakeFirst();
    if (existing) throw new DomainError("conflict", `${principalId} is already a member of team ${teamId}`);
    await review({ entity: "team-member", action: "add", teamId, principalId });
    const now = ctx.now ?? Date.now();
    await tx.db
      .insertInto("team_members")
      .values({ team_id: teamId, principal_id: principalId, created_at: now })
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "team-member.add",
      resourceType: "team",
      resourceId: teamId,
      details: { principalId },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "team-membership.changed",
      organizationId: ctx.organizationId,
      teamId,
      principalId,
    });
  });
}

/** Removes a principal from a team; `not_found` if not a member. */
export async function removeTeamMember(
  store: Store,
  ctx: MutationContext,
  teamId: string,
  principalId: string,
): Promise<void> {
  await store.transaction(async (tx) => {
    await getTeam(tx, ctx.organizationId, teamId);
    const result = await tx.db
      .deleteFrom("team_members")
      .where("team_id", "=", teamId)
      .where("principal_id", "=", principalId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new DomainError("not_found", `${principalId} is not a member of team ${teamId}`);
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "team-member.remove",
      resourceType: "team",
      resourceId: teamId,
      details: { principalId },
      occurredAt: ctx.now,
    });
    await announceChange(tx, {
      kind: "team-membership.changed",
      organizationId: ctx.organizationId,
      teamId,
      principalId,
    });
  });
}

/** Lists a team's members by name. */
export async function listTeamMembers(
  store: Store,
  organizationId: string,
  teamId: string,
  filter: { readonly page?: PageRequest } = {},
): Promise<Page<Principal>> {
  await getTeam(store, organizationId, teamId);
  const { limit, offset } = pageWindow(filter.page);
  const query = store.db
    .selectFrom("team_members")
    .innerJoin("principals", "principals.id", "team_members.principal_id")
    .where("team_members.team_id", "=", teamId);
  const [rows, count] = await Promise.all([
    query.selectAll("principals").orderBy("principals.name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(principalFromRow), total: Number(count.n) };
}

/** Every team a principal belongs to. */
export async function listTeamsOfPrincipal(
  store: Store,
  organizationId: string,
  principalId: string,
): Promise<Team[]> {
  const rows = await store.db
    .selectFrom("team_members")
    .innerJoin("teams", "teams.id", "team_members.team_id")
    .selectAll("teams")
    .where("team_members.principal_id", "=", principalId)
    .where("teams.organization_id", "=", organizationId)
    .orderBy("teams.name")
    .execute();
  return rows.map(teamFromRow);
}
