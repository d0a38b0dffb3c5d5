// End-to-end: scenario E, HCP Terraform's Policies API (seed 002) on a real `keygate serve`
// process, on SQLite and PostgreSQL, driven by the document's own sample payloads and compared
// with its own sample responses (read from ../shared/seeds at test time; skipped when absent).
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  governanceSeedsPresent,
  seed000Source,
  seed002Sample,
  seed002SampleIn,
  seed002UploadSample,
  seed003Source,
} from "../packages/server/src/domain/governance/seed-policies.js";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const SAMPLE_SET_ID = "polset-3yVQZvHzf5j3WRJ1";
const SAMPLE_POLICY_ID = "pol-u3S5p2Uwk21keu1s";

/** A JSON value with every occurrence of each `from` string replaced by its `to`. */
function substitute<T>(value: T, replacements: Readonly<Record<string, string>>): T {
  let text = JSON.stringify(value);
  for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
  return JSON.parse(text) as T;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(!governanceSeedsPresent())(`Policies API of seed 002 over HTTP on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let admin: string;
    let otherAdmin: string;
    let setId: string;
    const call = (method: string, path: string, body?: unknown, token = admin) =>
      api(server.url, token, method, path, body);

    async function raw(method: "PUT" | "GET", path: string, body?: string | Uint8Array, token = admin) {
      const response = await fetch(`${server.url}/api/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/octet-stream" } : {}),
        },
        ...(body !== undefined ? { body } : {}),
      });
      return { status: response.status, text: await response.text(), type: response.headers.get("content-type") };
    }

    /**
     * The status of an upload announcing `bytes` bytes: the server answers from the headers, before
     * the body (writing 10 MB to a server that has already refused it would only fail with EPIPE).
     */
    function declaredUpload(path: string, bytes: number): Promise<number> {
      return new Promise((resolve, reject) => {
        const request = httpRequest(`${server.url}/api/v2${path}`, {
          method: "PUT",
          headers: {
            authorization: `Bearer ${admin}`,
            "content-type": "application/octet-stream",
            "content-length": String(bytes),
          },
        });
        request.on("response", (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
          request.destroy();
        });
        request.on("error", reject);
        request.flushHeaders();
        request.write("package huge\n");
      });
    }

    /** Seed 002's OPA create payload, its policy set replaced by a real one (and optionally renamed). */
    function opaPayload(name = "my-example-policy"): unknown {
      return substitute(seed002Sample("Sample Payload (OPA)"), {
        [SAMPLE_SET_ID]: setId,
        "my-example-policy": name,
      });
    }

    beforeAll(async () => {
      location = await freshStore(dialect);
      const init = await runKeygate(["init", "--org", "my-organization", "--json", ...location.args], location.env);
      expect(init.code, init.stderr).toBe(0);
      admin = JSON.parse(init.stdout).adminToken;
      const other = await runKeygate(["init", "--org", "globex", "--json", ...location.args], location.env);
      expect(other.code, other.stderr).toBe(0);
      otherAdmin = JSON.parse(other.stdout).adminToken;
      server = await startKeygate(location.args, location.env);
      const set = await call("POST", "/organizations/my-organization/policy-sets", {
        data: { type: "policy-sets", attributes: { name: "tokens", global: true, "entity-types": ["token"] } },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      setId = set.body.data.id;
    }, 90_000);

    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("creates a policy from the OPA sample payload and answers with the OPA sample response", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload());
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id: string = created.body.data.id;
      const expected = substitute(seed002Sample("Sample Response (OPA)"), { [SAMPLE_POLICY_ID]: id, [SAMPLE_SET_ID]: setId });
      // The sample's document, plus a warning: the policy has no text yet, so evaluations cannot use it.
      expect({ data: created.body.data }).toEqual(expected);
      expect(created.body.meta.warnings).toEqual([expect.stringMatching(/^policy my-example-policy has no Rego text yet/)]);

      // Show, before and after the upload: the download link appears once there is text.
      const shown = await call("GET", `/policies/${id}`);
      expect(shown.body).toEqual(expected);
      const source = seed000Source("valid-to-limit");
      const upload = await raw("PUT", `/policies/${id}/upload`, source);
      expect(upload.status, upload.text).toBe(200);
      // The sample's query terraform.main is not defined by seed 000's module (package opapolicy).
      expect(JSON.parse(upload.text).meta.warnings).toEqual([
        expect.stringMatching(/^the query data\.terraform\.main of advisory policy my-example-policy is not defined by its module \(package opapolicy defines deny\)/),
      ]);
      const after = await call("GET", `/policies/${id}?include=policy_sets`);
      const showSample = seed002Sample("Sample Response") as { data: { links: Record<string, string> } };
      expect(Object.keys(after.body.data.links).sort()).toEqual(Object.keys(showSample.data.links).sort());
      expect(after.body.data.links.download).toBe(`/api/v2/policies/${id}/download`);
      expect(after.body.data.attributes["updated-at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(after.body.included).toEqual([expect.objectContaining({ id: setId, type: "policy-sets" })]);
      const downloaded = await raw("GET", `/policies/${id}/download`);
      expect(downloaded.status).toBe(200);
      expect(downloaded.text).toBe(source);
    });

    it("refuses the Sentinel sample payload and the Sentinel upload sample: only OPA is supported", async () => {
      const sentinel = substitute(seed002Sample("Sample Payload (Sentinel)"), { [SAMPLE_SET_ID]: setId });
      const refused = await call("POST", "/organizations/my-organization/policies", sentinel);
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ status: "422", source: { pointer: "/data/attributes/kind" } });
      expect(refused.body.errors[0].detail).toContain("only OPA policies are supported");

      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("sentinel-text"));
      const upload = await raw("PUT", `/policies/${created.body.data.id}/upload`, seed002UploadSample());
      expect(upload.status).toBe(422);
      expect((await raw("GET", `/policies/${created.body.data.id}/download`)).status).toBe(404);
    });

    it("updates with the PATCH sample: a Sentinel level is 422, an OPA level, description and query are taken", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("patched"));
      const id: string = created.body.data.id;
      const sample = seed002Sample("Sample Payload");
      const refused = await call("PATCH", `/policies/${id}`, sample);
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].detail).toMatch(/mandatory.*advisory/);
      const opa = substitute(sample, { "soft-mandatory": "mandatory" });
      const updated = await call("PATCH", `/policies/${id}`, opa);
      expect(updated.status).toBe(200);
      expect(updated.body.data.attributes).toMatchObject({
        "enforcement-level": "mandatory",
        enforce: [{ path: "patched.rego", mode: "mandatory" }],
      });
      // The deprecated enforce array works on its own too.
      const viaEnforce = await call("PATCH", `/policies/${id}`, {
        data: {
          type: "policies",
          attributes: { description: null, query: "data.opapolicy.deny", enforce: [{ path: "patched.rego", mode: "advisory" }] },
        },
      });
      expect(viaEnforce.status).toBe(200);
      expect(viaEnforce.body.data.attributes).toMatchObject({
        description: null,
        query: "data.opapolicy.deny",
        "enforcement-level": "advisory",
      });
    });

    it("lists like the list sample: pagination, search[name], filter[kind], include=policy_sets", async () => {
      for (const name of ["paged-1", "paged-2", "paged-3"]) {
        const created = await call("POST", "/organizations/my-organization/policies", opaPayload(name));
        expect(created.status).toBe(200);
        // With its text uploaded, as the sample's policies are (their download links show it).
        expect((await raw("PUT", `/policies/${created.body.data.id}/upload`, seed000Source("valid-to-limit"))).status).toBe(200);
      }
      // The list sample's OPA entry (its second) is what an OPA policy in a set looks like in a list.
      const listSample = seed002SampleIn("List Policies", "Sample Response") as { data: Record<string, unknown>[] };
      const sampleOpa = listSample.data.find((p) => (p.attributes as { kind: string }).kind === "opa")!;
      const first = await call("GET", "/organizations/my-organization/policies?search%5Bname%5D=paged-&page%5Bsize%5D=2");
      expect(first.body.data.map((p: { attributes: { name: string } }) => p.attributes.name)).toEqual(["paged-1", "paged-2"]);
      expect(first.body.meta.pagination).toMatchObject({ "current-page": 1, "total-pages": 2, "total-count": 3 });
      const second = await call("GET", "/organizations/my-organization/policies?search[name]=paged-&page[size]=2&page[number]=2");
      expect(second.body.data.map((p: { attributes: { name: string } }) => p.attributes.name)).toEqual(["paged-3"]);
      const keysOf = (o: unknown) => Object.keys(o as object).sort();
      for (const item of second.body.data) {
        expect(keysOf(item)).toEqual(keysOf(sampleOpa));
        expect(keysOf(item.attributes)).toEqual(keysOf(sampleOpa.attributes));
        expect(keysOf(item.relationships)).toEqual(keysOf(sampleOpa.relationships));
        expect(keysOf(item.links)).toEqual(keysOf(sampleOpa.links));
        expect(item.type).toBe(sampleOpa.type);
        expect(item.attributes).toMatchObject({ kind: "opa", "policy-set-count": 1 });
        expect(item.relationships["policy-sets"].data).toEqual([{ id: setId, type: "policy-sets" }]);
      }
      expect((await call("GET", "/organizations/my-organization/policies?filter[kind]=sentinel")).body.data).toEqual([]);
      const opa = await call("GET", "/organizations/my-organization/policies?filter[kind]=opa&page[size]=100");
      expect(opa.body.data.length).toBeGreaterThanOrEqual(3);
      // HCP Terraform caps a larger page size; the size used is reported.
      const capped = await call("GET", "/organizations/my-organization/policies?page[size]=500");
      expect(capped.status).toBe(200);
      expect(capped.body.meta.pagination["page-size"]).toBe(100);
      const included = await call("GET", "/organizations/my-organization/policies?search[name]=paged-1&include=policy_sets");
      expect(included.body.included.map((s: { id: string }) => s.id)).toEqual([setId]);
      expect((await call("GET", "/organizations/my-organization/policies?include=nonsense")).status).toBe(422);
    });

    it("refuses an upload over 10 MB with 413 and stores nothing", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("huge"));
      const id: string = created.body.data.id;
      expect(await declaredUpload(`/policies/${id}/upload`, 10 * 1024 * 1024 + 1)).toBe(413);
      expect((await call("GET", `/policies/${id}`)).body.data.links.download).toBeUndefined();
      expect((await raw("GET", `/policies/${id}/download`)).status).toBe(404);
    });

    it("refuses Rego that does not compile with 422, one error per problem with its line and column", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("template"));
      const id: string = created.body.data.id;
      // Seed 003's opening template: `roles[space][role_id]` with nothing binding either variable.
      const refused = await raw("PUT", `/policies/${id}/upload`, seed003Source("template"));
      expect(refused.status).toBe(422);
      const errors = JSON.parse(refused.text).errors as { detail: string; meta: { code: string; line: number; column: number } }[];
      expect(errors.length).toBeGreaterThanOrEqual(2);
      for (const e of errors) {
        expect(e.meta.code).toBe("rego_unsafe_var_error");
        expect(e.meta.line).toBe(9);
        expect(e.detail).toMatch(new RegExp(`^template\\.rego:9:${e.meta.column}: rego_unsafe_var_error: `));
      }
      expect(errors.map((e) => e.detail).join("\n")).toMatch(/space[\s\S]*role_id|role_id[\s\S]*space/);
      const parse = await raw("PUT", `/policies/${id}/upload`, "package p\n\ndeny[msg] {\n  msg := \n}\n\nallow if {\n");
      expect(parse.status).toBe(422);
      const parseErrors = JSON.parse(parse.text).errors as { meta: { code: string; line: number } }[];
      expect(parseErrors[0]?.meta).toMatchObject({ code: "rego_parse_error" });
      expect((await raw("GET", `/policies/${id}/download`)).status).toBe(404);
    });

    it("another organization's policy is 404 on every endpoint, never 403", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("private"));
      const id: string = created.body.data.id;
      for (const [method, path, body] of [
        ["GET", `/policies/${id}`, undefined],
        ["PATCH", `/policies/${id}`, { data: { type: "policies", attributes: { "enforcement-level": "mandatory" } } }],
        ["DELETE", `/policies/${id}`, undefined],
        ["GET", `/policies/${id}/download`, undefined],
        ["GET", "/organizations/my-organization/policies", undefined],
        ["POST", "/organizations/my-organization/policies", opaPayload("intruder")],
      ] as const) {
        expect((await call(method, path, body, otherAdmin)).status, `${method} ${path}`).toBe(404);
      }
      expect((await raw("PUT", `/policies/${id}/upload`, "package x\n", otherAdmin)).status).toBe(404);
      expect((await call("GET", `/policies/${id}`)).status).toBe(200);
    });

    it("deletes with seed 002's DELETE sample (JSON:API Content-Type, no body), and refuses a PATCH of the name", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("sample-delete"));
      const id: string = created.body.data.id;
      // "You cannot modify this name after creation."
      const renamed = await call("PATCH", `/policies/${id}`, { data: { type: "policies", attributes: { name: "renamed" } } });
      expect(renamed.status).toBe(422);
      expect(renamed.body.errors[0].source).toEqual({ pointer: "/data/attributes/name" });
      const deleted = await fetch(`${server.url}/api/v2/policies/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/vnd.api+json" },
      });
      expect(deleted.status, await deleted.text()).toBe(204);
    });

    it("include=policies on the policy set lists the policies in it", async () => {
      const shown = await call("GET", `/policy-sets/${setId}?include=policies`);
      expect(shown.status).toBe(200);
      const included = shown.body.included as { id: string; type: string }[];
      expect(included.length).toBe(shown.body.data.relationships.policies.data.length);
      expect(included.every((p) => p.type === "policies")).toBe(true);
    });

    it("marks a mandatory policy with the sample's undefined query query-undefined, not passed, and warns", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("mandatory-sample"));
      const id: string = created.body.data.id;
      const untexted = (await call("POST", "/organizations/my-organization/policies", opaPayload("no-text-yet"))).body.data.id;
      expect((await raw("PUT", `/policies/${id}/upload`, seed000Source("valid-to-limit"))).status).toBe(200);
      const mandatory = await call("PATCH", `/policies/${id}`, {
        data: { type: "policies", attributes: { "enforcement-level": "mandatory" } },
      });
      expect(mandatory.body.meta.warnings[0]).toMatch(/^the query data\.terraform\.main of mandatory policy mandatory-sample is not defined/);
      const sa = await call("POST", "/organizations/my-organization/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "undefined-query" } },
      });
      const key = await call("POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "k" } },
      });
      // Seed 000's rule denies a validTo past 2026-05-24; the undefined query lets it through, as in HCP.
      const token = (name: string) =>
        call("POST", `/api-keys/${key.body.data.id}/tokens`, {
          data: { type: "tokens", attributes: { name, "valid-to": "2099-01-01T00:00:00Z" } },
        });
      const allowed = await token("far");
      expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
      const evaluationId: string = allowed.body.meta["policy-evaluation-id"];
      const evaluation = await call("GET", `/policy-evaluations/${evaluationId}`);
      const mine = (evaluation.body.data.attributes["policy-results"] as { "policy-id": string; outcome: string }[]).find(
        (r) => r["policy-id"] === id,
      );
      expect(mine?.outcome).toBe("query-undefined");
      // A policy of the set with no text does not take part either, and the evaluation says so.
      const results = evaluation.body.data.attributes["policy-results"] as { "policy-id": string; outcome: string; messages: string[] }[];
      expect(results.find((r) => r["policy-id"] === untexted)).toMatchObject({
        outcome: "query-undefined",
        messages: [expect.stringMatching(/no Rego text yet/)],
      });
      // With a query its module defines, the same save is denied.
      const fixed = await call("PATCH", `/policies/${id}`, { data: { type: "policies", attributes: { query: "opapolicy.deny" } } });
      expect(fixed.body.meta).toBeUndefined();
      expect((await token("far-again")).status).toBe(422);
      expect((await call("DELETE", `/policies/${id}`)).status).toBe(204);
      expect((await call("DELETE", `/policies/${untexted}`)).status).toBe(204);
    });

    it("deletes a policy (204), after which it is 404", async () => {
      const created = await call("POST", "/organizations/my-organization/policies", opaPayload("doomed"));
      const id: string = created.body.data.id;
      expect((await call("DELETE", `/policies/${id}`)).status).toBe(204);
      expect((await call("GET", `/policies/${id}`)).status).toBe(404);
      const set = await call("GET", `/policy-sets/${setId}`);
      expect(JSON.stringify(set.body)).not.toContain(id);
    });
  });
}
