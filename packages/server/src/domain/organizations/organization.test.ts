import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { SYSTEM_ACTOR } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { verifyDelegateToken } from "../delegate-tokens/delegate-token-verification.js";
import { DomainError } from "../domain-error.js";
import { listRoleBindings } from "../role-bindings/role-binding.js";
import { getRootSpace } from "../spaces/space.js";
import { verifyTokenSecret } from "../tokens/token-verification.js";
import { createOrganization, getOrganization, listOrganizations, updateOrganization } from "./organization.js";
import { bootstrapOrganization } from "./organization-bootstrap.js";

for (const dialect of DIALECTS) {
  describe(`organizations (${dialect})`, () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
    });
    afterEach(() => database.dispose());

    it("creates an organization with a root space, addressable by id and by name", async () => {
      const { organization, rootSpace } = await createOrganization(database.store, SYSTEM_ACTOR, {
        name: "acme",
        displayName: "Acme Corp",
      });
      expect(organization.id).toMatch(/^org-[0-9A-Za-z]{16}$/);
      expect(rootSpace).toMatchObject({ organizationId: organization.id, parentId: null, name: "root" });
      expect(await getOrganization(database.store, "acme")).toEqual(organization);
      expect(await getOrganization(database.store, organization.id)).toEqual(organization);
      expect(await getRootSpace(database.store, organization.id)).toEqual(rootSpace);
      const audit = await listAuditEvents(database.store, organization.id);
      expect(audit.items.map((e) => [e.action, e.actor.via])).toEqual([["organization.create", "system"]]);
    });

    it("bootstraps with a default delegate token whose value is returned once and verifies", async () => {
      const made = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "admin" });
      expect(made.delegateToken).toMatchObject({ name: "default", spaceId: made.rootSpace.id });
      expect(made.delegateTokenValue).toMatch(/^kgd_/);
      const verified = await verifyDelegateToken(database.store, made.delegateTokenValue);
      expect(verified.id).toBe(made.delegateToken.id);
    });

    it("refuses a duplicate or badly formed name, naming the field", async () => {
      await createOrganization(database.store, SYSTEM_ACTOR, { name: "acme" });
      await expect(createOrganization(database.store, SYSTEM_ACTOR, { name: "acme" })).rejects.toMatchObject({
        code: "conflict",
        field: "name",
      });
      await expect(
        createOrganization(database.store, SYSTEM_ACTOR, { name: "Not A Slug" }),
      ).rejects.toMatchObject({
        code: "invalid",
        field: "name",
      });
      await expect(getOrganization(database.store, "nope")).rejects.toBeInstanceOf(DomainError);
    });

    it("updates the display name (audited), refuses a blank one, and keeps the name", async () => {
      const { organization } = await createOrganization(database.store, SYSTEM_ACTOR, { name: "acme" });
      const ctx = { organizationId: organization.id, actor: SYSTEM_ACTOR };
      const updated = await updateOrganization(database.store, ctx, { displayName: "Acme Corp" });
      expect(updated).toEqual({ ...organization, displayName: "Acme Corp" });
      expect(await getOrganization(database.store, "acme")).toEqual(updated);
      await expect(updateOrganization(database.store, ctx, { displayName: " " })).rejects.toMatchObject({
        code: "invalid",
        field: "displayName",
      });
      const audit = await listAuditEvents(database.store, organization.id, { action: "organization.update" });
      expect(audit.items.map((e) => e.details)).toEqual([{ displayName: "Acme Corp" }]);
    });

    it("lists organizations by name with pagination", async () => {
      for (const name of ["c", "a", "b"]) await createOrganization(database.store, SYSTEM_ACTOR, { name });
      const page = await listOrganizations(database.store, { pageNumber: 1, pageSize: 2 });
      expect(page.total).toBe(3);
      expect(page.items.map((o) => o.name)).toEqual(["a", "b"]);
      await expect(listOrganizations(database.store, { pageNumber: 0, pageSize: 2 })).rejects.toMatchObject({
        code: "invalid",
        field: "pageNumber",
      });
    });

    it("bootstraps an admin with the admin role on the root space and a working personal token", async () => {
      const boot = await bootstrapOrganization(database.store, {
        organizationName: "acme",
        adminName: "alice",
        adminEmail: "Alice@Example.com",
      });
      expect(boot.admin).toMatchObject({ kind: "user", name: "alice", email: "alice@example.com" });
      const bindings = await listRoleBindings(database.store, boot.organization.id, {
        principalId: boot.admin.id,
      });
      expect(bindings.items).toMatchObject([{ roleId: "role-admin", spaceId: boot.rootSpace.id }]);
      expect(boot.apiKey.type).toBe("USER");
      const auth = await verifyTokenSecret(database.store, boot.tokenValue);
      expect(auth.principal.id).toBe(boot.admin.id);
    });

    it("bootstrap is all or nothing", async () => {
      await expect(
        bootstrapOrganization(database.store, {
          organizationName: "acme",
          adminName: "alice",
          adminEmail: "bad",
        }),
      ).rejects.toMatchObject({ code: "invalid", field: "email" });
      expect((await listOrganizations(database.store)).total).toBe(0);
    });
  });
}
