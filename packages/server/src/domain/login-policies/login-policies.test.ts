import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { resolveEffectiveAccess } from "../access/effective-access.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import { seed003Policies, seed003Source } from "../governance/seed-policies.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createPolicy, deletePolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { listPolicySamples } from "../policy-evaluations/policy-sample.js";
import { createPolicySet, deletePolicySet } from "../policy-sets/policy-set.js";
import type { ServiceAccount } from "../principals/principal.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createRoleBinding } from "../role-bindings/role-binding.js";
import { createRole } from "../roles/role.js";
import { createSpace, updateSpace } from "../spaces/space.js";
import type { LoginRequest } from "./login-input.js";
import { loginPoliciesOf } from "./login-policies.js";

// Seed 003's login policies, extracted from the shared seed document at test time.
const SEED_003 = seed003Policies() !== undefined;
const seed003 = seed003Source;

const SPACES = [
  "production",
  "development",
  "staging",
  "infrastructure",
  "monitoring",
  "applications",
  "configuration",
  "kubernetes",
];
const ROLES = [
  "deployer-role-id",
  "provisioner-role-id",
  "reader-role-id",
  "full-deployer-role-id",
  "limited-deployer-role-id",
  "cross-env-role-id",
  "github-deployer-role-id",
  "gitlab-deployer-role-id",
  "jenkins-deployer-role-id",
  "terraform-cloud-role-id",
  "ansible-role-id",
  "k8s-operator-role-id",
  "time-limited-role-id",
  "secure-deployer-role-id",
];

/** Epoch ns of a UTC date (November 2026: the 24th is a Tuesday, the 25th a Wednesday, the 26th a Thursday). */
const at = (day: number, hour: number, minute = 0, second = 0) =>
  BigInt(Date.UTC(2026, 10, day, hour, minute, second)) * 1_000_000n;

const OFFICE: LoginRequest = { remoteIp: "10.20.30.40", timestampNs: at(24, 12) };

for (const dialect of DIALECTS) {
  describe.skipIf(!SEED_003)(`login policies of seed 003 (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let automation: ServiceAccount;
    const spaceIds = new Map<string, string>();

    // One database per dialect; each test's policies and sets are removed after it.
    const cleanups: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      for (const name of SPACES) {
        spaceIds.set(name, (await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name })).id);
      }
      for (const name of ROLES) await createRole(database.store, ctx, { name, permissions: ["tokens.read"] });
      automation = (
        await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "automation" })
      ).serviceAccount;
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(async () => {
      await database.dispose();
    });

    async function uploadLogin(file: string): Promise<string> {
      const policy = await createPolicy(database.store, ctx, { name: file });
      await uploadPolicySource(database.store, ctx, policy.id, seed003(file));
      const set = await createPolicySet(database.store, ctx, {
        name: `login-${policy.name}`,
        global: true,
        entityTypes: ["login"],
        policyIds: [policy.id],
      });
      cleanups.push(async () => {
        await deletePolicySet(database.store, ctx, set.id);
        await deletePolicy(database.store, ctx, policy.id);
      });
      return policy.id;
    }

    /** The roles a key named `login` gets, as sorted `space/role` names. */
    async function rolesOf(login: string, request: LoginRequest = OFFICE): Promise<string[]> {
      const existing = await database.store.db
        .selectFrom("api_keys")
        .select("id")
        .where("principal_id", "=", automation.id)
        .where("name", "=", login)
        .executeTakeFirst();
      const apiKeyId =
        existing?.id ??
        (
          await createApiKey(database.store, ctx, {
            principalId: automation.id,
            type: "SERVICE",
            name: login,
          })
        ).apiKey.id;
      const decision = await loginPoliciesOf(database.store).evaluate(
        { organizationId: org.organization.id, principalId: automation.id, apiKeyId },
        request,
      );
      expect(decision.allowed).toBe(true);
      expect(decision.denied).toBe(false);
      const names = new Map([...spaceIds].map(([name, id]) => [id, name]));
      return decision.grants.map((g) => `${names.get(g.spaceId)}/${g.roleName}`).sort();
    }

    it("refuses the generic example: its roles rule has unsafe variables (line and column given)", async () => {
      const policy = await createPolicy(database.store, ctx, { name: "generic" });
      const error = await uploadPolicySource(database.store, ctx, policy.id, seed003("template")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      const problems = (error as DomainError).details?.errors as {
        code: string;
        location?: { row: number };
      }[];
      expect(problems.some((p) => p.code === "rego_unsafe_var_error" && p.location?.row === 9)).toBe(true);
    });

    it("by key name", async () => {
      await uploadLogin("by-key-name");
      expect(await rolesOf("ci-cd-production")).toEqual(["production/deployer-role-id"]);
      expect(await rolesOf("terraform-automation")).toEqual(["infrastructure/provisioner-role-id"]);
      expect(await rolesOf("someone-else")).toEqual([]);
    });

    it("by key pattern", async () => {
      await uploadLogin("by-key-pattern");
      expect(await rolesOf("ci-cd-staging")).toEqual(["production/deployer-role-id"]);
      expect(await rolesOf("prom-monitoring")).toEqual(["monitoring/reader-role-id"]);
      expect(await rolesOf("ci-cd-monitoring")).toEqual([
        "monitoring/reader-role-id",
        "production/deployer-role-id",
      ]);
      expect(await rolesOf("monitoring-ci-cd")).toEqual([]);
    });

    it("separate keys per environment", async () => {
      await uploadLogin("separate-keys-per-environment");
      expect(await rolesOf("terraform-dev")).toEqual(["development/full-deployer-role-id"]);
      expect(await rolesOf("ci-cd-prod")).toEqual(["production/limited-deployer-role-id"]);
      expect(await rolesOf("ci-cd-stage")).toEqual([]);
    });

    it("multi-environment keys", async () => {
      await uploadLogin("multi-environment-keys");
      expect(await rolesOf("backup-service")).toEqual([
        "development/cross-env-role-id",
        "production/cross-env-role-id",
        "staging/cross-env-role-id",
      ]);
      expect(await rolesOf("backup")).toEqual([]);
    });

    it("CI/CD pipeline keys", async () => {
      await uploadLogin("ci-cd-pipeline-keys");
      expect(await rolesOf("github-actions-deploy")).toEqual(["applications/github-deployer-role-id"]);
      expect(await rolesOf("gitlab-ci-deploy")).toEqual(["applications/gitlab-deployer-role-id"]);
      expect(await rolesOf("jenkins-deploy")).toEqual(["applications/jenkins-deployer-role-id"]);
    });

    it("infrastructure tools", async () => {
      await uploadLogin("infrastructure-tools");
      expect(await rolesOf("terraform-cloud-integration")).toEqual([
        "infrastructure/terraform-cloud-role-id",
      ]);
      expect(await rolesOf("ansible-automation")).toEqual(["configuration/ansible-role-id"]);
      expect(await rolesOf("k8s-spacelift-operator")).toEqual(["kubernetes/k8s-operator-role-id"]);
    });

    it("conditional access: Tuesday and Thursday, 2-4 AM UTC, to the second", async () => {
      await uploadLogin("conditional-api-key-access");
      const granted = ["production/time-limited-role-id"];
      const when = (timestampNs: bigint) =>
        rolesOf("scheduled-deployment", { remoteIp: "10.0.0.1", timestampNs });
      expect(await when(at(24, 3, 30))).toEqual(granted);
      expect(await when(at(24, 2, 0, 0))).toEqual(granted);
      expect(await when(at(24, 1, 59, 59))).toEqual([]);
      expect(await when(at(24, 4, 59, 59))).toEqual(granted);
      expect(await when(at(24, 5, 0, 0))).toEqual([]);
      expect(await when(at(25, 3))).toEqual([]);
      expect(await when(at(26, 2, 15))).toEqual(granted);
      expect(await rolesOf("other-key", { remoteIp: "10.0.0.1", timestampNs: at(24, 3) })).toEqual([]);
    });

    it("IP-restricted keys", async () => {
      await uploadLogin("ip-restricted-api-keys");
      const from = (remoteIp: string, login = "production-deploy") =>
        rolesOf(login, { remoteIp, timestampNs: at(24, 12) });
      expect(await from("10.200.1.1")).toEqual(["production/secure-deployer-role-id"]);
      expect(await from("192.168.100.254", "critical-automation")).toEqual([
        "production/secure-deployer-role-id",
      ]);
      expect(await from("192.168.101.1")).toEqual([]);
      expect(await from("8.8.8.8")).toEqual([]);
      expect(await from("10.1.1.1", "unlisted")).toEqual([]);
    });

    it("adds to direct bindings, deny wins, and says which rule granted each role", async () => {
      const policyId = await uploadLogin("by-key-name");
      await rolesOf("ci-cd-production");
      const key = await database.store.db
        .selectFrom("api_keys")
        .select("id")
        .where("principal_id", "=", automation.id)
        .where("name", "=", "ci-cd-production")
        .executeTakeFirstOrThrow();
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: automation.id },
        roleId: "reader-role-id",
        spaceId: spaceIds.get("staging")!,
      });
      const logins = loginPoliciesOf(database.store);
      const credential = {
        organizationId: org.organization.id,
        principalId: automation.id,
        apiKeyId: key.id,
      };
      const direct = await resolveEffectiveAccess(database.store, org.organization.id, automation.id);
      const access = await logins.apply(direct, credential, OFFICE);
      expect(access.grants.map((g) => [g.reason.kind, g.roleName]).sort()).toEqual([
        ["direct-binding", "reader-role-id"],
        ["login-policy", "deployer-role-id"],
      ]);

      const explained = await logins.explain(credential, OFFICE);
      expect(explained.rules.get(policyId)).toEqual([
        {
          space: "production",
          role: "deployer-role-id",
          rule: 'by-key-name.rego:6: roles["production"]["deployer-role-id"]',
        },
      ]);

      const blocker = await createPolicy(database.store, ctx, { name: "blocklist" });
      await uploadPolicySource(
        database.store,
        ctx,
        blocker.id,
        'package blocklist\nimport rego.v1\ndeny contains "address blocked" if input.request.remote_ip == "6.6.6.6"\n',
      );
      const block = await createPolicySet(database.store, ctx, {
        name: "block",
        global: true,
        entityTypes: ["login"],
        policyIds: [blocker.id],
      });
      cleanups.push(async () => {
        await deletePolicySet(database.store, ctx, block.id);
        await deletePolicy(database.store, ctx, blocker.id);
      });
      const refused = await logins.apply(direct, credential, { ...OFFICE, remoteIp: "6.6.6.6" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe("forbidden");
      expect((refused as DomainError).message).toContain("address blocked");
      expect((await logins.evaluate(credential, { ...OFFICE, remoteIp: "6.6.6.6" })).grants).toEqual([]);
      expect((await logins.apply(direct, credential, OFFICE)).grants).toHaveLength(2);

      await logins.flushSamples();
      const samples = await listPolicySamples(database.store, org.organization.id, "login");
      const sampled = samples.map((x) => (x.input as { session: { login: string } }).session.login);
      expect(sampled.filter((l) => l === "ci-cd-production")).toHaveLength(1);
    });

    it("refuses (409, naming the policy) a space created or renamed to share a name a login policy uses bare", async () => {
      await uploadLogin("by-key-name");
      const team = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "team" });
      const refused = await createSpace(database.store, ctx, { parentId: team.id, name: "production" }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe("conflict");
      expect((refused as DomainError).message).toMatch(/login policy by-key-name names a space "production"/);
      const other = await createSpace(database.store, ctx, { parentId: team.id, name: "prod-2" });
      const renamed = await updateSpace(database.store, ctx, other.id, { name: "production" }).catch((e: unknown) => e);
      expect((renamed as DomainError).code).toBe("conflict");
      // A name no login policy uses may be shared by spaces under different parents.
      expect((await createSpace(database.store, ctx, { parentId: team.id, name: "staging" })).name).toBe("staging");
      expect(await rolesOf("ci-cd-production")).toEqual(["production/deployer-role-id"]);
    });

    // Last in this file: it makes the bare name "production" ambiguous for the organization.
    it("addresses a space by its path when two spaces share a name; the bare name then grants nothing", async () => {
      const platform = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "platform" });
      const nested = await createSpace(database.store, ctx, { parentId: platform.id, name: "production" });
      const policy = await createPolicy(database.store, ctx, { name: "by-path" });
      const source = [
        "package spacelift",
        "",
        "allow { input.session.member }",
        'roles["platform/production"]["reader-role-id"] { input.session.login == "pathy" }',
        'roles["production"]["deployer-role-id"] { input.session.login == "pathy" }',
        "",
      ].join("\n");
      await uploadPolicySource(database.store, ctx, policy.id, source);
      const set = await createPolicySet(database.store, ctx, {
        name: "login-by-path",
        global: true,
        entityTypes: ["login"],
        policyIds: [policy.id],
      });
      cleanups.push(async () => {
        await deletePolicySet(database.store, ctx, set.id);
        await deletePolicy(database.store, ctx, policy.id);
      });
      const apiKeyId = (
        await createApiKey(database.store, ctx, { principalId: automation.id, type: "SERVICE", name: "pathy" })
      ).apiKey.id;
      const decision = await loginPoliciesOf(database.store).evaluate(
        { organizationId: org.organization.id, principalId: automation.id, apiKeyId },
        OFFICE,
      );
      expect(decision.grants.map((g) => [g.spaceId, g.roleName])).toEqual([[nested.id, "reader-role-id"]]);
      expect(decision.ignored).toEqual([
        expect.objectContaining({ space: "production", code: "unknown-space", why: expect.stringMatching(/needs its path/) }),
      ]);
    });
  });
}
