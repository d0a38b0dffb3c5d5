import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { listTokens } from "../tokens/token.js";
import { assertCanLoginInteractively, canLoginInteractively, getPrincipal } from "./principal.js";
import { createUser, deleteUser, getUser, getUserByName, listUsers, updateUser } from "./user.js";

for (const dialect of DIALECTS) {
  describe(`users (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("creates, gets, lists and updates users", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob", email: "bob@example.com" });
      expect(bob).toMatchObject({ kind: "user", name: "bob", displayName: "bob", disabled: false });
      expect(bob.id).toMatch(/^usr-/);
      expect(await getUser(database.store, ctx.organizationId, bob.id)).toEqual(bob);
      expect(await getUserByName(database.store, ctx.organizationId, "bob")).toEqual(bob);
      expect(await getPrincipal(database.store, ctx.organizationId, bob.id)).toEqual(bob);
      const list = await listUsers(database.store, ctx.organizationId);
      expect(list.items.map((u) => u.name)).toEqual(["alice", "bob"]);
      const updated = await updateUser(database.store, ctx, bob.id, {
        displayName: "Bob B.",
        disabled: true,
      });
      expect(updated).toMatchObject({ displayName: "Bob B.", disabled: true, email: "bob@example.com" });
      expect(canLoginInteractively(updated)).toBe(false);
      expect(() => assertCanLoginInteractively(updated)).toThrow(/disabled/);
      expect(canLoginInteractively(org.admin)).toBe(true);
    });

    it("refuses duplicates and bad emails with the field named", async () => {
      await expect(createUser(database.store, ctx, { name: "alice" })).rejects.toMatchObject({
        code: "conflict",
        field: "name",
      });
      await expect(
        createUser(database.store, ctx, { name: "x", email: "not-an-email" }),
      ).rejects.toMatchObject({
        code: "invalid",
        field: "email",
      });
    });

    it("deleting a user removes their keys and tokens, and announces it", async () => {
      const events: string[] = [];
      database.store.changes.subscribe((e) => events.push(e.kind));
      await deleteUser(database.store, ctx, org.admin.id);
      expect((await listTokens(database.store, ctx.organizationId)).total).toBe(0);
      expect(events).toEqual(["token.deleted", "api-key.deleted", "principal.changed"]);
      await expect(getUser(database.store, ctx.organizationId, org.admin.id)).rejects.toMatchObject({
        code: "not_found",
      });
      const audit = await listAuditEvents(database.store, ctx.organizationId, { action: "user.delete" });
      expect(audit.items[0]).toMatchObject({ resourceId: org.admin.id, details: { tokensDeleted: 1 } });
    });
  });
}
