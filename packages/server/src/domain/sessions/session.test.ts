// Domain layer, sessions: lifetime (12 h at most, never past the token), the bound on a token's
// sessions (20 live; ended and expired ones forgotten), lookup by secret only while live, and
// the CSRF token derived from the secret; on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { SYSTEM_ACTOR } from "../audit/actor.js";
import { bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import {
  createSession,
  endSession,
  findLiveSession,
  MAX_LIVE_SESSIONS_PER_TOKEN,
  SESSION_LIFETIME_MS,
} from "./session.js";
import { csrfTokenOf, hashSessionSecret } from "./session-secret.js";
import { sessionDb } from "./session-tables.js";

const NOW = Date.UTC(2030, 0, 1);

for (const dialect of DIALECTS) {
  describe(`sessions on ${dialect}`, () => {
    let db: TestDatabase;
    let organizationId: string;
    let principalId: string;
    let tokenId: string;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      organizationId = org.organization.id;
      principalId = org.admin.id;
      tokenId = org.token.id;
    });

    afterAll(async () => {
      await db?.dispose();
    });

    const ctx = (now: number) => ({ organizationId, actor: SYSTEM_ACTOR, now });
    const rows = async () =>
      sessionDb(db.store).selectFrom("sessions").selectAll().where("token_id", "=", tokenId).execute();

    it("lasts 12 hours at most and never past its token, and is found by its secret only while live", async () => {
      const long = await createSession(db.store, ctx(NOW), { principalId, tokenId, tokenExpiresAt: null });
      expect(long.session.expiresAt).toBe(NOW + SESSION_LIFETIME_MS);
      const short = await createSession(db.store, ctx(NOW), {
        principalId,
        tokenId,
        tokenExpiresAt: NOW + 60_000,
      });
      expect(short.session.expiresAt).toBe(NOW + 60_000);
      await expect(
        createSession(db.store, ctx(NOW), { principalId, tokenId, tokenExpiresAt: NOW }),
      ).rejects.toMatchObject({ code: "unauthenticated" });

      expect((await findLiveSession(db.store, long.secret, NOW + 1000))?.session.id).toBe(long.session.id);
      expect((await findLiveSession(db.store, long.secret, NOW + 1000))?.tokenPublicId).toMatch(
        /^[0-9A-Za-z]{12}$/,
      );
      expect(await findLiveSession(db.store, short.secret, NOW + 60_000)).toBeUndefined();
      expect(await findLiveSession(db.store, "x".repeat(43), NOW)).toBeUndefined();
      expect(await findLiveSession(db.store, `${long.secret}'`, NOW)).toBeUndefined();
      await endSession(db.store, ctx(NOW + 2000), long.session.id);
      expect(await findLiveSession(db.store, long.secret, NOW + 3000)).toBeUndefined();
      // Ending again changes nothing; another organization's id is not found.
      expect((await endSession(db.store, ctx(NOW + 4000), long.session.id)).endedAt).toBe(NOW + 2000);
      await expect(
        endSession(db.store, { ...ctx(NOW), organizationId: "org-other" }, short.session.id),
      ).rejects.toMatchObject({ code: "not_found" });
      // Only the hash is stored.
      const stored = (await rows()).map((r) => r.secret_hash);
      expect(stored).toContain(hashSessionSecret(long.secret));
      expect(stored.join()).not.toContain(long.secret);
    });

    it("keeps at most 20 live sessions per token and forgets its ended and expired ones", async () => {
      const created = [];
      for (let i = 0; i < MAX_LIVE_SESSIONS_PER_TOKEN + 5; i++) {
        created.push(
          await createSession(db.store, ctx(NOW + 100_000 + i), {
            principalId,
            tokenId,
            tokenExpiresAt: null,
          }),
        );
      }
      const left = await rows();
      expect(left).toHaveLength(MAX_LIVE_SESSIONS_PER_TOKEN);
      expect(left.every((r) => r.ended_at === null)).toBe(true);
      // The newest 20 remain; the oldest 5 were ended to make room.
      const ids = new Set(left.map((r) => r.id));
      expect(created.slice(5).every((c) => ids.has(c.session.id))).toBe(true);
      expect(await findLiveSession(db.store, created[0]?.secret ?? "", NOW + 200_000)).toBeUndefined();
      const audit = await db.store.db
        .selectFrom("audit_events")
        .select("resource_id")
        .where("action", "=", "session.ended")
        .execute();
      expect(audit.map((a) => a.resource_id)).toEqual(
        expect.arrayContaining(created.slice(0, 5).map((c) => c.session.id)),
      );
    });

    it("derives a CSRF token per session that does not reveal the secret", async () => {
      const a = await createSession(db.store, ctx(NOW + 300_000), {
        principalId,
        tokenId,
        tokenExpiresAt: null,
      });
      const b = await createSession(db.store, ctx(NOW + 300_001), {
        principalId,
        tokenId,
        tokenExpiresAt: null,
      });
      expect(csrfTokenOf(a.secret)).toBe(csrfTokenOf(a.secret));
      expect(csrfTokenOf(a.secret)).not.toBe(csrfTokenOf(b.secret));
      expect(csrfTokenOf(a.secret)).not.toContain(a.secret.slice(0, 8));
      expect(csrfTokenOf(a.secret)).not.toBe(hashSessionSecret(a.secret));
    });
  });
}
