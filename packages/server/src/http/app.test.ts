// HTTP API, integration tests through app.inject on both dialects: scenario A (service accounts,
// keys, tokens, rotation, revocation), validation errors, permissions, tenant isolation, audit.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../store/test-store.js";
import { buildApp } from "./app.js";

const JSON_API = "application/vnd.api+json";

for (const dialect of DIALECTS) {
  describe(`HTTP API on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let otherAdmin: string;
    let rootSpace: string;

    async function call(
      method: "GET" | "POST" | "PATCH" | "DELETE",
      url: string,
      token: string,
      body?: unknown,
    ) {
      const response = await app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": JSON_API } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return {
        status: response.statusCode,
        body: response.body === "" ? undefined : response.json(),
        headers: response.headers,
      };
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const acme = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      const other = await bootstrapOrganization(db.store, { organizationName: "globex", adminName: "gina" });
      admin = acme.tokenValue;
      otherAdmin = other.tokenValue;
      rootSpace = acme.rootSpace.id;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
    });

    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("runs scenario A: service account, role, key, token, use, rotate, revoke, delete", async () => {
      const space = await call("POST", "/api/v2/organizations/acme/spaces", admin, {
        data: { type: "spaces", attributes: { name: "prod" } },
      });
      expect(space.status).toBe(201);
      const sa = await call("POST", "/api/v2/organizations/acme/service-accounts", admin, {
        data: {
          type: "service-accounts",
          attributes: { name: "ci-deployer", description: "deploys" },
          relationships: { space: { data: { id: space.body.data.id, type: "spaces" } } },
        },
      });
      expect(sa.status).toBe(201);
      expect(sa.body.data.relationships.space.data.id).toBe(space.body.data.id);
      const binding = await call("POST", "/api/v2/organizations/acme/role-bindings", admin, {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "viewer", type: "roles" } },
            subject: { data: { id: sa.body.data.id, type: "service-accounts" } },
            space: { data: { id: space.body.data.id, type: "spaces" } },
          },
        },
      });
      expect(binding.status).toBe(201);
      const key = await call("POST", `/api/v2/service-accounts/${sa.body.data.id}/api-keys`, admin, {
        data: { type: "api-keys", attributes: { name: "deploy-key" } },
      });
      expect(key.status).toBe(201);
      expect(key.body.data.attributes["api-key-type"]).toBe("SERVICE");
      const created = await call("POST", `/api/v2/api-keys/${key.body.data.id}/tokens`, admin, {
        data: {
          type: "tokens",
          attributes: { name: "ci", description: "CI token", "valid-to": "2099-01-01T00:00:00Z" },
        },
      });
      expect(created.status).toBe(201);
      const secret: string = created.body.data.attributes.token;
      expect(secret).toMatch(/^kgs_/);
      const tokenId: string = created.body.data.id;

      const shown = await call("GET", `/api/v2/tokens/${tokenId}`, admin);
      expect(shown.status).toBe(200);
      expect(JSON.stringify(shown.body)).not.toContain(secret);
      expect(shown.body.data.attributes["valid-to"]).toBe("2099-01-01T00:00:00.000Z");

      const me = await call("GET", "/api/v2/account/details", secret);
      expect(me.status).toBe(200);
      expect(me.body.data.id).toBe(sa.body.data.id);
      expect(me.body.data.type).toBe("service-accounts");

      // Viewer in prod: may read its space's service accounts, may not create spaces.
      expect((await call("GET", `/api/v2/service-accounts/${sa.body.data.id}`, secret)).status).toBe(200);
      const refused = await call("POST", "/api/v2/organizations/acme/spaces", secret, {
        data: { type: "spaces", attributes: { name: "nope" } },
      });
      expect(refused.status).toBe(403);
      const denied = await call(
        "GET",
        "/api/v2/organizations/acme/audit-events?filter[outcome]=denied",
        admin,
      );
      expect(denied.body.data[0].attributes).toMatchObject({
        action: "request.forbidden",
        outcome: "denied",
      });
      expect(denied.body.data[0].relationships.actor.data.id).toBe(sa.body.data.id);

      const access = await call("GET", `/api/v2/api-keys/${key.body.data.id}/effective-access`, admin);
      expect(access.status).toBe(200);
      const prod = access.body.data.attributes.spaces.find(
        (s: { "space-id": string }) => s["space-id"] === space.body.data.id,
      );
      expect(prod.roles[0]["role-name"]).toBe("viewer");
      expect(prod.roles[0].reason).toMatchObject({
        kind: "direct-binding",
        "binding-id": binding.body.data.id,
      });

      const rotated = await call("POST", `/api/v2/tokens/${tokenId}/actions/rotate`, admin, {
        data: { type: "tokens", attributes: { "grace-period-seconds": 3600 } },
      });
      expect(rotated.status).toBe(201);
      const newSecret: string = rotated.body.data.attributes.token;
      expect(newSecret).not.toBe(secret);
      expect(rotated.body.included[0].attributes.status).toBe("rotated");
      expect((await call("GET", "/api/v2/account/details", secret)).status).toBe(200);
      expect((await call("GET", "/api/v2/account/details", newSecret)).status).toBe(200);

      const noGrace = await call("POST", `/api/v2/tokens/${rotated.body.data.id}/actions/rotate`, admin);
      expect(noGrace.status).toBe(201);
      expect((await call("GET", "/api/v2/account/details", newSecret)).status).toBe(401);

      expect((await call("DELETE", `/api/v2/tokens/${tokenId}`, admin)).status).toBe(409);
      const revoked = await call("POST", `/api/v2/tokens/${tokenId}/actions/revoke`, admin);
      expect(revoked.status).toBe(200);
      expect(revoked.body.data.attributes.status).toBe("revoked");
      const afterRevoke = await call("GET", "/api/v2/account/details", secret);
      expect(afterRevoke.status).toBe(401);
      expect(afterRevoke.body.errors[0].detail).toContain("revoked");
      expect((await call("DELETE", `/api/v2/tokens/${tokenId}`, admin)).status).toBe(204);

      const list = await call("GET", `/api/v2/api-keys/${key.body.data.id}/tokens`, admin);
      expect(list.status).toBe(200);
      expect(list.body.meta.pagination["total-count"]).toBe(2);
      expect(JSON.stringify(list.body)).not.toContain(newSecret.slice(17));

      const audit = await call(
        "GET",
        `/api/v2/organizations/acme/audit-events?filter[action]=token.revoke`,
        admin,
      );
      expect(audit.status).toBe(200);
      expect(audit.body.data[0].attributes["resource-id"]).toBe(tokenId);
    });

    it("adds permissions across roles and spaces, and inherits them into child spaces (C.4)", async () => {
      const team = await call("POST", "/api/v2/organizations/acme/spaces", admin, {
        data: { type: "spaces", attributes: { name: "team-a" } },
      });
      const child = await call("POST", "/api/v2/organizations/acme/spaces", admin, {
        data: {
          type: "spaces",
          attributes: { name: "team-a-dev" },
          relationships: { parent: { data: { id: team.body.data.id } } },
        },
      });
      expect(child.status).toBe(201);
      const sa = await call("POST", "/api/v2/organizations/acme/service-accounts", admin, {
        data: { type: "service-accounts", attributes: { name: "multi-role" } },
      });
      const bind = (role: string, spaceId: string) =>
        call("POST", "/api/v2/organizations/acme/role-bindings", admin, {
          data: {
            type: "role-bindings",
            relationships: {
              role: { data: { id: role } },
              subject: { data: { id: sa.body.data.id, type: "service-accounts" } },
              space: { data: { id: spaceId } },
            },
          },
        });
      expect((await bind("viewer", rootSpace)).status).toBe(201);
      expect((await bind("token-manager", team.body.data.id)).status).toBe(201);
      const key = await call("POST", `/api/v2/service-accounts/${sa.body.data.id}/api-keys`, admin, {
        data: { type: "api-keys", attributes: { name: "k" } },
      });
      const access = await call("GET", `/api/v2/api-keys/${key.body.data.id}/effective-access`, admin);
      const spaces = access.body.data.attributes.spaces as {
        "space-id": string;
        permissions: string[];
        roles: { "role-name": string; inherited: boolean }[];
      }[];
      const of = (id: string) => spaces.find((s) => s["space-id"] === id);
      expect(of(rootSpace)?.permissions).toContain("audit.read");
      expect(of(rootSpace)?.permissions).not.toContain("tokens.rotate");
      const dev = of(child.body.data.id);
      expect(dev?.permissions).toEqual(expect.arrayContaining(["audit.read", "tokens.rotate"]));
      expect(dev?.roles.map((r) => [r["role-name"], r.inherited]).sort()).toEqual([
        ["token-manager", true],
        ["viewer", true],
      ]);
    });

    it("refuses a service-account-only role for a user with a clear error", async () => {
      const user = await call("POST", "/api/v2/organizations/acme/users", admin, {
        data: { type: "users", attributes: { name: "bob" } },
      });
      expect(user.status).toBe(201);
      const bound = await call("POST", "/api/v2/organizations/acme/role-bindings", admin, {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "artefact-contributor" } },
            subject: { data: { id: user.body.data.id, type: "users" } },
          },
        },
      });
      expect(bound.status).toBe(422);
      expect(bound.body.errors[0].detail).toMatch(/service account/i);
    });

    it("answers a malformed body with 422 naming the field", async () => {
      const bad = await call("POST", "/api/v2/organizations/acme/service-accounts", admin, {
        data: { type: "service-accounts", attributes: { description: "no name" } },
      });
      expect(bad.status).toBe(422);
      const pointers = bad.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer);
      expect(pointers).toContain("/data/attributes/name");
      expect(bad.body.errors[0].detail).toBe("/data/attributes/name is required");
    });

    it("refuses a value of the wrong JSON type instead of coercing it (422 with its pointer)", async () => {
      const bad = await call("POST", "/api/v2/organizations/acme/service-accounts", admin, {
        data: { type: "service-accounts", attributes: { name: 5 } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.errors).toEqual([
        expect.objectContaining({
          status: "422",
          detail: "/data/attributes/name must be string, got integer",
          source: { pointer: "/data/attributes/name" },
        }),
      ]);
      const listed = await call("GET", "/api/v2/organizations/acme/service-accounts?page[size]=100", admin);
      expect(listed.body.data.map((r: { attributes: { name: string } }) => r.attributes.name)).not.toContain(
        "5",
      );
    });

    it("answers 401 for missing, malformed and unknown tokens", async () => {
      expect((await app.inject({ method: "GET", url: "/api/v2/account/details" })).statusCode).toBe(401);
      expect((await call("GET", "/api/v2/account/details", "nonsense")).status).toBe(401);
      const forged = `${admin.slice(0, 20)}${admin[20] === "a" ? "b" : "a"}${admin.slice(21)}`;
      expect((await call("GET", "/api/v2/account/details", forged)).status).toBe(401);
    });

    it("answers 404 for another organization's resources", async () => {
      const sas = await call("GET", "/api/v2/organizations/acme/service-accounts", admin);
      const id = sas.body.data[0].id;
      expect((await call("GET", `/api/v2/service-accounts/${id}`, otherAdmin)).status).toBe(404);
      expect((await call("GET", "/api/v2/organizations/acme/service-accounts", otherAdmin)).status).toBe(404);
      expect((await call("GET", `/api/v2/spaces/${rootSpace}`, otherAdmin)).status).toBe(404);
    });

    it("updates the caller's organization, and never another's (404)", async () => {
      const patched = await call("PATCH", "/api/v2/organizations/acme", admin, {
        data: { type: "organizations", attributes: { "display-name": "Acme Corp" } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.data.attributes["display-name"]).toBe("Acme Corp");
      const other = await call("PATCH", "/api/v2/organizations/acme", otherAdmin, {
        data: { type: "organizations", attributes: { "display-name": "Taken" } },
      });
      expect(other.status).toBe(404);
      expect(
        (await call("GET", "/api/v2/organizations/acme", admin)).body.data.attributes["display-name"],
      ).toBe("Acme Corp");
    });

    it("serves each audit event at its links.self, to its own organization only", async () => {
      const list = await call("GET", "/api/v2/organizations/acme/audit-events?page[size]=1", admin);
      const listed = list.body.data[0];
      const one = await call("GET", listed.links.self, admin);
      expect(one.status).toBe(200);
      expect(one.body.data).toEqual(listed);
      expect((await call("GET", listed.links.self, otherAdmin)).status).toBe(404);
      expect((await call("GET", "/api/v2/audit-events/aud-unknown", admin)).status).toBe(404);
    });

    it("serves the OpenAPI document, health, readiness and metrics", async () => {
      const doc = await app.inject({ method: "GET", url: "/api/v2/openapi.json" });
      expect(doc.statusCode).toBe(200);
      expect(doc.json().paths["/api/v2/tokens/{id}/actions/rotate"].post).toBeDefined();
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      const metrics = await app.inject({ method: "GET", url: "/metrics" });
      expect(metrics.body).toContain("keygate_http_requests_total{");
      expect(metrics.body).toContain("keygate_auth_failures_total{reason=");
      expect(metrics.body).toMatch(/keygate_token_cache_hits_total [1-9]/);
    });

    it("counts requests no route matched once each, answered by the not-found handler or refused before it", async () => {
      const unmatched = async () =>
        (await app.inject({ method: "GET", url: "/metrics" })).body
          .split("\n")
          .filter((line) => line.startsWith("keygate_http_requests_total{") && line.includes('"unmatched"'));
      const count = (lines: string[], status: number) =>
        Number(lines.find((line) => line.includes(`status="${status}"`))?.split(" ").at(-1) ?? 0);
      const before = await unmatched();
      expect((await call("GET", "/api/v2/no-such-thing", admin)).status).toBe(404);
      expect((await app.inject({ method: "GET", url: "/api/v2/no-such-thing" })).statusCode).toBe(404);
      // Refused by the input guard (a hook) before the not-found handler runs.
      expect((await app.inject({ method: "GET", url: "/api/v2/no-such-thing?x=%00" })).statusCode).toBe(400);
      const after = await unmatched();
      expect(count(after, 404) - count(before, 404)).toBe(2);
      expect(count(after, 400) - count(before, 400)).toBe(1);
    });

    it("declares for every operation exactly the credential it asks for (none for sign-in and invitations)", async () => {
      const doc = (await app.inject({ method: "GET", url: "/api/v2/openapi.json" })).json() as {
        paths: Record<string, Record<string, { security: Record<string, string[]>[] }>>;
        components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
      };
      expect(doc.components.securitySchemes.session).toEqual(
        expect.objectContaining({ type: "apiKey", in: "cookie", name: "keygate_session" }),
      );
      const open: string[] = [];
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const url = path.replace(/\{[^}]+\}/g, "x-unknown");
          // No credential at all: an operation that needs one answers 401 before anything else.
          const answer = await app.inject({
            method: method.toUpperCase() as "GET",
            url,
            ...(method === "get" || method === "delete"
              ? {}
              : { headers: { "content-type": JSON_API }, payload: "{}" }),
          });
          const documentedOpen = operation.security.length === 0;
          expect([`${method} ${path}`, answer.statusCode === 401]).toEqual([
            `${method} ${path}`,
            !documentedOpen,
          ]);
          if (documentedOpen) open.push(`${method} ${path}`);
          else expect(operation.security).toEqual([{ bearer: [] }, { session: [] }]);
        }
      }
      expect(open.sort()).toEqual([
        "post /api/v2/invitation-acceptances",
        "post /api/v2/invitation-previews",
        "post /api/v2/sessions",
      ]);
    });
  });
}

describe("failed authentication rate limit", () => {
  it("answers 429 after repeated failures from one address", async () => {
    const db = await createTestDatabase("sqlite");
    const app = await buildApp({ store: db.store, authFailureLimit: 3, authFailureWindowMs: 60_000 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await app.inject({
          method: "GET",
          url: "/api/v2/account/details",
          headers: { authorization: "Bearer x" },
        });
        statuses.push(r.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await app.close();
      await db.dispose();
    }
  });
});

describe("access log", () => {
  async function linesLogged(accessLog: boolean | undefined): Promise<Record<string, unknown>[]> {
    const db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    const app = await buildApp({
      store: db.store,
      logger: { level: "info", stream },
      ...(accessLog !== undefined ? { accessLog } : {}),
    });
    try {
      const response = await app.inject({
        method: "GET",
        url: "/api/v2/account/details",
        headers: { authorization: `Bearer ${org.tokenValue}` },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await app.close();
      await db.dispose();
    }
    return lines;
  }

  it("writes no line per request by default (KEYGATE_ACCESS_LOG unset)", async () => {
    const saved = process.env.KEYGATE_ACCESS_LOG;
    delete process.env.KEYGATE_ACCESS_LOG;
    try {
      const lines = await linesLogged(undefined);
      expect(lines.filter((l) => l.msg === "incoming request" || l.msg === "request completed")).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.KEYGATE_ACCESS_LOG = saved;
    }
  });

  it("writes the request lines, with a request id and the credential redacted, when on", async () => {
    const lines = await linesLogged(true);
    const incoming = lines.find((l) => l.msg === "incoming request");
    const completed = lines.find((l) => l.msg === "request completed");
    expect(incoming).toBeDefined();
    expect(completed).toBeDefined();
    expect(completed?.reqId).toBe(incoming?.reqId);
    expect(JSON.stringify(lines)).not.toMatch(/kgu_/);
  });
});
