import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../../store/change-feed.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { type ApiKey, createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount, updateServiceAccount } from "../principals/service-account.js";
import { createToken, revokeToken } from "./token.js";
import { formatToken, parseToken } from "./token-format.js";
import {
  checkTokenAgainstRecord,
  findTokenByPublicId,
  parsePresentedToken,
  secretMatchesDigest,
  verifyTokenSecret,
} from "./token-verification.js";

const T0 = 1_700_000_000_000;

async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("unauthenticated");
  return (error as DomainError).details?.reason;
}

describe("secret digest comparison", () => {
  const digestOf = (secret: string) => createHash("sha256").update(secret).digest("binary");

  it("accepts the secret whose SHA-256 the digest is, and only that secret", () => {
    const secret = "a".repeat(43);
    const digest = digestOf(secret);
    expect(digest).toHaveLength(32);
    expect(secretMatchesDigest(secret, digest)).toBe(true);
    expect(secretMatchesDigest(`${"a".repeat(42)}b`, digest)).toBe(false);
  });

  it("refuses a digest differing in its first or last byte only, and one of another length", () => {
    const secret = "s3cret".repeat(7);
    const digest = digestOf(secret);
    const flip = (at: number) =>
      digest.slice(0, at) + String.fromCharCode(digest.charCodeAt(at) ^ 1) + digest.slice(at + 1);
    expect(secretMatchesDigest(secret, flip(0))).toBe(false);
    expect(secretMatchesDigest(secret, flip(31))).toBe(false);
    expect(secretMatchesDigest(secret, digest.slice(0, 31))).toBe(false);
    expect(secretMatchesDigest(secret, `${digest}\u0000`)).toBe(false);
  });
});

for (const dialect of DIALECTS) {
  describe(`token verification (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let key: ApiKey;
    let serviceAccountId: string;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = {
        organizationId: org.organization.id,
        actor: { principalId: org.admin.id, via: "api" },
        now: T0,
      };
      const { serviceAccount } = await createServiceAccount(database.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "deployer",
      });
      serviceAccountId = serviceAccount.id;
      ({ apiKey: key } = await createApiKey(database.store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "ci",
      }));
    });
    afterEach(() => database.dispose());

    it("authenticates a good token as its service account, with its key", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const auth = await verifyTokenSecret(database.store, issued.value, T0 + 1);
      expect(auth.principal).toMatchObject({ id: serviceAccountId, kind: "service-account" });
      expect(auth.apiKey.id).toBe(key.id);
      expect(auth.token.id).toBe(issued.token.id);
    });

    it("authenticates the bootstrap admin's personal token (kgu_) as the user", async () => {
      expect(org.tokenValue.startsWith("kgu_")).toBe(true);
      const auth = await verifyTokenSecret(database.store, org.tokenValue);
      expect(auth.principal).toMatchObject({ id: org.admin.id, kind: "user" });
      expect(auth.apiKey.type).toBe("USER");
    });

    it("rejects malformed, mistyped, unknown and wrong-secret tokens", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      expect(await reasonOf(verifyTokenSecret(database.store, "Bearer nonsense"))).toBe("malformed");
      const typo = `${issued.value.slice(0, 20)}${issued.value[20] === "a" ? "b" : "a"}${issued.value.slice(21)}`;
      expect(await reasonOf(verifyTokenSecret(database.store, typo))).toBe("bad-checksum");
      const parsed = parsePresentedToken(issued.value);
      const otherSecret = formatToken({ ...parsed, secret: "A".repeat(43) });
      expect(await reasonOf(verifyTokenSecret(database.store, otherSecret, T0))).toBe("unknown");
      const unknownId = formatToken({ ...parsed, publicId: "Z".repeat(12) });
      expect(await reasonOf(verifyTokenSecret(database.store, unknownId, T0))).toBe("unknown");
      const wrongKind = formatToken({ ...parsed, kind: "user" });
      expect(await reasonOf(verifyTokenSecret(database.store, wrongKind, T0))).toBe("kind-mismatch");
    });

    it("rejects expired, not-yet-valid, revoked tokens and tokens of a disabled principal", async () => {
      const expiring = await createToken(database.store, ctx, {
        apiKeyId: key.id,
        name: "e",
        validTo: T0 + 1000,
      });
      expect(await reasonOf(verifyTokenSecret(database.store, expiring.value, T0 + 1000))).toBe("expired");
      const future = await createToken(database.store, ctx, {
        apiKeyId: key.id,
        name: "f",
        validFrom: T0 + 5000,
      });
      expect(await reasonOf(verifyTokenSecret(database.store, future.value, T0 + 10))).toBe("not-yet-valid");
      await verifyTokenSecret(database.store, future.value, T0 + 5000);
      const revoked = await createToken(database.store, ctx, { apiKeyId: key.id, name: "r" });
      await revokeToken(database.store, ctx, revoked.token.id);
      expect(await reasonOf(verifyTokenSecret(database.store, revoked.value, T0 + 1))).toBe("revoked");
      const live = await createToken(database.store, ctx, { apiKeyId: key.id, name: "l" });
      await updateServiceAccount(database.store, ctx, serviceAccountId, { disabled: true });
      expect(await reasonOf(verifyTokenSecret(database.store, live.value, T0 + 1))).toBe(
        "principal-disabled",
      );
    });

    it("lets a cache check a token from its loaded record without the store", async () => {
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      const parsed = parseToken(issued.value);
      if (!parsed.ok) throw new Error("does not parse");
      const record = await findTokenByPublicId(database.store, parsed.token.publicId);
      expect(record?.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(checkTokenAgainstRecord(parsed.token, record, T0 + 1).token.id).toBe(issued.token.id);
      expect(() => checkTokenAgainstRecord(parsed.token, undefined, T0)).toThrow(DomainError);
      expect(await findTokenByPublicId(database.store, "Z".repeat(12))).toBeUndefined();
    });

    it("a revocation on one instance reaches another instance on the same database", async () => {
      const other = await database.openAnother();
      const heard: ChangeEvent[] = [];
      other.changes.subscribe((e) => heard.push(e));
      const issued = await createToken(database.store, ctx, { apiKeyId: key.id, name: "a" });
      await verifyTokenSecret(other, issued.value, T0 + 1);
      await revokeToken(database.store, ctx, issued.token.id);
      if (dialect === "postgres") {
        const deadline = Date.now() + 5000;
        while (!heard.some((e) => e.kind === "token.revoked") && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(heard).toContainEqual({
          kind: "token.revoked",
          organizationId: ctx.organizationId,
          tokenId: issued.token.id,
          publicId: issued.token.publicId,
        });
      }
      expect(await reasonOf(verifyTokenSecret(other, issued.value, T0 + 2))).toBe("revoked");
    });
  });
}
