// Write path: the escalation rule on the issue's cases (self-binding admin, binding into a sibling's
// service account, a token manager reaching a more privileged service account or the admin), with
// role-bindings.escalate, login-sample roles (30 days), teams, roles and disabled principals.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveEffectiveAccess } from "../domain/access/effective-access.js";
import { createApiKey } from "../domain/api-keys/api-key.js";
import { type MutationContext, SYSTEM_ACTOR } from "../domain/audit/actor.js";
import { listAuditEvents } from "../domain/audit/audit-event.js";
import { DomainError } from "../domain/domain-error.js";
import { buildLoginInput, loadLoginSubject, loginInputToJson } from "../domain/login-policies/login-input.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../domain/organizations/organization-bootstrap.js";
import { createPolicy } from "../domain/policies/policy.js";
import { uploadPolicySource } from "../domain/policies/policy-source.js";
import { recordPolicySample } from "../domain/policy-evaluations/policy-sample.js";
import { createPolicySet } from "../domain/policy-sets/policy-set.js";
import { createServiceAccount, updateServiceAccount } from "../domain/principals/service-account.js";
import { createRoleBinding, listRoleBindings } from "../domain/role-bindings/role-binding.js";
import type { Permission } from "../domain/roles/permission-catalogue.js";
import { createRole, updateRole } from "../domain/roles/role.js";
import { createSpace, type Space } from "../domain/spaces/space.js";
import { addTeamMember } from "../domain/teams/team-membership.js";
import { createTeam } from "../domain/teams/team.js";
import { createToken, revokeToken } from "../domain/tokens/token.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../store/test-store.js";
import type { PendingChange } from "./pending-change.js";
import { LOGIN_SAMPLE_WINDOW_MS } from "./credential-holder-access.js";
import { writeContext } from "./write-path.js";

const T0 = Date.UTC(2026, 10, 24, 12);
const DAY = 24 * 60 * 60 * 1000;

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

for (const dialect of DIALECTS) {
  describe(`write path: no principal grants itself more than it holds (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let system: MutationContext;
    let spaceA: Space;
    let spaceB: Space;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      system = { organizationId: org.organization.id, actor: SYSTEM_ACTOR, now: T0 };
      spaceA = await createSpace(database.store, system, { parentId: org.rootSpace.id, name: "a" });
      spaceB = await createSpace(database.store, system, { parentId: org.rootSpace.id, name: "b" });
    });
    afterEach(async () => {
      await database.dispose();
    });

    /** A service account in `spaceId`, bound `roleId` there when given. */
    async function serviceAccount(name: string, spaceId: string, roleId?: string, bindIn: string = spaceId) {
      const sa = (await createServiceAccount(database.store, system, { spaceId, name })).serviceAccount;
      if (roleId !== undefined) {
        await createRoleBinding(database.store, system, {
          subject: { kind: "principal", principalId: sa.id },
          roleId,
          spaceId: bindIn,
        });
      }
      const key = (
        await createApiKey(database.store, system, { principalId: sa.id, type: "SERVICE", name: "key" })
      ).apiKey;
      return { sa, key };
    }

    /** A custom role with exactly these permissions. */
    async function role(name: string, permissions: Permission[]) {
      return createRole(database.store, system, { name, permissions });
    }

    /** The write context of `principalId` acting through the API on its current access. */
    async function as(principalId: string): Promise<MutationContext<PendingChange>> {
      const access = await resolveEffectiveAccess(database.store, org.organization.id, principalId);
      return writeContext(database.store, {
        organizationId: org.organization.id,
        actor: { principalId, via: "api" },
        authority: { kind: "principal", principalId, access },
        now: T0,
      });
    }

    it("refuses binding admin to oneself with only role-bindings.write (403 naming what is lacked), allows what one holds", async () => {
      const binder = await role("binder", ["spaces.read", "role-bindings.read", "role-bindings.write"]);
      const { sa: mallory } = await serviceAccount("mallory", spaceA.id, binder.id);
      const ctx = await as(mallory.id);
      const self = { kind: "principal" as const, principalId: mallory.id };
      const error = await refusal(
        createRoleBinding(database.store, ctx, { subject: self, roleId: "admin", spaceId: spaceA.id }),
      );
      expect(error.code).toBe("forbidden");
      expect(error.message).toMatch(
        /binding role admin would grant permissions you do not hold: you lack .*tokens\.create/,
      );
      expect(error.message).toContain("role-bindings.escalate");
      const missing = error.details?.missingPermissions as { spaceId: string; permissions: string[] }[];
      expect(missing).toHaveLength(1);
      expect(missing[0]?.spaceId).toBe(spaceA.id);
      expect(missing[0]?.permissions).toContain("api-keys.write");
      expect(missing[0]?.permissions).not.toContain("role-bindings.write");
      // Binding admin in A to a service account living in the sibling space B: refused too.
      const { sa: sibling } = await serviceAccount("sibling", spaceB.id);
      expect(
        (
          await refusal(
            createRoleBinding(database.store, ctx, {
              subject: { kind: "principal", principalId: sibling.id },
              roleId: "admin",
              spaceId: spaceA.id,
            }),
          )
        ).code,
      ).toBe("forbidden");
      // Nothing was written.
      const bindings = await listRoleBindings(database.store, org.organization.id, { roleId: "role-admin" });
      expect(bindings.items.map((b) => b.spaceId)).toEqual([org.rootSpace.id]);
      // What the caller holds itself, it may grant.
      const reader = await role("space-reader", ["spaces.read", "role-bindings.read"]);
      await createRoleBinding(database.store, ctx, {
        subject: { kind: "principal", principalId: sibling.id },
        roleId: reader.id,
        spaceId: spaceA.id,
      });
    });

    it("lets a holder of role-bindings.escalate bind what it lacks, only where it holds escalate", async () => {
      const escalator = await role("escalator", [
        "spaces.read",
        "role-bindings.write",
        "role-bindings.escalate",
      ]);
      const { sa: eve } = await serviceAccount("eve", spaceA.id, escalator.id);
      const { sa: worker } = await serviceAccount("worker", spaceA.id);
      const ctx = await as(eve.id);
      const subject = { kind: "principal" as const, principalId: worker.id };
      await createRoleBinding(database.store, ctx, { subject, roleId: "admin", spaceId: spaceA.id });
      const error = await refusal(
        createRoleBinding(database.store, ctx, { subject, roleId: "admin", spaceId: spaceB.id }),
      );
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("role-bindings.escalate");
    });

    it("refuses a token manager credentials of a more privileged service account or of the admin", async () => {
      const { sa: manager } = await serviceAccount("manager", spaceA.id, "token-manager", org.rootSpace.id);
      const { sa: deployer, key: deployerKey } = await serviceAccount("deployer", spaceA.id, "admin");
      const { key: plainKey } = await serviceAccount("plain", spaceA.id);
      const ctx = await as(manager.id);
      const issue = await refusal(
        createToken(database.store, ctx, { apiKeyId: deployerKey.id, name: "stolen" }),
      );
      expect(issue.code).toBe("forbidden");
      expect(issue.message).toMatch(
        new RegExp(
          `issuing a token for principal ${deployer.id} is refused: that principal may do more than you \\(you lack .*role-bindings\\.write.* in space a \\(${spaceA.id}\\)\\)`,
        ),
      );
      expect(
        (
          await refusal(
            createApiKey(database.store, ctx, { principalId: deployer.id, type: "SERVICE", name: "k2" }),
          )
        ).code,
      ).toBe("forbidden");
      // The admin's own token: revoking it is managing a credential of a principal holding more.
      expect((await refusal(revokeToken(database.store, ctx, org.token.id))).code).toBe("forbidden");
      // A service account holding nothing the manager lacks: fine; and its own credentials always.
      const issued = await createToken(database.store, ctx, { apiKeyId: plainKey.id, name: "ok" });
      await revokeToken(database.store, ctx, issued.token.id);
      const own = (
        await createApiKey(database.store, system, { principalId: manager.id, type: "SERVICE", name: "own" })
      ).apiKey;
      await createToken(database.store, ctx, { apiKeyId: own.id, name: "mine" });
      // The refusals changed nothing and left no success audit event.
      const created = await listAuditEvents(database.store, org.organization.id, {
        action: "token.create",
        actor: manager.id,
      });
      expect(created.items.map((e) => e.outcome)).toEqual(["success", "success"]);
    });

    it("counts a disabled principal's bindings (enabling it again restores them)", async () => {
      const { sa: manager } = await serviceAccount("manager", spaceA.id, "token-manager");
      const { sa: dormant, key } = await serviceAccount("dormant", spaceA.id, "admin");
      await updateServiceAccount(database.store, system, dormant.id, { disabled: true });
      const error = await refusal(
        createToken(database.store, await as(manager.id), { apiKeyId: key.id, name: "x" }),
      );
      expect(error.code).toBe("forbidden");
    });

    it("counts roles login policies granted on the target's login samples of the last 30 days", async () => {
      const { sa: manager } = await serviceAccount("manager", spaceA.id, "token-manager");
      const { sa: robot, key } = await serviceAccount("robot", spaceA.id);
      const policy = await createPolicy(database.store, system, { name: "office-admin" });
      await uploadPolicySource(
        database.store,
        system,
        policy.id,
        `package login\n\nroles := {"a": ["admin"]} if input.request.remote_ip == "10.0.0.7"\n`,
      );
      await createPolicySet(database.store, system, {
        name: "login",
        global: true,
        entityTypes: ["login"],
        policyIds: [policy.id],
      });
      const subject = await loadLoginSubject(database.store, {
        organizationId: org.organization.id,
        principalId: robot.id,
        apiKeyId: key.id,
      });
      const keep = (remoteIp: string, at: number) =>
        recordPolicySample(database.store, {
          organizationId: org.organization.id,
          entityType: "login",
          event: "onLogin",
          action: "login",
          spaceId: null,
          input: loginInputToJson(
            buildLoginInput(subject, { remoteIp, timestampNs: BigInt(at) * 1_000_000n }),
          ),
          evaluationId: null,
          createdAt: at,
        });
      const ctx = await as(manager.id);
      // A login from elsewhere grants nothing: the manager may issue.
      await keep("192.0.2.1", T0 - DAY);
      await createToken(database.store, ctx, { apiKeyId: key.id, name: "before" });
      // A login from the office 31 days ago no longer counts; one 29 days ago does.
      await keep("10.0.0.7", T0 - LOGIN_SAMPLE_WINDOW_MS - DAY);
      await createToken(database.store, ctx, { apiKeyId: key.id, name: "still-fine" });
      await keep("10.0.0.7", T0 - 29 * DAY);
      const error = await refusal(createToken(database.store, ctx, { apiKeyId: key.id, name: "after" }));
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("tokens.read");
    });

    it("refuses joining a team whose bindings one lacks, and putting permissions one lacks in a role", async () => {
      const teamWriter = await role("team-writer", [
        "teams.read",
        "teams.write",
        "roles.write",
        "spaces.read",
      ]);
      const { sa: tom } = await serviceAccount("tom", spaceA.id, teamWriter.id, org.rootSpace.id);
      const admins = await createTeam(database.store, system, { name: "admins" });
      await createRoleBinding(database.store, system, {
        subject: { kind: "team", teamId: admins.id },
        roleId: "admin",
        spaceId: spaceB.id,
      });
      const ctx = await as(tom.id);
      const join = await refusal(addTeamMember(database.store, ctx, admins.id, tom.id));
      expect(join.message).toMatch(
        /adding .* to team .* would grant permissions you do not hold: you lack .* in space b/,
      );
      const readers = await createTeam(database.store, system, { name: "readers" });
      await addTeamMember(database.store, ctx, readers.id, tom.id);
      const custom = await createRole(database.store, ctx, { name: "teamish", permissions: ["teams.read"] });
      const grow = await refusal(
        updateRole(database.store, ctx, custom.id, { permissions: ["teams.read", "audit.read"] }),
      );
      expect(grow.message).toMatch(
        /changing role teamish would grant permissions you do not hold: you lack audit\.read/,
      );
      expect(
        (await refusal(createRole(database.store, ctx, { name: "big", permissions: ["tokens.create"] })))
          .code,
      ).toBe("forbidden");
    });

    it("refuses a policy author login policies (they can grant any role) but not policies on save", async () => {
      const { sa: author } = await serviceAccount("author", spaceA.id, "policy-author", org.rootSpace.id);
      const ctx = await as(author.id);
      const onSave = await createPolicySet(database.store, ctx, { name: "naming", global: true });
      const policy = await createPolicy(database.store, ctx, { name: "grant-me", policySetIds: [onSave.id] });
      await uploadPolicySource(
        database.store,
        ctx,
        policy.id,
        `package login\n\nroles := {"root": ["admin"]} if true\n`,
      );
      const login = await refusal(
        createPolicySet(database.store, ctx, {
          name: "login",
          global: true,
          entityTypes: ["login"],
          policyIds: [policy.id],
        }),
      );
      expect(login.code).toBe("forbidden");
      expect(login.message).toMatch(
        /policy-set\.create touches login policy set login, whose policies can grant any role: you lack role-bindings\.escalate in space /,
      );
      // Once an owner made it a login set, changing its policy is refused to the author as well.
      await createPolicySet(database.store, system, {
        name: "login",
        global: true,
        entityTypes: ["login"],
        policyIds: [policy.id],
      });
      const upload = await refusal(
        uploadPolicySource(database.store, ctx, policy.id, 'package login\n\ndeny contains "no" if false\n'),
      );
      expect(upload.message).toContain("policy.upload touches login policy set login");
    });
  });
}
