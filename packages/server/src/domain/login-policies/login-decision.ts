// Domain layer, login policies: evaluates the compiled login policy sets on a login input and
// decides: `deny` (any policy) wins, `allow` is reported, and `roles[space][role]` become access
// grants (spaces and roles named by id or name; a set attached to spaces grants only below them).
import { RegoError } from "@keygate/rego";
import type { AccessGrant } from "../access/effective-access.js";
import { evaluateValue } from "../policies/policy-module.js";
import type { CompiledPolicySet } from "../policy-evaluations/compiled-policy-sets.js";
import { messagesOf } from "../policy-evaluations/policy-decision.js";
import type { PrincipalKind } from "../principals/principal.js";
import type { Role } from "../roles/built-in-roles.js";
import type { SpaceTree } from "../spaces/space.js";

/** A `roles[space][role]` entry as the policy wrote it. */
export interface RoleEntry {
  readonly space: string;
  readonly role: string;
}

/** One login policy's verdict. */
export interface LoginPolicyResult {
  readonly policyId: string;
  readonly policyName: string;
  readonly policySetId: string;
  readonly allow: boolean;
  readonly deny: readonly string[];
  readonly roles: readonly RoleEntry[];
  /** Set when the policy could not be evaluated (it then denies: login policies fail closed). */
  readonly error?: string;
}

/** Why a `roles[space][role]` entry granted nothing. */
export type IgnoredRoleCode = "unknown-space" | "unknown-role" | "kind-not-allowed" | "outside-set-scope";

/** A role entry that names no known space or role (or a role the principal may not hold). */
export interface IgnoredRole extends RoleEntry {
  readonly policyName: string;
  readonly code: IgnoredRoleCode;
  readonly why: string;
}

/** The decision over every login policy. */
export interface LoginDecision {
  /** True when at least one login policy was evaluated. */
  readonly applied: boolean;
  readonly allowed: boolean;
  readonly denied: boolean;
  readonly denyMessages: readonly string[];
  readonly grants: readonly AccessGrant[];
  readonly ignored: readonly IgnoredRole[];
  readonly results: readonly LoginPolicyResult[];
}

/** Resolves role and space names of one organization, from memory. */
export interface LoginResolver {
  readonly tree: SpaceTree;
  /** Roles (built-in and custom) by id and by name. */
  readonly roles: ReadonlyMap<string, Role>;
  readonly principalKind: PrincipalKind;
}

/** Reads `roles` as `{space: [role, ...]}` (set rules) or `{space: {role: true}}` (v0 ref heads). */
export function roleEntriesOf(value: unknown): RoleEntry[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const out: RoleEntry[] = [];
  for (const [space, roles] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(roles)) {
      for (const role of roles) if (typeof role === "string") out.push({ space, role });
    } else if (typeof roles === "object" && roles !== null) {
      for (const [role, on] of Object.entries(roles as Record<string, unknown>))
        if (on !== false) out.push({ space, role });
    } else if (typeof roles === "string") {
      out.push({ space, role: roles });
    }
  }
  return out;
}

const spaceNameIndexes = new WeakMap<SpaceTree, Map<string, string | null>>();

function spaceIdFor(tree: SpaceTree, key: string): string | undefined {
  if (tree.spaces.has(key)) return key;
  let byName = spaceNameIndexes.get(tree);
  if (!byName) {
    byName = new Map();
    for (const space of tree.spaces.values()) {
      // A name shared by several spaces is ambiguous (null): grant nothing rather than guess.
      byName.set(space.name, byName.has(space.name) ? null : space.id);
    }
    spaceNameIndexes.set(tree, byName);
  }
  return byName.get(key) ?? undefined;
}

/** The `allow`, `deny` and `roles` of a login policy's package document (absent when undefined). */
export function loginDocumentOf(value: unknown): { allow?: unknown; deny?: unknown; roles?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Evaluates one compiled login policy. */
export function evaluateLoginPolicy(
  set: CompiledPolicySet["set"],
  policy: CompiledPolicySet["policies"][number],
  input: unknown,
  nowNs?: bigint,
): LoginPolicyResult {
  // Results are written out field by field, never as `{ ...base, allow }`: on Node 20 a spread
  // followed by a key it lacks costs about a microsecond (V8 leaves its fast clone), which is most
  // of a login policy's cost on every request.
  const { policyId, policyName } = policy;
  const policySetId = set.id;
  if (!policy.ok || policy.queries.kind !== "login") {
    const why = policy.ok ? "not compiled for login" : policy.problems.map((p) => p.message).join("; ");
    const error = `login policy ${policyName} does not compile: ${why}`;
    return { policyId, policyName, policySetId, allow: false, deny: [error], roles: [], error };
  }
  try {
    const document = loginDocumentOf(evaluateValue(policy.queries.document, input, nowNs));
    const allow = document.allow === true;
    const deny = messagesOf(document.deny, policyName, "deny");
    const roles = roleEntriesOf(document.roles);
    return { policyId, policyName, policySetId, allow, deny, roles };
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    const error = `login policy ${policyName} could not be evaluated: ${e.message}`;
    return { policyId, policyName, policySetId, allow: false, deny: [error], roles: [], error };
  }
}

/** Evaluates the login sets on the input (`time.now_ns()` is `nowNs`) and turns their roles into grants. */
export function decideLogin(
  sets: readonly CompiledPolicySet[],
  input: unknown,
  resolver: LoginResolver,
  nowNs?: bigint,
): LoginDecision {
  const results: LoginPolicyResult[] = [];
  const grants: AccessGrant[] = [];
  const ignored: IgnoredRole[] = [];
  const seen = new Set<string>();
  for (const { set, policies } of sets) {
    // A set attached to spaces grants roles only in those spaces' subtrees.
    const allowedSpaces = set.global
      ? null
      : new Set(set.spaceIds.flatMap((id) => resolver.tree.subtreeIds(id)));
    for (const policy of policies) {
      const result = evaluateLoginPolicy(set, policy, input, nowNs);
      results.push(result);
      for (const entry of result.roles) {
        const spaceId = spaceIdFor(resolver.tree, entry.space);
        const role = resolver.roles.get(entry.role);
        const problem: { code: IgnoredRoleCode; why: string } | undefined =
          spaceId === undefined
            ? { code: "unknown-space", why: `no single space has the id or name "${entry.space}"` }
            : role === undefined
              ? { code: "unknown-role", why: `no role has the id or name "${entry.role}"` }
              : role.principalKinds !== null && !role.principalKinds.includes(resolver.principalKind)
                ? {
                    code: "kind-not-allowed",
                    why: `role ${role.name} cannot be held by a ${resolver.principalKind}`,
                  }
                : allowedSpaces !== null && !allowedSpaces.has(spaceId)
                  ? {
                      code: "outside-set-scope",
                      why: `policy set ${set.name} is not attached above space ${spaceId}`,
                    }
                  : undefined;
        if (problem !== undefined || spaceId === undefined || role === undefined) {
          ignored.push({
            space: entry.space,
            role: entry.role,
            policyName: policy.policyName,
            code: problem?.code ?? "unknown-role",
            why: problem?.why ?? "unresolved",
          });
          continue;
        }
        const key = `${policy.policyId}|${spaceId}|${role.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        grants.push({
          spaceId,
          roleId: role.id,
          roleName: role.name,
          permissions: role.permissions,
          reason: { kind: "login-policy", policyId: policy.policyId, policyName: policy.policyName },
        });
      }
    }
  }
  const denyMessages = results.flatMap((r) => r.deny);
  const denied = denyMessages.length > 0;
  return {
    applied: results.length > 0,
    allowed: results.some((r) => r.allow),
    denied,
    denyMessages,
    // Deny wins: a denied login gets no roles from policies.
    grants: denied ? [] : grants,
    ignored,
    results,
  };
}
