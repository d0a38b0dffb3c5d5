import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { writeContext } from "../../write-path/write-path.js";
import { type ApiKey, createApiKey, getHeldApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount } from "../principals/service-account.js";
import {
  createToken,
  deleteToken,
  getHeldToken,
  getToken,
  listTokens,
  revokeToken,
  rotateToken,
  updateToken,
} from "./token.js";
import { parseToken } from "./token-format.js";
import { hashTokenSecret } from "./token-secret.js";
import { verifyTokenSecret } from "./token-verification.js";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

async function expectDomainError(promise: Promise<unknown>, code: DomainError["code"], field?: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (field !== undefined) expect((error as DomainError).field).toBe(field);
  return error as DomainError;
}

for (const dialect of DIALECTS) {
  describe(`tokens (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let key: ApiKey;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = {
        organizationId: org.organization.id,
        actor: { principalId: org.admin.id, via: "api", ip: "10.0.0.1" },
        now: T0,
      };
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
      });
      ({ apiKey: key } = await createApiKey(database.store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "ci",
      }));
    });
    afterEach(() => database.dispose());

    it("creates a token whose text is returned once and whose secret is never stored", async () => {
      const issued = await createToken(database.store, ctx, {
        apiKeyId: key.id,
        name: "deploy",
        description: "CI deploys",
        tags: { team: "platform" },
        validTo: T0 + 24 * HOUR,
      });
      expect(issued.value.startsWith("kgs_")).toBe(true);
      expect(issued.token).toMatchObject({
        name: "deploy",
        description: "CI deploys",
        tags: { team: "platform" },
        validFrom: T0,
        validTo: T0 + 24 * HOUR,
        status: "active",
        createdBy: org.admin.id,
        lastUsedAt: null,
        principalId: key.principalId,
      });
      const parsed = parseToken(issued.value);
      if (!parsed.ok) throw new Error("token does not parse");
      const row = await database.store.db
        .selectFrom("tokens")
        .selectAll()
        .where("id", "=", issued.token.id)
        .executeTakeFirstOrThrow();
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(parsed.token.secret);
      expect(stored).not.toContain(issued.value);
      expect(row.secret_hash).toBe(hashTokenSecret(parsed.token.secret));
      expect(JSON.stringify(issued.token)).not.toContain(parsed.token.secret);
      const audit = await listAuditEvents(database.store, org.organization.id, {
        resourceId: issued.token.id,
      });
      expect(audit.items.map((e) => e.action)).toEqual(["token.create"]);
      expect(JSON.stringify(audit.items)).not.toContain(parsed.token.secret);
    });

    it("has no expiry when validTo is absent, and rejects a validTo in the past with the field named", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "forever" });
      expect(issued.token.validTo).toBeNull();
      expect((await getToken(database.store, ctx.organizationId, issued.token.id, T0 + 1e12)).status).toBe(
        "active",
      );
      const error = await expectDomainError(
        createToken(database.store, ctx, { apiKeyId: key.id, name: "old", validTo: T0 - 1 }),
        "invalid",
        "validTo",
      );
      expect(error.message).toMatch(/past/);
      await expectDomainError(
        createToken(database.store, ctx, { apiKeyId: key.id, name: " " }),
        "invalid",
        "name",
      );
      await expectDomainError(
        createToken(database.store, ctx, { apiKeyId: "key-nope", name: "x" }),
        "invalid",
        "apiKeyId",
      );
    });

    it("lists tokens with status filters and never the secret or its hash", async () => {
      const a = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const b = await createToken(database.store, ctx, { apiKeyId: key.id, name: "b", validTo: T0 + HOUR });
      const c = await createToken(database.store, ctx, { apiKeyId: key.id, name: "c" });
      await revokeToken(database.store, ctx, c.token.id);
      const later = T0 + 2 * HOUR;
      const all = await listTokens(database.store, ctx.organizationId, { apiKeyId: key.id, now: later });
      // Bootstrap's own token belongs to another key, so it is not listed here.
      expect(all.total).toBe(3);
      expect(Object.fromEntries(all.items.map((t) => [t.name, t.status]))).toEqual({
        a: "active",
        b: "expired",
        c: "revoked",
      });
      for (const item of all.items) {
        expect(Object.keys(item)).not.toContain("secretHash");
        expect(Object.keys(item)).not.toContain("secret_hash");
      }
      const active = await listTokens(database.store, ctx.organizationId, {
        status: "active",
        now: later,
        principalId: key.principalId,
      });
      expect(active.items.map((t) => t.id)).toEqual([a.token.id]);
      const expired = await listTokens(database.store, ctx.organizationId, { status: "expired", now: later });
      expect(expired.items.map((t) => t.id)).toEqual([b.token.id]);
      const page = await listTokens(database.store, ctx.organizationId, {
        apiKeyId: key.id,
        page: { pageNumber: 2, pageSize: 2 },
      });
      expect(page).toMatchObject({ total: 3 });
      expect(page.items).toHaveLength(1);
    });

    it("updates name, description, tags and validTo, and refuses changes to a revoked token", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const { token } = await updateToken(database.store, { ...ctx, now: T0 + 10 }, issued.token.id, {
        name: "renamed",
        tags: { env: "prod" },
        validTo: T0 + HOUR,
      });
      expect(token).toMatchObject({
        name: "renamed",
        tags: { env: "prod" },
        validTo: T0 + HOUR,
        updatedAt: T0 + 10,
      });
      expect(await getToken(database.store, ctx.organizationId, issued.token.id, T0 + 10)).toEqual(token);
      await revokeToken(database.store, ctx, issued.token.id);
      await expectDomainError(updateToken(database.store, ctx, issued.token.id, { name: "x" }), "conflict");
    });

    it("rotates with a grace period: old works until scheduledExpireTime, then stops", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const grace = 30 * 60_000;
      const rotated = await rotateToken(database.store, { ...ctx, now: T0 + HOUR }, issued.token.id, {
        gracePeriodMs: grace,
      });
      expect(rotated.value).not.toBe(issued.value);
      expect(rotated.previous).toMatchObject({
        status: "rotated",
        scheduledExpireTime: T0 + HOUR + grace,
        rotatedToId: rotated.token.id,
      });
      expect(rotated.token).toMatchObject({ status: "active", rotatedFromId: issued.token.id, name: "a" });
      const inGrace = T0 + HOUR + grace - 1;
      expect((await verifyTokenSecret(database.store, issued.value, inGrace)).token.status).toBe("rotated");
      expect((await verifyTokenSecret(database.store, rotated.value, inGrace)).token.id).toBe(
        rotated.token.id,
      );
      const error = await expectDomainError(
        verifyTokenSecret(database.store, issued.value, T0 + HOUR + grace),
        "unauthenticated",
      );
      expect(error.message).toMatch(/grace period has ended/);
      expect((await verifyTokenSecret(database.store, rotated.value, T0 + HOUR + grace)).token.status).toBe(
        "active",
      );
      expect(
        (await getToken(database.store, ctx.organizationId, issued.token.id, T0 + HOUR + grace)).status,
      ).toBe("expired");
      // A rotated token cannot be rotated again; its replacement can.
      await expectDomainError(
        rotateToken(database.store, { ...ctx, now: inGrace }, issued.token.id, { gracePeriodMs: 0 }),
        "conflict",
      );
      const audit = await listAuditEvents(database.store, ctx.organizationId, { action: "token.rotate" });
      expect(audit.items[0]).toMatchObject({
        resourceId: issued.token.id,
        details: { newTokenId: rotated.token.id },
      });
    });

    it("of two concurrent rotations of one token exactly one wins", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      // Two instances on PostgreSQL; on SQLite one process owns the file (better-sqlite3 waits for
      // locks synchronously, so two stores in one process would only block each other).
      const other = dialect === "postgres" ? await database.openAnother() : database.store;
      const results = await Promise.allSettled([
        rotateToken(database.store, ctx, issued.token.id, { gracePeriodMs: HOUR }),
        rotateToken(other, ctx, issued.token.id, { gracePeriodMs: HOUR }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failure = results.find((r) => r.status === "rejected");
      expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
      const tokens = await listTokens(database.store, ctx.organizationId, { apiKeyId: key.id });
      expect(tokens.total).toBe(2);
    });

    it("rotation with zero grace stops the old token at once", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const rotated = await rotateToken(database.store, ctx, issued.token.id, { gracePeriodMs: 0 });
      expect(rotated.previous.status).toBe("expired");
      await expectDomainError(verifyTokenSecret(database.store, issued.value, T0), "unauthenticated");
      await expectDomainError(
        rotateToken(database.store, ctx, rotated.token.id, { gracePeriodMs: -5 }),
        "invalid",
        "gracePeriodMs",
      );
    });

    it("revokes: the token stops at once, revocation is idempotent, and only then can it be deleted", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      await expectDomainError(deleteToken(database.store, ctx, issued.token.id), "conflict");
      const revoked = await revokeToken(database.store, { ...ctx, now: T0 + 5 }, issued.token.id);
      expect(revoked).toMatchObject({ status: "revoked", revokedAt: T0 + 5 });
      const error = await expectDomainError(
        verifyTokenSecret(database.store, issued.value, T0 + 6),
        "unauthenticated",
      );
      expect(error.details).toEqual({ reason: "revoked" });
      expect((await revokeToken(database.store, { ...ctx, now: T0 + 9 }, issued.token.id)).revokedAt).toBe(
        T0 + 5,
      );
      await deleteToken(database.store, ctx, issued.token.id);
      await expectDomainError(getToken(database.store, ctx.organizationId, issued.token.id), "not_found");
      const actions = (
        await listAuditEvents(database.store, ctx.organizationId, { resourceId: issued.token.id })
      ).items
        .map((e) => e.action)
        .sort();
      expect(actions).toEqual(["token.create", "token.delete", "token.revoke"]);
    });

    it("writes with what the caller's check loaded, and holds when that changed meanwhile", async () => {
      // Revoked by someone else after it was loaded: no second revocation, no second audit event.
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "loaded" });
      const held = await getHeldToken(database.store, ctx.organizationId, issued.token.id, T0);
      expect(held.holder.id).toBe(key.principalId);
      expect(held.apiKey.id).toBe(key.id);
      await revokeToken(database.store, { ...ctx, now: T0 + 1 }, issued.token.id);
      const again = await revokeToken(database.store, { ...ctx, now: T0 + 2 }, issued.token.id, held);
      expect(again).toMatchObject({ status: "revoked", revokedAt: T0 + 1 });
      const revocations = (
        await listAuditEvents(database.store, ctx.organizationId, { resourceId: issued.token.id })
      ).items.filter((e) => e.action === "token.revoke");
      expect(revocations).toHaveLength(1);
      // Loaded, then gone (its key deleted, which takes its tokens): not_found, nothing written.
      const doomed = await createToken(database.store, ctx, { apiKeyId: key.id, name: "doomed" });
      const heldDoomed = await getHeldToken(database.store, ctx.organizationId, doomed.token.id, T0);
      const heldKey = await getHeldApiKey(database.store, ctx.organizationId, key.id);
      await database.store.db.deleteFrom("tokens").where("id", "=", doomed.token.id).execute();
      await expectDomainError(revokeToken(database.store, ctx, doomed.token.id, heldDoomed), "not_found");
      await database.store.db.deleteFrom("tokens").where("api_key_id", "=", key.id).execute();
      await database.store.db.deleteFrom("api_keys").where("id", "=", key.id).execute();
      await expectDomainError(
        createToken(database.store, ctx, { apiKeyId: key.id, name: "late" }, heldKey),
        "invalid",
        "apiKeyId",
      );
      // A key or token handed in that is not the one named is a programming error, not a write.
      await expect(
        createToken(database.store, ctx, { apiKeyId: "key-other", name: "x" }, heldKey),
      ).rejects.toThrow(/not key-other/);
    });

    it("deletes an expired token but not a rotated one still in grace", async () => {
      const short = await createToken(database.store, ctx, {
        apiKeyId: key.id,
        name: "short",
        validTo: T0 + 1000,
      });
      await deleteToken(database.store, { ...ctx, now: T0 + 1000 }, short.token.id);
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      await rotateToken(database.store, ctx, issued.token.id, { gracePeriodMs: HOUR });
      await expectDomainError(
        deleteToken(database.store, { ...ctx, now: T0 + 10 }, issued.token.id),
        "conflict",
      );
      await deleteToken(database.store, { ...ctx, now: T0 + HOUR }, issued.token.id);
    });

    it("publishes revoke, rotate, update and delete on the change feed", async () => {
      const kinds: string[] = [];
      database.store.changes.subscribe((e) => kinds.push(e.kind));
      const a = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      await updateToken(database.store, ctx, a.token.id, { description: "d" });
      const r = await rotateToken(database.store, ctx, a.token.id, { gracePeriodMs: 0 });
      await revokeToken(database.store, ctx, r.token.id);
      await deleteToken(database.store, ctx, r.token.id);
      expect(kinds).toEqual(["token.updated", "token.rotated", "token.revoked", "token.deleted"]);
    });

    it("treats another organization's token as not found", async () => {
      const other = await bootstrapOrganization(database.store, {
        organizationName: "other",
        adminName: "bob",
      });
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const otherCtx = {
        organizationId: other.organization.id,
        actor: { principalId: other.admin.id, via: "api" as const },
      };
      await expectDomainError(getToken(database.store, other.organization.id, issued.token.id), "not_found");
      await expectDomainError(revokeToken(database.store, otherCtx, issued.token.id), "not_found");
      await expectDomainError(
        createToken(database.store, otherCtx, { apiKeyId: key.id, name: "x" }),
        "invalid",
        "apiKeyId",
      );
      expect((await listTokens(database.store, other.organization.id)).items.map((t) => t.id)).toEqual([
        other.token.id,
      ]);
    });

    it("runs the save guard before writing: a refusal saves nothing and is audited as denied", async () => {
      const seen: string[] = [];
      const refusing = writeContext(database.store, {
        ...ctx,
        authority: { kind: "system" },
        saveGuard: async (_tx, _org, change) => {
          seen.push(`${change.entity}:${change.action}`);
          throw new DomainError("policy_denied", "validTo too far", {
            details: { policyEvaluationId: "eval-1", messages: ["validTo too far"] },
          });
        },
      });
      await expectDomainError(
        createToken(database.store, refusing, { apiKeyId: key.id, name: "x" }),
        "policy_denied",
      );
      expect(seen).toEqual(["token:create"]);
      expect((await listTokens(database.store, ctx.organizationId, { apiKeyId: key.id })).total).toBe(0);
      // The refused attempt is audited as denied, with the evaluation id; no success event.
      const attempts = await listAuditEvents(database.store, ctx.organizationId, {
        action: "token.create",
        outcome: "denied",
      });
      expect(attempts.items).toMatchObject([
        {
          outcome: "denied",
          policyEvaluationId: "eval-1",
          resourceType: "token",
          details: { messages: ["validTo too far"] },
        },
      ]);
      expect(attempts.items[0]?.resourceId).toMatch(/^tok-/);
      const successes = await listAuditEvents(database.store, ctx.organizationId, {
        action: "token.create",
        outcome: "success",
      });
      expect(successes.items.map((e) => e.resourceId)).toEqual([org.token.id]);
      const advisory = writeContext(database.store, {
        ...ctx,
        authority: { kind: "system" },
        saveGuard: async () => ({ policyEvaluationId: "eval-2", warnings: ["consider an expiry"] }),
      });
      const issued = await createToken(database.store, advisory, { apiKeyId: key.id, name: "y" });
      expect(issued.warnings).toEqual(["consider an expiry"]);
      expect(issued.policyEvaluationId).toBe("eval-2");
      const audit = await listAuditEvents(database.store, ctx.organizationId, {
        resourceId: issued.token.id,
      });
      expect(audit.items[0]?.policyEvaluationId).toBe("eval-2");
    });
  });
}
