// HTTP API, infrastructure: bad input gets a 4xx JSON:API error naming what is wrong, never a 500,
// on both dialects: NUL characters anywhere, numbers no database column takes, times that do not
// exist, two Authorization headers, Fastify's own errors, and the trusted proxy's client address.
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";
import { unstorableHeaderError, unstorableInputError } from "./input-guard.js";

const JSON_API = "application/vnd.api+json";

describe("unstorableInputError", () => {
  it("answers 404 for a path parameter, 400 for a query parameter and 422 for the body", () => {
    expect(unstorableInputError({ id: "a\u0000" }, {}, undefined)?.statusCode).toBe(404);
    expect(unstorableInputError({}, { "filter[x]": ["ok", "b\u0000"] }, undefined)).toMatchObject({
      statusCode: 400,
      source: { parameter: "filter[x]" },
    });
    expect(unstorableInputError({}, {}, { data: { attributes: { d: "\u0000" } } })).toMatchObject({
      statusCode: 422,
      source: { pointer: "/data/attributes/d" },
    });
    expect(unstorableInputError({}, {}, Buffer.from([0x61, 0]))?.statusCode).toBe(422);
    expect(unstorableInputError({ id: "ok" }, { a: "b" }, { c: ["d"] })).toBe(undefined);
  });

  it("answers 400 for a header-derived value, naming the header", () => {
    expect(unstorableHeaderError("Bearer a\u0000", "1.2.3.4")?.source).toEqual({ header: "Authorization" });
    expect(unstorableHeaderError(undefined, "1.2.3.4\u0000")?.source).toEqual({ header: "X-Forwarded-For" });
    expect(unstorableHeaderError("Bearer x", "::1")).toBe(undefined);
  });
});

for (const dialect of DIALECTS) {
  describe(`bad input on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let keyId: string;

    async function send(options: InjectOptions) {
      const response = await app.inject(options);
      const body = response.body === "" ? undefined : response.json();
      // Every answer here is an error: a JSON:API error document.
      expect(response.headers["content-type"]).toMatch(/^application\/vnd\.api\+json/);
      expect(Array.isArray(body?.errors) && body.errors.length > 0, response.body).toBe(true);
      expect(body.errors[0].status).toBe(String(response.statusCode));
      return { status: response.statusCode, error: body.errors[0], headers: response.headers };
    }

    function withAdmin(method: InjectOptions["method"], url: string, body?: unknown, extra = {}) {
      return send({
        method,
        url,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body !== undefined ? { "content-type": JSON_API } : {}),
          ...extra,
        },
        ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      admin = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" }))
        .tokenValue;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      const headers = { authorization: `Bearer ${admin}`, "content-type": JSON_API };
      const sa = await app.inject({
        method: "POST",
        url: "/api/v2/organizations/acme/service-accounts",
        headers,
        payload: JSON.stringify({ data: { type: "service-accounts", attributes: { name: "bot" } } }),
      });
      const key = await app.inject({
        method: "POST",
        url: `/api/v2/service-accounts/${sa.json().data.id}/api-keys`,
        headers,
        payload: JSON.stringify({ data: { type: "api-keys", attributes: { name: "k" } } }),
      });
      keyId = key.json().data.id;
    });

    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("refuses a NUL character in an id (404), a query parameter (400) and a body field or key (422)", async () => {
      expect((await withAdmin("GET", "/api/v2/service-accounts/sa-%00x")).status).toBe(404);
      expect((await withAdmin("GET", "/api/v2/organizations/ac%00me")).status).toBe(404);
      const query = await withAdmin("GET", "/api/v2/organizations/acme/audit-events?filter[actor]=a%00b");
      expect(query).toMatchObject({ status: 400, error: { source: { parameter: "filter[actor]" } } });
      const field = await withAdmin("POST", "/api/v2/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "n", description: "x\u0000y" } },
      });
      expect(field).toMatchObject({
        status: 422,
        error: { source: { pointer: "/data/attributes/description" } },
      });
      const key = await withAdmin("POST", "/api/v2/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "n", tags: { "k\u0000": "v" } } },
      });
      expect(key.status).toBe(422);
      expect(key.error.detail).toMatch(/key that contains a NUL/);
    });

    it("bounds page numbers and time filters before they reach SQL (400 naming the parameter)", async () => {
      const page = await withAdmin(
        "GET",
        "/api/v2/organizations/acme/service-accounts?page[number]=1000000000000000000",
      );
      expect(page).toMatchObject({ status: 400, error: { source: { parameter: "page[number]" } } });
      const until = await withAdmin(
        "GET",
        "/api/v2/organizations/acme/audit-events?filter[until]=99999999999999999999",
      );
      expect(until).toMatchObject({ status: 400, error: { source: { parameter: "filter[until]" } } });
      const since = await withAdmin(
        "GET",
        "/api/v2/organizations/acme/audit-events?filter[since]=2027-02-30T00:00:00Z",
      );
      expect(since).toMatchObject({ status: 400, error: { source: { parameter: "filter[since]" } } });
      const huge = await withAdmin("POST", `/api/v2/api-keys/${keyId}/tokens`, {
        data: { type: "tokens", attributes: { name: "t", "valid-to": 1e20 } },
      });
      expect(huge).toMatchObject({
        status: 422,
        error: { source: { pointer: "/data/attributes/valid-to" } },
      });
    });

    it("refuses a valid-to that is empty or not a real date (422 with its pointer)", async () => {
      for (const validTo of ["", "2027-02-30T00:00:00Z", "2027-02-30", "next week"]) {
        const refused = await withAdmin("POST", `/api/v2/api-keys/${keyId}/tokens`, {
          data: { type: "tokens", attributes: { name: "t", "valid-to": validTo } },
        });
        expect(refused, validTo).toMatchObject({
          status: 422,
          error: { source: { pointer: "/data/attributes/valid-to" } },
        });
      }
    });

    it("answers two Authorization headers with 400", async () => {
      const twice = await send({
        method: "GET",
        url: "/api/v2/account/details",
        headers: { authorization: [`Bearer ${admin}`, `Bearer ${admin}`] },
      });
      expect(twice).toMatchObject({ status: 400, error: { source: { header: "Authorization" } } });
    });

    it("says which values are allowed where the schema has a fixed set (not 'must be equal to constant')", async () => {
      const binding = await withAdmin("POST", "/api/v2/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: { role: { data: { id: "viewer", type: "roles" } }, subject: { data: { id: "x", type: "robots" } } },
        },
      });
      expect(binding).toMatchObject({
        status: 422,
        error: {
          detail: "/data/relationships/subject/data/type must be one of: users, service-accounts, teams",
          source: { pointer: "/data/relationships/subject/data/type" },
        },
      });
      const single = await withAdmin("POST", "/api/v2/organizations/acme/service-accounts", {
        data: { type: "robots", attributes: { name: "n" } },
      });
      expect(single.error.detail).toBe("/data/type must be service-accounts");
    });

    it("answers Fastify's own errors with JSON:API documents: JSON, media type, size, URL, route, method", async () => {
      const url = "/api/v2/organizations/acme/service-accounts";
      expect((await withAdmin("POST", url, "{")).error.detail).toMatch(/not valid JSON/);
      expect((await withAdmin("POST", url, "{")).status).toBe(400);
      // An empty body is no body (as without a Content-Type): 422 where the route needs a document.
      expect(await withAdmin("POST", url, undefined, { "content-type": JSON_API })).toMatchObject({
        status: 422,
        error: { detail: "the body is empty; send a JSON:API document" },
      });
      const media = await send({
        method: "POST",
        url,
        headers: { authorization: `Bearer ${admin}`, "content-type": "text/x-nope" },
        payload: "x",
      });
      expect(media.status).toBe(415);
      expect((await withAdmin("POST", url, `"${"x".repeat(2 * 1024 * 1024)}"`)).status).toBe(413);
      expect((await withAdmin("GET", "/api/v2/tokens/%E0%A4%A")).status).toBe(400);
      expect((await withAdmin("GET", "/api/v2/no-such-thing")).status).toBe(404);
      const method = await withAdmin("PUT", "/api/v2/organizations/acme");
      expect(method.status).toBe(405);
      expect(method.headers.allow).toContain("PATCH");
      let deep = "1";
      for (let i = 0; i < 10_000; i++) deep = `[${deep}]`;
      expect((await withAdmin("POST", url, `{"data":${deep}}`)).status).toBe(422);
    });
  });
}

describe("trusted proxy", () => {
  it("takes the client's address from X-Forwarded-For only when the proxy is trusted, hop by hop", async () => {
    const db = await createTestDatabase("sqlite");
    const { tokenValue } = await bootstrapOrganization(db.store, {
      organizationName: "acme",
      adminName: "a",
    });
    const seen: string[] = [];
    for (const trustProxy of [false, ["127.0.0.1"], ["127.0.0.1", "203.0.113.9"], true] as const) {
      const app = await buildApp({ store: db.store, trustProxy });
      app.addHook("onRequest", async (request) => {
        seen.push(request.ip);
      });
      const response = await app.inject({
        method: "GET",
        url: "/api/v2/account/details",
        headers: { authorization: `Bearer ${tokenValue}`, "x-forwarded-for": "198.51.100.7, 203.0.113.9" },
        remoteAddress: "127.0.0.1",
      });
      expect(response.statusCode).toBe(200);
      await app.close();
    }
    const trusting = await buildApp({ store: db.store, trustProxy: true });
    const nul = await trusting.inject({
      method: "GET",
      url: "/api/v2/account/details",
      headers: { authorization: `Bearer ${tokenValue}`, "x-forwarded-for": "203.0.113.9\u0000" },
    });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors[0].source).toEqual({ header: "X-Forwarded-For" });
    await trusting.close();
    await db.dispose();
    // Each trusted hop is skipped, from the socket's peer back; `true` believes the first entry.
    expect(seen).toEqual(["127.0.0.1", "203.0.113.9", "198.51.100.7", "198.51.100.7"]);
  });
});
