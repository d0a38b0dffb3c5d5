// HTTP API, integration tests of the Policies API (seed 002) through app.inject on both dialects,
// with the document's own sample payloads, read from the shared seed at test time.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governanceSeedsPresent, seed000Source as seed000, seed002Sample, seed002UploadSample } from "../../../domain/governance/seed-policies.js";
import { bootstrapOrganization } from "../../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../../store/test-store.js";
import { buildApp } from "../../app.js";

const JSON_API = "application/vnd.api+json";
const SEEDS = governanceSeedsPresent();

for (const dialect of DIALECTS) {
  describe.skipIf(!SEEDS)(`Policies API on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let otherAdmin: string;
    let setId: string;

    async function call(method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT", url: string, token: string, body?: unknown) {
      const raw = typeof body === "string";
      const response = await app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": raw ? "application/octet-stream" : JSON_API } : {}),
        },
        ...(body !== undefined ? { payload: raw ? body : JSON.stringify(body) } : {}),
      });
      const json = response.headers["content-type"]?.toString().includes("json");
      return { status: response.statusCode, body: json && response.body !== "" ? response.json() : response.body };
    }

    /** Seed 002's OPA sample payload with its policy set id replaced by a real one. */
    function opaPayload(name?: string): unknown {
      const text = JSON.stringify(seed002Sample("Sample Payload (OPA)")).replace("polset-3yVQZvHzf5j3WRJ1", setId);
      return name === undefined ? JSON.parse(text) : JSON.parse(text.replaceAll("my-example-policy", name));
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      admin = (await bootstrapOrganization(db.store, { organizationName: "my-organization", adminName: "alice" })).tokenValue;
      otherAdmin = (await bootstrapOrganization(db.store, { organizationName: "globex", adminName: "gina" })).tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      const set = await call("POST", "/api/v2/organizations/my-organization/policy-sets", admin, {
        data: { type: "policy-sets", attributes: { name: "tokens", global: true, "entity-types": ["token"] } },
      });
      expect(set.status).toBe(201);
      setId = set.body.data.id;
    });
    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("creates from seed 002's OPA sample payload with the documented response shape", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload());
      expect(created.status).toBe(200);
      const id: string = created.body.data.id;
      expect(id).toMatch(/^pol-/);
      expect(created.body).toEqual({
        data: {
          id,
          type: "policies",
          attributes: {
            name: "my-example-policy",
            description: "An example policy.",
            kind: "opa",
            query: "terraform.main",
            "enforcement-level": "advisory",
            enforce: [{ path: "my-example-policy.rego", mode: "advisory" }],
            "policy-set-count": 1,
            "updated-at": null,
          },
          relationships: {
            organization: { data: { id: "my-organization", type: "organizations" } },
            "policy-sets": { data: [{ id: setId, type: "policy-sets" }] },
          },
          links: { self: `/api/v2/policies/${id}`, upload: `/api/v2/policies/${id}/upload` },
        },
        // Beyond the sample: the policy has no text yet, so evaluations cannot use it.
        meta: { warnings: [expect.stringMatching(/^policy my-example-policy has no Rego text yet/)] },
      });
      const shown = await call("GET", `/api/v2/policies/${id}?include=policy_sets`, admin);
      expect(shown.status).toBe(200);
      expect(shown.body.included.map((s: { id: string }) => s.id)).toEqual([setId]);
      const deleted = await call("DELETE", `/api/v2/policies/${id}`, admin);
      expect(deleted.status).toBe(204);
      expect((await call("GET", `/api/v2/policies/${id}`, admin)).status).toBe(404);
    });

    it("refuses seed 002's Sentinel sample payload with 422: only OPA policies are supported", async () => {
      const text = JSON.stringify(seed002Sample("Sample Payload (Sentinel)")).replace("polset-3yVQZvHzf5j3WRJ1", setId);
      const refused = await call("POST", "/api/v2/organizations/my-organization/policies", admin, JSON.parse(text));
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].detail).toContain("only OPA policies are supported");
      expect(refused.body.errors[0].source).toEqual({ pointer: "/data/attributes/kind" });
    });

    it("PATCH with seed 002's sample payload: soft-mandatory is refused for OPA, mandatory is taken", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("patched"));
      const id: string = created.body.data.id;
      const refused = await call("PATCH", `/api/v2/policies/${id}`, admin, seed002Sample("Sample Payload"));
      expect(refused.status).toBe(422);
      const updated = await call("PATCH", `/api/v2/policies/${id}`, admin, {
        data: { type: "policies", attributes: { "enforcement-level": "mandatory", query: "data.opapolicy.deny" } },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data.attributes).toMatchObject({
        "enforcement-level": "mandatory",
        enforce: [{ path: "patched.rego", mode: "mandatory" }],
        query: "data.opapolicy.deny",
      });
      expect(updated.body.data.attributes["updated-at"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it("PATCH refuses the name (fixed at creation, seed 002) and unknown attributes with 422 naming them", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("fixed-name"));
      const id: string = created.body.data.id;
      const renamed = await call("PATCH", `/api/v2/policies/${id}`, admin, {
        data: { type: "policies", attributes: { name: "other-name" } },
      });
      expect(renamed.status).toBe(422);
      expect(renamed.body.errors[0].source).toEqual({ pointer: "/data/attributes/name" });
      expect(renamed.body.errors[0].detail).toMatch(/"name" cannot be changed after creation/);
      const unknown = await call("PATCH", `/api/v2/policies/${id}`, admin, {
        data: { type: "policies", attributes: { description: "d", "enforcement-levle": "mandatory" } },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].source).toEqual({ pointer: "/data/attributes/enforcement-levle" });
      expect(unknown.body.errors[0].detail).toMatch(/allowed: description, query, enforcement-level, enforce$/);
      const shown = await call("GET", `/api/v2/policies/${id}`, admin);
      expect(shown.body.data.attributes).toMatchObject({ name: "fixed-name", description: "An example policy." });
    });

    it("creates with relationships.policy-sets (seed 002), refusing another type or an unknown set by pointer", async () => {
      const member = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("member"));
      expect(member.body.data.relationships["policy-sets"].data).toEqual([{ id: setId, type: "policy-sets" }]);
      const set = await call("GET", `/api/v2/policy-sets/${setId}`, admin);
      expect(set.body.data.relationships.policies.data).toContainEqual({ id: member.body.data.id, type: "policies" });
      const payload = (data: unknown) => ({
        data: { type: "policies", attributes: { name: "stray", kind: "opa" }, relationships: { "policy-sets": { data } } },
      });
      const wrongType = await call("POST", "/api/v2/organizations/my-organization/policies", admin, payload([{ id: setId, type: "spaces" }]));
      expect(wrongType.status).toBe(422);
      expect(wrongType.body.errors[0].source).toEqual({ pointer: "/data/relationships/policy-sets/data/0/type" });
      const unknown = await call("POST", "/api/v2/organizations/my-organization/policies", admin, payload([{ id: "polset-nope", type: "policy-sets" }]));
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].detail).toMatch(/policy set polset-nope does not exist/);
    });

    it("warns at create, upload and PATCH while the text is missing or the query is undefined by it", async () => {
      // Seed 002's OPA sample sets query terraform.main; this module's package is opapolicy.
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("warned"));
      expect(created.status).toBe(200);
      expect(created.body.meta.warnings).toEqual([expect.stringMatching(/^policy warned has no Rego text yet/)]);
      const id: string = created.body.data.id;
      const source = "package opapolicy\n\ndeny contains \"no\" if { input.x }\n";
      const uploaded = await call("PUT", `/api/v2/policies/${id}/upload`, admin, source);
      expect(uploaded.status).toBe(200);
      expect(uploaded.body.meta.warnings).toEqual([
        expect.stringMatching(/^the query data\.terraform\.main of advisory policy warned is not defined by its module \(package opapolicy defines deny\)/),
      ]);
      const stillUndefined = await call("PATCH", `/api/v2/policies/${id}`, admin, {
        data: { type: "policies", attributes: { "enforcement-level": "mandatory" } },
      });
      expect(stillUndefined.body.meta.warnings[0]).toMatch(/of mandatory policy warned is not defined/);
      const fixed = await call("PATCH", `/api/v2/policies/${id}`, admin, {
        data: { type: "policies", attributes: { query: "opapolicy.deny" } },
      });
      expect(fixed.status).toBe(200);
      expect(fixed.body.meta).toBeUndefined();
      const again = await call("PUT", `/api/v2/policies/${id}/upload`, admin, source);
      expect(again).toEqual({ status: 200, body: "" });
    });

    it("lists with page[size], page[number], search[name], filter[kind] and include=policy_sets", async () => {
      for (const name of ["list-a", "list-b", "list-c"]) {
        expect((await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload(name))).status).toBe(200);
      }
      const page = await call("GET", "/api/v2/organizations/my-organization/policies?search[name]=list-&page[size]=2&page[number]=2", admin);
      expect(page.status).toBe(200);
      expect(page.body.data.map((p: { attributes: { name: string } }) => p.attributes.name)).toEqual(["list-c"]);
      expect(page.body.meta.pagination).toMatchObject({ "current-page": 2, "total-count": 3, "total-pages": 2 });
      // HCP Terraform caps a larger page size silently; meta.pagination and the links say the size used.
      const capped = await call("GET", "/api/v2/organizations/my-organization/policies?search[name]=list-&page[size]=1000", admin);
      expect(capped.status).toBe(200);
      expect(capped.body.meta.pagination).toMatchObject({ "page-size": 100, "total-count": 3 });
      expect(capped.body.links.self).toContain("page[size]=100");
      const sentinel = await call("GET", "/api/v2/organizations/my-organization/policies?filter[kind]=sentinel", admin);
      expect(sentinel.body.data).toEqual([]);
      const included = await call("GET", "/api/v2/organizations/my-organization/policies?search[name]=list-a&include=policy_sets", admin);
      expect(included.body.included).toEqual([expect.objectContaining({ id: setId, type: "policy-sets" })]);
    });

    it("another organization's policy is 404, as is another organization's name in the path", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("private"));
      const id: string = created.body.data.id;
      for (const [method, url] of [
        ["GET", `/api/v2/policies/${id}`],
        ["DELETE", `/api/v2/policies/${id}`],
        ["GET", `/api/v2/policies/${id}/download`],
        ["GET", "/api/v2/organizations/my-organization/policies"],
      ] as const) {
        expect((await call(method, url, otherAdmin)).status).toBe(404);
      }
      expect((await call("PUT", `/api/v2/policies/${id}/upload`, otherAdmin, seed000("valid-to-limit"))).status).toBe(404);
    });

    it("uploads Rego (octet-stream), then shows the download link and downloads it unchanged", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("uploaded"));
      const id: string = created.body.data.id;
      expect((await call("GET", `/api/v2/policies/${id}/download`, admin)).status).toBe(404);
      const source = seed000("valid-to-limit");
      const upload = await call("PUT", `/api/v2/policies/${id}/upload`, admin, source);
      expect(upload.status).toBe(200);
      const shown = await call("GET", `/api/v2/policies/${id}`, admin);
      expect(shown.body.data.links.download).toBe(`/api/v2/policies/${id}/download`);
      const downloaded = await call("GET", `/api/v2/policies/${id}/download`, admin);
      expect(downloaded.status).toBe(200);
      expect(downloaded.body).toBe(source);
    });

    it("refuses Rego that does not compile with 422 and every error's line and column; keeps the old text", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("broken"));
      const id: string = created.body.data.id;
      const bad = await call("PUT", `/api/v2/policies/${id}/upload`, admin, "package p\n\ndeny[msg] {\n  msg := \n}\n");
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].detail).toMatch(/broken\.rego:\d+:\d+/);
      const sentinelText = await call("PUT", `/api/v2/policies/${id}/upload`, admin, seed002UploadSample());
      expect(sentinelText.status).toBe(422);
      expect((await call("GET", `/api/v2/policies/${id}/download`, admin)).status).toBe(404);
    });

    it("refuses an upload over 10 MB with 413 and stores nothing", async () => {
      const created = await call("POST", "/api/v2/organizations/my-organization/policies", admin, opaPayload("huge"));
      const id: string = created.body.data.id;
      const huge = `package huge\n${"# padding\n".repeat(1_100_000)}`;
      const refused = await call("PUT", `/api/v2/policies/${id}/upload`, admin, huge);
      expect(refused.status).toBe(413);
      expect((await call("GET", `/api/v2/policies/${id}`, admin)).body.data.links.download).toBeUndefined();
    });
  });
}
