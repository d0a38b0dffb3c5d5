import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey, getApiKey, listApiKeys, updateApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createToken, listTokens } from "../tokens/token.js";

for (const dialect of DIALECTS) {
  describe(`tags on API keys and tokens, and filtering by them (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let saId: string;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      saId = (await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "bot" }))
        .serviceAccount.id;
    });
    afterEach(() => database.dispose());

    it("stores, returns, replaces and filters API key tags, any key included", async () => {
      const odd = 'a "quoted".key$[0]';
      const prod = await createApiKey(database.store, ctx, {
        principalId: saId,
        type: "SERVICE",
        name: "prod",
        tags: { env: "prod", team: "core", [odd]: "x" },
      });
      const dev = await createApiKey(database.store, ctx, {
        principalId: saId,
        type: "SERVICE",
        name: "dev",
        tags: { env: "dev" },
      });
      const plain = await createApiKey(database.store, ctx, {
        principalId: saId,
        type: "SERVICE",
        name: "plain",
      });
      expect(plain.apiKey.tags).toEqual({});
      expect((await getApiKey(database.store, ctx.organizationId, prod.apiKey.id)).tags).toEqual({
        env: "prod",
        team: "core",
        [odd]: "x",
      });
      const names = async (tags: Record<string, string>) =>
        (await listApiKeys(database.store, ctx.organizationId, { principalId: saId, tags })).items
          .map((k) => k.name)
          .sort();
      expect(await names({ env: "prod" })).toEqual(["prod"]);
      expect(await names({ env: "prod", team: "core" })).toEqual(["prod"]);
      expect(await names({ env: "prod", team: "edge" })).toEqual([]);
      expect(await names({ [odd]: "x" })).toEqual(["prod"]);
      // A value that is a prefix, or the key's name as a value, does not match.
      expect(await names({ env: "pro" })).toEqual([]);
      expect(await names({ prod: "env" })).toEqual([]);
      expect(await names({})).toEqual(["dev", "plain", "prod"]);
      expect((await listApiKeys(database.store, ctx.organizationId, { tags: { env: "prod" } })).total).toBe(
        1,
      );

      await updateApiKey(database.store, ctx, dev.apiKey.id, { tags: { env: "prod" } });
      expect(await names({ env: "prod" })).toEqual(["dev", "prod"]);
      await expect(
        createApiKey(database.store, ctx, {
          principalId: saId,
          type: "SERVICE",
          name: "bad",
          tags: { env: 3 } as never,
        }),
      ).rejects.toMatchObject({ code: "invalid", field: "tags.env" });
    });

    it("filters tokens by tags, with the other filters", async () => {
      const key = await createApiKey(database.store, ctx, { principalId: saId, type: "SERVICE", name: "k" });
      await createToken(database.store, ctx, { apiKeyId: key.apiKey.id, name: "a", tags: { env: "prod" } });
      await createToken(database.store, ctx, { apiKeyId: key.apiKey.id, name: "b", tags: { env: "dev" } });
      await createToken(database.store, ctx, { apiKeyId: key.apiKey.id, name: "c" });
      const names = async (filter: Parameters<typeof listTokens>[2]) =>
        (await listTokens(database.store, ctx.organizationId, filter)).items.map((t) => t.name).sort();
      expect(await names({ tags: { env: "prod" } })).toEqual(["a"]);
      expect(await names({ tags: { env: "prod" }, status: "active", apiKeyId: key.apiKey.id })).toEqual([
        "a",
      ]);
      expect(await names({ tags: { env: "prod" }, status: "revoked" })).toEqual([]);
      expect(await names({ tags: { env: "test" } })).toEqual([]);
    });
  });
}
