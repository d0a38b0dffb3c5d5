import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import {
  createSpace,
  deleteSpace,
  getSpace,
  getSpaceAncestors,
  listSpaces,
  loadSpaceTree,
  updateSpace,
} from "./space.js";

for (const dialect of DIALECTS) {
  describe(`spaces (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "cli" } };
    });
    afterEach(() => database.dispose());

    it("builds a tree and walks ancestors nearest first", async () => {
      const prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      const eu = await createSpace(database.store, ctx, {
        parentId: prod.id,
        name: "eu",
        description: "Europe",
      });
      expect(eu).toMatchObject({ parentId: prod.id, name: "eu", description: "Europe" });
      expect(await getSpace(database.store, ctx.organizationId, eu.id)).toEqual(eu);
      expect((await getSpaceAncestors(database.store, ctx.organizationId, eu.id)).map((s) => s.id)).toEqual([
        prod.id,
        org.rootSpace.id,
      ]);
      expect(await getSpaceAncestors(database.store, ctx.organizationId, org.rootSpace.id)).toEqual([]);
      const tree = await loadSpaceTree(database.store, ctx.organizationId);
      expect(tree.ancestorIds(eu.id)).toEqual([prod.id, org.rootSpace.id]);
      expect(tree.subtreeIds(prod.id).sort()).toEqual([prod.id, eu.id].sort());
      const children = await listSpaces(database.store, ctx.organizationId, { parentId: prod.id });
      expect(children).toEqual({ items: [eu], total: 1 });
      expect((await listSpaces(database.store, ctx.organizationId)).total).toBe(3);
    });

    it("refuses duplicate sibling names, unknown parents and another organization's spaces", async () => {
      await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      await expect(
        createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" }),
      ).rejects.toMatchObject({ code: "conflict", field: "name" });
      await expect(
        createSpace(database.store, ctx, { parentId: "spc-nope", name: "x" }),
      ).rejects.toMatchObject({
        code: "invalid",
        field: "parentId",
      });
      const other = await bootstrapOrganization(database.store, {
        organizationName: "other",
        adminName: "bob",
      });
      await expect(getSpace(database.store, ctx.organizationId, other.rootSpace.id)).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(
        createSpace(database.store, ctx, { parentId: other.rootSpace.id, name: "sneaky" }),
      ).rejects.toMatchObject({ code: "invalid", field: "parentId" });
    });

    it("updates name and description, audited", async () => {
      const prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      const updated = await updateSpace(database.store, ctx, prod.id, { name: "production" });
      expect(updated).toMatchObject({ name: "production", description: "" });
      expect((await getSpace(database.store, ctx.organizationId, prod.id)).name).toBe("production");
      const audit = await listAuditEvents(database.store, ctx.organizationId, { resourceType: "space" });
      expect(audit.items.map((e) => e.action)).toEqual(["space.update", "space.create"]);
      expect(audit.items[0]?.actor).toEqual({ principalId: org.admin.id, via: "cli" });
    });

    it("deletes only empty, non-root spaces", async () => {
      const prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      const eu = await createSpace(database.store, ctx, { parentId: prod.id, name: "eu" });
      await expect(deleteSpace(database.store, ctx, org.rootSpace.id)).rejects.toMatchObject({
        code: "conflict",
      });
      await expect(deleteSpace(database.store, ctx, prod.id)).rejects.toMatchObject({ code: "conflict" });
      await createServiceAccount(database.store, ctx, { spaceId: eu.id, name: "bot" });
      await expect(deleteSpace(database.store, ctx, eu.id)).rejects.toMatchObject({ code: "conflict" });
      const empty = await createSpace(database.store, ctx, { parentId: prod.id, name: "us" });
      await deleteSpace(database.store, ctx, empty.id);
      await expect(getSpace(database.store, ctx.organizationId, empty.id)).rejects.toMatchObject({
        code: "not_found",
      });
    });
  });
}
