// Write path, through the HTTP API (app.inject): the allow/deny matrix of every built-in role (and
// the issue's custom "binder" role) x every write endpoint of the OpenAPI document x where the
// target lives relative to the caller's binding (same space, child, sibling, root). The expected
// cell is computed from the permission catalogue and the role's permissions: the route's permission
// where it is checked, then the escalation rule (bind: the role's permissions there, or
// role-bindings.escalate; credentials: everything the target principal holds).
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../domain/api-keys/api-key.js";
import { SYSTEM_ACTOR } from "../domain/audit/actor.js";
import { createDelegateToken, revokeDelegateToken } from "../domain/delegate-tokens/delegate-token.js";
import { createInvitation } from "../domain/invitations/invitation.js";
import { bootstrapOrganization } from "../domain/organizations/organization-bootstrap.js";
import { createPolicy } from "../domain/policies/policy.js";
import { createPolicySet } from "../domain/policy-sets/policy-set.js";
import { createServiceAccount } from "../domain/principals/service-account.js";
import { createUser } from "../domain/principals/user.js";
import { createRoleBinding } from "../domain/role-bindings/role-binding.js";
import { BUILT_IN_ROLES, findBuiltInRole } from "../domain/roles/built-in-roles.js";
import { type Permission, PERMISSIONS } from "../domain/roles/permission-catalogue.js";
import { createRole } from "../domain/roles/role.js";
import { createSpace } from "../domain/spaces/space.js";
import { addTeamMember } from "../domain/teams/team-membership.js";
import { createTeam } from "../domain/teams/team.js";
import { createToken, revokeToken } from "../domain/tokens/token.js";
import { buildApp } from "../http/app.js";
import { createTestDatabase, type TestDatabase } from "../store/test-store.js";

const JSON_API = "application/vnd.api+json";

/** Where the target of a write lives, relative to space A, where the caller holds its role. */
const SCOPES = ["same", "child", "sibling", "root"] as const;
type Scope = (typeof SCOPES)[number];

/** The issue's custom role: may read spaces and bindings and write bindings, nothing else. */
const BINDER: { name: string; permissions: readonly Permission[] } = {
  name: "binder",
  permissions: ["spaces.read", "role-bindings.read", "role-bindings.write"],
};

const CALLER_ROLES = [...BUILT_IN_ROLES.map((r) => ({ name: r.name, permissions: r.permissions })), BINDER];

/** The resources of one matrix cell: a fresh organization with spaces R > A > A1 and R > B. */
interface Fixture {
  readonly org: string;
  readonly spaces: { readonly root: string; readonly a: string; readonly a1: string; readonly b: string };
  /** The space the target lives in. */
  readonly target: string;
  /** A caller per role of the matrix (a service account in A bound that role in A): its token. */
  readonly callerTokens: ReadonlyMap<string, string>;
  readonly leafSpace: string;
  /** A service account in the target space bound `viewer` there, with a key, a token and a revoked token. */
  readonly privileged: SaFixture;
  /** A service account in the target space with no binding. */
  readonly plain: SaFixture;
  readonly privilegedBinding: string;
  readonly delegateToken: string;
  readonly revokedDelegateToken: string;
  readonly user: string;
  /** A user bound `viewer` in the target space (inviting them issues a credential for them). */
  readonly privilegedUser: string;
  /** An open invitation of `user`. */
  readonly invitation: string;
  /** A team bound `viewer` in the target space, with `privileged` as a member. */
  readonly team: string;
  readonly spaceReaderRole: string;
  readonly editableRole: string;
  readonly policy: string;
  readonly policySet: string;
}

interface SaFixture {
  readonly id: string;
  readonly key: string;
  readonly spareKey: string;
  readonly token: string;
  readonly revokedToken: string;
}

/** The escalation a write would be judged by. */
type Escalation =
  | { readonly kind: "none" }
  | { readonly kind: "grant"; readonly permissions: readonly Permission[]; readonly space: "target" | "root" }
  | { readonly kind: "credential"; readonly holder: "privileged" | "plain" };

/** One write endpoint of the matrix. */
interface WriteEndpoint {
  /** `METHOD /path` as in the OpenAPI document. */
  readonly operation: string;
  /** A variant name when one operation is probed more than once. */
  readonly variant?: string;
  readonly permission: Permission;
  /** Where the route checks the permission: the target space, or the root (organization-wide resources). */
  readonly checkedIn: "target" | "root";
  readonly escalation: Escalation;
  readonly url: (fx: Fixture) => string;
  /** The body, if the operation takes one. */
  readonly body?: (fx: Fixture) => unknown;
}

const viewerPermissions = findBuiltInRole("viewer")?.permissions ?? [];
const adminPermissions = findBuiltInRole("admin")?.permissions ?? [];

const attrs = (
  type: string,
  attributes: Record<string, unknown>,
  relationships?: Record<string, unknown>,
) => ({
  data: { type, attributes, ...(relationships ? { relationships } : {}) },
});
const rel = (type: string, id: string) => ({ data: { type, id } });

const ENDPOINTS: readonly WriteEndpoint[] = [
  // Spaces: checked in the parent (create) or the space itself.
  {
    operation: "POST /api/v2/organizations/{org}/spaces",
    permission: "spaces.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/spaces`,
    body: (fx) => attrs("spaces", { name: "new-space" }, { parent: rel("spaces", fx.target) }),
  },
  {
    operation: "PATCH /api/v2/spaces/{id}",
    permission: "spaces.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/spaces/${fx.leafSpace}`,
    body: () => attrs("spaces", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/spaces/{id}",
    permission: "spaces.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/spaces/${fx.leafSpace}`,
  },
  // Service accounts live in a space.
  {
    operation: "POST /api/v2/organizations/{org}/service-accounts",
    permission: "service-accounts.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/service-accounts`,
    body: (fx) => attrs("service-accounts", { name: "new-sa" }, { space: rel("spaces", fx.target) }),
  },
  {
    operation: "PATCH /api/v2/service-accounts/{id}",
    permission: "service-accounts.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/service-accounts/${fx.plain.id}`,
    body: () => attrs("service-accounts", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/service-accounts/{id}",
    permission: "service-accounts.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/service-accounts/${fx.plain.id}`,
  },
  // Credentials of a principal: the credential rule.
  ...(["privileged", "plain"] as const).flatMap((holder): WriteEndpoint[] => [
    {
      operation: "POST /api/v2/service-accounts/{id}/api-keys",
      variant: holder,
      permission: "api-keys.write",
      checkedIn: "target",
      escalation: { kind: "credential", holder },
      url: (fx) => `/api/v2/service-accounts/${fx[holder].id}/api-keys`,
      body: () => attrs("api-keys", { name: "another-key" }),
    },
    {
      operation: "POST /api/v2/api-keys/{id}/tokens",
      variant: holder,
      permission: "tokens.create",
      checkedIn: "target",
      escalation: { kind: "credential", holder },
      url: (fx) => `/api/v2/api-keys/${fx[holder].key}/tokens`,
      body: () => attrs("tokens", { name: "another-token" }),
    },
    {
      operation: "POST /api/v2/tokens/{id}/actions/revoke",
      variant: holder,
      permission: "tokens.revoke",
      checkedIn: "target",
      escalation: { kind: "credential", holder },
      url: (fx) => `/api/v2/tokens/${fx[holder].token}/actions/revoke`,
    },
  ]),
  {
    operation: "PATCH /api/v2/api-keys/{id}",
    permission: "api-keys.write",
    checkedIn: "target",
    escalation: { kind: "credential", holder: "privileged" },
    url: (fx) => `/api/v2/api-keys/${fx.privileged.key}`,
    body: () => attrs("api-keys", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/api-keys/{id}",
    permission: "api-keys.write",
    checkedIn: "target",
    escalation: { kind: "credential", holder: "privileged" },
    url: (fx) => `/api/v2/api-keys/${fx.privileged.spareKey}`,
  },
  {
    operation: "PATCH /api/v2/tokens/{id}",
    permission: "tokens.update",
    checkedIn: "target",
    escalation: { kind: "credential", holder: "privileged" },
    url: (fx) => `/api/v2/tokens/${fx.privileged.token}`,
    body: () => attrs("tokens", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/tokens/{id}",
    permission: "tokens.delete",
    checkedIn: "target",
    escalation: { kind: "credential", holder: "privileged" },
    url: (fx) => `/api/v2/tokens/${fx.privileged.revokedToken}`,
  },
  {
    operation: "POST /api/v2/tokens/{id}/actions/rotate",
    permission: "tokens.rotate",
    checkedIn: "target",
    escalation: { kind: "credential", holder: "privileged" },
    url: (fx) => `/api/v2/tokens/${fx.privileged.token}/actions/rotate`,
  },
  // Delegate tokens belong to a space, not to a principal: their permission suffices.
  {
    operation: "POST /api/v2/organizations/{org}/delegate-tokens",
    permission: "delegate-tokens.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/delegate-tokens`,
    body: (fx) =>
      attrs("delegate-tokens", { name: "another-delegate-token" }, { space: rel("spaces", fx.target) }),
  },
  {
    operation: "PATCH /api/v2/delegate-tokens/{id}",
    permission: "delegate-tokens.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/delegate-tokens/${fx.delegateToken}`,
    body: () => attrs("delegate-tokens", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/delegate-tokens/{id}",
    permission: "delegate-tokens.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/delegate-tokens/${fx.revokedDelegateToken}`,
  },
  {
    operation: "POST /api/v2/delegate-tokens/{id}/actions/rotate",
    permission: "delegate-tokens.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/delegate-tokens/${fx.delegateToken}/actions/rotate`,
  },
  {
    operation: "POST /api/v2/delegate-tokens/{id}/actions/revoke",
    permission: "delegate-tokens.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/delegate-tokens/${fx.delegateToken}/actions/revoke`,
  },
  // Role bindings: the bind rule in the binding's space.
  ...(
    [
      ["admin", adminPermissions],
      ["space-reader", ["spaces.read"]],
    ] as const
  ).map(
    ([role, permissions]): WriteEndpoint => ({
      operation: "POST /api/v2/organizations/{org}/role-bindings",
      variant: `bind ${role}`,
      permission: "role-bindings.write",
      checkedIn: "target",
      escalation: { kind: "grant", permissions, space: "target" },
      url: (fx) => `/api/v2/organizations/${fx.org}/role-bindings`,
      body: (fx) => ({
        data: {
          type: "role-bindings",
          relationships: {
            role: rel("roles", role === "admin" ? "admin" : fx.spaceReaderRole),
            subject: rel("service-accounts", fx.plain.id),
            space: rel("spaces", fx.target),
          },
        },
      }),
    }),
  ),
  {
    operation: "DELETE /api/v2/role-bindings/{id}",
    permission: "role-bindings.write",
    checkedIn: "target",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/role-bindings/${fx.privilegedBinding}`,
  },
  // Organization-wide resources: checked in the root space.
  {
    operation: "PATCH /api/v2/organizations/{org}",
    permission: "organizations.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}`,
    body: () => attrs("organizations", { "display-name": "changed" }),
  },
  {
    operation: "POST /api/v2/organizations/{org}/users",
    permission: "users.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/users`,
    body: () => attrs("users", { name: "new-user" }),
  },
  {
    operation: "PATCH /api/v2/users/{id}",
    permission: "users.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/users/${fx.user}`,
    body: () => attrs("users", { email: "someone@example.com" }),
  },
  {
    operation: "DELETE /api/v2/users/{id}",
    permission: "users.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/users/${fx.user}`,
  },
  {
    operation: "POST /api/v2/organizations/{org}/teams",
    permission: "teams.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/teams`,
    body: () => attrs("teams", { name: "new-team" }),
  },
  {
    operation: "PATCH /api/v2/teams/{id}",
    permission: "teams.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/teams/${fx.team}`,
    body: () => attrs("teams", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/teams/{id}",
    permission: "teams.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/teams/${fx.team}`,
  },
  {
    operation: "POST /api/v2/teams/{id}/relationships/members",
    permission: "teams.write",
    checkedIn: "root",
    // The new member gets the team's `viewer` binding in the target space.
    escalation: { kind: "grant", permissions: viewerPermissions, space: "target" },
    url: (fx) => `/api/v2/teams/${fx.team}/relationships/members`,
    body: (fx) => ({ data: [{ type: "service-accounts", id: fx.plain.id }] }),
  },
  {
    operation: "DELETE /api/v2/teams/{id}/relationships/members",
    permission: "teams.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/teams/${fx.team}/relationships/members`,
    body: (fx) => ({ data: [{ type: "service-accounts", id: fx.privileged.id }] }),
  },
  {
    operation: "POST /api/v2/organizations/{org}/roles",
    permission: "roles.write",
    checkedIn: "root",
    escalation: { kind: "grant", permissions: ["spaces.read"], space: "root" },
    url: (fx) => `/api/v2/organizations/${fx.org}/roles`,
    body: () => attrs("roles", { name: "new-role", permissions: ["spaces.read"] }),
  },
  {
    operation: "PATCH /api/v2/roles/{id}",
    permission: "roles.write",
    checkedIn: "root",
    escalation: { kind: "grant", permissions: ["spaces.read", "audit.read"], space: "root" },
    url: (fx) => `/api/v2/roles/${fx.editableRole}`,
    body: () => attrs("roles", { permissions: ["spaces.read", "audit.read"] }),
  },
  {
    operation: "DELETE /api/v2/roles/{id}",
    permission: "roles.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/roles/${fx.editableRole}`,
  },
  {
    operation: "POST /api/v2/organizations/{org}/policies",
    permission: "policies.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/policies`,
    body: () => attrs("policies", { name: "new-policy" }),
  },
  {
    operation: "PATCH /api/v2/policies/{id}",
    permission: "policies.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/policies/${fx.policy}`,
    body: () => attrs("policies", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/policies/{id}",
    permission: "policies.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/policies/${fx.policy}`,
  },
  {
    operation: "PUT /api/v2/policies/{id}/upload",
    permission: "policies.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/policies/${fx.policy}/upload`,
    body: () => 'package probe\n\ndeny contains msg if { false; msg := "never" }\n',
  },
  {
    operation: "POST /api/v2/organizations/{org}/policy-sets",
    permission: "policy-sets.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/organizations/${fx.org}/policy-sets`,
    body: () => attrs("policy-sets", { name: "new-set" }),
  },
  {
    operation: "PATCH /api/v2/policy-sets/{id}",
    permission: "policy-sets.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/policy-sets/${fx.policySet}`,
    body: () => attrs("policy-sets", { description: "changed" }),
  },
  {
    operation: "DELETE /api/v2/policy-sets/{id}",
    permission: "policy-sets.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/policy-sets/${fx.policySet}`,
  },
  ...(["POST", "DELETE"] as const).flatMap((method): WriteEndpoint[] => [
    {
      operation: `${method} /api/v2/policy-sets/{id}/relationships/policies`,
      permission: "policy-sets.write",
      checkedIn: "root",
      escalation: { kind: "none" },
      url: (fx) => `/api/v2/policy-sets/${fx.policySet}/relationships/policies`,
      body: (fx) => ({ data: [{ type: "policies", id: fx.policy }] }),
    },
    {
      operation: `${method} /api/v2/policy-sets/{id}/relationships/spaces`,
      permission: "policy-sets.write",
      checkedIn: "root",
      escalation: { kind: "none" },
      url: (fx) => `/api/v2/policy-sets/${fx.policySet}/relationships/spaces`,
      body: (fx) => ({ data: [{ type: "spaces", id: fx.target }] }),
    },
  ]),
  // Invitations: organization-wide (users.write at the root); inviting a user issues a credential for them.
  ...(["privileged", "plain"] as const).map(
    (holder): WriteEndpoint => ({
      operation: "POST /api/v2/organizations/{org}/invitations",
      variant: holder,
      permission: "users.write",
      checkedIn: "root",
      escalation: { kind: "credential", holder },
      url: (fx) => `/api/v2/organizations/${fx.org}/invitations`,
      body: (fx) => ({
        data: {
          type: "invitations",
          relationships: { user: rel("users", holder === "privileged" ? fx.privilegedUser : fx.user) },
        },
      }),
    }),
  ),
  {
    operation: "POST /api/v2/invitations/{id}/actions/revoke",
    permission: "users.write",
    checkedIn: "root",
    escalation: { kind: "none" },
    url: (fx) => `/api/v2/invitations/${fx.invitation}/actions/revoke`,
  },
];

/** Mutating operations the matrix leaves out, and why. */
const NOT_IN_MATRIX: Readonly<Record<string, string>> = {
  "POST /api/v2/sessions":
    "signs in with the personal token in the body (no bearer caller); the session has exactly that token's permissions",
  "DELETE /api/v2/sessions/current": "ends the caller's own session (cookie); no target",
  "POST /api/v2/invitation-previews": "reads what an invitation secret is for; changes nothing",
  "POST /api/v2/invitation-acceptances":
    "no bearer caller: the invitation secret's user mints their own token (the credential rule lets one manage one's own)",
  "POST /api/v2/account/api-keys":
    "a user's own personal key: no target principal or space (the caller here is a service account)",
  "POST /api/v2/organizations/{org}/policy-simulations": "evaluates a draft; changes nothing",
};

type Expected = "allow" | "deny-permission" | "deny-escalation";

/** The expected outcome of a cell, from the catalogue: permission where checked, then escalation. */
function expectedOutcome(
  role: { permissions: readonly Permission[] },
  endpoint: WriteEndpoint,
  scope: Scope,
): Expected {
  // The caller's role is bound in A: it holds its permissions in A and A1 only.
  const covered = (where: Scope | "root-space") => where === "same" || where === "child";
  const holds = (permission: Permission, where: Scope | "root-space") =>
    role.permissions.includes(permission) && covered(where);
  const target: Scope | "root-space" = scope;
  const checked = endpoint.checkedIn === "root" ? "root-space" : target;
  if (!holds(endpoint.permission, checked)) return "deny-permission";
  const escalation = endpoint.escalation;
  switch (escalation.kind) {
    case "none":
      return "allow";
    case "grant": {
      const where = escalation.space === "root" ? "root-space" : target;
      if (holds("role-bindings.escalate", where)) return "allow";
      return escalation.permissions.every((p) => holds(p, where)) ? "allow" : "deny-escalation";
    }
    case "credential": {
      // `privileged` holds viewer in the target space (directly and through its team); `plain` nothing.
      const held = escalation.holder === "privileged" ? viewerPermissions : [];
      return held.every((p) => holds(p, target)) ? "allow" : "deny-escalation";
    }
  }
}

describe("escalation matrix: every built-in role x every write endpoint x (same space, child, sibling, root)", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let openapi: { paths: Record<string, Record<string, unknown>> };
  let cells = 0;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    app = await buildApp({ store: db.store, authFailureLimit: 100_000 });
    const probe = await bootstrapOrganization(db.store, { organizationName: "probe", adminName: "root" });
    const response = await app.inject({
      method: "GET",
      url: "/api/v2/openapi.json",
      headers: { authorization: `Bearer ${probe.tokenValue}` },
    });
    openapi = response.json();
  });

  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  async function fixture(name: string, scope: Scope): Promise<Fixture> {
    const store = db.store;
    const boot = await bootstrapOrganization(store, { organizationName: name, adminName: "owner" });
    const ctx = { organizationId: boot.organization.id, actor: SYSTEM_ACTOR };
    const root = boot.rootSpace.id;
    const a = (await createSpace(store, ctx, { parentId: root, name: "a" })).id;
    const a1 = (await createSpace(store, ctx, { parentId: a, name: "a1" })).id;
    const b = (await createSpace(store, ctx, { parentId: root, name: "b" })).id;
    const target = { same: a, child: a1, sibling: b, root }[scope];
    const callerTokens = new Map<string, string>();
    for (const callerRole of CALLER_ROLES) {
      const builtIn = findBuiltInRole(callerRole.name);
      const roleId = builtIn
        ? builtIn.id
        : (await createRole(store, ctx, { name: callerRole.name, permissions: callerRole.permissions })).id;
      const caller = (
        await createServiceAccount(store, ctx, { spaceId: a, name: `caller-${callerRole.name}` })
      ).serviceAccount;
      await createRoleBinding(store, ctx, {
        subject: { kind: "principal", principalId: caller.id },
        roleId,
        spaceId: a,
      });
      const key = (await createApiKey(store, ctx, { principalId: caller.id, type: "SERVICE", name: "key" }))
        .apiKey;
      callerTokens.set(
        callerRole.name,
        (await createToken(store, ctx, { apiKeyId: key.id, name: "token" })).value,
      );
    }
    const serviceAccount = async (saName: string): Promise<SaFixture> => {
      const sa = (await createServiceAccount(store, ctx, { spaceId: target, name: saName })).serviceAccount;
      const key = (await createApiKey(store, ctx, { principalId: sa.id, type: "SERVICE", name: "key" }))
        .apiKey;
      const spareKey = (
        await createApiKey(store, ctx, { principalId: sa.id, type: "SERVICE", name: "spare" })
      ).apiKey;
      const token = (await createToken(store, ctx, { apiKeyId: key.id, name: "token" })).token;
      const revoked = (await createToken(store, ctx, { apiKeyId: key.id, name: "revoked" })).token;
      await revokeToken(store, ctx, revoked.id);
      return { id: sa.id, key: key.id, spareKey: spareKey.id, token: token.id, revokedToken: revoked.id };
    };
    const privileged = await serviceAccount("privileged");
    const plain = await serviceAccount("plain");
    const privilegedBinding = (
      await createRoleBinding(store, ctx, {
        subject: { kind: "principal", principalId: privileged.id },
        roleId: "viewer",
        spaceId: target,
      })
    ).id;
    const team = (await createTeam(store, ctx, { name: "team" })).id;
    await createRoleBinding(store, ctx, {
      subject: { kind: "team", teamId: team },
      roleId: "viewer",
      spaceId: target,
    });
    await addTeamMember(store, ctx, team, privileged.id);
    const delegateToken = (await createDelegateToken(store, ctx, { name: "dt", spaceId: target }))
      .delegateToken.id;
    const revokedDelegateToken = (await createDelegateToken(store, ctx, { name: "dt-old", spaceId: target }))
      .delegateToken.id;
    await revokeDelegateToken(store, ctx, revokedDelegateToken);
    const user = (await createUser(store, ctx, { name: "someone" })).id;
    const privilegedUser = (await createUser(store, ctx, { name: "someone-viewing" })).id;
    await createRoleBinding(store, ctx, {
      subject: { kind: "principal", principalId: privilegedUser },
      roleId: "viewer",
      spaceId: target,
    });
    const invitation = (await createInvitation(store, ctx, { userId: user })).invitation.id;
    const policy = (await createPolicy(store, ctx, { name: "probe-policy" })).id;
    const policySet = (await createPolicySet(store, ctx, { name: "probe-set" })).id;
    return {
      org: name,
      spaces: { root, a, a1, b },
      target,
      callerTokens,
      leafSpace: (await createSpace(store, ctx, { parentId: target, name: "leaf" })).id,
      privileged,
      plain,
      privilegedBinding,
      delegateToken,
      revokedDelegateToken,
      user,
      privilegedUser,
      invitation,
      team,
      spaceReaderRole: (await createRole(store, ctx, { name: "space-reader", permissions: ["spaces.read"] }))
        .id,
      editableRole: (await createRole(store, ctx, { name: "editable", permissions: ["spaces.read"] })).id,
      policy,
      policySet,
    };
  }

  it("covers every mutating operation of the OpenAPI document", () => {
    const operations = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ["post", "put", "patch", "delete"].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const covered = new Set([...ENDPOINTS.map((e) => e.operation), ...Object.keys(NOT_IN_MATRIX)]);
    expect(operations.filter((op) => !covered.has(op))).toEqual([]);
    expect(ENDPOINTS.filter((e) => !operations.includes(e.operation)).map((e) => e.operation)).toEqual([]);
    expect(new Set(ENDPOINTS.map((e) => e.permission)).size).toBeGreaterThan(10);
    for (const e of ENDPOINTS) expect(PERMISSIONS).toContain(e.permission);
  });

  it("allows and refuses exactly as the catalogue and the escalation rule say", {
    timeout: 600_000,
  }, async () => {
    const failures: string[] = [];
    const tally: Record<Expected, number> = { allow: 0, "deny-permission": 0, "deny-escalation": 0 };
    let n = 0;
    let fixtures = 0;
    for (const scope of SCOPES) {
      for (const endpoint of ENDPOINTS) {
        // One organization serves every role until a write succeeds (refusals change nothing).
        let fx = await fixture(`m${++fixtures}`, scope);
        for (const role of CALLER_ROLES) {
          n++;
          const body = endpoint.body?.(fx);
          const [method] = endpoint.operation.split(" ") as ["POST" | "PUT" | "PATCH" | "DELETE"];
          const isText = typeof body === "string";
          const response = await app.inject({
            method,
            url: endpoint.url(fx),
            headers: {
              authorization: `Bearer ${fx.callerTokens.get(role.name)}`,
              ...(body !== undefined
                ? { "content-type": isText ? "application/octet-stream" : JSON_API }
                : {}),
            },
            ...(body !== undefined ? { payload: isText ? body : JSON.stringify(body) } : {}),
          });
          const expected = expectedOutcome(role, endpoint, scope);
          tally[expected]++;
          const detail = response.statusCode >= 400 ? String(response.json().errors?.[0]?.detail ?? "") : "";
          const actual: Expected | string =
            response.statusCode < 300
              ? "allow"
              : // 403 when the caller may read the resource, else 404 (permission-answers.ts).
                (response.statusCode === 403 || response.statusCode === 404) && /lacks the permission/.test(detail)
                ? "deny-permission"
                : response.statusCode === 403 && /you lack/.test(detail)
                  ? "deny-escalation"
                  : `${response.statusCode} ${detail}`;
          if (actual !== expected) {
            const cell = `${role.name} x ${endpoint.operation}${endpoint.variant ? ` (${endpoint.variant})` : ""} x ${scope}`;
            failures.push(`${cell}: expected ${expected}, got ${actual}`);
          }
          if (response.statusCode < 300) fx = await fixture(`m${++fixtures}`, scope);
        }
      }
    }
    cells = n;
    console.log(
      `escalation matrix: ${CALLER_ROLES.length} roles x ${ENDPOINTS.length} write endpoints x ${SCOPES.length} scopes = ` +
        `${cells} cells (${tally.allow} allowed, ${tally["deny-permission"]} refused for the permission, ` +
        `${tally["deny-escalation"]} refused as escalations; ${fixtures} organizations); ${failures.length} failure(s)`,
    );
    for (const failure of failures) console.log(`  ${failure}`);
    expect(failures).toEqual([]);
    expect(tally["deny-escalation"]).toBeGreaterThan(0);
    expect(tally.allow).toBeGreaterThan(0);
  });
});
