// HTTP API, infrastructure: an empty body sent with a JSON:API content type is no body at all, on
// every method (HCP Terraform's samples send the header on DELETE and on actions), while a route
// that needs a document says the body is empty; bodies that are not UTF-8 stay refused.
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";

const JSON_API = "application/vnd.api+json";

for (const dialect of DIALECTS) {
  describe(`empty JSON:API bodies on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;

    function send(method: InjectOptions["method"], url: string, payload?: string, type = JSON_API) {
      return app.inject({
        method,
        url: `/api/v2${url}`,
        headers: { authorization: `Bearer ${admin}`, "content-type": type },
        ...(payload !== undefined ? { payload } : {}),
      });
    }

    async function created(url: string, type: string, attributes: Record<string, unknown>): Promise<string> {
      const response = await send("POST", url, JSON.stringify({ data: { type, attributes } }));
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json().data.id;
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      admin = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" })).tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
    });

    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("accepts an empty body with the JSON:API content type on DELETE, POST actions and GET", async () => {
      const sa = await created("/organizations/acme/service-accounts", "service-accounts", { name: "bot" });
      const key = await created(`/service-accounts/${sa}/api-keys`, "api-keys", { name: "k" });
      const first = await created(`/api-keys/${key}/tokens`, "tokens", { name: "t1" });
      const second = await created(`/api-keys/${key}/tokens`, "tokens", { name: "t2" });
      const policy = await created("/organizations/acme/policies", "policies", { name: "p", kind: "opa" });

      for (const payload of [undefined, ""]) {
        const shown = await send("GET", `/tokens/${first}`, payload);
        expect(shown.statusCode, shown.body).toBe(200);
      }
      const revoked = await send("POST", `/tokens/${first}/actions/revoke`, "");
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json().data.attributes.status).toBe("revoked");
      // The rotate action's body is optional: an empty one means the defaults.
      const rotated = await send("POST", `/tokens/${second}/actions/rotate`, "", "application/json");
      expect(rotated.statusCode, rotated.body).toBe(201);
      const deleted = await send("DELETE", `/tokens/${first}`, "");
      expect(deleted.statusCode, deleted.body).toBe(204);
      // Seed 002's own sample: DELETE with Content-Type application/vnd.api+json and no body.
      const policyDeleted = await send("DELETE", `/policies/${policy}`, "");
      expect(policyDeleted.statusCode, policyDeleted.body).toBe(204);
    });

    it("says the body is empty where a document is needed, and still refuses bytes that are not UTF-8", async () => {
      const empty = await send("POST", "/organizations/acme/service-accounts", "");
      expect(empty.statusCode).toBe(422);
      expect(empty.json().errors[0].detail).toBe("the body is empty; send a JSON:API document");
      const notUtf8 = await app.inject({
        method: "POST",
        url: "/api/v2/organizations/acme/service-accounts",
        headers: { authorization: `Bearer ${admin}`, "content-type": JSON_API },
        payload: Buffer.from([0x7b, 0xff, 0x7d]),
      });
      expect(notUtf8.statusCode).toBe(400);
    });
  });
}
