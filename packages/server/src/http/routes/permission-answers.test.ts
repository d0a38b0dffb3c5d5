// HTTP API: 404 or 403 for a caller lacking a permission. Policies, policy sets and policy
// evaluations answer 404 (as HCP Terraform); every other resource answers 403 when the caller may
// read it but not do the action, else 404; a refusal answered 404 is still in the audit log.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";
import { readPermissionOf } from "./permission-answers.js";

const JSON_API = "application/vnd.api+json";

describe("readPermissionOf", () => {
  it("maps an action to the read permission of its resource, and a read permission to itself", () => {
    expect(readPermissionOf("tokens.revoke")).toBe("tokens.read");
    expect(readPermissionOf("service-accounts.write")).toBe("service-accounts.read");
    expect(readPermissionOf("role-bindings.escalate")).toBe("role-bindings.read");
    expect(readPermissionOf("audit.read")).toBe("audit.read");
  });
});

for (const dialect of DIALECTS) {
  describe(`404 or 403 on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let viewer: string;
    let visibleSa: string;
    let hiddenSa: string;
    let policyId: string;
    let setId: string;

    async function call(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, token: string, body?: unknown) {
      const response = await app.inject({
        method,
        url: `/api/v2${url}`,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": JSON_API } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: response.statusCode, body: response.body === "" ? undefined : response.json() };
    }

    async function created(url: string, body: unknown): Promise<string> {
      const response = await call("POST", url, admin, body);
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return response.body.data.id;
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      admin = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" })).tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      const space = (name: string) => created("/organizations/acme/spaces", { data: { type: "spaces", attributes: { name } } });
      const prod = await space("prod");
      const dev = await space("dev");
      const sa = (name: string, spaceId: string) =>
        created("/organizations/acme/service-accounts", {
          data: {
            type: "service-accounts",
            attributes: { name },
            relationships: { space: { data: { id: spaceId, type: "spaces" } } },
          },
        });
      const reader = await sa("reader", prod);
      visibleSa = await sa("visible", prod);
      hiddenSa = await sa("hidden", dev);
      await created("/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "viewer", type: "roles" } },
            subject: { data: { id: reader, type: "service-accounts" } },
            space: { data: { id: prod, type: "spaces" } },
          },
        },
      });
      const key = await created(`/service-accounts/${reader}/api-keys`, { data: { type: "api-keys", attributes: { name: "k" } } });
      const token = await call("POST", `/api-keys/${key}/tokens`, admin, { data: { type: "tokens", attributes: { name: "t" } } });
      viewer = token.body.data.attributes.token;
      policyId = await created("/organizations/acme/policies", { data: { type: "policies", attributes: { name: "p", kind: "opa" } } });
      setId = await created("/organizations/acme/policy-sets", {
        data: { type: "policy-sets", attributes: { name: "s", global: true, "entity-types": ["token"] } },
      });
    });

    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("another resource: 403 when the caller may read it but not change it, 404 when it may not read it", async () => {
      const patch = { data: { type: "service-accounts", attributes: { description: "x" } } };
      expect((await call("GET", `/service-accounts/${visibleSa}`, viewer)).status).toBe(200);
      const forbidden = await call("PATCH", `/service-accounts/${visibleSa}`, viewer, patch);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.errors[0].detail).toMatch(/lacks the permission service-accounts\.write/);
      expect((await call("DELETE", `/service-accounts/${visibleSa}`, viewer)).status).toBe(403);
      for (const [method, body] of [["GET", undefined], ["PATCH", patch], ["DELETE", undefined]] as const) {
        const hidden = await call(method, `/service-accounts/${hiddenSa}`, viewer, body);
        expect(hidden.status, `${method} ${JSON.stringify(hidden.body)}`).toBe(404);
        expect(hidden.body.errors[0].detail).toMatch(/^not found, or .* lacks the permission service-accounts\.read in space /);
      }
      // An organization's collections: every member sees its organization, so lacking the action is 403.
      expect((await call("GET", "/organizations/acme/users", viewer)).status).toBe(403);
    });

    it("policies, policy sets and policy evaluations: 404 to a caller lacking the permission, as HCP Terraform", async () => {
      const cases = [
        ["GET", `/policies/${policyId}`, undefined],
        ["PATCH", `/policies/${policyId}`, { data: { type: "policies", attributes: { description: "x" } } }],
        ["DELETE", `/policies/${policyId}`, undefined],
        ["GET", "/organizations/acme/policies", undefined],
        ["POST", "/organizations/acme/policies", { data: { type: "policies", attributes: { name: "q", kind: "opa" } } }],
        ["GET", `/policy-sets/${setId}`, undefined],
        ["DELETE", `/policy-sets/${setId}`, undefined],
        ["GET", "/organizations/acme/policy-sets", undefined],
        ["GET", "/organizations/acme/policy-evaluations", undefined],
      ] as const;
      for (const [method, url, body] of cases) {
        const refused = await call(method, url, viewer, body);
        expect(refused.status, `${method} ${url}: ${JSON.stringify(refused.body)}`).toBe(404);
      }
      expect((await call("GET", `/policies/${policyId}`, admin)).status).toBe(200);
    });

    it("records a change refused with 404 in the audit log as denied", async () => {
      await call("DELETE", `/policies/${policyId}`, viewer);
      const denied = await call("GET", "/organizations/acme/audit-events?filter[outcome]=denied&page[size]=100", admin);
      const reasons = denied.body.data.map((e: { attributes: { details: { reason: string } } }) => e.attributes.details.reason);
      expect(reasons.some((r: string) => /lacks the permission policies\.write/.test(r))).toBe(true);
    });
  });
}
