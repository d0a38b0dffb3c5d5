import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { type EffectiveAccess, resolveEffectiveAccess } from "../access/effective-access.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import type { BootstrappedOrganization } from "../organizations/organization-bootstrap.js";
import { createSpace } from "../spaces/space.js";
import type { RequestRoute } from "./login-break-glass.js";
import type { LoginCredential } from "./login-input.js";
import { loginPoliciesOf } from "./login-policies.js";
import { type LoginPolicyFixture, loginPolicyFixture } from "./login-policy-fixture.js";
import { configureLoginPolicyLimits, DEFAULT_LOGIN_POLICY_LIMITS } from "./login-policy-limits.js";

const REPAIR: RequestRoute = { method: "DELETE", url: "/api/v2/policy-sets/pset-1" };
const IP = "10.0.0.1";

for (const dialect of DIALECTS) {
  describe(`login policies decided without waiting (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let owner: LoginCredential;
    let ci: LoginCredential;
    let other: LoginCredential;
    // A caller never seen before its test: no login sample of its exists when its policy is attached.
    let burner: LoginCredential;

    let fixture: LoginPolicyFixture;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      fixture = await loginPolicyFixture(database.store);
      ({ org, ctx, owner } = fixture);
      const credentialOf = (name: string) => fixture.credentialOf(name);
      await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      ci = await credentialOf("ci");
      other = await credentialOf("other");
      burner = await credentialOf("burner");
    });
    afterAll(async () => {
      configureLoginPolicyLimits(DEFAULT_LOGIN_POLICY_LIMITS);
      await database.dispose();
    });

    const withLoginPolicy = (source: string) => fixture.withLoginPolicy(source);

    const accessOf = (credential: LoginCredential) =>
      resolveEffectiveAccess(database.store, org.organization.id, credential.principalId);

    /** What the authenticator does: `applyCached`, and `apply` (same clock) when that cannot answer. */
    async function authenticate(
      credential: LoginCredential,
      nowMs: number,
      route?: RequestRoute,
    ): Promise<{ cached: boolean; outcome: EffectiveAccess | string }> {
      const access = await accessOf(credential);
      const policies = loginPoliciesOf(database.store);
      const cached = policies.applyCached(access, credential, { remoteIp: IP, timestampNs: BigInt(nowMs) * 1_000_000n });
      if (cached !== undefined) return { cached: true, outcome: cached };
      try {
        const applied = await policies.apply(
          access,
          credential,
          { remoteIp: IP, timestampNs: BigInt(nowMs) * 1_000_000n },
          route,
        );
        return { cached: false, outcome: applied };
      } catch (e) {
        if (e instanceof DomainError)
          return { cached: false, outcome: `${e.code}:${String(e.details?.refusal ?? "")}` };
        throw e;
      }
    }

    const grantsOf = (access: EffectiveAccess | string) =>
      typeof access === "string" ? access : access.grants.map((g) => `${g.roleName}@${g.reason.kind}`).sort();

    it("admits from memory once the caller and the roles are loaded, granting what `apply` grants", async () => {
      const remove = await withLoginPolicy(
        `package grants\nroles["prod"]["viewer"] { input.request.remote_ip == "${IP}" }\ndeny["no"] { input.session.login == "nobody" }`,
      );
      try {
        const now = Date.now();
        const first = await authenticate(ci, now);
        expect(first.cached).toBe(false);
        const second = await authenticate(ci, now + 1);
        expect(second.cached).toBe(true);
        expect(grantsOf(second.outcome)).toEqual(grantsOf(first.outcome));
        expect(grantsOf(second.outcome)).toContain("viewer@login-policy");
      } finally {
        await remove();
      }
    });

    it("hands a refusal decided from memory to `apply`, which refuses and audits it as before", async () => {
      const remove = await withLoginPolicy(
        'package refuse\ndeny["ci is blocked"] { input.session.login == "ci" }',
      );
      try {
        const now = Date.now();
        await authenticate(ci, now);
        const refused = await authenticate(ci, now + 1);
        expect(refused).toEqual({ cached: false, outcome: "forbidden:deny" });
        // Another caller right after is judged on its own.
        await authenticate(other, now + 2);
        expect((await authenticate(other, now + 3)).cached).toBe(true);
        await loginPoliciesOf(database.store).flushAudits();
        const denied = await listAuditEvents(database.store, org.organization.id, {
          resourceId: ci.principalId,
          action: "login.denied",
        });
        expect(denied.items.length).toBeGreaterThan(0);
      } finally {
        await remove();
      }
    });

    it("leaves the owners' break-glass to `apply`: a policy admitting no one still lets them repair", async () => {
      const remove = await withLoginPolicy('package nobody\nallow { input.session.login == "nobody" }');
      try {
        const now = Date.now();
        await authenticate(owner, now, REPAIR);
        const repaired = await authenticate(owner, now + 1, REPAIR);
        expect(repaired.cached).toBe(false);
        expect(typeof repaired.outcome).toBe("object");
        expect((await authenticate(owner, now + 2)).outcome).toBe("forbidden:not-allowed");
      } finally {
        await remove();
      }
    });

    it("waits for `apply` when the organization used its CPU share: refused with 503 there", async () => {
      const remove = await withLoginPolicy(`package burn
import rego.v1
deny contains "never" if {
  input.session.login == "burner"
  some i in numbers.range(1, 100000)
  some j in numbers.range(1, 100000)
  i * j < 0
}`);
      try {
        configureLoginPolicyLimits({ timeoutMs: 5, cpuMsPerSecond: 1 });
        // A fresh second: earlier evaluations were charged to this organization too.
        await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
        const outcomes = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const { cached, outcome } = await authenticate(burner, Date.now());
          expect(cached).toBe(false);
          outcomes.add(String(outcome));
        }
        expect([...outcomes]).toContain("forbidden:error");
        expect([...outcomes]).toContain("unavailable:");
      } finally {
        configureLoginPolicyLimits(DEFAULT_LOGIN_POLICY_LIMITS);
        await remove();
      }
    });
  });
}
