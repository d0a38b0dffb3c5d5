// Domain layer, tokens: the console's token list filters (expiry window, last use) and sorts, on
// SQLite and PostgreSQL, with pinned times.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import { SYSTEM_ACTOR } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import { bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createToken, listTokens, revokeToken, rotateToken } from "./token.js";
import { parseTokenSort, type TokenWindowFilter } from "./token-list-query.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 0, 1);

for (const dialect of DIALECTS) {
  describe(`token list filters on ${dialect}`, () => {
    let db: TestDatabase;
    let organizationId: string;
    let apiKeyId: string;
    /** Token name -> id. */
    const ids = new Map<string, string>();

    const names = async (
      window: TokenWindowFilter,
      status?: "active" | "rotated" | "revoked" | "expired",
    ) => {
      const page = await listTokens(db.store, organizationId, {
        apiKeyId,
        window,
        now: NOW,
        page: { pageNumber: 1, pageSize: 100 },
        ...(status !== undefined ? { status } : {}),
      });
      return page.items.map((t) => t.name);
    };

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      organizationId = org.organization.id;
      const ctx = { organizationId, actor: SYSTEM_ACTOR, now: NOW - 10 * DAY };
      const { serviceAccount } = await createServiceAccount(db.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bot",
      });
      apiKeyId = (
        await createApiKey(db.store, ctx, { principalId: serviceAccount.id, type: "SERVICE", name: "k" })
      ).apiKey.id;
      // Created a minute apart, in this order: forever, in-3d, in-20d, in-60d, old-rotated (valid to
      // in-60d but in grace until in-2d), revoked (valid to in-5d).
      const specs: [string, number | null][] = [
        ["forever", null],
        ["in-3d", NOW + 3 * DAY],
        ["in-20d", NOW + 20 * DAY],
        ["in-60d", NOW + 60 * DAY],
        ["old-rotated", NOW + 60 * DAY],
        ["revoked", NOW + 5 * DAY],
      ];
      let minute = 0;
      for (const [name, validTo] of specs) {
        const at = { ...ctx, now: NOW - 10 * DAY + ++minute * 60_000 };
        const issued = await createToken(db.store, at, { apiKeyId, name, validTo });
        ids.set(name, issued.token.id);
      }
      // Rotation at NOW - 2 days with a 4-day grace: old-rotated stops at NOW + 2 days.
      const rotated = await rotateToken(
        db.store,
        { ...ctx, now: NOW - 2 * DAY },
        ids.get("old-rotated") ?? "",
        { gracePeriodMs: 4 * DAY, validTo: NOW + 90 * DAY },
      );
      await db.store.db
        .updateTable("tokens")
        .set({ name: "rotated-new", created_at: NOW - 10 * DAY + 7 * 60_000 })
        .where("id", "=", rotated.token.id)
        .execute();
      ids.set("rotated-new", rotated.token.id);
      await revokeToken(db.store, { ...ctx, now: NOW - DAY }, ids.get("revoked") ?? "");
      // Last use: in-3d a day ago, in-20d 100 days ago; the rest never.
      const used: [string, number][] = [
        ["in-3d", NOW - DAY],
        ["in-20d", NOW - 100 * DAY],
      ];
      for (const [name, at] of used) {
        await db.store.db
          .updateTable("tokens")
          .set({ last_used_at: at })
          .where("id", "=", ids.get(name) ?? "")
          .execute();
      }
    });

    afterAll(async () => {
      await db?.dispose();
    });

    it("filters by expiry window, counting a rotated token's grace end as its expiry", async () => {
      // Expiring within 7 days, still working: in-3d and the rotated token in grace (not the revoked one).
      expect(await names({ expiresAfter: NOW, expiresBefore: NOW + 7 * DAY })).toEqual(
        expect.arrayContaining(["in-3d", "old-rotated", "revoked"]),
      );
      expect((await names({ expiresAfter: NOW, expiresBefore: NOW + 7 * DAY }, "active")).sort()).toEqual([
        "in-3d",
      ]);
      expect((await names({ expiresAfter: NOW, expiresBefore: NOW + 7 * DAY }, "rotated")).sort()).toEqual([
        "old-rotated",
      ]);
      expect((await names({ expiresAfter: NOW, expiresBefore: NOW + 30 * DAY }, "active")).sort()).toEqual([
        "in-20d",
        "in-3d",
      ]);
      // Tokens without expiry are in neither side of a window.
      expect(await names({ expiresAfter: NOW })).not.toContain("forever");
      expect(await names({ expiresBefore: NOW + 1000 * DAY })).not.toContain("forever");
      expect((await names({ expiresAfter: NOW + 30 * DAY })).sort()).toEqual(["in-60d", "rotated-new"]);
    });

    it("filters by last use and never-used", async () => {
      expect((await names({ neverUsed: true })).sort()).toEqual([
        "forever",
        "in-60d",
        "old-rotated",
        "revoked",
        "rotated-new",
      ]);
      expect((await names({ neverUsed: false })).sort()).toEqual(["in-20d", "in-3d"]);
      // Unused for 90 days (used, but not since): in-20d; never-used tokens are not in it.
      expect(await names({ lastUsedBefore: NOW - 90 * DAY })).toEqual(["in-20d"]);
      expect(await names({ lastUsedBefore: NOW - 90 * DAY, neverUsed: true })).toEqual([]);
    });

    it("sorts by creation, expiry and last use, nulls last either way, stable across pages", async () => {
      expect(await names({})).toEqual([
        "rotated-new",
        "revoked",
        "old-rotated",
        "in-60d",
        "in-20d",
        "in-3d",
        "forever",
      ]);
      expect(await names({ sort: parseTokenSort("created-at") })).toEqual([
        "forever",
        "in-3d",
        "in-20d",
        "in-60d",
        "old-rotated",
        "revoked",
        "rotated-new",
      ]);
      const byExpiry = ["old-rotated", "in-3d", "revoked", "in-20d", "in-60d", "rotated-new"];
      expect(await names({ sort: parseTokenSort("expires-at") })).toEqual([...byExpiry, "forever"]);
      expect(await names({ sort: parseTokenSort("-expires-at") })).toEqual([
        ...byExpiry.reverse(),
        "forever",
      ]);
      const lastUsed = await names({ sort: parseTokenSort("-last-used-at") });
      expect(lastUsed.slice(0, 2)).toEqual(["in-3d", "in-20d"]);
      expect(lastUsed).toHaveLength(7);
      expect((await names({ sort: parseTokenSort("last-used-at") })).slice(0, 2)).toEqual([
        "in-20d",
        "in-3d",
      ]);
      // Pages of one walk the same order with nothing twice.
      const paged: string[] = [];
      for (let page = 1; page <= 7; page++) {
        const result = await listTokens(db.store, organizationId, {
          apiKeyId,
          now: NOW,
          window: { sort: parseTokenSort("-last-used-at") },
          page: { pageNumber: page, pageSize: 1 },
        });
        expect(result.total).toBe(7);
        paged.push(...result.items.map((t) => t.name));
      }
      expect(paged).toEqual(lastUsed);
    });

    it("refuses an unknown sort and an empty window, naming the parameter", async () => {
      expect(() => parseTokenSort("name")).toThrow(
        /sort must be one of created-at, expires-at, last-used-at/,
      );
      const empty = names({ expiresAfter: NOW + DAY, expiresBefore: NOW });
      await expect(empty).rejects.toBeInstanceOf(DomainError);
      await expect(empty).rejects.toMatchObject({ field: "filter[expires-after]" });
    });
  });
}
