// HTTP API, routes: the API reference page is served without authentication, with its tight
// Content-Security-Policy, and every asset it names is served from this server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createTestDatabase, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";
import { API_DOCS_CSP, API_DOCS_PATH } from "./api-docs-routes.js";

describe("GET /api/docs", () => {
  let db: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    app = await buildApp({ store: db.store });
  });

  afterAll(async () => {
    await app.close();
    await db.dispose();
  });

  it("answers the page, with the policy that allows nothing from another origin", async () => {
    const response = await app.inject({ method: "GET", url: API_DOCS_PATH });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toBe(API_DOCS_CSP);
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("default-src")).toEqual(["'none'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    // No directive names a host or a scheme that reaches another origin.
    for (const [, values] of directives) {
      for (const value of values) expect(value).toMatch(/^('self'|'none'|'unsafe-inline'|data:|blob:)$/);
    }
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("names only assets of this origin, and each of them is served", async () => {
    const page = (await app.inject({ method: "GET", url: API_DOCS_PATH })).body;
    const urls = [...page.matchAll(/\b(?:src|href|spec-url)="([^"]*)"/g)].map((m) => m[1] ?? "");
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) {
      if (url.startsWith("data:")) continue;
      expect(url).not.toMatch(/^[a-z]+:|^\/\//i); // relative: resolved against this server
      const resolved = new URL(url, `http://keygate.test${API_DOCS_PATH}`);
      expect(resolved.host).toBe("keygate.test");
      const asset = await app.inject({ method: "GET", url: resolved.pathname });
      expect(asset.statusCode, resolved.pathname).toBe(200);
    }
    const script = await app.inject({ method: "GET", url: "/api/docs/redoc.standalone.js" });
    expect(script.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    expect(script.rawPayload.length).toBeGreaterThan(100_000);
    const spec = await app.inject({ method: "GET", url: "/api/v2/openapi.json" });
    expect(spec.statusCode).toBe(200);
    expect(spec.json()).toMatchObject({ openapi: "3.1.0" });
  });
});
