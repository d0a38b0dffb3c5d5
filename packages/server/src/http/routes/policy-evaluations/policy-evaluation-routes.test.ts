// HTTP API, end-to-end governance through app.inject on both dialects: a seed 000 policy refuses
// a token save (evaluation id in the error), evaluations and samples are listed and opened, a
// draft is simulated, and a seed 003 login policy grants a role by caller address.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  governanceSeedsPresent,
  seed000Source as seed000,
  seed003Source as seed003,
} from "../../../domain/governance/seed-policies.js";
import { bootstrapOrganization } from "../../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../../store/test-store.js";
import { buildApp } from "../../app.js";

const JSON_API = "application/vnd.api+json";
const SEEDS = governanceSeedsPresent();

for (const dialect of DIALECTS) {
  describe.skipIf(!SEEDS)(`governance through the API on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let keyId: string;

    async function call(
      method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT",
      url: string,
      token: string,
      body?: unknown,
      remoteAddress = "127.0.0.1",
    ) {
      const raw = typeof body === "string";
      const response = await app.inject({
        method,
        url,
        remoteAddress,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": raw ? "application/octet-stream" : JSON_API } : {}),
        },
        ...(body !== undefined ? { payload: raw ? body : JSON.stringify(body) } : {}),
      });
      return { status: response.statusCode, body: response.body === "" ? undefined : response.json() };
    }

    async function policyInSet(name: string, level: string, source: string, entityTypes: string[]) {
      const policy = await call("POST", "/api/v2/organizations/acme/policies", admin, {
        data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": level } },
      });
      expect(policy.status).toBe(200);
      expect(
        (await call("PUT", `/api/v2/policies/${policy.body.data.id}/upload`, admin, source)).status,
      ).toBe(200);
      const set = await call("POST", "/api/v2/organizations/acme/policy-sets", admin, {
        data: {
          type: "policy-sets",
          attributes: { name: `set-${name}`, global: true, "entity-types": entityTypes },
          relationships: { policies: { data: [{ id: policy.body.data.id, type: "policies" }] } },
        },
      });
      expect(set.status).toBe(201);
      return policy.body.data.id as string;
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      admin = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" }))
        .tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      const sa = await call("POST", "/api/v2/organizations/acme/service-accounts", admin, {
        data: { type: "service-accounts", attributes: { name: "deployer" } },
      });
      const key = await call("POST", `/api/v2/service-accounts/${sa.body.data.id}/api-keys`, admin, {
        data: { type: "api-keys", attributes: { name: "production-deploy" } },
      });
      keyId = key.body.data.id;
    });
    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("refuses a token save by a mandatory seed 000 policy, then lists and opens the evaluation", async () => {
      const policyId = await policyInSet("valid-to-limit", "mandatory", seed000("valid-to-limit"), ["token"]);
      const refused = await call("POST", `/api/v2/api-keys/${keyId}/tokens`, admin, {
        data: { type: "tokens", attributes: { name: "ci", "valid-to": "2099-01-01T00:00:00Z" } },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].detail).toBe(
        "For CreateToken, Token APIKeyType ValidTo 4070908800000 greater than X date",
      );
      const evaluationId: string = refused.body.errors[0].meta.policyEvaluationId;
      expect(evaluationId).toMatch(/^polevl-/);
      const tokens = await call("GET", `/api/v2/api-keys/${keyId}/tokens`, admin);
      expect(tokens.body.data).toEqual([]);

      const shown = await call("GET", `/api/v2/policy-evaluations/${evaluationId}`, admin);
      expect(shown.status).toBe(200);
      expect(shown.body.data.attributes).toMatchObject({
        "entity-type": "token",
        action: "create",
        outcome: "denied",
        messages: ["For CreateToken, Token APIKeyType ValidTo 4070908800000 greater than X date"],
      });
      expect(shown.body.data.attributes.input.token.validTo).toBe(4_070_908_800_000);
      expect(shown.body.data.attributes["policy-results"][0]).toMatchObject({
        "policy-name": "valid-to-limit",
        outcome: "failed",
      });
      const denied = await call(
        "GET",
        "/api/v2/organizations/acme/policy-evaluations?filter[outcome]=denied",
        admin,
      );
      expect(denied.body.data.map((e: { id: string }) => e.id)).toEqual([evaluationId]);
      // By policy and by set: the one that evaluated it, and nothing for another organization's
      // or an unknown id (the filter is inside the organization's evaluations).
      const byPolicy = await call(
        "GET",
        `/api/v2/organizations/acme/policy-evaluations?filter[policy]=${policyId}`,
        admin,
      );
      expect(byPolicy.body.data.map((e: { id: string }) => e.id)).toEqual([evaluationId]);
      const setId: string = shown.body.data.attributes["policy-results"][0]["policy-set-id"];
      const bySet = await call(
        "GET",
        `/api/v2/organizations/acme/policy-evaluations?filter[policy-set]=${setId}`,
        admin,
      );
      expect(bySet.body.data.map((e: { id: string }) => e.id)).toEqual([evaluationId]);
      for (const filter of [
        "filter[policy]=pol-none",
        "filter[policy-set]=polset-none",
        `filter[policy]=${setId}`,
      ]) {
        const none = await call("GET", `/api/v2/organizations/acme/policy-evaluations?${filter}`, admin);
        expect([none.status, none.body.data]).toEqual([200, []]);
      }

      const ok = await call("POST", `/api/v2/api-keys/${keyId}/tokens`, admin, {
        // No expiry: null is not greater than the limit (and every later date is, as of this writing).
        data: { type: "tokens", attributes: { name: "ci" } },
      });
      expect(ok.status).toBe(201);
      expect(ok.body.meta["policy-evaluation-id"]).toMatch(/^polevl-/);

      const samples = await call(
        "GET",
        "/api/v2/organizations/acme/policy-samples?filter[entity-type]=token",
        admin,
      );
      expect(samples.body.data).toHaveLength(2);
      expect(JSON.stringify(samples.body)).not.toContain(ok.body.data.attributes.token);

      const simulated = await call("POST", "/api/v2/organizations/acme/policy-simulations", admin, {
        data: {
          type: "policy-simulations",
          attributes: {
            "entity-type": "token",
            source: seed000("block-service-tokens"),
            "enforcement-level": "advisory",
          },
        },
      });
      expect(simulated.status).toBe(200);
      expect(simulated.body.data.attributes["sample-count"]).toBe(2);
      const outcomes = simulated.body.data.attributes.samples.map(
        (s: { current: { outcome: string }; draft: { outcome: string } }) => [
          s.current.outcome,
          s.draft.outcome,
        ],
      );
      expect(outcomes.sort()).toEqual([
        ["allowed", "warned"],
        ["denied", "denied"],
      ]);
    });

    it("grants a role from a seed 003 login policy by the caller's address, and says which rule", async () => {
      await call("POST", "/api/v2/organizations/acme/spaces", admin, {
        data: { type: "spaces", attributes: { name: "production" } },
      });
      await call("POST", "/api/v2/organizations/acme/roles", admin, {
        data: {
          type: "roles",
          attributes: { name: "secure-deployer-role-id", permissions: ["tokens.read"] },
        },
      });
      await policyInSet("ip-restricted", "mandatory", seed003("ip-restricted-api-keys"), ["login"]);
      const fromOffice = await call(
        "GET",
        `/api/v2/api-keys/${keyId}/effective-access`,
        admin,
        undefined,
        "10.9.8.7",
      );
      expect(fromOffice.status).toBe(200);
      const roles = fromOffice.body.data.attributes.spaces.flatMap(
        (s: { roles: { "role-name": string; reason: { kind: string; rule: string | null } }[] }) => s.roles,
      );
      expect(roles).toContainEqual(
        expect.objectContaining({
          "role-name": "secure-deployer-role-id",
          reason: expect.objectContaining({
            kind: "login-policy",
            rule: 'ip-restricted.rego:6: roles["production"]["secure-deployer-role-id"]',
          }),
        }),
      );
      const fromOutside = await call(
        "GET",
        `/api/v2/api-keys/${keyId}/effective-access`,
        admin,
        undefined,
        "8.8.8.8",
      );
      const outside = fromOutside.body.data.attributes.spaces.flatMap(
        (s: { roles: { "role-name": string }[] }) => s.roles,
      );
      expect(outside.map((r: { "role-name": string }) => r["role-name"])).not.toContain(
        "secure-deployer-role-id",
      );
    });

    it("a login policy's deny refuses every request from a blocked address", async () => {
      await policyInSet(
        "blocklist",
        "mandatory",
        'package blocklist\nimport rego.v1\ndeny contains "address 203.0.113.9 is blocked" if input.request.remote_ip == "203.0.113.9"\n',
        ["login"],
      );
      const blocked = await call(
        "GET",
        "/api/v2/organizations/acme/policies",
        admin,
        undefined,
        "203.0.113.9",
      );
      expect(blocked.status).toBe(403);
      expect(blocked.body.errors[0].detail).toContain("address 203.0.113.9 is blocked");
      expect(
        (await call("GET", "/api/v2/organizations/acme/policies", admin, undefined, "203.0.113.10")).status,
      ).toBe(200);
    });
  });
}
