// Auth, request path: the authenticator against real stores on both dialects: warm requests are
// served from memory, revocation through another instance is seen at once, failures are counted.
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "../domain/api-keys/api-key.js";
import { SYSTEM_ACTOR } from "../domain/audit/actor.js";
import { DomainError } from "../domain/domain-error.js";
import { bootstrapOrganization } from "../domain/organizations/organization-bootstrap.js";
import { createServiceAccount } from "../domain/principals/service-account.js";
import { createRoleBinding, deleteRoleBinding } from "../domain/role-bindings/role-binding.js";
import { createToken, revokeToken } from "../domain/tokens/token.js";
import { raiseChangeSequences } from "../store/change-sequence.js";
import type { Store } from "../store/store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../store/test-store.js";
import { Authenticator } from "./authenticator.js";
import { callerMay } from "./permission-check.js";

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

/** The SQL texts Kysely executes on `store` while `fn` runs (in its async context). */
async function sqlTextsOf(store: Store, fn: () => Promise<unknown>): Promise<string[]> {
  // The executors of the store and of its transactions share one prototype's executeQuery.
  let proto = Object.getPrototypeOf(store.db.getExecutor()) as Record<string, unknown> | null;
  while (proto !== null && !Object.hasOwn(proto, "executeQuery")) proto = Object.getPrototypeOf(proto);
  if (proto === null) throw new Error("no executeQuery on the store's executor");
  const holder = proto as { executeQuery: (compiled: { sql: string }, ...rest: unknown[]) => unknown };
  const original = holder.executeQuery;
  const context = new AsyncLocalStorage<string[]>();
  const texts: string[] = [];
  holder.executeQuery = function (this: unknown, compiled, ...rest) {
    if (context.getStore() === texts) texts.push(compiled.sql);
    return original.call(this, compiled, ...rest);
  };
  try {
    await context.run(texts, fn);
  } finally {
    holder.executeQuery = original;
  }
  return texts;
}

for (const dialect of DIALECTS) {
  describe(`Authenticator on ${dialect}`, () => {
    const open: { db: TestDatabase; auths: Authenticator[] }[] = [];
    afterEach(async () => {
      for (const { db, auths } of open.splice(0)) {
        for (const auth of auths) await auth.close();
        await db.dispose();
      }
    });

    async function setup() {
      const db = await createTestDatabase(dialect);
      const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      const ctx = { organizationId: org.organization.id, actor: SYSTEM_ACTOR };
      const { serviceAccount } = await createServiceAccount(db.store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bot",
      });
      const { apiKey } = await createApiKey(db.store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "k",
      });
      const issued = await createToken(db.store, ctx, { apiKeyId: apiKey.id, name: "t" });
      const entry = { db, auths: [] as Authenticator[] };
      open.push(entry);
      const authenticator = (store = db.store, cacheMaxStalenessMs?: number) => {
        const auth = new Authenticator(store, {
          usageFlushMs: 50,
          ...(cacheMaxStalenessMs !== undefined ? { cacheMaxStalenessMs } : {}),
        });
        entry.auths.push(auth);
        return auth;
      };
      return { db, org, ctx, serviceAccount, issued, authenticator };
    }

    it("serves warm requests from memory and checks the secret every time", async () => {
      const { issued, serviceAccount, authenticator } = await setup();
      const auth = authenticator();
      for (let i = 0; i < 5; i++) {
        const caller = await auth.authenticate(`Bearer ${issued.value}`, "10.0.0.1");
        expect(caller.principal.id).toBe(serviceAccount.id);
      }
      // The first sight of an organization is confirmed against its change counter, which drops
      // whatever was cached of it before: the second request loads the token once more.
      expect(auth.cache.stats).toMatchObject({ hits: 3, misses: 2 });
      // Same public id, different secret (and a valid checksum): refused although cached.
      const { formatToken, parseToken } = await import("../domain/tokens/token-format.js");
      const parsed = parseToken(issued.value);
      if (!parsed.ok) throw new Error("unparseable");
      const forged = formatToken({ ...parsed.token, secret: "A".repeat(43) });
      expect((await failure(auth.authenticate(`Bearer ${forged}`, "10.0.0.1"))).code).toBe("unauthenticated");
    });

    it("warms up before readiness without counting a failure, recording a use or caching anything", async () => {
      const { db, issued, authenticator } = await setup();
      const auth = authenticator();
      await auth.warm();
      await auth.flushUsage();
      expect(auth.cache.stats).toMatchObject({ hits: 0, misses: 0 });
      const row = await db.store.db
        .selectFrom("tokens")
        .select("last_used_at")
        .where("id", "=", issued.token.id)
        .executeTakeFirstOrThrow();
      expect(row.last_used_at).toBeNull();
      const samples = await db.store.db.selectFrom("policy_samples").select("id").execute();
      expect(samples).toEqual([]);
      const caller = await auth.authenticate(`Bearer ${issued.value}`, "10.0.0.1");
      expect(caller.token.id).toBe(issued.token.id);
    });

    it("runs before readiness the queries of a first authentication, so the first request builds none", async () => {
      const { db, issued, authenticator } = await setup();
      const auth = authenticator();
      const warmed = await sqlTextsOf(db.store, () => auth.warm());
      const first = await sqlTextsOf(db.store, () => auth.authenticate(`Bearer ${issued.value}`, "10.0.0.1"));
      // The change counters are read on a cache's first use, which warming (caching nothing) never makes.
      const unwarmed = first.filter((sql) => !warmed.includes(sql) && !sql.includes("change_sequences"));
      expect(unwarmed).toEqual([]);
      expect(first.length).toBeGreaterThan(3);
    });

    it("refuses a token revoked (through another instance on PostgreSQL) on the next request", async () => {
      const { db, ctx, issued, authenticator } = await setup();
      // Several instances share one database only on PostgreSQL; SQLite is one process.
      const other = dialect === "postgres" ? await db.openAnother() : db.store;
      const here = authenticator();
      await here.authenticate(`Bearer ${issued.value}`, "10.0.0.1");
      await revokeToken(other, ctx, issued.token.id);
      // PostgreSQL delivers the notification asynchronously; give it the time of a network hop.
      for (let i = 0; i < 20 && here.cache.stats.invalidations === 0; i++)
        await new Promise((r) => setTimeout(r, 5));
      const error = await failure(here.authenticate(`Bearer ${issued.value}`, "10.0.0.1"));
      expect(error.code).toBe("unauthenticated");
      expect(error.message).toMatch(/revoked/);
    });

    /** Revokes the token behind the feed's back: the row and the counter change, nobody is notified. */
    async function revokeUnannounced(store: Store, organizationId: string, tokenId: string): Promise<void> {
      await store.transaction(async (tx) => {
        await tx.db.updateTable("tokens").set({ revoked_at: Date.now() }).where("id", "=", tokenId).execute();
        await raiseChangeSequences(tx.db, [organizationId]);
      });
    }

    it("re-validates a cached token older than the staleness bound, catching a change it never heard of", async () => {
      const { db, org, issued, authenticator } = await setup();
      // Another process on the same SQLite file, or a PostgreSQL notification lost: not heard.
      const other = await db.openAnother();
      const strict = authenticator(db.store, 0);
      await strict.authenticate(`Bearer ${issued.value}`, "10.0.0.1");
      await strict.authenticate(`Bearer ${issued.value}`, "10.0.0.1");
      await revokeUnannounced(other, org.organization.id, issued.token.id);
      // A bound of 0 confirms before every request: refused on the very next one.
      const error = await failure(strict.authenticate(`Bearer ${issued.value}`, "10.0.0.1"));
      expect(error.message).toMatch(/revoked/);
    });

    it("refuses within the default bound a revocation it never heard of", async () => {
      const { db, org, ctx, issued, authenticator } = await setup();
      const other = await db.openAnother();
      const second = await createToken(db.store, ctx, { apiKeyId: issued.token.apiKeyId, name: "t2" });
      const auth = authenticator(db.store, 1000);
      // Twice each: the first sight of the organization drops what was cached before it.
      for (const value of [issued.value, second.value, issued.value, second.value])
        await auth.authenticate(`Bearer ${value}`, "10.0.0.1");
      const misses = auth.cache.stats.misses;
      await revokeUnannounced(other, org.organization.id, issued.token.id);
      const started = Date.now();
      let refusedAfter: number | undefined;
      while (Date.now() - started < 10_000) {
        const outcome = await auth.authenticate(`Bearer ${issued.value}`, "10.0.0.1").catch((e: unknown) => e);
        if (outcome instanceof DomainError) {
          refusedAfter = Date.now() - started;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(`${dialect}: unheard revocation refused after ${refusedAfter} ms (bound 1000 ms)`);
      expect(refusedAfter).toBeDefined();
      // Served from memory until the confirmation, which dropped the organization's entries.
      expect(auth.cache.stats.misses).toBe(misses + 1);
      // The organization's other token is still good (loaded again, not refused).
      expect((await auth.authenticate(`Bearer ${second.value}`, "10.0.0.1")).token.id).toBe(second.token.id);
    });

    it("sees binding changes on the next request", async () => {
      const { org, ctx, db, issued, serviceAccount, authenticator } = await setup();
      const auth = authenticator();
      expect(callerMay(await auth.authenticate(`Bearer ${issued.value}`, "ip"), "tokens.read")).toBe(false);
      const binding = await createRoleBinding(db.store, ctx, {
        subject: { kind: "principal", principalId: serviceAccount.id },
        roleId: "viewer",
        spaceId: org.rootSpace.id,
      });
      expect(callerMay(await auth.authenticate(`Bearer ${issued.value}`, "ip"), "tokens.read")).toBe(true);
      await deleteRoleBinding(db.store, ctx, binding.id);
      expect(callerMay(await auth.authenticate(`Bearer ${issued.value}`, "ip"), "tokens.read")).toBe(false);
    });

    it("records last-used-at off the request path", async () => {
      const { db, org, issued, authenticator } = await setup();
      const auth = authenticator();
      await auth.authenticate(`Bearer ${issued.value}`, "ip");
      await auth.flushUsage();
      const { getToken } = await import("../domain/tokens/token.js");
      expect((await getToken(db.store, org.organization.id, issued.token.id)).lastUsedAt).not.toBeNull();
    });
  });
}

describe("failed authentications", () => {
  it("rate-limits the failures of an address, reports each reason, and still serves its valid tokens", async () => {
    const db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    const reasons: string[] = [];
    const auth = new Authenticator(db.store, {
      failureLimit: 2,
      failureWindowMs: 60_000,
      onFailure: (r) => reasons.push(r),
    });
    try {
      expect((await failure(auth.authenticate(undefined, "1.2.3.4"))).code).toBe("unauthenticated");
      expect((await failure(auth.authenticate("Bearer nope", "1.2.3.4"))).code).toBe("unauthenticated");
      expect((await failure(auth.authenticate("Bearer nope", "1.2.3.4"))).code).toBe("rate_limited");
      // A neighbour behind the same address with a valid token is served while the address is limited.
      const caller = await auth.authenticate(`Bearer ${org.tokenValue}`, "1.2.3.4");
      expect(caller.principal.name).toBe("alice");
      expect((await failure(auth.authenticate("Bearer nope", "1.2.3.4"))).code).toBe("rate_limited");
      expect((await failure(auth.authenticate("Bearer nope", "5.6.7.8"))).code).toBe("unauthenticated");
      expect(reasons).toEqual(["missing", "malformed", "malformed", "malformed", "malformed"]);
    } finally {
      await auth.close();
      await db.dispose();
    }
  });
});

describe("the all-cached path", () => {
  it("answers a warm request without waiting, and refuses a wrong secret at once, counted as a failure", async () => {
    const db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    const reasons: string[] = [];
    const auth = new Authenticator(db.store, { onFailure: (r) => reasons.push(r) });
    try {
      const header = `Bearer ${org.tokenValue}`;
      const cold = auth.authenticateNow(header, "1.2.3.4");
      expect(cold).toBeInstanceOf(Promise);
      const first = await cold;
      // Warm once the background loads (the organization's freshness, its policies) have settled.
      let warm = auth.authenticateNow(header, "1.2.3.4");
      for (let i = 0; i < 50 && warm instanceof Promise; i++) {
        await warm;
        await new Promise((resolve) => setTimeout(resolve, 10));
        warm = auth.authenticateNow(header, "1.2.3.4");
      }
      expect(warm).not.toBeInstanceOf(Promise);
      expect((warm as Awaited<typeof cold>).token.id).toBe(first.token.id);
      expect((warm as Awaited<typeof cold>).principal.name).toBe("alice");
      // The same public id with another secret (and a checksum that fits it): refused at once.
      const { formatToken, parseToken } = await import("../domain/tokens/token-format.js");
      const parsed = parseToken(org.tokenValue);
      if (!parsed.ok) throw new Error("the bootstrap token does not parse");
      const forged = formatToken({ ...parsed.token, secret: "x".repeat(parsed.token.secret.length) });
      let thrown: unknown;
      try {
        auth.authenticateNow(`Bearer ${forged}`, "1.2.3.4");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).code).toBe("unauthenticated");
      expect(reasons).toEqual(["unknown"]);
    } finally {
      await auth.close();
      await db.dispose();
    }
  });
});
