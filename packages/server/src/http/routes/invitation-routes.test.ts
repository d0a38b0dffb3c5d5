// HTTP API, routes: invitation links past their time (410), single use under concurrent
// acceptances, and unusable secrets counted in the failed-authentication limit (429), on SQLite
// and PostgreSQL.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../domain/audit/actor.js";
import { createInvitation } from "../../domain/invitations/invitation.js";
import { bootstrapOrganization } from "../../domain/organizations/organization-bootstrap.js";
import { createUser } from "../../domain/principals/user.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { buildApp } from "../app.js";

const JSON_API = "application/vnd.api+json";

for (const dialect of DIALECTS) {
  describe(`invitation links on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let organizationId: string;
    let names = 0;

    const post = (url: string, type: string, attributes: Record<string, unknown>, ip = "10.0.0.1") =>
      app.inject({
        method: "POST",
        url,
        remoteAddress: ip,
        headers: { "content-type": JSON_API },
        payload: JSON.stringify({ data: { type, attributes } }),
      });
    const preview = (secret: string, ip?: string) =>
      post("/api/v2/invitation-previews", "invitation-previews", { secret }, ip);
    const accept = (secret: string, ip?: string) =>
      post("/api/v2/invitation-acceptances", "invitation-acceptances", { secret }, ip);

    /** A user with an invitation made `ageHours` ago that lasts `hours`. */
    async function invited(ageHours: number, hours: number): Promise<string> {
      const ctx = { organizationId, actor: SYSTEM_ACTOR };
      const user = await createUser(db.store, ctx, { name: `invitee-${++names}` });
      const created = await createInvitation(
        db.store,
        { ...ctx, now: Date.now() - ageHours * 3600_000 },
        { userId: user.id, expiresInHours: hours },
      );
      return created.secret;
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      organizationId = (
        await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" })
      ).organization.id;
      app = await buildApp({ store: db.store, authFailureLimit: 5 });
    });

    afterAll(async () => {
      await app?.close();
      await db?.dispose();
    });

    it("answers 410 for an expired invitation, and 404 for one that never existed", async () => {
      const secret = await invited(3, 2);
      const seen = await preview(secret, "10.0.0.2");
      expect(seen.statusCode).toBe(410);
      expect(seen.json().errors[0]).toMatchObject({
        status: "410",
        source: { pointer: "/data/attributes/secret" },
      });
      expect((await accept(secret, "10.0.0.2")).statusCode).toBe(410);
      const fresh = await invited(1, 2);
      expect((await preview(fresh, "10.0.0.2")).statusCode).toBe(200);
      expect((await accept(`kgi_${"0".repeat(43)}`, "10.0.0.2")).statusCode).toBe(404);
    });

    it("lets exactly one of many concurrent acceptances through", async () => {
      const secret = await invited(0, 1);
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => accept(secret, `10.0.1.${i}`)));
      const statuses = answers.map((a) => a.statusCode).sort();
      expect(statuses).toEqual([201, 404, 404, 404, 404, 404]);
      const won = answers.find((a) => a.statusCode === 201)?.json();
      expect(won.data.attributes.secret).toMatch(/^kgu_/);
    });

    it("counts unusable secrets as failed authentications: 429 past the limit, from that address only", async () => {
      const ip = "10.0.2.1";
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await preview(`kgi_${"1".repeat(43)}`, ip)).statusCode);
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
      // The limit counts failures only: a good secret from elsewhere is served.
      const secret = await invited(0, 1);
      expect((await accept(secret, "10.0.2.2")).statusCode).toBe(201);
    });
  });
}
