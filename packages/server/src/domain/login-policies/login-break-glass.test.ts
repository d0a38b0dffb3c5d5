import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { resolveEffectiveAccess } from "../access/effective-access.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import type { BootstrappedOrganization } from "../organizations/organization-bootstrap.js";
import { createPolicy, deletePolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySet, deletePolicySet } from "../policy-sets/policy-set.js";
import { createSpace } from "../spaces/space.js";
import { isRepairRoute, type RequestRoute } from "./login-break-glass.js";
import type { LoginCredential } from "./login-input.js";
import { loginPoliciesOf } from "./login-policies.js";
import { type LoginPolicyFixture, loginPolicyFixture } from "./login-policy-fixture.js";
import { configureLoginPolicyLimits, DEFAULT_LOGIN_POLICY_LIMITS } from "./login-policy-limits.js";

const REPAIR: RequestRoute = { method: "DELETE", url: "/api/v2/policy-sets/pset-1" };
const OTHER: RequestRoute = { method: "GET", url: "/api/v2/organizations/acme/tokens" };
const REQUEST = { remoteIp: "10.0.0.1" };

describe("isRepairRoute", () => {
  it("admits the policy, policy set, evaluation and audit endpoints, and nothing else", () => {
    for (const url of [
      "/api/v2/policies/pol-1",
      "/api/v2/policies/pol-1/upload",
      "/api/v2/policy-sets/ps-1?include=policies",
      "/api/v2/policy-sets/ps-1/relationships/policies",
      "/api/v2/policy-evaluations/ev-1",
      "/api/v2/audit-events/aud-1",
      "/api/v2/organizations/acme/policy-sets",
      "/api/v2/organizations/acme/policy-simulations",
      "/api/v2/organizations/acme/audit-events?filter[action]=login.denied",
    ]) {
      expect(isRepairRoute({ method: "GET", url }), url).toBe(true);
    }
    for (const url of [
      "/api/v2/organizations/acme/tokens",
      "/api/v2/role-bindings/rb-1",
      "/api/v2/organizations/acme/role-bindings",
      "/api/v2/policies/pol-1/../../tokens/tok-1",
      "/api/v2/organizations/acme/policies/x",
    ]) {
      expect(isRepairRoute({ method: "GET", url }), url).toBe(false);
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`login policy refusals and the owners' break-glass (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let owner: LoginCredential;
    let ci: LoginCredential;
    let other: LoginCredential;
    let sibling: LoginCredential;
    // Callers never seen before their test: no login sample of theirs exists when its policy is attached.
    let late: LoginCredential;
    let burner: LoginCredential;

    let fixture: LoginPolicyFixture;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      fixture = await loginPolicyFixture(database.store);
      ({ org, ctx, owner } = fixture);
      const credentialOf = (name: string, spaceId: string) => fixture.credentialOf(name, spaceId);
      const team = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "team" });
      ci = await credentialOf("ci", org.rootSpace.id);
      other = await credentialOf("other", org.rootSpace.id);
      sibling = await credentialOf("sibling", team.id);
      late = await credentialOf("late", org.rootSpace.id);
      burner = await credentialOf("burner", org.rootSpace.id);
    });
    afterAll(async () => {
      configureLoginPolicyLimits(DEFAULT_LOGIN_POLICY_LIMITS);
      await database.dispose();
    });

    const withLoginPolicy = (source: string, spaceId?: string) => fixture.withLoginPolicy(source, spaceId);

    async function attempt(credential: LoginCredential, route?: RequestRoute): Promise<"ok" | string> {
      const access = await resolveEffectiveAccess(
        database.store,
        org.organization.id,
        credential.principalId,
      );
      try {
        await loginPoliciesOf(database.store).apply(access, credential, REQUEST, route);
        return "ok";
      } catch (e) {
        if (e instanceof DomainError) return `${e.code}:${String(e.details?.refusal ?? "")}`;
        throw e;
      }
    }

    async function auditActions(principalId: string, action: string) {
      await loginPoliciesOf(database.store).flushAudits();
      const page = await listAuditEvents(database.store, org.organization.id, {
        resourceId: principalId,
        action,
      });
      return page.items;
    }

    it("fails closed on an evaluation error, audits it, and lets owners repair (audited) but nothing else", async () => {
      // First test: no login sample exists yet, so the check on attach has nothing to refuse it on.
      const remove = await withLoginPolicy(
        'package broken\nx = 1 { true }\nx = 2 { input.session.login != "ci" }\nallow { x }',
      );
      try {
        expect(await attempt(ci)).toBe("ok");
        expect(await attempt(late)).toBe("forbidden:error");
        expect(await attempt(late)).toBe("forbidden:error");
        const denied = (await auditActions(late.principalId, "login.denied")).filter(
          (e) => e.details.refusal === "error",
        );
        // Retries within the interval are counted, not written again.
        expect(denied).toHaveLength(1);
        expect(denied[0]?.outcome).toBe("denied");
        expect(JSON.stringify(denied[0]?.details.errors)).toContain("eval_conflict_error");

        expect(await attempt(late, REPAIR)).toBe("forbidden:error");
        expect(await attempt(owner, OTHER)).toBe("forbidden:error");
        expect(await attempt(owner, REPAIR)).toBe("ok");
        const used = (await auditActions(owner.principalId, "login.break-glass")).filter(
          (e) => e.details.why === "error",
        );
        expect(used).toHaveLength(1);
        expect(used[0]?.details).toMatchObject({ breakGlass: true, why: "error", method: "DELETE" });
        expect(JSON.stringify(used[0]?.details.errors)).toContain("eval_conflict_error");
      } finally {
        await remove();
      }
    });

    it("refuses to put in effect a login policy that errors on a recent login sample, naming it", async () => {
      await loginPoliciesOf(database.store).flushSamples();

      const error = await withLoginPolicy(
        'package broken_for_ci\nx = 1 { true }\nx = 2 { input.session.login == "ci" }\nallow { x }',
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("invalid");
      expect((error as DomainError).message).toMatch(/eval_conflict_error/);
      expect((error as DomainError).message).toMatch(/recent login sample smp-\S+ \(ci from 10\.0\.0\.1\)/);
      expect((error as DomainError).details?.sample).toMatchObject({ login: "ci", remoteIp: "10.0.0.1" });

      // Uploading a broken text to a policy already in effect is refused too, and nothing changes.
      const policy = await createPolicy(database.store, ctx, { name: "grows-broken" });
      await uploadPolicySource(database.store, ctx, policy.id, "package grows\nallow { true }");
      const set = await createPolicySet(database.store, ctx, {
        name: "login-grows",
        global: true,
        entityTypes: ["login"],
        policyIds: [policy.id],
      });
      try {
        const upload = await uploadPolicySource(
          database.store,
          ctx,
          policy.id,
          'package grows\nx = 1 { true }\nx = 2 { input.session.login == "ci" }\nallow { x }',
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((upload as DomainError).code).toBe("invalid");
        expect((upload as DomainError).message).toMatch(/could not be evaluated on recent login sample/);
        expect(await attempt(ci)).toBe("ok");
      } finally {
        await deletePolicySet(database.store, ctx, set.id);
        await deletePolicy(database.store, ctx, policy.id);
      }

      // A set for saves is not a login set: no check.
      const save = await createPolicy(database.store, ctx, { name: "save-only" });
      await uploadPolicySource(
        database.store,
        ctx,
        save.id,
        'package save_only\nx = 1 { true }\nx = 2 { true }\ndeny["x"] { x }',
      );
      const saveSet = await createPolicySet(database.store, ctx, {
        name: "tokens",
        global: true,
        entityTypes: ["token"],
        policyIds: [save.id],
      });
      await deletePolicySet(database.store, ctx, saveSet.id);
      await deletePolicy(database.store, ctx, save.id);
    });

    it("admits only the callers an applying `allow` admits; a set on another space requires nothing", async () => {
      const remove = await withLoginPolicy('package only_ci\nallow { input.session.login == "ci" }');
      try {
        expect(await attempt(ci)).toBe("ok");
        expect(await attempt(other)).toBe("forbidden:not-allowed");
        // The set is global: it applies to a service account in a child space too.
        expect(await attempt(sibling)).toBe("forbidden:not-allowed");
        // Owners not admitted keep the repair endpoints (break-glass), nothing else.
        expect(await attempt(owner, OTHER)).toBe("forbidden:not-allowed");
        expect(await attempt(owner, REPAIR)).toBe("ok");
      } finally {
        await remove();
      }
      const team = (await database.store.db.selectFrom("spaces").select(["id", "name"]).execute()).find(
        (s) => s.name === "team",
      )!;
      const removeTeam = await withLoginPolicy(
        'package team_only\nallow { input.session.login == "nobody" }',
        team.id,
      );
      try {
        expect(await attempt(other)).toBe("ok");
        expect(await attempt(sibling)).toBe("forbidden:not-allowed");
      } finally {
        await removeTeam();
      }
    });

    it("deny wins over allow", async () => {
      const remove = await withLoginPolicy(
        'package deny_ci\nallow { true }\ndeny["ci is blocked"] { input.session.login == "ci" }',
      );
      try {
        expect(await attempt(ci)).toBe("forbidden:deny");
        expect(await attempt(other)).toBe("ok");
      } finally {
        await remove();
      }
    });

    it("lets an explicit deny refuse owners even on the repair endpoints", async () => {
      const remove = await withLoginPolicy(
        'package deny_all\ndeny["address blocked"] { input.request.remote_ip == "10.0.0.1" }',
      );
      try {
        expect(await attempt(owner, REPAIR)).toBe("forbidden:deny");
      } finally {
        await remove();
      }
    });

    it("stops a policy that burns steps at its budget, and refuses an organization over its CPU share with 503", async () => {
      configureLoginPolicyLimits({ timeoutMs: 5, cpuMsPerSecond: 1 });
      // Burns only for a caller without samples, so that the check on attach lets it through.
      const remove = await withLoginPolicy(`package burn
import rego.v1
deny contains "never" if {
  input.session.login == "burner"
  some i in numbers.range(1, 100000)
  some j in numbers.range(1, 100000)
  i * j < 0
}`);
      try {
        // Start in a fresh second: earlier evaluations were charged to this organization too.
        await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
        const outcomes = new Set<string>();
        for (let i = 0; i < 4; i++) outcomes.add(await attempt(burner));
        expect([...outcomes]).toContain("forbidden:error");
        expect([...outcomes]).toContain("unavailable:");
        // Owners on the repair endpoints are not throttled (audited as such).
        expect(await attempt(owner, REPAIR)).toBe("ok");
        const whys = (await auditActions(owner.principalId, "login.break-glass")).map((e) => e.details.why);
        expect(whys).toContain("throttled");
      } finally {
        configureLoginPolicyLimits(DEFAULT_LOGIN_POLICY_LIMITS);
        await remove();
      }
    });
  });
}
