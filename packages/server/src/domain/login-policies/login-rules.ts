// Domain layer, login policies: the login decision's rules, apart from evaluating Rego: how one
// login policy's document (`allow`, `deny`, `roles`) reads, and how the policies' results combine
// into allow/deny and roles by space, as Spacelift's login policies do (seed 003;
// docs/login-policies.md): `deny` (any policy) always wins; when a set that applies to the caller
// (global, or attached to the caller's space or an ancestor) defines `allow`, a caller no such
// `allow` admits is refused; `roles[space][role]` add grants (spaces by id, path or unique name,
// roles by id or name; a set attached to spaces grants only below them); a policy that could not
// be evaluated refuses the caller (fail closed). Pure: no store, no engine, no node: modules, so
// the browser console (package subpath `@keygate/server/login-decision`) decides exactly as the
// server does on the results it evaluates itself.
import type { AccessGrant } from "../access/effective-access.js";
import { messagesOf } from "../policy-evaluations/policy-messages.js";
import type { PrincipalKind } from "../principals/principal.js";
import type { Role } from "../roles/built-in-roles.js";
import { spaceIdByReference } from "../spaces/space-reference.js";
import type { SpaceTreeOf } from "../spaces/space-tree.js";

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

/** What the rules need of a role: the server's roles, or the API's role resources. */
export type LoginRole = Pick<Role, "id" | "name" | "permissions" | "principalKinds">;

/** Resolves role and space names of one organization, from memory. */
export interface LoginResolver {
  readonly tree: SpaceTreeOf;
  /** Roles (built-in and custom) by id and by name. */
  readonly roles: ReadonlyMap<string, LoginRole>;
  readonly principalKind: PrincipalKind;
}

/** What the rules need of a login policy set. */
export interface LoginPolicySetInfo {
  readonly id: string;
  readonly name: string;
  /** True for a set that applies everywhere. */
  readonly global: boolean;
  /** The spaces a non-global set is attached to. */
  readonly spaceIds: readonly string[];
}

/** What the rules need of a login policy besides its evaluated document. */
export interface LoginPolicyInfo {
  readonly policyId: string;
  readonly policyName: string;
  /** True when the policy's package has an `allow` rule. */
  readonly definesAllow: boolean;
}

/** A set's policies' results, in evaluation order. */
export interface EvaluatedLoginSet {
  readonly set: LoginPolicySetInfo;
  readonly results: readonly LoginPolicyResult[];
}

// The empty lists of a result or decision with nothing in them, shared (both are read-only): the
// common decision, every policy admitting the caller with no roles, allocates none of them.
const NONE: readonly never[] = Object.freeze([]);

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

/** The `allow`, `deny` and `roles` of a login policy's package document (absent when undefined). */
export function loginDocumentOf(value: unknown): { allow?: unknown; deny?: unknown; roles?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** One policy's result from its evaluated package document (the JSON value of `data.<package>`). */
export function loginPolicyResultOf(
  set: Pick<LoginPolicySetInfo, "id">,
  policy: LoginPolicyInfo,
  document: unknown,
): LoginPolicyResult {
  const { allow, deny, roles } = loginDocumentOf(document);
  return {
    policyId: policy.policyId,
    policyName: policy.policyName,
    policySetId: set.id,
    allow: allow === true,
    // No deny and no roles, the usual answer, allocate nothing.
    deny: Array.isArray(deny) && deny.length === 0 ? NONE : messagesOf(deny, policy.policyName, "deny"),
    roles: roles === undefined ? NONE : roleEntriesOf(roles),
    definesAllow: policy.definesAllow,
  };
}

/** The result of a policy that could not be evaluated (or compiled): it denies with `error`. */
export function failedLoginPolicyResult(
  set: Pick<LoginPolicySetInfo, "id">,
  policy: LoginPolicyInfo,
  error: string,
): LoginPolicyResult {
  return {
    policyId: policy.policyId,
    policyName: policy.policyName,
    policySetId: set.id,
    allow: false,
    deny: [error],
    roles: [],
    definesAllow: policy.definesAllow,
    error,
  };
}

/** True when a set applies to a caller whose space and ancestors are `scope`. */
export function setAppliesToCaller(set: LoginPolicySetInfo, scope: ReadonlySet<string>): boolean {
  return set.global || set.spaceIds.some((id) => scope.has(id));
}

const scopes = new WeakMap<SpaceTreeOf, Map<string | null, ReadonlySet<string>>>();

/**
 * The caller's space and its ancestors, from the input (`input.session.principal.space`: a service
 * account's space; users, which live in no space, are the root's), memoized per tree.
 */
export function callerScope(tree: SpaceTreeOf, input: unknown): ReadonlySet<string> {
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

function roleProblem(
  resolver: LoginResolver,
  set: LoginPolicySetInfo,
  allowedSpaces: ReadonlySet<string> | null,
  spaceId: string | undefined,
  entry: RoleEntry,
  role: LoginRole | undefined,
): { code: IgnoredRoleCode; why: string } | undefined {
  if (spaceId === undefined) {
    return {
      code: "unknown-space",
      why: `no single space has the id, path or name "${entry.space}" (a name two spaces share needs its path, e.g. platform/production)`,
    };
  }
  if (role === undefined) return { code: "unknown-role", why: `no role has the id or name "${entry.role}"` };
  if (role.principalKinds !== null && !role.principalKinds.includes(resolver.principalKind)) {
    return {
      code: "kind-not-allowed",
      why: `role ${role.name} cannot be held by a ${resolver.principalKind}`,
    };
  }
  if (allowedSpaces !== null && !allowedSpaces.has(spaceId)) {
    return {
      code: "outside-set-scope",
      why: `policy set ${set.name} is not attached above space ${spaceId}`,
    };
  }
  return undefined;
}

/** `list` with `item` added at its end (a new list when there was none). */
function appended<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** Combines the login policies' results (set by set, in order) into the decision for the caller in `input`. */
export function combineLoginResults(
  evaluated: readonly EvaluatedLoginSet[],
  input: unknown,
  resolver: LoginResolver,
): LoginDecision {
  // Plain loops and lists made only when something goes in them: this runs on every request a
  // login policy governs.
  const results: LoginPolicyResult[] = [];
  let grants: AccessGrant[] | undefined;
  let ignored: IgnoredRole[] | undefined;
  let errors: string[] | undefined;
  let denyMessages: string[] | undefined;
  let seen: Set<string> | undefined;
  let allowRequired = false;
  let allowed = false;
  let scope: ReadonlySet<string> | undefined;
  for (const { set, results: setResults } of evaluated) {
    // Global sets apply to every caller: the caller's scope is needed only for the others.
    let appliesToCaller = set.global;
    if (!appliesToCaller) {
      scope ??= callerScope(resolver.tree, input);
      appliesToCaller = setAppliesToCaller(set, scope);
    }
    let allowedSpaces: ReadonlySet<string> | null | undefined;
    for (const result of setResults) {
      results.push(result);
      if (appliesToCaller) {
        if (result.definesAllow) allowRequired = true;
        if (result.allow) allowed = true;
      }
      if (result.error !== undefined) errors = appended(errors, result.error);
      for (const message of result.deny) denyMessages = appended(denyMessages, message);
      if (result.roles.length === 0) continue;
      // A set attached to spaces grants roles only in those spaces' subtrees.
      if (allowedSpaces === undefined)
        allowedSpaces = set.global
          ? null
          : new Set(set.spaceIds.flatMap((id) => resolver.tree.subtreeIds(id)));
      for (const entry of result.roles) {
        const spaceId = spaceIdByReference(resolver.tree, entry.space);
        const role = resolver.roles.get(entry.role);
        const problem = roleProblem(resolver, set, allowedSpaces, spaceId, entry, role);
        if (problem !== undefined || spaceId === undefined || role === undefined) {
          ignored = appended(ignored, {
            space: entry.space,
            role: entry.role,
            policyName: result.policyName,
            code: problem?.code ?? "unknown-role",
            why: problem?.why ?? "unresolved",
          });
          continue;
        }
        const key = `${result.policyId}|${spaceId}|${role.id}`;
        seen ??= new Set();
        if (seen.has(key)) continue;
        seen.add(key);
        grants = appended(grants, {
          spaceId,
          roleId: role.id,
          roleName: role.name,
          permissions: role.permissions,
          reason: { kind: "login-policy", policyId: result.policyId, policyName: result.policyName },
        });
      }
    }
  }
  const refusal: LoginRefusal | undefined =
    errors !== undefined
      ? "error"
      : denyMessages !== undefined
        ? "deny"
        : allowRequired && !allowed
          ? "not-allowed"
          : undefined;
  if (refusal === "not-allowed") denyMessages = ["no login policy's allow admits this caller"];
  const denied = refusal !== undefined;
  return {
    applied: results.length > 0,
    allowed,
    allowRequired,
    denied,
    refusal,
    errors: errors ?? NONE,
    denyMessages: denyMessages ?? NONE,
    // Deny wins: a denied login gets no roles from policies.
    grants: denied || grants === undefined ? NONE : grants,
    ignored: ignored ?? NONE,
    results,
  };
}
