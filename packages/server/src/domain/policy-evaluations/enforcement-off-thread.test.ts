// Policy enforcement on save with the server's evaluator, the worker pool: the policies are
// evaluated outside the save's transaction (other writes go on meanwhile), an evaluation stopped at
// its time limit refuses the save under a mandatory policy, a full queue answers `unavailable`, and
// a rotation (whose new id is drawn again by the retried transaction) reuses its decision.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PolicyWorkerPool } from "../../policy-workers/policy-worker-pool.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { type ApiKey, createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { createPolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySet } from "../policy-sets/policy-set.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createToken, listTokens, rotateToken } from "../tokens/token.js";
import type { PendingChange } from "../../write-path/pending-change.js";
import { writeContext } from "../../write-path/write-path.js";
import { createPolicySaveGuard } from "./enforcement.js";
import { listPolicyEvaluations } from "./policy-evaluation.js";

const NAMED = 'package p\n\ndeny contains "no laptops" if input.token.name == "laptop"\n';
const HOSTILE =
  'package p\n\ndeny contains "x" if {\n  input.token.name == "hostile"\n  some i in numbers.range(1, 100000)\n' +
  "  some j in numbers.range(1, 100000)\n  i == j + 100001\n}\n";

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

for (const dialect of DIALECTS) {
  describe(`policy enforcement on save in the worker pool (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let key: ApiKey;
    let pool: PolicyWorkerPool;

    function guarded(): MutationContext<PendingChange> {
      const actor = { principalId: org.admin.id, via: "api" as const };
      const saveGuard = createPolicySaveGuard(database.store, actor, undefined, pool);
      return writeContext(database.store, { organizationId: org.organization.id, actor, authority: { kind: "system" }, saveGuard });
    }

    async function attach(source: string): Promise<void> {
      const policy = await createPolicy(database.store, ctx, { name: "p", enforcementLevel: "mandatory" });
      await uploadPolicySource(database.store, ctx, policy.id, source);
      await createPolicySet(database.store, ctx, { name: "tokens", global: true, entityTypes: ["token"], policyIds: [policy.id] });
    }

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      const sa = await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "deployer" });
      key = (await createApiKey(database.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" })).apiKey;
    });
    afterEach(async () => {
      await pool.close();
      await database.dispose();
    });

    it("evaluates outside the transaction; a mandatory policy stopped at the time limit refuses the save", async () => {
      pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 1500, memoryMb: 128, queue: 4 });
      await attach(HOSTILE);
      const tokensBefore = (await listTokens(database.store, org.organization.id, {})).total;
      let settled = false;
      const hostile = createToken(database.store, guarded(), { apiKeyId: key.id, name: "hostile" }).finally(() => {
        settled = true;
      });
      await until(() => pool.load.running === 1);
      // Another write commits while the policy is being evaluated: no transaction is held open.
      await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "meanwhile" });
      expect(settled).toBe(false);
      const error = await rejection(hostile);
      expect(error.code).toBe("policy_denied");
      // Stopped by whichever limit comes first: the engine's own budget (its steps), or the pool's
      // time limit from outside the worker. Either way the mandatory policy refuses the save.
      expect(JSON.stringify(error)).toMatch(/time limit of 1500 ms|eval_cancel_error|budget/);
      expect((await listTokens(database.store, org.organization.id, {})).total).toBe(tokensBefore);
      const evaluations = await listPolicyEvaluations(database.store, org.organization.id, { outcome: "denied" });
      expect(evaluations.items[0]?.results[0]?.outcome).toBe("errored");
    });

    it("decides as in process, and a rotation reuses the decision of its first attempt", async () => {
      pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 10_000, memoryMb: 128, queue: 4 });
      await attach(NAMED);
      // One guard for several saves, as a tool would hold it (the server makes one per request).
      const saver = guarded();
      const ok = await createToken(database.store, saver, { apiKeyId: key.id, name: "pipeline" });
      expect(ok.policyEvaluationId).toMatch(/^polevl/);
      const again = await createToken(database.store, saver, { apiKeyId: key.id, name: "pipeline-2" });
      expect(again.policyEvaluationId).toMatch(/^polevl/);
      const refused = await rejection(createToken(database.store, saver, { apiKeyId: key.id, name: "laptop" }));
      expect(refused.code).toBe("policy_denied");
      expect(refused.details?.messages).toEqual(["no laptops"]);
      const rotated = await rotateToken(database.store, saver, ok.token.id, { gracePeriodMs: 60_000 });
      expect(rotated.token.rotatedFromId).toBe(ok.token.id);
      // One evaluation per save: the retried transactions found their decisions.
      expect(pool.stats.completed).toBe(4);
    });

    it("answers unavailable, with when to retry, when the evaluators are busy", async () => {
      pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 1500, memoryMb: 128, queue: 0 });
      await attach(HOSTILE);
      const hostile = createToken(database.store, guarded(), { apiKeyId: key.id, name: "hostile" }).catch(() => undefined);
      await until(() => pool.load.running === 1);
      const busy = await rejection(createToken(database.store, guarded(), { apiKeyId: key.id, name: "pipeline" }));
      expect(busy.code).toBe("unavailable");
      expect(busy.details?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      await hostile;
    });
  });
}
