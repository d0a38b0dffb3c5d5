// Docs generator: builds a real organization in a throwaway SQLite store through the domain
// functions the API calls, and captures what policies see of it: the login policy input built by
// loadLoginSubject + buildLoginInput, and each save policy input built by buildSaveInput when the
// write path shows a change to its guard. Ids and times are pinned or replaced with stable
// placeholders, so the pages generated from them change only when the code that builds them does.
import { createApiKey, updateApiKey } from "../../packages/server/dist/domain/api-keys/api-key.js";
import {
  createDelegateToken,
  rotateDelegateToken,
  updateDelegateToken,
} from "../../packages/server/dist/domain/delegate-tokens/delegate-token.js";
import { buildLoginInput, loadLoginSubject } from "../../packages/server/dist/domain/login-policies/login-input.js";
import { loginInputToJson } from "../../packages/server/dist/domain/login-policies/login-input-json.js";
import { bootstrapOrganization } from "../../packages/server/dist/domain/organizations/organization-bootstrap.js";
import { buildSaveInput } from "../../packages/server/dist/domain/policy-evaluations/save-input.js";
import { createUser } from "../../packages/server/dist/domain/principals/user.js";
import { createServiceAccount, updateServiceAccount } from "../../packages/server/dist/domain/principals/service-account.js";
import { createSpace, getRootSpace, loadSpaceTree } from "../../packages/server/dist/domain/spaces/space.js";
import { createTeam } from "../../packages/server/dist/domain/teams/team.js";
import { addTeamMember } from "../../packages/server/dist/domain/teams/team-membership.js";
import { createToken, rotateToken, updateToken } from "../../packages/server/dist/domain/tokens/token.js";
import { createTestDatabase } from "../../packages/server/dist/store/test-store.js";

/** The pinned clock of the example: 2026-12-01T09:30:00Z. */
export const EXAMPLE_NOW_MS = Date.UTC(2026, 11, 1, 9, 30, 0);

const VALID_TO = Date.UTC(2027, 0, 31);
const ROTATED_VALID_TO = Date.UTC(2027, 2, 31);
const GRACE_MS = 24 * 60 * 60 * 1000;
const ID = /^([a-z]+)-[0-9A-Za-z]{16}$/;

/** Replaces every generated id with `<prefix>-example<N>` (N in order of first appearance). */
function stableIds(value) {
  const names = new Map();
  const counters = new Map();
  const rename = (id) => {
    let name = names.get(id);
    if (name === undefined) {
      const prefix = ID.exec(id)?.[1] ?? "id";
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      name = `${prefix}-example${n}`;
      names.set(id, name);
    }
    return name;
  };
  const walk = (v) => {
    if (typeof v === "string") return ID.test(v) ? rename(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out = {};
      for (const [key, inner] of Object.entries(v)) out[key] = walk(inner);
      return out;
    }
    return v;
  };
  return { walk };
}

/**
 * Builds the example organization and returns what policies see: `login` (login inputs of a
 * service account calling with its key's token, and of the admin user), `save` (save inputs per
 * entity type and action). Values are JSON (timestamp_ns as a number), ids stable.
 */
export async function captureExampleInputs() {
  const db = await createTestDatabase("sqlite");
  try {
    const now = EXAMPLE_NOW_MS;
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice", adminEmail: "alice@example.com" });
    const organizationId = org.organization.id;
    const admin = { principalId: org.admin.id, tokenId: org.token.id, ip: "10.1.2.3", via: "api" };
    // The actor the guard reports: the admin through the API, or the system itself (no principal).
    let actor = admin;
    const saves = [];
    const guard = async (tx, orgId, change) => {
      const tree = await loadSpaceTree(tx, orgId);
      const built = await buildSaveInput(tx, orgId, change, actor, tree);
      saves.push({ entityType: built.entityType, action: built.action, input: built.input });
      return {};
    };
    const ctx = { organizationId, actor: admin, guard, now };
    const plain = { organizationId, actor: admin, now };
    const root = await getRootSpace(db.store, organizationId);
    const platform = await createSpace(db.store, plain, { parentId: root.id, name: "platform" });
    const production = await createSpace(db.store, plain, { parentId: platform.id, name: "production" });
    const { serviceAccount } = await createServiceAccount(db.store, ctx, {
      spaceId: production.id,
      name: "ci-deploy",
      displayName: "CI deploy",
      description: "Deploys from the CI pipeline",
    });
    await updateServiceAccount(db.store, ctx, serviceAccount.id, { description: "Deploys production from CI" });
    const team = await createTeam(db.store, plain, { name: "platform-team", externalId: "idp-group-platform" });
    await addTeamMember(db.store, plain, team.id, serviceAccount.id);
    const { apiKey } = await createApiKey(db.store, ctx, {
      principalId: serviceAccount.id,
      type: "SERVICE",
      name: "ci-cd-production",
      description: "Production pipeline",
    });
    await updateApiKey(db.store, ctx, apiKey.id, { description: "Production pipeline (GitHub Actions)" });
    const issued = await createToken(db.store, ctx, {
      apiKeyId: apiKey.id,
      name: "deploy",
      description: "Deploy job",
      tags: { team: "platform" },
      validTo: VALID_TO,
    });
    await updateToken(db.store, ctx, issued.token.id, { description: "Deploy job (main branch)" });
    const rotated = await rotateToken(db.store, { ...ctx, now: now + 60_000 }, issued.token.id, {
      gracePeriodMs: GRACE_MS,
      validTo: ROTATED_VALID_TO,
    });
    // A personal access token of the admin's own (USER) key: its input's principal is a user.
    await createToken(db.store, ctx, { apiKeyId: org.apiKey.id, name: "laptop", validTo: VALID_TO });
    // A user without an email, with a personal key and a token that never expires.
    const bob = await createUser(db.store, plain, { name: "bob" });
    // Personal keys are made by their user: bob, from the CLI on his machine, without a token.
    actor = { principalId: bob.id, ip: "10.1.2.9", via: "cli" };
    const asBob = { ...ctx, actor };
    const { apiKey: bobKey } = await createApiKey(db.store, asBob, { principalId: bob.id, type: "USER", name: "bob-laptop" });
    await createToken(db.store, asBob, { apiKeyId: bobKey.id, name: "cli" });
    actor = admin;
    const delegate = await createDelegateToken(db.store, ctx, { spaceId: platform.id, name: "k8s-cluster-a", description: "Cluster A delegates" });
    await updateDelegateToken(db.store, ctx, delegate.delegateToken.id, { description: "Cluster A delegates (eu-west-1)" });
    await rotateDelegateToken(db.store, { ...ctx, now: now + 120_000 }, delegate.delegateToken.id);
    // The system itself saving (as `keygate init` does): no principal, token or address.
    actor = { principalId: null, via: "system" };
    await createDelegateToken(db.store, { ...ctx, actor }, { name: "bootstrap-agents" });
    actor = admin;

    const request = {
      remoteIp: "10.1.2.3",
      timestampNs: BigInt(now) * 1_000_000n,
      method: "POST",
      path: "/api/v2/account/details",
    };
    const serviceSubject = await loadLoginSubject(db.store, {
      organizationId,
      principalId: serviceAccount.id,
      tokenId: rotated.token.id,
    });
    const userSubject = await loadLoginSubject(db.store, { organizationId, principalId: org.admin.id, tokenId: org.token.id });
    // A principal whose credential names no key nor token (the shapes a policy must also accept).
    const bareSubject = await loadLoginSubject(db.store, { organizationId, principalId: org.admin.id });
    const ids = stableIds();
    const login = {
      serviceAccount: ids.walk(loginInputToJson(buildLoginInput(serviceSubject, request))),
      user: ids.walk(loginInputToJson(buildLoginInput(userSubject, { ...request, method: "GET", path: "/api/v2/organizations/acme/service-accounts" }))),
      bare: ids.walk(loginInputToJson(buildLoginInput(bareSubject, { remoteIp: request.remoteIp, timestampNs: request.timestampNs }))),
    };
    const save = saves.map((s) => ({ ...s, input: ids.walk(JSON.parse(JSON.stringify(s.input))) }));
    return { login, save };
  } finally {
    await db.dispose();
  }
}
