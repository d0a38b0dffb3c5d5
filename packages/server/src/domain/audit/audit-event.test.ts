import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createSpace } from "../spaces/space.js";
import { createToken, rotateToken } from "../tokens/token.js";
import { parseToken } from "../tokens/token-format.js";
import { listAuditEvents, newAuditEventId, recordAuditEvent } from "./audit-event.js";

describe("newAuditEventId", () => {
  it("is the ms and a sequence in hex, then 8 random base62 digits, sorting in the order made", () => {
    // Ahead of any clock an earlier call saw: the ms written is the one given.
    const base = Date.now() + 3_600_000;
    const ids = Array.from({ length: 2000 }, (_, i) => newAuditEventId(base + Math.floor(i / 500)));
    for (const id of ids) expect(id).toMatch(/^aud-[0-9a-f]{16}[0-9A-Za-z]{8}$/);
    expect(ids[0]!.slice(4, 16)).toBe(base.toString(16).padStart(12, "0"));
    expect([...ids].sort()).toEqual(ids);
    // The random digits differ from id to id (48 bits each).
    expect(new Set(ids.map((id) => id.slice(-8))).size).toBe(ids.length);
  });
});

for (const dialect of DIALECTS) {
  describe(`audit events (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = {
        organizationId: org.organization.id,
        actor: { principalId: org.admin.id, tokenId: org.token.id, ip: "192.0.2.7", via: "api" },
      };
    });
    afterEach(() => database.dispose());

    it("records who, what, which resource, when, from where and the outcome", async () => {
      const space = await createSpace(
        database.store,
        { ...ctx, now: 1_800_000_000_000 },
        {
          parentId: org.rootSpace.id,
          name: "prod",
        },
      );
      const { items } = await listAuditEvents(database.store, ctx.organizationId, { resourceId: space.id });
      expect(items).toEqual([
        {
          id: expect.stringMatching(/^aud-/),
          organizationId: ctx.organizationId,
          occurredAt: 1_800_000_000_000,
          actor: ctx.actor,
          action: "space.create",
          resourceType: "space",
          resourceId: space.id,
          outcome: "success",
          policyEvaluationId: null,
          details: { name: "prod", parentId: org.rootSpace.id },
        },
      ]);
    });

    it("writes the event in the change's transaction: a failing change leaves none", async () => {
      const before = (await listAuditEvents(database.store, ctx.organizationId)).total;
      await expect(
        database.store.transaction(async (tx) => {
          await createSpace(tx, ctx, { parentId: org.rootSpace.id, name: "prod" });
          throw new DomainError("conflict", "later step failed");
        }),
      ).rejects.toThrow("later step failed");
      expect((await listAuditEvents(database.store, ctx.organizationId)).total).toBe(before);
      await expect(
        createSpace(database.store, ctx, { parentId: "spc-missing", name: "x" }),
      ).rejects.toBeInstanceOf(DomainError);
      expect((await listAuditEvents(database.store, ctx.organizationId)).total).toBe(before);
    });

    it("filters by actor, resource, action, time window, and pages newest first", async () => {
      const other = { ...ctx, actor: { principalId: "usr-other", via: "cli" as const } };
      for (let i = 0; i < 5; i++) {
        await recordAuditEvent(database.store, {
          organizationId: ctx.organizationId,
          actor: i % 2 === 0 ? ctx.actor : other.actor,
          action: "thing.poke",
          resourceType: "thing",
          resourceId: `thing-${i}`,
          outcome: i === 4 ? "denied" : "success",
          policyEvaluationId: i === 4 ? "eval-9" : null,
          occurredAt: 1000 + i,
        });
      }
      const byActor = await listAuditEvents(database.store, ctx.organizationId, {
        actor: "usr-other",
        resourceType: "thing",
      });
      expect(byActor.items.map((e) => e.resourceId)).toEqual(["thing-3", "thing-1"]);
      const window = await listAuditEvents(database.store, ctx.organizationId, { since: 1001, until: 1003 });
      expect(window.items.map((e) => e.resourceId)).toEqual(["thing-2", "thing-1"]);
      const denied = await listAuditEvents(database.store, ctx.organizationId, { outcome: "denied" });
      expect(denied.items).toMatchObject([{ resourceId: "thing-4", policyEvaluationId: "eval-9" }]);
      const page = await listAuditEvents(database.store, ctx.organizationId, {
        action: "thing.poke",
        page: { pageNumber: 2, pageSize: 2 },
      });
      expect(page.total).toBe(5);
      expect(page.items.map((e) => e.resourceId)).toEqual(["thing-2", "thing-1"]);
      const otherOrg = await bootstrapOrganization(database.store, {
        organizationName: "other",
        adminName: "bob",
      });
      expect(
        (await listAuditEvents(database.store, otherOrg.organization.id, { action: "thing.poke" })).total,
      ).toBe(0);
    });

    it("never contains a token secret", async () => {
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bot",
      });
      const { apiKey } = await createApiKey(database.store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "k",
      });
      const issued = await createToken(database.store, ctx, { apiKeyId: apiKey.id, name: "t" });
      const rotated = await rotateToken(database.store, ctx, issued.token.id, { gracePeriodMs: 1000 });
      const rows = await database.store.db.selectFrom("audit_events").selectAll().execute();
      const everything = JSON.stringify(rows);
      for (const value of [issued.value, rotated.value, org.tokenValue]) {
        const parsed = parseToken(value);
        if (!parsed.ok) throw new Error("unparseable");
        expect(everything).not.toContain(parsed.token.secret);
      }
    });
  });
}
