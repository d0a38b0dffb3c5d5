// End-to-end: tenant isolation. Every endpoint of the OpenAPI document that names a resource is
// called with another organization's admin token and that resource's id: always 404 (never 403,
// never a change), on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { type JsonSchema, minimalValue } from "./support/minimal-body.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

interface Operation {
  readonly parameters?: readonly { name: string; in: string; required: boolean; schema: JsonSchema }[];
  readonly requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** The required query parameters with a minimal value each, so the request is well formed. */
function requiredQuery(operation: Operation): string {
  const query = new URLSearchParams();
  for (const p of operation.parameters ?? []) {
    if (p.in === "query" && p.required) query.set(p.name, String(minimalValue(p.schema)));
  }
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`tenant isolation on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let acme: string;
    let globex: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      location = await freshStore(dialect);
      const a = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      const g = await runKeygate(["init", "--org", "globex", "--json", ...location.args], location.env);
      expect(a.code, a.stderr).toBe(0);
      expect(g.code, g.stderr).toBe(0);
      acme = JSON.parse(a.stdout).adminToken;
      globex = JSON.parse(g.stdout).adminToken;
      server = await startKeygate(location.args, location.env);
      const call = (method: string, path: string, body?: unknown) =>
        api(server.url, acme, method, path, body);
      ids.spaces = (
        await call("POST", "/organizations/acme/spaces", {
          data: { type: "spaces", attributes: { name: "s1" } },
        })
      ).body.data.id;
      ids["service-accounts"] = (
        await call("POST", "/organizations/acme/service-accounts", {
          data: { type: "service-accounts", attributes: { name: "bot" } },
        })
      ).body.data.id;
      ids["api-keys"] = (
        await call("POST", `/service-accounts/${ids["service-accounts"]}/api-keys`, {
          data: { type: "api-keys", attributes: { name: "k" } },
        })
      ).body.data.id;
      ids.tokens = (
        await call("POST", `/api-keys/${ids["api-keys"]}/tokens`, {
          data: { type: "tokens", attributes: { name: "t" } },
        })
      ).body.data.id;
      ids.users = (
        await call("POST", "/organizations/acme/users", {
          data: { type: "users", attributes: { name: "u" } },
        })
      ).body.data.id;
      ids.teams = (
        await call("POST", "/organizations/acme/teams", {
          data: { type: "teams", attributes: { name: "team" } },
        })
      ).body.data.id;
      ids.roles = (
        await call("POST", "/organizations/acme/roles", {
          data: { type: "roles", attributes: { name: "custom", permissions: ["spaces.read"] } },
        })
      ).body.data.id;
      ids["role-bindings"] = (
        await call("POST", "/organizations/acme/role-bindings", {
          data: {
            type: "role-bindings",
            relationships: {
              role: { data: { id: ids.roles } },
              subject: { data: { id: ids.users, type: "users" } },
            },
          },
        })
      ).body.data.id;
      for (const [type, id] of Object.entries(ids)) expect(id, type).toBeTruthy();
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("answers 404 on every endpoint for another organization's resources, and changes nothing", async () => {
      const doc = await (await fetch(`${server.url}/api/v2/openapi.json`)).json();
      const paths = doc.paths as Record<string, Record<string, Operation>>;
      const probed: string[] = [];
      const unexpected: string[] = [];
      for (const [template, operations] of Object.entries(paths)) {
        const match = /^\/api\/v2\/([a-z-]+)\/\{(id|org)\}/.exec(template);
        if (!match) continue; // caller-scoped endpoints (/account/..., /organizations)
        const [, collection = "", parameter] = match;
        const id = parameter === "org" ? "acme" : ids[collection];
        if (id === undefined) continue; // resources this suite does not create (e.g. policies)
        const path = template.replace(/^\/api\/v2/, "").replace(`{${parameter}}`, id);
        for (const [method, operation] of Object.entries(operations)) {
          const schema = operation.requestBody?.content["application/vnd.api+json"]?.schema;
          const response = await api(
            server.url,
            globex,
            method.toUpperCase(),
            `${path}${requiredQuery(operation)}`,
            schema ? minimalValue(schema) : undefined,
          );
          probed.push(`${method.toUpperCase()} ${template}`);
          if (response.status !== 404) unexpected.push(`${method.toUpperCase()} ${path}: ${response.status}`);
        }
      }
      expect(unexpected).toEqual([]);
      expect(probed.length).toBeGreaterThan(30);
      // Nothing was changed by those attempts.
      const token = await api(server.url, acme, "GET", `/tokens/${ids.tokens}`);
      expect(token.body.data.attributes.status).toBe("active");
      for (const collection of [
        "spaces",
        "service-accounts",
        "api-keys",
        "users",
        "teams",
        "roles",
        "role-bindings",
      ]) {
        expect(
          (await api(server.url, acme, "GET", `/${collection}/${ids[collection]}`)).status,
          collection,
        ).toBe(200);
      }
    });
  });
}
