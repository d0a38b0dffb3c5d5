import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { listRoleBindings } from "../role-bindings/role-binding.js";
import { createServiceAccountWithRoles } from "./service-account-with-roles.js";
import { listServiceAccounts } from "./service-account.js";

for (const dialect of DIALECTS) {
  describe(`service accounts created with roles (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("binds each role (by name or id) in the account's space, in one transaction", async () => {
      const saved = await createServiceAccountWithRoles(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
        roleIds: ["token-manager", "viewer"],
      });
      expect(saved.bindings.map((b) => [b.subject, b.spaceId])).toEqual([
        [{ kind: "principal", principalId: saved.serviceAccount.id }, org.rootSpace.id],
        [{ kind: "principal", principalId: saved.serviceAccount.id }, org.rootSpace.id],
      ]);
      const bindings = await listRoleBindings(database.store, ctx.organizationId, {
        principalId: saved.serviceAccount.id,
      });
      expect(bindings.items).toHaveLength(2);
    });

    it("leaves nothing behind (account, bindings, audit) when a role is refused", async () => {
      const before = await listAuditEvents(database.store, ctx.organizationId, {});
      const error = await createServiceAccountWithRoles(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
        roleIds: ["viewer", "no-such-role"],
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "invalid", field: "/data/relationships/roles/data/1/id" });
      expect((error as DomainError).message).toMatch(/no-such-role/);
      const accounts = await listServiceAccounts(database.store, ctx.organizationId);
      expect(accounts.items.map((a) => a.name)).not.toContain("deployer");
      const events = await listAuditEvents(database.store, ctx.organizationId, {});
      expect(events.items.map((e) => e.id)).toEqual(before.items.map((e) => e.id));
      // The name is free: nothing half-made holds it.
      const again = await createServiceAccountWithRoles(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
        roleIds: ["viewer"],
      });
      expect(again.bindings).toHaveLength(1);
    });

    it("keeps the account and bindings out when the guard refuses a binding", async () => {
      const guarded: MutationContext<{ entity: string }> = {
        ...ctx,
        guard: async (_tx, _org, change) => {
          if (change.entity === "role-binding") throw new DomainError("forbidden", "no escalation here");
          return {};
        },
      };
      await expect(
        createServiceAccountWithRoles(database.store, guarded as MutationContext<never>, {
          spaceId: org.rootSpace.id,
          name: "escalator",
          roleIds: ["admin"],
        }),
      ).rejects.toMatchObject({ code: "forbidden" });
      const accounts = await listServiceAccounts(database.store, ctx.organizationId);
      expect(accounts.items.map((a) => a.name)).not.toContain("escalator");
    });
  });
}
