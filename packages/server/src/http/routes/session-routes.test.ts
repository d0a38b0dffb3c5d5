// HTTP API, routes: the session cookie's attributes by how the request arrived (Secure only over
// TLS, as the trusted-proxy settings tell it), the invitation URL's origin likewise, and sign-in
// failures counted in the failed-authentication limit.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../domain/audit/actor.js";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createUser } from "../../domain/principals/user.js";
import { createTestDatabase, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";

const JSON_API = "application/vnd.api+json";

describe("session cookies and invitation links behind a proxy", () => {
  let db: TestDatabase;
  let trusting: FastifyInstance;
  let direct: FastifyInstance;
  let admin: string;
  let organizationId: string;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    admin = org.tokenValue;
    organizationId = org.organization.id;
    trusting = await buildApp({ store: db.store, trustProxy: ["127.0.0.1/8"], authFailureLimit: 3 });
    direct = await buildApp({ store: db.store });
  });

  afterAll(async () => {
    await trusting?.close();
    await direct?.close();
    await db?.dispose();
  });

  const signIn = (
    app: FastifyInstance,
    token: string,
    headers: Record<string, string> = {},
    ip = "127.0.0.1",
  ) =>
    app.inject({
      method: "POST",
      url: "/api/v2/sessions",
      remoteAddress: ip,
      headers: { "content-type": JSON_API, ...headers },
      payload: JSON.stringify({ data: { type: "sessions", attributes: { token } } }),
    });

  it("marks the cookie Secure when a trusted proxy says the request came over TLS, and only then", async () => {
    const tls = await signIn(trusting, admin, { "x-forwarded-proto": "https" });
    expect(tls.statusCode).toBe(201);
    expect(tls.headers["set-cookie"]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(tls.headers["cache-control"]).toBe("no-store");
    const plain = await signIn(trusting, admin);
    expect(plain.headers["set-cookie"]).not.toMatch(/Secure/);
    // An untrusted client cannot claim TLS (nor does it need to: the cookie is only less protected).
    const spoofed = await signIn(direct, admin, { "x-forwarded-proto": "https" });
    expect(spoofed.headers["set-cookie"]).not.toMatch(/Secure/);
    // The session lasts at most 12 hours.
    const maxAge = Number(/Max-Age=(\d+)/.exec(String(tls.headers["set-cookie"]))?.[1]);
    expect(maxAge).toBeGreaterThan(12 * 3600 - 60);
    expect(maxAge).toBeLessThanOrEqual(12 * 3600);
  });

  it("builds the invitation URL from the origin the client used", async () => {
    const user = await createUser(db.store, { organizationId, actor: SYSTEM_ACTOR }, { name: "bob" });
    const invited = await trusting.inject({
      method: "POST",
      url: "/api/v2/organizations/acme/invitations",
      headers: {
        authorization: `Bearer ${admin}`,
        "content-type": JSON_API,
        "x-forwarded-proto": "https",
        "x-forwarded-host": "keygate.example.com",
      },
      payload: JSON.stringify({
        data: { type: "invitations", relationships: { user: { data: { type: "users", id: user.id } } } },
      }),
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const { secret, url } = invited.json().data.attributes;
    expect(url).toBe(`https://keygate.example.com/invite#${secret}`);
  });

  it("counts failed sign-ins in the failed-authentication limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await signIn(trusting, "kgu_nope", {}, "127.0.0.9")).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await signIn(trusting, admin, {}, "127.0.0.9")).statusCode).toBe(201);
  });
});
