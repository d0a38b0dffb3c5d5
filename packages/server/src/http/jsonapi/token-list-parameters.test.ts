// HTTP API: the token list's console filters as query parameters: translated to the domain's
// filter, documented in the OpenAPI document, and refused with the parameter named when malformed.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createTestDatabase, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";

describe("GET /organizations/:org/tokens with the console's filters", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let token: string;
  const get = (query: string) =>
    app.inject({
      method: "GET",
      url: `/api/v2/organizations/acme/tokens${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    token = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" }))
      .tokenValue;
    app = await buildApp({ store: db.store, usageFlushMs: 60_000 });
  });

  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("filters and counts: the admin token, never used before this request, expires never", async () => {
    const unused = await get("?filter[never-used]=true&sort=-expires-at");
    expect(unused.statusCode, unused.body).toBe(200);
    expect(unused.json().data).toHaveLength(1);
    expect(unused.json().meta.pagination["total-count"]).toBe(1);
    const expiring = await get("?filter[expires-before]=2999-01-01T00:00:00Z&filter[status]=active");
    expect(expiring.json().data).toEqual([]);
    expect(expiring.json().meta.pagination["total-count"]).toBe(0);
    expect((await get(`?filter[last-used-before]=${Date.now() + 60_000}`)).json().data).toEqual([]);
  });

  it.each([
    ["?filter[expires-before]=next-week", "filter[expires-before]"],
    ["?filter[last-used-before]=2026-02-30T00:00:00Z", "filter[last-used-before]"],
    ["?sort=name", "sort"],
    ["?filter[never-used]=perhaps", "filter[never-used]"],
    [
      "?filter[expires-after]=2030-01-02T00:00:00Z&filter[expires-before]=2030-01-01T00:00:00Z",
      "filter[expires-after]",
    ],
  ])("refuses %s with 400 naming %s", async (query, parameter) => {
    const response = await get(query);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].source).toEqual({ parameter });
  });

  it("documents the filters in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v2/openapi.json" })).json();
    const names = doc.paths["/api/v2/organizations/{org}/tokens"].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "filter[status]",
        "filter[expires-before]",
        "filter[expires-after]",
        "filter[last-used-before]",
        "filter[never-used]",
        "sort",
      ]),
    );
  });
});
