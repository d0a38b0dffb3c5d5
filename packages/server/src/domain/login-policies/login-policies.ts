// Domain layer, login policies: evaluated on every authenticated request (so time windows and IP
// ranges hold exactly), from memory: compiled sets, the caller's subject (principal, teams, key)
// and the role index are cached per store and dropped on the matching change events. Their roles
// add to direct and team bindings; deny wins. Recent inputs are kept as samples, off the request path.
import type { ChangeEvent } from "../../store/change-feed.js";
import type { Store } from "../../store/store.js";
import { type AccessGrant, addGrants, type EffectiveAccess } from "../access/effective-access.js";
import { DomainError } from "../domain-error.js";
import {
  type CompiledPolicySet,
  type GovernanceSnapshot,
  type PolicyCache,
  policyCacheOf,
} from "../policy-evaluations/compiled-policy-sets.js";
import { recordPolicySample } from "../policy-evaluations/policy-sample.js";
import { BUILT_IN_ROLES, type Role } from "../roles/built-in-roles.js";
import { roleFromRow } from "../roles/role.js";
import { decideLogin, type LoginDecision } from "./login-decision.js";
import {
  buildLoginInput,
  type LoginCredential,
  type LoginRequest,
  type LoginSubject,
  loadLoginSubject,
  loginInputToJson,
  nowNs,
} from "./login-input.js";
import { type ExplainedRole, explainRoles } from "./login-rule-explanation.js";

/** How often at most a role name a login policy grants but the cached roles lack is looked up again. */
export const UNKNOWN_ROLE_RETRY_MS = 1000;

/** How often at most one caller's login input is kept as a sample. */
export const LOGIN_SAMPLE_INTERVAL_MS = 60_000;

/** A login decision with the input it was made on. */
export interface EvaluatedLogin extends LoginDecision {
  readonly input: Record<string, unknown>;
}

/** Per-rule explanations of the roles each login policy granted. */
export interface LoginExplanation {
  readonly decision: EvaluatedLogin;
  /** Per policy id, each granted entry with the rule that yields it. */
  readonly rules: ReadonlyMap<string, readonly ExplainedRole[]>;
}

/** The login sets that apply: global ones, and those attached to at least one space. */
export function loginSets(snapshot: GovernanceSnapshot): CompiledPolicySet[] {
  return snapshot.sets.filter(
    (s) =>
      s.set.entityTypes.includes("login") &&
      s.set.events.includes("onLogin") &&
      (s.set.global || s.set.spaceIds.length > 0),
  );
}

function subjectKey(c: LoginCredential): string {
  return `${c.organizationId}|${c.principalId}|${c.tokenId ?? ""}|${c.apiKeyId ?? ""}`;
}

/** Login policy evaluation for one (root) store, with its caches. */
export class LoginPolicies {
  private readonly policies: PolicyCache;
  private readonly subjects = new Map<string, Promise<LoginSubject>>();
  private readonly roleIndexes = new Map<string, Promise<Map<string, Role>>>();
  private readonly lastSampled = new Map<string, number>();
  private readonly unknownRoleRetries = new Map<string, number>();
  private pendingSamples: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store) {
    this.policies = policyCacheOf(store);
    this.unsubscribe = store.changes.subscribe((event) => this.onChange(event));
  }

  private onChange(event: ChangeEvent): void {
    switch (event.kind) {
      case "role.changed":
        this.roleIndexes.delete(event.organizationId);
        return;
      case "principal.changed":
      case "team-membership.changed":
      case "api-key.deleted":
      case "token.updated":
      case "token.revoked":
      case "token.rotated":
      case "token.deleted":
        this.forgetSubjects(event.organizationId);
        return;
      case "resync":
        this.subjects.clear();
        this.roleIndexes.clear();
        return;
      default:
        return;
    }
  }

  private forgetSubjects(organizationId: string): void {
    for (const key of this.subjects.keys()) if (key.startsWith(`${organizationId}|`)) this.subjects.delete(key);
  }

  private subject(credential: LoginCredential): Promise<LoginSubject> {
    const key = subjectKey(credential);
    let subject = this.subjects.get(key);
    if (!subject) {
      subject = loadLoginSubject(this.store, credential);
      this.subjects.set(key, subject);
      subject.catch(() => this.subjects.delete(key));
    }
    return subject;
  }

  /** The organization's roles (built-in and custom) by id and by name, cached. */
  roleIndex(organizationId: string): Promise<Map<string, Role>> {
    let index = this.roleIndexes.get(organizationId);
    if (!index) {
      index = this.store.db
        .selectFrom("roles")
        .selectAll()
        .where("organization_id", "=", organizationId)
        .execute()
        .then((rows) => {
          const map = new Map<string, Role>();
          for (const role of [...BUILT_IN_ROLES, ...rows.map(roleFromRow)]) {
            map.set(role.id, role);
            if (!map.has(role.name)) map.set(role.name, role);
          }
          return map;
        });
      this.roleIndexes.set(organizationId, index);
      index.catch(() => this.roleIndexes.delete(organizationId));
    }
    return index;
  }

  /** Evaluates the organization's login policies for a credential and request. */
  async evaluate(credential: LoginCredential, request: LoginRequest): Promise<EvaluatedLogin> {
    const [snapshot, subject, roles] = await Promise.all([
      this.policies.snapshot(this.store, credential.organizationId),
      this.subject(credential),
      this.roleIndex(credential.organizationId),
    ]);
    // One clock for the request: `input.request.timestamp_ns` and `time.now_ns()` agree.
    const timestampNs = request.timestampNs ?? nowNs();
    const input = buildLoginInput(subject, { ...request, timestampNs });
    const sets = loginSets(snapshot);
    const decide = (index: ReadonlyMap<string, Role>) =>
      decideLogin(sets, input, { tree: snapshot.tree, roles: index, principalKind: subject.principal.kind }, timestampNs);
    let decision = decide(roles);
    if (this.shouldReloadRoles(credential.organizationId, decision)) {
      // A role created since the roles were cached (creation sends no change event): look again.
      this.roleIndexes.delete(credential.organizationId);
      decision = decide(await this.roleIndex(credential.organizationId));
    }
    this.keepSample(credential, input);
    return { ...decision, input };
  }

  /** True when a granted role name is unknown and was not looked up again in the last second. */
  private shouldReloadRoles(organizationId: string, decision: LoginDecision): boolean {
    const now = Date.now();
    let reload = false;
    for (const entry of decision.ignored) {
      if (entry.code !== "unknown-role") continue;
      const key = `${organizationId}|${entry.role}`;
      const last = this.unknownRoleRetries.get(key);
      if (last !== undefined && now - last < UNKNOWN_ROLE_RETRY_MS) continue;
      this.unknownRoleRetries.set(key, now);
      reload = true;
    }
    return reload;
  }

  /**
   * Adds login-policy roles to a principal's access (direct and team bindings); throws DomainError
   * `forbidden` when a login policy denies the request. Call on every authenticated request.
   */
  async apply(access: EffectiveAccess, credential: LoginCredential, request: LoginRequest): Promise<EffectiveAccess> {
    const decision = await this.evaluate(credential, request);
    if (decision.denied) {
      throw new DomainError("forbidden", `a login policy denied this request: ${decision.denyMessages.join("; ")}`, {
        details: { messages: decision.denyMessages },
      });
    }
    return decision.grants.length === 0 ? access : addGrants(access, decision.grants);
  }

  /** Evaluates and says, for every role a login policy granted, which rule granted it. */
  async explain(credential: LoginCredential, request: LoginRequest): Promise<LoginExplanation> {
    const decision = await this.evaluate(credential, request);
    const snapshot = await this.policies.snapshot(this.store, credential.organizationId);
    const rules = new Map<string, ExplainedRole[]>();
    for (const result of decision.results) {
      if (result.roles.length === 0 || rules.has(result.policyId)) continue;
      const compiled = snapshot.sets
        .flatMap((s) => s.policies)
        .find((p) => p.policyId === result.policyId && p.ok && p.queries.kind === "login");
      if (compiled) rules.set(result.policyId, explainRoles(compiled, decision.input));
    }
    return { decision, rules };
  }

  /**
   * The roles login policies grant a credential now, each with its reason naming the policy and
   * the rule (`file:row: head`) that granted it; none when a login policy denies.
   */
  async explainedGrants(credential: LoginCredential, request: LoginRequest): Promise<AccessGrant[]> {
    const { decision, rules } = await this.explain(credential, request);
    const snapshot = await this.policies.snapshot(this.store, credential.organizationId);
    return decision.grants.map((grant) => {
      if (grant.reason.kind !== "login-policy") return grant;
      const spaceName = snapshot.tree.spaces.get(grant.spaceId)?.name;
      const rule = rules
        .get(grant.reason.policyId)
        ?.find(
          (e) =>
            (e.space === grant.spaceId || e.space === spaceName) && (e.role === grant.roleId || e.role === grant.roleName),
        )?.rule;
      return rule === undefined ? grant : { ...grant, reason: { ...grant.reason, rule } };
    });
  }

  private keepSample(credential: LoginCredential, input: Record<string, unknown>): void {
    const key = `${credential.organizationId}|${credential.apiKeyId ?? credential.tokenId ?? credential.principalId}`;
    const now = Date.now();
    const last = this.lastSampled.get(key);
    if (last !== undefined && now - last < LOGIN_SAMPLE_INTERVAL_MS) return;
    this.lastSampled.set(key, now);
    const sample = {
      organizationId: credential.organizationId,
      entityType: "login",
      event: "onLogin",
      action: "login",
      spaceId: null,
      input: loginInputToJson(input),
      evaluationId: null,
      createdAt: now,
    };
    // Off the request's critical path; a lost sample only makes simulations see one fewer input.
    this.pendingSamples = this.pendingSamples
      .then(() => recordPolicySample(this.store, sample))
      .then(
        () => undefined,
        () => undefined,
      );
  }

  /** Resolves once every sample queued so far is written (for tests and shutdown). */
  flushSamples(): Promise<void> {
    return this.pendingSamples;
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.unsubscribe();
  }
}

const instances = new WeakMap<Store, LoginPolicies>();

/** The login policy evaluator of a (root) store, created on first use. */
export function loginPoliciesOf(store: Store): LoginPolicies {
  if (store.inTransaction) throw new Error("loginPoliciesOf needs the root store, not a transaction handle");
  let instance = instances.get(store);
  if (!instance) {
    instance = new LoginPolicies(store);
    instances.set(store, instance);
  }
  return instance;
}
