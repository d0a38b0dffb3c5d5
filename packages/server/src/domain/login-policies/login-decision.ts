// Domain layer, login policies: evaluates the compiled login policy sets on a login input and
// decides as Spacelift's login policies do (seed 003; docs/login-policies.md): `deny` (any policy)
// always wins; when a set that applies to the caller (global, or attached to the caller's space or
// an ancestor) defines `allow`, a caller no such `allow` admits is refused; `roles[space][role]`
// add access grants (spaces and roles named by id or name; a set attached to spaces grants only
// below them). A policy that cannot be evaluated refuses the caller (fail closed).
import { RegoError } from "@keygate/rego";
import type { AccessGrant } from "../access/effective-access.js";
import { evaluateValue } from "../policies/policy-module.js";
import type { CompiledPolicySet } from "../policy-evaluations/compiled-policy-sets.js";
import { messagesOf } from "../policy-evaluations/policy-decision.js";
import type { PrincipalKind } from "../principals/principal.js";
import type { Role } from "../roles/built-in-roles.js";
import type { SpaceTree } from "../spaces/space.js";
import { spaceIdByReference } from "../spaces/space-reference.js";

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
  /** True when the policy's package has an `allow` rule (then its sets require admission). */
  readonly definesAllow: boolean;
  /** Set when the policy could not be evaluated (it then denies: login policies fail closed). */
  readonly error?: string;
}

/** Why a login was refused: a policy error, a `deny`, or no `allow` admitting the caller. */
export type LoginRefusal = "error" | "deny" | "not-allowed";

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
  /** True when an `allow` of a set that applies to the caller admitted it. */
  readonly allowed: boolean;
  /** True when a set that applies to the caller defines `allow` (so admission is required). */
  readonly allowRequired: boolean;
  readonly denied: boolean;
  /** Why the login was refused, when denied (an error first, then a deny, then no admission). */
  readonly refusal: LoginRefusal | undefined;
  /** The evaluation errors, one per policy that could not be evaluated. */
  readonly errors: readonly string[];
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

// A role's space: an id, a path (`platform/production`) or a bare name used by one space only.
const spaceIdFor = spaceIdByReference;

/** The `allow`, `deny` and `roles` of a login policy's package document (absent when undefined). */
export function loginDocumentOf(value: unknown): { allow?: unknown; deny?: unknown; roles?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

const allowDefined = new WeakMap<CompiledPolicySet["policies"][number], boolean>();

/** True when a compiled policy's package has an `allow` rule (memoized). */
export function definesAllow(policy: CompiledPolicySet["policies"][number]): boolean {
  if (!policy.ok) return false;
  let defined = allowDefined.get(policy);
  if (defined === undefined) {
    defined = policy.syntax.rules.some(
      (r) => r.head.ref.head.type === "var" && r.head.ref.head.name === "allow",
    );
    allowDefined.set(policy, defined);
  }
  return defined;
}

/** True when a set applies to a caller whose space and ancestors are `scope`. */
export function setAppliesToCaller(set: CompiledPolicySet["set"], scope: ReadonlySet<string>): boolean {
  return set.global || set.spaceIds.some((id) => scope.has(id));
}

const scopes = new WeakMap<SpaceTree, Map<string | null, ReadonlySet<string>>>();

/**
 * The caller's space and its ancestors, from the input (`input.session.principal.space`: a service
 * account's space; users, which live in no space, are the root's), memoized per tree.
 */
export function callerScope(tree: SpaceTree, input: unknown): ReadonlySet<string> {
  const principal = (input as { session?: { principal?: { space?: unknown } } } | null)?.session?.principal;
  const space =
    typeof principal?.space === "string" && tree.spaces.has(principal.space) ? principal.space : null;
  let byTree = scopes.get(tree);
  if (!byTree) {
    byTree = new Map();
    scopes.set(tree, byTree);
  }
  let scope = byTree.get(space);
  if (!scope) {
    const root = [...tree.spaces.values()].find((s) => s.parentId === null)?.id;
    scope = new Set(
      space === null ? (root === undefined ? [] : [root]) : [space, ...tree.ancestorIds(space)],
    );
    byTree.set(space, scope);
  }
  return scope;
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
    return {
      policyId,
      policyName,
      policySetId,
      allow: false,
      deny: [error],
      roles: [],
      definesAllow: false,
      error,
    };
  }
  const defines = definesAllow(policy);
  try {
    const document = loginDocumentOf(evaluateValue(policy.queries.document, input, nowNs));
    const allow = document.allow === true;
    const deny = messagesOf(document.deny, policyName, "deny");
    const roles = roleEntriesOf(document.roles);
    return { policyId, policyName, policySetId, allow, deny, roles, definesAllow: defines };
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    const error = `login policy ${policyName} could not be evaluated: ${e.message}`;
    return {
      policyId,
      policyName,
      policySetId,
      allow: false,
      deny: [error],
      roles: [],
      definesAllow: defines,
      error,
    };
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
  let allowRequired = false;
  let allowed = false;
  const scope = callerScope(resolver.tree, input);
  for (const { set, policies } of sets) {
    const appliesToCaller = setAppliesToCaller(set, scope);
    // A set attached to spaces grants roles only in those spaces' subtrees.
    const allowedSpaces = set.global
      ? null
      : new Set(set.spaceIds.flatMap((id) => resolver.tree.subtreeIds(id)));
    for (const policy of policies) {
      const result = evaluateLoginPolicy(set, policy, input, nowNs);
      results.push(result);
      if (appliesToCaller) {
        if (result.definesAllow) allowRequired = true;
        if (result.allow) allowed = true;
      }
      for (const entry of result.roles) {
        const spaceId = spaceIdFor(resolver.tree, entry.space);
        const role = resolver.roles.get(entry.role);
        const problem: { code: IgnoredRoleCode; why: string } | undefined =
          spaceId === undefined
            ? { code: "unknown-space", why: `no single space has the id, path or name "${entry.space}" (a name two spaces share needs its path, e.g. platform/production)` }
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
  const errors = results.flatMap((r) => (r.error === undefined ? [] : [r.error]));
  const denyMessages = results.flatMap((r) => r.deny);
  const refusal: LoginRefusal | undefined =
    errors.length > 0
      ? "error"
      : denyMessages.length > 0
        ? "deny"
        : allowRequired && !allowed
          ? "not-allowed"
          : undefined;
  if (refusal === "not-allowed") denyMessages.push("no login policy's allow admits this caller");
  const denied = refusal !== undefined;
  return {
    applied: results.length > 0,
    allowed,
    allowRequired,
    denied,
    refusal,
    errors,
    denyMessages,
    // Deny wins: a denied login gets no roles from policies.
    grants: denied ? [] : grants,
    ignored,
    results,
  };
}
