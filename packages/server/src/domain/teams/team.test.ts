import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createUser } from "../principals/user.js";
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from "./team.js";
import { addTeamMember, listTeamMembers, listTeamsOfPrincipal, removeTeamMember } from "./team-membership.js";

for (const dialect of DIALECTS) {
  describe(`teams (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("creates, updates, lists and deletes teams", async () => {
      const team = await createTeam(database.store, ctx, { name: "platform", externalId: "okta-123" });
      expect(team).toMatchObject({ name: "platform", externalId: "okta-123" });
      expect(team.id).toMatch(/^team-/);
      const updated = await updateTeam(database.store, ctx, team.id, { description: "Platform team" });
      expect(await getTeam(database.store, ctx.organizationId, team.id)).toEqual(updated);
      await expect(createTeam(database.store, ctx, { name: "platform" })).rejects.toMatchObject({
        code: "conflict",
      });
      expect((await listTeams(database.store, ctx.organizationId)).items).toEqual([updated]);
      await deleteTeam(database.store, ctx, team.id);
      expect((await listTeams(database.store, ctx.organizationId)).total).toBe(0);
    });

    it("adds and removes members, publishing membership changes", async () => {
      const events: string[] = [];
      database.store.changes.subscribe((e) => events.push(e.kind));
      const team = await createTeam(database.store, ctx, { name: "platform" });
      const bob = await createUser(database.store, ctx, { name: "bob" });
      await addTeamMember(database.store, ctx, team.id, bob.id);
      await addTeamMember(database.store, ctx, team.id, org.admin.id);
      await expect(addTeamMember(database.store, ctx, team.id, bob.id)).rejects.toMatchObject({
        code: "conflict",
      });
      await expect(addTeamMember(database.store, ctx, team.id, "usr-nope")).rejects.toMatchObject({
        code: "invalid",
        field: "principalId",
      });
      const members = await listTeamMembers(database.store, ctx.organizationId, team.id);
      expect(members.items.map((p) => p.name)).toEqual(["alice", "bob"]);
      expect(
        (await listTeamsOfPrincipal(database.store, ctx.organizationId, bob.id)).map((t) => t.id),
      ).toEqual([team.id]);
      await removeTeamMember(database.store, ctx, team.id, bob.id);
      await expect(removeTeamMember(database.store, ctx, team.id, bob.id)).rejects.toMatchObject({
        code: "not_found",
      });
      expect((await listTeamMembers(database.store, ctx.organizationId, team.id)).total).toBe(1);
      expect(events.filter((k) => k === "team-membership.changed")).toHaveLength(3);
    });
  });
}
