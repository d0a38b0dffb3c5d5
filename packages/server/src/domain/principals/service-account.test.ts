import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createSpace } from "../spaces/space.js";
import { assertCanLoginInteractively, canLoginInteractively } from "./principal.js";
import {
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  listServiceAccounts,
  updateServiceAccount,
} from "./service-account.js";
import { getUser } from "./user.js";

for (const dialect of DIALECTS) {
  describe(`service accounts (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("creates one in a space, never able to log in interactively", async () => {
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
        description: "CI",
      });
      expect(serviceAccount).toMatchObject({
        kind: "service-account",
        name: "deployer",
        description: "CI",
        spaceId: org.rootSpace.id,
        createdBy: org.admin.id,
      });
      expect(serviceAccount.id).toMatch(/^sa-/);
      expect(canLoginInteractively(serviceAccount)).toBe(false);
      expect(() => assertCanLoginInteractively(serviceAccount)).toThrow(/cannot log in interactively/);
      expect(await getServiceAccount(database.store, ctx.organizationId, serviceAccount.id)).toEqual(
        serviceAccount,
      );
      // A service account's id is not a user's.
      await expect(getUser(database.store, ctx.organizationId, serviceAccount.id)).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(getServiceAccount(database.store, ctx.organizationId, org.admin.id)).rejects.toMatchObject(
        {
          code: "not_found",
        },
      );
    });

    it("lists by space, updates and deletes", async () => {
      const prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "a" });
      const { serviceAccount: b } = await createServiceAccount(database.store, ctx, {
        spaceId: prod.id,
        name: "b",
      });
      expect((await listServiceAccounts(database.store, ctx.organizationId)).total).toBe(2);
      expect(
        (await listServiceAccounts(database.store, ctx.organizationId, { spaceId: prod.id })).items,
      ).toEqual([b]);
      const { serviceAccount: renamed } = await updateServiceAccount(database.store, ctx, b.id, {
        name: "b2",
      });
      expect(renamed.name).toBe("b2");
      await expect(updateServiceAccount(database.store, ctx, b.id, { name: "a" })).rejects.toMatchObject({
        code: "conflict",
        field: "name",
      });
      await deleteServiceAccount(database.store, ctx, b.id);
      expect((await listServiceAccounts(database.store, ctx.organizationId)).total).toBe(1);
      const actions = (
        await listAuditEvents(database.store, ctx.organizationId, { resourceId: b.id })
      ).items.map((e) => e.action);
      expect(actions.sort()).toEqual([
        "service-account.create",
        "service-account.delete",
        "service-account.update",
      ]);
    });

    it("refuses an unknown space with the field named", async () => {
      await expect(
        createServiceAccount(database.store, ctx, { spaceId: "spc-nope", name: "x" }),
      ).rejects.toMatchObject({ code: "invalid", field: "spaceId" });
    });
  });
}
