import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import type { ServiceAccount } from "../principals/principal.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createUser } from "../principals/user.js";
import { createToken, listTokens, revokeToken } from "../tokens/token.js";
import { createApiKey, deleteApiKey, getApiKey, listApiKeys, updateApiKey } from "./api-key.js";

for (const dialect of DIALECTS) {
  describe(`API keys (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let bot: ServiceAccount;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      ({ serviceAccount: bot } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bot",
      }));
    });
    afterEach(() => database.dispose());

    it("creates SERVICE keys on service accounts; gets, lists, updates them", async () => {
      const { apiKey } = await createApiKey(database.store, ctx, {
        principalId: bot.id,
        type: "SERVICE",
        name: "ci",
        description: "for CI",
      });
      expect(apiKey).toMatchObject({
        type: "SERVICE",
        principalId: bot.id,
        name: "ci",
        createdBy: org.admin.id,
      });
      expect(apiKey.id).toMatch(/^key-/);
      expect(await getApiKey(database.store, ctx.organizationId, apiKey.id)).toEqual(apiKey);
      expect((await listApiKeys(database.store, ctx.organizationId, { principalId: bot.id })).items).toEqual([
        apiKey,
      ]);
      expect((await listApiKeys(database.store, ctx.organizationId, { type: "USER" })).items).toEqual([
        org.apiKey,
      ]);
      const { apiKey: renamed } = await updateApiKey(database.store, ctx, apiKey.id, { name: "ci-2" });
      expect(renamed.name).toBe("ci-2");
      await expect(
        createApiKey(database.store, ctx, { principalId: bot.id, type: "SERVICE", name: "ci-2" }),
      ).rejects.toMatchObject({ code: "conflict", field: "name" });
    });

    it("allows USER keys only on oneself, and each type only on its kind of principal", async () => {
      const bob = await createUser(database.store, ctx, { name: "bob" });
      await expect(
        createApiKey(database.store, ctx, { principalId: bob.id, type: "USER", name: "pat" }),
      ).rejects.toMatchObject({ code: "forbidden" });
      await expect(
        createApiKey(database.store, ctx, { principalId: bot.id, type: "USER", name: "pat" }),
      ).rejects.toMatchObject({ code: "invalid", field: "type" });
      await expect(
        createApiKey(database.store, ctx, { principalId: bob.id, type: "SERVICE", name: "svc" }),
      ).rejects.toMatchObject({ code: "invalid", field: "type" });
      await expect(
        createApiKey(database.store, ctx, { principalId: bob.id, type: "ROOT" as "USER", name: "x" }),
      ).rejects.toMatchObject({ code: "invalid", field: "type" });
      const asBob = {
        organizationId: ctx.organizationId,
        actor: { principalId: bob.id, via: "cli" as const },
      };
      const { apiKey } = await createApiKey(database.store, asBob, {
        principalId: bob.id,
        type: "USER",
        name: "pat",
      });
      expect(apiKey.type).toBe("USER");
      // Nobody else can issue tokens on Bob's personal key.
      await expect(
        createToken(database.store, ctx, { apiKeyId: apiKey.id, name: "t" }),
      ).rejects.toMatchObject({
        code: "forbidden",
      });
    });

    it("deletes a key only once its tokens no longer work, taking them along", async () => {
      const { apiKey } = await createApiKey(database.store, ctx, {
        principalId: bot.id,
        type: "SERVICE",
        name: "ci",
      });
      const issued = await createToken(database.store, ctx, { apiKeyId: apiKey.id, name: "t" });
      await expect(deleteApiKey(database.store, ctx, apiKey.id)).rejects.toMatchObject({ code: "conflict" });
      await revokeToken(database.store, ctx, issued.token.id);
      await deleteApiKey(database.store, ctx, apiKey.id);
      await expect(getApiKey(database.store, ctx.organizationId, apiKey.id)).rejects.toMatchObject({
        code: "not_found",
      });
      expect((await listTokens(database.store, ctx.organizationId, { apiKeyId: apiKey.id })).total).toBe(0);
    });

    it("hides another organization's keys", async () => {
      const other = await bootstrapOrganization(database.store, {
        organizationName: "other",
        adminName: "bob",
      });
      await expect(getApiKey(database.store, ctx.organizationId, other.apiKey.id)).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(
        createApiKey(database.store, ctx, { principalId: other.admin.id, type: "USER", name: "x" }),
      ).rejects.toMatchObject({ code: "invalid", field: "principalId" });
    });
  });
}
