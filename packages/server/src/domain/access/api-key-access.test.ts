import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createRoleBinding } from "../role-bindings/role-binding.js";
import { createRole } from "../roles/role.js";
import { createSpace } from "../spaces/space.js";
import { createTeam } from "../teams/team.js";
import { addTeamMember } from "../teams/team-membership.js";
import { createToken } from "../tokens/token.js";
import { describeApiKeyAccess, describeTokenAccess } from "./api-key-access.js";

for (const dialect of DIALECTS) {
  describe(`API key access (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("lists a service account key's roles per space with the binding or team behind each", async () => {
      const prod = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      const eu = await createSpace(database.store, ctx, { parentId: prod.id, name: "eu" });
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: prod.id,
        name: "deployer",
      });
      const deployer = await createRole(database.store, ctx, {
        name: "deployer",
        permissions: ["tokens.read"],
      });
      const direct = await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: serviceAccount.id },
        roleId: deployer.id,
        spaceId: prod.id,
      });
      const team = await createTeam(database.store, ctx, { name: "robots" });
      await addTeamMember(database.store, ctx, team.id, serviceAccount.id);
      const viaTeam = await createRoleBinding(database.store, ctx, {
        subject: { kind: "team", teamId: team.id },
        roleId: "viewer",
        spaceId: eu.id,
      });
      const { apiKey } = await createApiKey(database.store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "ci",
      });
      const issued = await createToken(database.store, ctx, { apiKeyId: apiKey.id, name: "t" });
      const described = await describeTokenAccess(database.store, ctx.organizationId, issued.token.id);
      expect(described).toEqual(await describeApiKeyAccess(database.store, ctx.organizationId, apiKey.id));
      expect(described.principal.id).toBe(serviceAccount.id);
      const bySpace = new Map(described.spaces.map((s) => [s.spaceId, s]));
      expect([...bySpace.keys()].sort()).toEqual([prod.id, eu.id].sort());
      expect(bySpace.get(prod.id)?.roles).toEqual([
        {
          roleId: deployer.id,
          roleName: "deployer",
          grantedInSpaceId: prod.id,
          reason: { kind: "direct-binding", bindingId: direct.id },
          permissions: ["tokens.read"],
        },
      ]);
      expect(bySpace.get(eu.id)?.roles.map((r) => [r.roleName, r.reason.kind])).toEqual([
        ["deployer", "direct-binding"],
        ["viewer", "team-binding"],
      ]);
      expect(bySpace.get(eu.id)?.roles[1]?.reason).toMatchObject({
        bindingId: viaTeam.id,
        teamName: "robots",
      });
      expect(bySpace.get(eu.id)?.roles[1]?.permissions).toContain("audit.read");
      expect(bySpace.get(eu.id)?.permissions).toContain("audit.read");
      expect(bySpace.get(prod.id)?.permissions).toEqual(["tokens.read"]);
    });
  });
}
