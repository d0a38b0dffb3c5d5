// HTTP API, infrastructure tests: the console's static serving: index.html uncached with the CSP,
// hashed assets cached for good, client routes answered with index.html, /api/* and unknown paths
// keeping their JSON:API 404/405, and no console at all when it was not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";
import { CONSOLE_CSP } from "./console-static.js";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head></html>';

describe("console static serving", () => {
  let dir: string;
  let db: TestDatabase;
  let app: FastifyInstance;
  const previous = process.env.KEYGATE_CONSOLE_DIR;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-console-dist-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), INDEX);
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('console');\n");
    process.env.KEYGATE_CONSOLE_DIR = dir;
    db = await createTestDatabase("sqlite");
    app = await buildApp({ store: db.store });
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.KEYGATE_CONSOLE_DIR;
    else process.env.KEYGATE_CONSOLE_DIR = previous;
    await app?.close();
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers / with index.html, never cached, under the strict CSP", async () => {
    const response = await app.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers["cache-control"]).toBe("no-cache");
    expect(response.headers["content-security-policy"]).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("style-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("caches hashed assets for a year as immutable", async () => {
    const response = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(response.headers["content-type"]).toContain("javascript");
  });

  it("answers the console's client routes with index.html (a reload on any page)", async () => {
    for (const url of [
      "/sign-in",
      "/invite",
      "/service-accounts/sa-1",
      "/api-keys/key-1/access",
      "/audit/evt-1",
    ]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
      expect(response.headers["cache-control"], url).toBe("no-cache");
    }
  });

  it("keeps JSON:API 404 and 405 for the API and unknown paths", async () => {
    const unknownApi = await app.inject({ method: "GET", url: "/api/v2/no-such-thing" });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.headers["content-type"]).toContain("application/vnd.api+json");
    const unknown = await app.inject({ method: "GET", url: "/no-such-page" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toHaveProperty("errors");
    const missingAsset = await app.inject({ method: "GET", url: "/assets/missing-123.js" });
    expect(missingAsset.statusCode).toBe(404);
    const wrongMethod = await app.inject({ method: "POST", url: "/api/v2/organizations" });
    expect(wrongMethod.statusCode).toBe(405);
  });

  it("serves nothing at / when the console was not built", async () => {
    process.env.KEYGATE_CONSOLE_DIR = join(dir, "absent");
    const bare = await buildApp({ store: db.store });
    try {
      const response = await bare.inject({ method: "GET", url: "/" });
      expect(response.statusCode).toBe(404);
      expect((await bare.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      process.env.KEYGATE_CONSOLE_DIR = dir;
      await bare.close();
    }
  });
});
