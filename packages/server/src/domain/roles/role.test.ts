import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createRoleBinding } from "../role-bindings/role-binding.js";
import { BUILT_IN_ROLES } from "./built-in-roles.js";
import { PERMISSIONS } from "./permission-catalogue.js";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "./role.js";

for (const dialect of DIALECTS) {
  describe(`roles (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("knows the built-in roles by id and name; admin holds every permission, viewer only reads", async () => {
      const admin = await getRole(database.store, ctx.organizationId, "admin");
      expect(admin.permissions).toEqual(PERMISSIONS);
      const viewer = await getRole(database.store, ctx.organizationId, "role-viewer");
      expect(viewer.permissions.every((p) => p.endsWith(".read"))).toBe(true);
      expect(viewer.permissions).toContain("audit.read");
      const artefact = await getRole(database.store, ctx.organizationId, "artefact-contributor");
      expect(artefact.principalKinds).toEqual(["service-account"]);
      expect(BUILT_IN_ROLES.map((r) => r.name)).toEqual([
        "admin",
        "viewer",
        "token-manager",
        "policy-author",
        "artefact-contributor",
      ]);
    });

    it("creates, lists, updates and deletes custom roles", async () => {
      const deployer = await createRole(database.store, ctx, {
        name: "deployer",
        permissions: ["tokens.read", "tokens.create", "tokens.read"],
        principalKinds: ["service-account"],
      });
      expect(deployer).toMatchObject({ builtIn: false, permissions: ["tokens.read", "tokens.create"] });
      expect(await getRole(database.store, ctx.organizationId, "deployer")).toEqual(deployer);
      const list = await listRoles(database.store, ctx.organizationId, {
        page: { pageNumber: 1, pageSize: 100 },
      });
      expect(list.total).toBe(BUILT_IN_ROLES.length + 1);
      expect(list.items.at(-1)).toEqual(deployer);
      const updated = await updateRole(database.store, ctx, deployer.id, {
        permissions: ["tokens.revoke"],
        principalKinds: null,
      });
      expect(updated).toMatchObject({ permissions: ["tokens.revoke"], principalKinds: null });
      expect(await getRole(database.store, ctx.organizationId, deployer.id)).toEqual(updated);
      await deleteRole(database.store, ctx, deployer.id);
      await expect(getRole(database.store, ctx.organizationId, deployer.id)).rejects.toMatchObject({
        code: "not_found",
      });
    });

    it("refuses unknown permissions, built-in names and changes to built-in roles", async () => {
      await expect(
        createRole(database.store, ctx, { name: "x", permissions: ["tokens.read", "tokens.fly"] }),
      ).rejects.toMatchObject({ code: "invalid", field: "permissions[1]" });
      await expect(createRole(database.store, ctx, { name: "x", permissions: [] })).rejects.toMatchObject({
        code: "invalid",
        field: "permissions",
      });
      await expect(
        createRole(database.store, ctx, {
          name: "x",
          permissions: ["tokens.read"],
          principalKinds: ["robot"],
        }),
      ).rejects.toMatchObject({ code: "invalid", field: "principalKinds[0]" });
      await expect(
        createRole(database.store, ctx, { name: "admin", permissions: ["tokens.read"] }),
      ).rejects.toMatchObject({
        code: "conflict",
      });
      await expect(updateRole(database.store, ctx, "role-admin", { description: "x" })).rejects.toMatchObject(
        {
          code: "invalid",
        },
      );
      await expect(deleteRole(database.store, ctx, "viewer")).rejects.toMatchObject({ code: "invalid" });
    });

    it("refuses to delete a role still bound", async () => {
      const role = await createRole(database.store, ctx, { name: "deployer", permissions: ["tokens.read"] });
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bot",
      });
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: serviceAccount.id },
        roleId: role.id,
        spaceId: org.rootSpace.id,
      });
      await expect(deleteRole(database.store, ctx, role.id)).rejects.toMatchObject({ code: "conflict" });
    });
  });
}
