import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createUser, updateUser } from "../principals/user.js";
import { createRoleBinding, deleteRoleBinding } from "../role-bindings/role-binding.js";
import { createRole } from "../roles/role.js";
import { createSpace, loadSpaceTree, type Space } from "../spaces/space.js";
import { createTeam } from "../teams/team.js";
import { addTeamMember, removeTeamMember } from "../teams/team-membership.js";
import { createToken } from "../tokens/token.js";
import { verifyTokenSecret } from "../tokens/token-verification.js";
import {
  addGrants,
  explainPermission,
  hasPermission,
  resolveEffectiveAccess,
  summarizeEffectiveAccess,
} from "./effective-access.js";

for (const dialect of DIALECTS) {
  describe(`effective access (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let prod: Space;
    let eu: Space;
    let dev: Space;
    let ancestors: (space: Space) => Promise<string[]>;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      eu = await createSpace(database.store, ctx, { parentId: prod.id, name: "eu" });
      dev = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "dev" });
      ancestors = async (space) =>
        (await loadSpaceTree(database.store, ctx.organizationId)).ancestorIds(space.id);
    });
    afterEach(() => database.dispose());

    it("a binding applies in its space and every space below it, not beside or above", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      const binding = await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "token-manager",
        spaceId: prod.id,
      });
      const access = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(hasPermission(access, "tokens.revoke", prod.id, await ancestors(prod))).toBe(true);
      expect(hasPermission(access, "tokens.revoke", eu.id, await ancestors(eu))).toBe(true);
      expect(hasPermission(access, "tokens.revoke", dev.id, await ancestors(dev))).toBe(false);
      expect(hasPermission(access, "tokens.revoke", org.rootSpace.id, [])).toBe(false);
      expect(hasPermission(access, "policies.write", eu.id, await ancestors(eu))).toBe(false);
      expect(explainPermission(access, "tokens.revoke", eu.id, await ancestors(eu))).toEqual([
        expect.objectContaining({
          spaceId: prod.id,
          roleName: "token-manager",
          reason: { kind: "direct-binding", bindingId: binding.id },
        }),
      ]);
      // Removing the binding takes effect on the next resolution.
      await deleteRoleBinding(database.store, ctx, binding.id);
      const after = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(hasPermission(after, "tokens.revoke", prod.id, await ancestors(prod))).toBe(false);
    });

    it("team bindings reach members (and stop when they leave); permissions add up across roles and spaces", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      const team = await createTeam(database.store, ctx, { name: "ops" });
      await addTeamMember(database.store, ctx, team.id, bob.id);
      const teamBinding = await createRoleBinding(database.store, ctx, {
        subject: { kind: "team", teamId: team.id },
        roleId: "policy-author",
        spaceId: dev.id,
      });
      const custom = await createRole(database.store, ctx, { name: "auditor", permissions: ["audit.read"] });
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: custom.id,
        spaceId: prod.id,
      });
      const access = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(hasPermission(access, "policies.write", dev.id, await ancestors(dev))).toBe(true);
      expect(hasPermission(access, "audit.read", eu.id, await ancestors(eu))).toBe(true);
      expect(hasPermission(access, "audit.read", dev.id, await ancestors(dev))).toBe(false);
      expect(explainPermission(access, "policies.write", dev.id, [])[0]?.reason).toEqual({
        kind: "team-binding",
        bindingId: teamBinding.id,
        teamId: team.id,
        teamName: "ops",
      });
      await removeTeamMember(database.store, ctx, team.id, bob.id);
      const after = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(hasPermission(after, "policies.write", dev.id, await ancestors(dev))).toBe(false);
    });

    it("summarizes per space the roles in force and why, inherited ones included", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "viewer",
        spaceId: prod.id,
      });
      const access = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      const tree = await loadSpaceTree(database.store, ctx.organizationId);
      const summary = summarizeEffectiveAccess(access, tree);
      expect(summary.map((s) => s.spaceId).sort()).toEqual([prod.id, eu.id].sort());
      const euAccess = summary.find((s) => s.spaceId === eu.id);
      expect(euAccess?.roles).toEqual([
        expect.objectContaining({ roleName: "viewer", grantedInSpaceId: prod.id }),
      ]);
      expect(euAccess?.permissions).toContain("spaces.read");
      expect(summarizeEffectiveAccess(access).map((s) => s.spaceId)).toEqual([prod.id]);
    });

    it("a personal access token acts as its user, never with more", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "viewer",
        spaceId: org.rootSpace.id,
      });
      const asBob = {
        organizationId: ctx.organizationId,
        actor: { principalId: bob.id, via: "api" as const },
      };
      const { apiKey } = await createApiKey(database.store, asBob, {
        principalId: bob.id,
        type: "USER",
        name: "pat",
      });
      const issued = await createToken(database.store, asBob, { apiKeyId: apiKey.id, name: "laptop" });
      const auth = await verifyTokenSecret(database.store, issued.value);
      const tokenAccess = await resolveEffectiveAccess(database.store, ctx.organizationId, auth.principal.id);
      const userAccess = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(tokenAccess).toEqual(userAccess);
      expect(hasPermission(tokenAccess, "tokens.create", org.rootSpace.id, [])).toBe(false);
      expect(hasPermission(tokenAccess, "tokens.read", org.rootSpace.id, [])).toBe(true);
    });

    it("a disabled principal has no access; login-policy grants can be added", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: bob.id },
        roleId: "viewer",
        spaceId: org.rootSpace.id,
      });
      const access = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      const extended = addGrants(access, [
        {
          spaceId: dev.id,
          roleId: "role-admin",
          roleName: "admin",
          permissions: ["tokens.create"],
          reason: { kind: "login-policy", policyId: "pol-1", policyName: "office-hours" },
        },
      ]);
      expect(hasPermission(extended, "tokens.create", dev.id, [org.rootSpace.id])).toBe(true);
      expect(hasPermission(access, "tokens.create", dev.id, [org.rootSpace.id])).toBe(false);
      await updateUser(database.store, ctx, bob.id, { disabled: true });
      const disabled = await resolveEffectiveAccess(database.store, ctx.organizationId, bob.id);
      expect(disabled.grants).toEqual([]);
    });

    it("the bootstrap admin may do everything everywhere", async () => {
      const access = await resolveEffectiveAccess(database.store, ctx.organizationId, org.admin.id);
      expect(hasPermission(access, "roles.write", eu.id, await ancestors(eu))).toBe(true);
      expect(hasPermission(access, "audit.read", dev.id, await ancestors(dev))).toBe(true);
    });
  });
}
