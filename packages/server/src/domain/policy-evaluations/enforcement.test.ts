import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { type ApiKey, createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { type Seed000PolicyName, seed000Policies, seed000Source } from "../governance/seed-policies.js";
import { createPolicy, type EnforcementLevel } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySet, type PolicyEntityType } from "../policy-sets/policy-set.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createSpace, type Space } from "../spaces/space.js";
import { createToken, listTokens, rotateToken, updateToken } from "../tokens/token.js";
import { createPolicySaveGuard } from "./enforcement.js";
import type { PendingChange } from "../../write-path/pending-change.js";
import { writeContext } from "../../write-path/write-path.js";
import { getPolicyEvaluation, listPolicyEvaluations } from "./policy-evaluation.js";
import { listPolicySamples } from "./policy-sample.js";

// Seed 000's policies, extracted from the shared seed document at test time (skipped when absent).
const SEED_000 = seed000Policies();
const seed000 = (name: Seed000PolicyName) => seed000Source(name);
const VALID_TO_LIMIT = SEED_000?.get("valid-to-limit")?.limit ?? 0;
const EXPIRE_LIMIT = SEED_000?.get("scheduled-expire-limit")?.limit ?? 0;

const T0 = 1_700_000_000_000;

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

for (const dialect of DIALECTS) {
  describe(`policy enforcement on save (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let teamA: Space;
    let teamAProd: Space;
    let teamB: Space;
    let serviceKey: ApiKey;
    let otherServiceKey: ApiKey;

    /** The admin acting through the API, with policies enforced (through the write path). */
    function guarded(now = T0): MutationContext<PendingChange> {
      const actor = { principalId: org.admin.id, via: "api" as const, ip: "10.1.2.3" };
      const saveGuard = createPolicySaveGuard(database.store, actor, now);
      return writeContext(database.store, { organizationId: org.organization.id, actor, authority: { kind: "system" }, saveGuard, now });
    }

    async function policyIn(
      file: Seed000PolicyName | string,
      level: EnforcementLevel,
      set: { entityTypes?: PolicyEntityType[]; spaceIds?: string[] } = {},
      source = seed000(file as Seed000PolicyName),
    ) {
      const policy = await createPolicy(database.store, ctx, { name: file, enforcementLevel: level });
      await uploadPolicySource(database.store, ctx, policy.id, source);
      await createPolicySet(database.store, ctx, {
        name: `set-${file}`,
        global: set.spaceIds === undefined,
        entityTypes: set.entityTypes ?? ["token"],
        policyIds: [policy.id],
        ...(set.spaceIds ? { spaceIds: set.spaceIds } : {}),
      });
      return policy;
    }

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" }, now: T0 };
      teamA = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "team-a" });
      teamAProd = await createSpace(database.store, ctx, { parentId: teamA.id, name: "team-a-prod" });
      teamB = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "team-b" });
      const sa = await createServiceAccount(database.store, ctx, { spaceId: teamAProd.id, name: "deployer" });
      serviceKey = (await createApiKey(database.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" })).apiKey;
      const sb = await createServiceAccount(database.store, ctx, { spaceId: teamB.id, name: "reporter" });
      otherServiceKey = (await createApiKey(database.store, ctx, { principalId: sb.serviceAccount.id, type: "SERVICE", name: "ci" }))
        .apiKey;
    });
    afterEach(async () => {
      await database.dispose();
    });

    it.skipIf(!SEED_000)("a mandatory seed 000 policy refuses a USER token: every message, the evaluation id, nothing written", async () => {
      const policy = await policyIn("block-user-tokens", "mandatory");
      const before = (await listTokens(database.store, org.organization.id, {})).total;
      const error = await rejection(createToken(database.store, guarded(), { apiKeyId: org.apiKey.id, name: "laptop" }));
      expect(error.code).toBe("policy_denied");
      expect(error.details?.messages).toEqual(["Token APIKeyType USER contains 'USER'"]);
      const evaluationId = error.details?.policyEvaluationId as string;
      expect(error.message).toContain(evaluationId);
      expect((await listTokens(database.store, org.organization.id, {})).total).toBe(before);

      const evaluation = await getPolicyEvaluation(database.store, org.organization.id, evaluationId);
      expect(evaluation).toMatchObject({ entityType: "token", action: "create", outcome: "denied" });
      expect(evaluation.results).toEqual([
        expect.objectContaining({ policyId: policy.id, enforcementLevel: "mandatory", outcome: "failed" }),
      ]);
      expect((evaluation.input as { token: { apiKeyType: string } }).token.apiKeyType).toBe("USER");
      expect(JSON.stringify(evaluation.input)).not.toMatch(/kguser_|secret/i);
      const denied = await listAuditEvents(database.store, org.organization.id, { outcome: "denied" });
      expect(denied.items.map((e) => [e.action, e.policyEvaluationId])).toEqual([["token.create", evaluationId]]);
      const samples = await listPolicySamples(database.store, org.organization.id, "token");
      expect(samples.map((s) => s.evaluationId)).toEqual([evaluationId]);

      // A SERVICE key's token passes the same policy.
      const issued = await createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "pipeline" });
      expect(issued.warnings).toEqual([]);
      const passed = await getPolicyEvaluation(database.store, org.organization.id, issued.policyEvaluationId!);
      expect(passed.outcome).toBe("allowed");
      expect(passed.resourceId).toBe(issued.token.id);
    });

    it.skipIf(!SEED_000)("an advisory seed 000 policy lets the save through and returns its message as a warning", async () => {
      await policyIn("block-service-tokens", "advisory");
      const issued = await createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "pipeline" });
      expect(issued.warnings).toEqual(["Token APIKeyType SERVICE contains 'SERVICE'"]);
      const evaluation = await getPolicyEvaluation(database.store, org.organization.id, issued.policyEvaluationId!);
      expect(evaluation.outcome).toBe("warned");
      const audit = await listAuditEvents(database.store, org.organization.id, { action: "token.create" });
      expect(audit.items.find((e) => e.resourceId === issued.token.id)?.policyEvaluationId).toBe(issued.policyEvaluationId);
    });

    it.skipIf(!SEED_000)("seed 000's validTo limit holds on create and update", async () => {
      await policyIn("valid-to-limit", "mandatory");
      const error = await rejection(
        createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "long", validTo: VALID_TO_LIMIT + 1 }),
      );
      expect(error.details?.messages).toEqual([`For CreateToken, Token APIKeyType ValidTo ${VALID_TO_LIMIT + 1} greater than X date`]);
      const ok = await createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "short", validTo: VALID_TO_LIMIT });
      expect(ok.token.validTo).toBe(VALID_TO_LIMIT);
      const refused = await rejection(updateToken(database.store, guarded(), ok.token.id, { validTo: VALID_TO_LIMIT + 86_400_000 }));
      expect(refused.code).toBe("policy_denied");
      const evaluations = await listPolicyEvaluations(database.store, org.organization.id, { outcome: "denied" });
      expect(evaluations.items.map((e) => e.action).sort()).toEqual(["create", "update"]);
    });

    it.skipIf(!SEED_000)("seed 000's scheduledExpireTime limit holds on rotation", async () => {
      await policyIn("scheduled-expire-limit", "mandatory");
      // A little before the limit: a week of grace goes past it, an hour does not.
      const now = EXPIRE_LIMIT - 2 * 3_600_000;
      const issued = await createToken(database.store, guarded(now), { apiKeyId: serviceKey.id, name: "pipeline" });
      const week = 7 * 24 * 3_600_000;
      const error = await rejection(rotateToken(database.store, guarded(now), issued.token.id, { gracePeriodMs: week }));
      expect(error.details?.messages).toEqual([
        `For RotateToken, Token APIKeyType ScheduledExpireTime ${now + week} greater than X date`,
      ]);
      const rotated = await rotateToken(database.store, guarded(now), issued.token.id, { gracePeriodMs: 3_600_000 });
      expect(rotated.previous.scheduledExpireTime).toBe(now + 3_600_000);
    });

    it.skipIf(!SEED_000)("a set attached to a space applies to everything below it and nowhere else", async () => {
      await policyIn("block-service-tokens", "mandatory", { spaceIds: [teamA.id] });
      expect((await rejection(createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "x" }))).code).toBe(
        "policy_denied",
      );
      const elsewhere = await createToken(database.store, guarded(), { apiKeyId: otherServiceKey.id, name: "x" });
      // No policy applied there: no evaluation, but the input is kept as a sample.
      expect(elsewhere.policyEvaluationId).toBeNull();
      expect((await listPolicySamples(database.store, org.organization.id, "token")).length).toBe(2);
    });

    it("governs API keys and service accounts with naming rules and warn rules", async () => {
      const naming = `package keys
import rego.v1
deny contains msg if {
  input.apiKey.apiKeyType == "SERVICE"
  not regex.match("^svc-[a-z0-9-]+$", input.apiKey.name)
  msg := sprintf("service key name %q must match svc-<name>", [input.apiKey.name])
}
warn contains msg if {
  input.apiKey.description == ""
  msg := "give the key a description"
}`;
      await policyIn("key-naming", "mandatory", { entityTypes: ["api-key"] }, naming);
      const sa = await createServiceAccount(database.store, ctx, { spaceId: teamB.id, name: "builder" });
      const error = await rejection(
        createApiKey(database.store, guarded(), { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" }),
      );
      expect(error.details?.messages).toEqual(['service key name "ci" must match svc-<name>']);
      const saved = await createApiKey(database.store, guarded(), {
        principalId: sa.serviceAccount.id,
        type: "SERVICE",
        name: "svc-builder",
      });
      expect(saved.warnings).toEqual(["give the key a description"]);

      const saNaming = `package accounts
deny[msg] {
  not startswith(input.serviceAccount.name, "sa-")
  msg := sprintf("service account %s must start with sa-", [input.serviceAccount.name])
}`;
      await policyIn("sa-naming", "advisory", { entityTypes: ["service-account"] }, saNaming);
      const created = await createServiceAccount(database.store, guarded(), { spaceId: teamB.id, name: "worker" });
      expect(created.warnings).toEqual(["service account worker must start with sa-"]);
    });

    it("judges delegate tokens in their space (the guard's delegate-token change)", async () => {
      const naming = `package delegates
import rego.v1
deny contains msg if {
  not startswith(input.delegateToken.name, "dt-")
  msg := sprintf("delegate token %s must start with dt-", [input.delegateToken.name])
}`;
      await policyIn("delegate-naming", "mandatory", { entityTypes: ["delegate-token"], spaceIds: [teamA.id] }, naming);
      const guard = guarded().guard!;
      const change = (name: string, spaceId: string) => ({
        entity: "delegate-token" as const,
        action: "create" as const,
        delegateToken: { id: `dlg-${name}`, name, spaceId },
      });
      const error = await rejection(
        database.store.transaction((tx) => guard(tx, org.organization.id, change("default", teamAProd.id))),
      );
      expect(error.details?.messages).toEqual(["delegate token default must start with dt-"]);
      const ok = await database.store.transaction((tx) => guard(tx, org.organization.id, change("dt-main", teamAProd.id)));
      expect(ok.policyEvaluationId).toMatch(/^polevl-/);
      const elsewhere = await database.store.transaction((tx) => guard(tx, org.organization.id, change("default", teamB.id)));
      expect(elsewhere.policyEvaluationId).toBeUndefined();
    });

    it.skipIf(!SEED_000)("a policy set's change reaches the next save (compiled sets are rebuilt)", async () => {
      const policy = await policyIn("block-service-tokens", "advisory");
      expect((await createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "a" })).warnings).toHaveLength(1);
      await uploadPolicySource(database.store, ctx, policy.id, seed000("block-user-tokens"));
      expect((await createToken(database.store, guarded(), { apiKeyId: serviceKey.id, name: "b" })).warnings).toEqual([]);
    });
  });
}
