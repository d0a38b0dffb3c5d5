import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createUser } from "../principals/user.js";
import { createTeam } from "../teams/team.js";
import { createRoleBinding, deleteRoleBinding, getRoleBinding, listRoleBindings } from "./role-binding.js";

for (const dialect of DIALECTS) {
  describe(`role bindings (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("binds roles to principals and teams, lists, gets and deletes them", async () => {
      const events: string[] = [];
      database.store.changes.subscribe((e) => events.push(e.kind));
      const bob = await createUser(database.store, ctx, { name: "bob" });
      const team = await createTeam(database.store, ctx, { name: "ops" });
      const direct = await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "viewer",
        spaceId: org.rootSpace.id,
      });
      expect(direct).toMatchObject({
        roleId: "role-viewer",
        subject: { kind: "principal", principalId: bob.id },
      });
      expect(direct.id).toMatch(/^rb-/);
      const viaTeam = await createRoleBinding(database.store, ctx, {
        subject: { kind: "team", teamId: team.id },
        roleId: "role-token-manager",
        spaceId: org.rootSpace.id,
      });
      expect(await getRoleBinding(database.store, ctx.organizationId, viaTeam.id)).toEqual(viaTeam);
      expect((await listRoleBindings(database.store, ctx.organizationId, { teamId: team.id })).items).toEqual(
        [viaTeam],
      );
      expect(
        (await listRoleBindings(database.store, ctx.organizationId, { principalId: bob.id })).items,
      ).toEqual([direct]);
      await expect(
        createRoleBinding(database.store, ctx, {
          subject: { kind: "principal", principalId: bob.id },
          roleId: "viewer",
          spaceId: org.rootSpace.id,
        }),
      ).rejects.toMatchObject({ code: "conflict" });
      await deleteRoleBinding(database.store, ctx, direct.id);
      await expect(getRoleBinding(database.store, ctx.organizationId, direct.id)).rejects.toMatchObject({
        code: "not_found",
      });
      expect(events).toEqual(["binding.changed", "binding.changed", "binding.changed"]);
      const audit = await listAuditEvents(database.store, ctx.organizationId, {
        resourceType: "role-binding",
      });
      expect(audit.items.map((e) => e.action)).toContain("role-binding.delete");
    });

    it("refuses artefact-contributor for a user (and a team) with a clear error, allows it for a service account", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      const error = await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "artefact-contributor",
        spaceId: org.rootSpace.id,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "invalid", field: "roleId" });
      expect((error as Error).message).toBe(
        `role artefact-contributor can only be held by a service account; ${bob.id} is a user`,
      );
      const team = await createTeam(database.store, ctx, { name: "ops" });
      await expect(
        createRoleBinding(database.store, ctx, {
          subject: { kind: "team", teamId: team.id },
          roleId: "artefact-contributor",
          spaceId: org.rootSpace.id,
        }),
      ).rejects.toMatchObject({ code: "invalid", field: "roleId" });
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "publisher",
      });
      const ok = await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: serviceAccount.id },
        roleId: "artefact-contributor",
        spaceId: org.rootSpace.id,
      });
      expect(ok.roleId).toBe("role-artefact-contributor");
      // A failed attempt leaves no audit event.
      const audit = await listAuditEvents(database.store, ctx.organizationId, {
        action: "role-binding.create",
      });
      expect(audit.items.filter((e) => e.details.roleId === "role-artefact-contributor")).toHaveLength(1);
    });

    it("refuses unknown roles, spaces and subjects, naming the field", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      const base = {
        subject: { kind: "principal", principalId: bob.id } as const,
        spaceId: org.rootSpace.id,
      };
      await expect(createRoleBinding(database.store, ctx, { ...base, roleId: "nope" })).rejects.toMatchObject(
        {
          field: "roleId",
        },
      );
      await expect(
        createRoleBinding(database.store, ctx, { ...base, roleId: "viewer", spaceId: "spc-x" }),
      ).rejects.toMatchObject({ field: "spaceId" });
      await expect(
        createRoleBinding(database.store, ctx, {
          subject: { kind: "principal", principalId: "usr-x" },
          roleId: "viewer",
          spaceId: org.rootSpace.id,
        }),
      ).rejects.toMatchObject({ field: "subject.principalId" });
    });
  });
}
