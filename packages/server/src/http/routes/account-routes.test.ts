// HTTP API, routes: the account details document is sent as prepared JSON text; it must stay
// exactly the documented schema, for users and service accounts, on cache misses and hits.
import { Value } from "@sinclair/typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createApiKey } from "../../domain/api-keys/api-key.js";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createServiceAccount } from "../../domain/principals/service-account.js";
import { getRootSpace } from "../../domain/spaces/space.js";
import { createToken } from "../../domain/tokens/token.js";
import { createTestDatabase, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";
import { AccountDetails } from "./account-routes.js";

describe("GET /api/v2/account/details (sent as text on the hot path)", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let userToken: string;
  let serviceToken: string;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    userToken = org.tokenValue;
    const ctx = {
      organizationId: org.organization.id,
      actor: { principalId: org.admin.id, via: "system" as const },
    };
    const root = await getRootSpace(db.store, org.organization.id);
    const { serviceAccount } = await createServiceAccount(db.store, ctx, { spaceId: root.id, name: "bot" });
    const { apiKey } = await createApiKey(db.store, ctx, {
      principalId: serviceAccount.id,
      type: "SERVICE",
      name: "k",
    });
    serviceToken = (await createToken(db.store, ctx, { apiKeyId: apiKey.id, name: "t" })).value;
    app = await buildApp({ store: db.store });
  });

  afterAll(async () => {
    await app.close();
    await db.dispose();
  });

  it.each([
    ["user", () => userToken, "users"],
    ["service account", () => serviceToken, "service-accounts"],
  ])(
    "answers the documented schema exactly for a %s, the same on a cache hit",
    async (_kind, token, type) => {
      const bodies: string[] = [];
      for (let i = 0; i < 2; i++) {
        const response = await app.inject({
          method: "GET",
          url: "/api/v2/account/details",
          headers: { authorization: `Bearer ${token()}` },
        });
        expect(response.statusCode).toBe(200);
        expect(response.headers["content-type"]).toContain("application/vnd.api+json");
        bodies.push(response.body);
      }
      expect(bodies[1]).toBe(bodies[0]);
      const document = JSON.parse(bodies[0]!);
      expect(Value.Check(AccountDetails, document)).toBe(true);
      // Nothing beyond the schema: cleaning unknown properties changes nothing.
      expect(Value.Clean(AccountDetails, structuredClone(document))).toEqual(document);
      expect(document.data.type).toBe(type);
      expect(document.meta.token.status).toBe("active");
    },
  );
});
