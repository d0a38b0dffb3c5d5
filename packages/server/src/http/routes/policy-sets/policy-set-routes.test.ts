// HTTP API, integration tests of the policy set routes through app.inject on both dialects.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../../store/test-store.js";
import { buildApp } from "../../app.js";

const JSON_API = "application/vnd.api+json";

for (const dialect of DIALECTS) {
  describe(`policy set routes on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let otherAdmin: string;
    let rootSpace: string;

    async function call(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, token: string, body?: unknown) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": JSON_API } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: response.statusCode, body: response.body === "" ? undefined : response.json() };
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const acme = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      admin = acme.tokenValue;
      rootSpace = acme.rootSpace.id;
      otherAdmin = (await bootstrapOrganization(db.store, { organizationName: "globex", adminName: "gina" })).tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
    });
    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("creates, shows, lists, updates and deletes; adds and removes policies and spaces", async () => {
      const policy = await call("POST", "/api/v2/organizations/acme/policies", admin, {
        data: { type: "policies", attributes: { name: "p1", kind: "opa", "enforcement-level": "mandatory" } },
      });
      expect(policy.status).toBe(200);
      const policyId: string = policy.body.data.id;
      const created = await call("POST", "/api/v2/organizations/acme/policy-sets", admin, {
        data: {
          type: "policy-sets",
          attributes: { name: "prod-tokens", "entity-types": ["token", "api-key"] },
          relationships: { spaces: { data: [{ id: rootSpace, type: "spaces" }] } },
        },
      });
      expect(created.status).toBe(201);
      const id: string = created.body.data.id;
      expect(created.body.data.attributes).toMatchObject({
        name: "prod-tokens",
        kind: "opa",
        global: false,
        "entity-types": ["token", "api-key"],
        events: ["onSave"],
        "policy-count": 0,
        "space-count": 1,
      });
      expect((await call("POST", `/api/v2/policy-sets/${id}/relationships/policies`, admin, { data: [{ id: policyId, type: "policies" }] }))
        .status).toBe(204);
      const shown = await call("GET", `/api/v2/policy-sets/${id}`, admin);
      expect(shown.body.data.relationships.policies.data).toEqual([{ id: policyId, type: "policies" }]);
      const withPolicies = await call("GET", `/api/v2/policy-sets/${id}?include=policies`, admin);
      expect(withPolicies.status).toBe(200);
      expect(withPolicies.body.included).toEqual([expect.objectContaining({ id: policyId, type: "policies" })]);
      const listed = await call("GET", "/api/v2/organizations/acme/policy-sets?include=policies", admin);
      expect(listed.body.included.map((p: { id: string }) => p.id)).toContain(policyId);
      expect((await call("GET", `/api/v2/policy-sets/${id}`, admin)).body.included).toBeUndefined();
      const nonsense = await call("GET", `/api/v2/policy-sets/${id}?include=workspaces`, admin);
      expect(nonsense.status).toBe(422);
      expect(nonsense.body.errors[0].detail).toBe('include supports only "policies", got "workspaces"');
      expect((await call("GET", `/api/v2/policies/${policyId}`, admin)).body.data.attributes["policy-set-count"]).toBe(1);
      const wrongType = await call("POST", `/api/v2/policy-sets/${id}/relationships/policies`, admin, {
        data: [{ id: policyId, type: "spaces" }],
      });
      expect(wrongType.status).toBe(422);
      expect(
        (await call("DELETE", `/api/v2/policy-sets/${id}/relationships/policies`, admin, { data: [{ id: policyId, type: "policies" }] }))
          .status,
      ).toBe(204);
      expect(
        (await call("DELETE", `/api/v2/policy-sets/${id}/relationships/spaces`, admin, { data: [{ id: rootSpace, type: "spaces" }] }))
          .status,
      ).toBe(204);
      const updated = await call("PATCH", `/api/v2/policy-sets/${id}`, admin, {
        data: { type: "policy-sets", attributes: { global: true, description: "all spaces" } },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data.attributes).toMatchObject({ global: true, description: "all spaces", "policy-count": 0 });
      const unknown = await call("PATCH", `/api/v2/policy-sets/${id}`, admin, {
        data: { type: "policy-sets", attributes: { globl: false } },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].source).toEqual({ pointer: "/data/attributes/globl" });
      expect((await call("GET", `/api/v2/policy-sets/${id}`, admin)).body.data.attributes.global).toBe(true);
      const list = await call("GET", "/api/v2/organizations/acme/policy-sets?search[name]=prod", admin);
      expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([id]);
      expect((await call("GET", `/api/v2/policy-sets/${id}`, otherAdmin)).status).toBe(404);
      expect((await call("DELETE", `/api/v2/policy-sets/${id}`, otherAdmin)).status).toBe(404);
      expect((await call("DELETE", `/api/v2/policy-sets/${id}`, admin)).status).toBe(204);
      expect((await call("GET", `/api/v2/policy-sets/${id}`, admin)).status).toBe(404);
    });

    it("refuses a login set mixed with save entity types, naming the attribute", async () => {
      const refused = await call("POST", "/api/v2/organizations/acme/policy-sets", admin, {
        data: { type: "policy-sets", attributes: { name: "mixed", global: true, "entity-types": ["login", "token"] } },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].source).toEqual({ pointer: "/data/attributes/entity-types" });
    });
  });
}
