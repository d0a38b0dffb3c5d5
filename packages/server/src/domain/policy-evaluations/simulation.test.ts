import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import { governanceSeedsPresent, seed000Policies, seed000Source as seed000, seed003Source } from "../governance/seed-policies.js";
import { loginPoliciesOf } from "../login-policies/login-policies.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { createPolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySet } from "../policy-sets/policy-set.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createRole } from "../roles/role.js";
import { createSpace } from "../spaces/space.js";
import { createToken } from "../tokens/token.js";
import { createPolicySaveGuard } from "./enforcement.js";
import type { PendingChange } from "../../write-path/pending-change.js";
import { writeContext } from "../../write-path/write-path.js";
import { listPolicyEvaluations } from "./policy-evaluation.js";
import { PolicyWorkerPool } from "../../policy-workers/policy-worker-pool.js";
import { defaultPolicyWorkerSettings } from "../../policy-workers/policy-worker-settings.js";
import { type SimulationRequest, simulatePolicy } from "./simulation.js";

// Simulations run where the server runs them: in the policy worker pool (the built worker module).
let pool: PolicyWorkerPool;
beforeAll(() => {
  pool = new PolicyWorkerPool({ ...defaultPolicyWorkerSettings(), workers: 1, timeoutMs: 10_000 });
});
afterAll(async () => {
  await pool.close();
});

// Seed policies, extracted from the shared seed documents at test time (skipped when absent).
const SEEDS = governanceSeedsPresent();
const LIMIT = seed000Policies()?.get("valid-to-limit")?.limit ?? 0;
const T0 = 1_700_000_000_000;

for (const dialect of DIALECTS) {
  describe(`sample and simulate (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext<PendingChange>;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      const actor = { principalId: org.admin.id, via: "api" as const };
      const saveGuard = createPolicySaveGuard(database.store, actor, T0);
      ctx = writeContext(database.store, { organizationId: org.organization.id, actor, authority: { kind: "system" }, saveGuard, now: T0 });
    });
    afterEach(async () => {
      await database.dispose();
    });
    const simulate = (request: SimulationRequest) => simulatePolicy(database.store, org.organization.id, request, pool);

    it.skipIf(!SEEDS)("runs a draft save policy against recent token inputs: outcome now and with the draft", async () => {
      const sa = await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "deployer" });
      const key = (await createApiKey(database.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" })).apiKey;
      await createToken(database.store, ctx, { apiKeyId: key.id, name: "short", validTo: LIMIT - 86_400_000 });
      await createToken(database.store, { ...ctx, now: T0 + 1 }, { apiKeyId: key.id, name: "long", validTo: LIMIT + 86_400_000 });

      const result = await simulate({
        entityType: "token",
        source: seed000("valid-to-limit"),
        enforcementLevel: "mandatory",
      });
      expect(result.packagePath).toBe("opapolicy");
      const byName = new Map(
        result.samples.map((s) => [(s.input as { token: { name: string } }).token.name, s] as const),
      );
      expect(byName.get("long")).toMatchObject({
        current: { kind: "save", outcome: "allowed" },
        draft: {
          kind: "save",
          outcome: "denied",
          messages: [`For CreateToken, Token APIKeyType ValidTo ${LIMIT + 86_400_000} greater than X date`],
        },
        changed: true,
      });
      expect(byName.get("short")).toMatchObject({ current: { outcome: "allowed" }, draft: { outcome: "allowed" }, changed: false });
      // Nothing is written by a simulation.
      expect((await listPolicyEvaluations(database.store, org.organization.id)).total).toBe(0);
    });

    it.skipIf(!SEEDS)("a draft replacing a policy shows what changes; bad drafts are refused with locations", async () => {
      const sa = await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "deployer" });
      const key = (await createApiKey(database.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" })).apiKey;
      const plain = { organizationId: ctx.organizationId, actor: ctx.actor, now: T0 };
      const policy = await createPolicy(database.store, plain, { name: "services", enforcementLevel: "mandatory" });
      await uploadPolicySource(database.store, plain, policy.id, seed000("block-user-tokens"));
      await createPolicySet(database.store, plain, { name: "tokens", global: true, entityTypes: ["token"], policyIds: [policy.id] });
      await createToken(database.store, ctx, { apiKeyId: key.id, name: "pipeline" });
      const result = await simulate({
        entityType: "token",
        source: seed000("block-service-tokens"),
        policyId: policy.id,
      });
      expect(result.samples).toHaveLength(1);
      expect(result.samples[0]).toMatchObject({
        current: { outcome: "allowed" },
        draft: { outcome: "denied", messages: ["Token APIKeyType SERVICE contains 'SERVICE'"] },
        changed: true,
      });
      const error = await simulate({
        entityType: "token",
        source: "package p\n\ndeny[msg] {\n  msg := \n}\n",
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      const problems = (error as DomainError).details?.errors as { location?: { row: number; col: number } }[];
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]?.location?.row).toBeGreaterThanOrEqual(4);
    });

    it.skipIf(!SEEDS)("runs a draft login policy against recent logins", async () => {
      const production = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "production" });
      const role = await createRole(database.store, ctx, { name: "deployer-role-id", permissions: ["tokens.read"] });
      const sa = await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "automation" });
      const logins = loginPoliciesOf(database.store);
      for (const name of ["ci-cd-production", "nightly-report"]) {
        const key = await createApiKey(database.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name });
        await logins.evaluate(
          { organizationId: org.organization.id, principalId: sa.serviceAccount.id, apiKeyId: key.apiKey.id },
          { remoteIp: "10.0.0.5", timestampNs: 1_764_000_000_000_000_000n },
        );
      }
      await logins.flushSamples();
      const draft = seed003Source("by-key-pattern");
      const result = await simulate({ entityType: "login", source: draft });
      const byLogin = new Map(
        result.samples.map((s) => [(s.input as { session: { login: string } }).session.login, s] as const),
      );
      expect(byLogin.get("ci-cd-production")).toMatchObject({
        current: { kind: "login", allowed: false, roles: [] },
        draft: { kind: "login", allowed: true, denied: false, roles: [`${production.id}/${role.id}`] },
        changed: true,
      });
      expect(byLogin.get("nightly-report")).toMatchObject({ draft: { allowed: true, roles: [] }, changed: true });
    });
  });
}
