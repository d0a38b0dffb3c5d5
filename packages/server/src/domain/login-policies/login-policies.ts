// Domain layer, login policies: evaluated on every authenticated request (so time windows and IP
// ranges hold exactly), from memory: compiled sets, the caller's subject (principal, teams, key)
// and the role index are cached per store and dropped on the matching change events. Their roles
// add to direct and team bindings; deny wins; an `allow` that applies must admit the caller; an
// evaluation error refuses (fail closed). Each evaluation has a tight budget and each organization
// a CPU share per second (login-policy-limits.ts); the owners keep the repair endpoints whatever
// the policies say (login-break-glass.ts, audited). Recent inputs are kept as samples, off the
// request path.
import type { ChangeEvent } from "../../store/change-feed.js";
import type { Store } from "../../store/store.js";
import { type AccessGrant, addGrants, type EffectiveAccess } from "../access/effective-access.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import {
  type CompiledPolicySet,
  type GovernanceSnapshot,
  type PolicyCache,
  policyCacheOf,
} from "../policy-evaluations/compiled-policy-sets.js";
import { flushQueuedSamples, queuePolicySample } from "../policy-evaluations/policy-sample.js";
import { BUILT_IN_ROLES, type Role } from "../roles/built-in-roles.js";
import { roleFromRow } from "../roles/role.js";
import { isOwner, isRepairRoute, type RequestRoute } from "./login-break-glass.js";
import { LoadedValues } from "./loaded-values.js";
import { LoginCpuClock } from "./login-cpu-clock.js";
import { LoginCpuMeter } from "./login-cpu-meter.js";
import { decideLogin, type IgnoredRole, type LoginDecision } from "./login-decision.js";
import {
  buildLoginInput,
  type LoginCredential,
  type LoginRequest,
  type LoginSubject,
  loadLoginSubject,
  loginInputToJson,
  nowNs,
} from "./login-input.js";
import { combinedReuse, type LoginReuse } from "./login-policy-inputs.js";
import { loginPolicyLimits } from "./login-policy-limits.js";
import { type ExplainedRole, explainRoles } from "./login-rule-explanation.js";

/** How often at most a role name a login policy grants but the cached roles lack is looked up again. */
export const UNKNOWN_ROLE_RETRY_MS = 1000;

/** How often at most one caller's refused logins of one kind are written to the audit log. */
export const DENIED_LOGIN_AUDIT_INTERVAL_MS = 10_000;

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

const loginSetsBySnapshot = new WeakMap<GovernanceSnapshot, CompiledPolicySet[]>();

/** The login sets that apply: global ones, and those attached to at least one space (memoized per snapshot). */
export function loginSets(snapshot: GovernanceSnapshot): CompiledPolicySet[] {
  let sets = loginSetsBySnapshot.get(snapshot);
  if (!sets) {
    sets = snapshot.sets.filter(
      (s) =>
        s.set.entityTypes.includes("login") &&
        s.set.events.includes("onLogin") &&
        (s.set.global || s.set.spaceIds.length > 0),
    );
    loginSetsBySnapshot.set(snapshot, sets);
  }
  return sets;
}

/** A refusal decided without waiting, for the `apply` that follows (same credential, clock and policies). */
interface HandedRefusal {
  readonly key: string;
  readonly timestampNs: bigint;
  readonly snapshot: GovernanceSnapshot;
  readonly decision: LoginDecision;
}

/** A decision kept for reuse, with the roles it was resolved against. */
interface ReusableDecision {
  readonly roles: ReadonlyMap<string, Role>;
  readonly decision: LoginDecision;
}

/** How many caller addresses' decisions are kept per caller before they are all forgotten. */
const REUSED_ADDRESSES_PER_CALLER = 64;

type Reuse = LoginReuse;

/** The second a nanosecond timestamp falls in (floor, also before 1970). */
function secondOf(ns: bigint): bigint {
  const s = ns / 1_000_000_000n;
  return ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s;
}

// Read once: the getter calls into the runtime, and the origin of a process's clock never moves.
const TIME_ORIGIN_MS = performance.timeOrigin;

/** A `performance.now()` reading as epoch milliseconds on a clock that only moves forward (the meter's seconds; not `Date`, which tests fake). */
function epochMs(performanceMs: number): number {
  return TIME_ORIGIN_MS + performanceMs;
}

/** Where a caller's reusable decision is kept: by address, and by second when it reads the clock. */
function reuseKey(reuse: Exclude<Reuse, "never">, remoteIp: string, timestampNs: bigint): string {
  return reuse === "always" ? remoteIp : `${remoteIp}|${secondOf(timestampNs)}`;
}

/** Keeps a decision for reuse; not one with errors (a budget running out, say): the next request tries again. */
function keepForReuse(
  byAddress: Map<string, ReusableDecision>,
  key: string,
  roles: ReadonlyMap<string, Role>,
  decision: LoginDecision,
): void {
  if (decision.results.some((r) => r.error !== undefined)) return;
  if (byAddress.size >= REUSED_ADDRESSES_PER_CALLER) byAddress.clear();
  byAddress.set(key, { roles, decision });
}

const subjectKeys = new WeakMap<LoginCredential, string>();

/**
 * The key of a credential's subject, memoized per credential object: a caller that presents the
 * same credential object on each request (the authenticator keeps one per cached token) neither
 * joins the key nor hashes a new string each time.
 */
function subjectKey(c: LoginCredential): string {
  let key = subjectKeys.get(c);
  if (key === undefined) {
    key = `${c.organizationId}|${c.principalId}|${c.tokenId ?? ""}|${c.apiKeyId ?? ""}`;
    subjectKeys.set(c, key);
  }
  return key;
}

/** Login policy evaluation for one (root) store, with its caches. */
export class LoginPolicies {
  private readonly policies: PolicyCache;
  private readonly subjects = new LoadedValues<LoginSubject>();
  private readonly roleIndexes = new LoadedValues<Map<string, Role>>();
  /** A refusal decided by `applyCached`, for the `apply` that follows it at once (see `takeRefusal`). */
  private refusal: HandedRefusal | undefined;
  /** When each credential's input was last kept, by organization and then key (or token, or principal) id. */
  private readonly lastSampled = new Map<string, Map<string, number>>();
  private readonly unknownRoleRetries = new Map<string, number>();
  private readonly cpu = new LoginCpuMeter(() => loginPolicyLimits().cpuMsPerSecond);
  private readonly cpuClock = new LoginCpuClock();
  private readonly lastDeniedAudit = new Map<string, { at: number; suppressed: number }>();
  private pendingAudits: Promise<void> = Promise.resolve();
  private readonly reusableSets = new WeakMap<readonly CompiledPolicySet[], Reuse>();
  private readonly decisions = new WeakMap<
    GovernanceSnapshot,
    WeakMap<LoginSubject, Map<string, ReusableDecision>>
  >();
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
        if (event.organizationId !== undefined) {
          this.forgetSubjects(event.organizationId);
          this.roleIndexes.delete(event.organizationId);
          return;
        }
        this.subjects.clear();
        this.roleIndexes.clear();
        return;
      default:
        return;
    }
  }

  private forgetSubjects(organizationId: string): void {
    this.subjects.deleteByPrefix(`${organizationId}|`);
  }

  private subject(credential: LoginCredential): Promise<LoginSubject> {
    return this.subjects.get(subjectKey(credential), () => loadLoginSubject(this.store, credential));
  }

  /** The organization's roles (built-in and custom) by id and by name, cached. */
  roleIndex(organizationId: string): Promise<Map<string, Role>> {
    return this.roleIndexes.get(organizationId, () =>
      this.store.db
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
        }),
    );
  }

  /** Evaluates the organization's login policies for a credential and request. */
  async evaluate(credential: LoginCredential, request: LoginRequest): Promise<EvaluatedLogin> {
    const snapshot = await this.policies.snapshot(this.store, credential.organizationId);
    const subject = await this.subject(credential);
    const { decision, input } = await this.evaluateFor(
      snapshot,
      loginSets(snapshot),
      subject,
      credential,
      request,
    );
    return { ...decision, input };
  }

  private async evaluateFor(
    snapshot: GovernanceSnapshot,
    sets: readonly CompiledPolicySet[],
    subject: LoginSubject,
    credential: LoginCredential,
    request: LoginRequest,
    // One clock for the request: `input.request.timestamp_ns` and `time.now_ns()` agree.
    timestampNs: bigint = request.timestampNs ?? nowNs(),
  ): Promise<{ decision: LoginDecision; input: Record<string, unknown>; roles: ReadonlyMap<string, Role> }> {
    let roles = await this.roleIndex(credential.organizationId);
    const input = buildLoginInput(subject, request, timestampNs);
    let decision = this.decide(snapshot, sets, subject, roles, credential.organizationId, input, timestampNs);
    if (this.shouldReloadRoles(credential.organizationId, decision)) {
      // A role created since the roles were cached (creation sends no change event): look again.
      this.roleIndexes.delete(credential.organizationId);
      roles = await this.roleIndex(credential.organizationId);
      decision = this.decide(snapshot, sets, subject, roles, credential.organizationId, input, timestampNs);
    }
    this.keepSample(credential, input);
    return { decision, input, roles };
  }

  /**
   * Evaluates the sets on an input, within the organization's share of login-policy CPU per second:
   * checked before (DomainError `unavailable` past it) and charged after (login-cpu-clock.ts: its
   * CPU time, read cheaply; when it failed, at least its wall time).
   */
  private decide(
    snapshot: GovernanceSnapshot,
    sets: readonly CompiledPolicySet[],
    subject: LoginSubject,
    roles: ReadonlyMap<string, Role>,
    organizationId: string,
    input: Record<string, unknown>,
    timestampNs: bigint,
  ): LoginDecision {
    const start = this.cpuClock.start();
    const waitMs = this.cpu.waitMs(organizationId, epochMs(start.wallMs));
    if (waitMs > 0) {
      throw new DomainError(
        "unavailable",
        "this organization's login policies used their CPU share for this second; retry shortly",
        { details: { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } },
      );
    }
    let failed = true;
    try {
      const decision = decideLogin(
        sets,
        input,
        { tree: snapshot.tree, roles, principalKind: subject.principal.kind },
        timestampNs,
      );
      failed = decision.errors.length > 0;
      return decision;
    } finally {
      const charged = this.cpuClock.finish(start, failed);
      this.cpu.charge(organizationId, charged.ms, epochMs(charged.endMs));
    }
  }

  /**
   * How long the sets' decision holds for one caller and address (memoized): always, when every
   * policy reads only the session and the address; within one second, when some also read the
   * civil time of the request; otherwise never.
   */
  private reusable(sets: readonly CompiledPolicySet[]): Reuse {
    let reusable = this.reusableSets.get(sets);
    if (reusable === undefined) {
      reusable = combinedReuse(sets.flatMap((s) => s.policies));
      this.reusableSets.set(sets, reusable);
    }
    return reusable;
  }

  /** The reusable decisions of a subject under a snapshot, by caller address. */
  private decisionsOf(snapshot: GovernanceSnapshot, subject: LoginSubject): Map<string, ReusableDecision> {
    let bySubject = this.decisions.get(snapshot);
    if (!bySubject) {
      bySubject = new WeakMap();
      this.decisions.set(snapshot, bySubject);
    }
    let byAddress = bySubject.get(subject);
    if (!byAddress) {
      byAddress = new Map();
      bySubject.set(subject, byAddress);
    }
    return byAddress;
  }

  /**
   * The decision for a request. A policy that reads only the session and the address decides the
   * same again for the same caller, address, policies and roles: that decision is reused (exactly
   * what evaluating again would give); any other policy is evaluated on every request.
   */
  private async decisionFor(
    snapshot: GovernanceSnapshot,
    sets: readonly CompiledPolicySet[],
    credential: LoginCredential,
    request: LoginRequest,
  ): Promise<LoginDecision> {
    const subject = await this.subject(credential);
    const reuse = this.reusable(sets);
    if (reuse === "never")
      return (await this.evaluateFor(snapshot, sets, subject, credential, request)).decision;
    // One clock for the request, fixed here so that the key and the evaluation agree.
    const timestampNs = request.timestampNs ?? nowNs();
    const key = reuseKey(reuse, request.remoteIp, timestampNs);
    const byAddress = this.decisionsOf(snapshot, subject);
    const known = byAddress.get(key);
    if (known !== undefined && known.roles === (await this.roleIndex(credential.organizationId))) {
      if (this.sampleDue(credential)) this.sampleLater(credential, request);
      return known.decision;
    }
    const { decision, roles } = await this.evaluateFor(
      snapshot,
      sets,
      subject,
      credential,
      request,
      timestampNs,
    );
    keepForReuse(byAddress, key, roles, decision);
    return decision;
  }

  /** True when a granted role name is unknown and was not looked up again in the last second. */
  private shouldReloadRoles(organizationId: string, decision: LoginDecision): boolean {
    return this.reloadDue(organizationId, decision, true);
  }

  /** Whether a granted role name is unknown and was not looked up again in the last second (noted when `note`). */
  private reloadDue(organizationId: string, decision: LoginDecision, note: boolean): boolean {
    if (decision.ignored.length === 0) return false;
    const now = Date.now();
    let reload = false;
    for (const entry of decision.ignored) {
      if (entry.code !== "unknown-role") continue;
      const key = `${organizationId}|${entry.role}`;
      const last = this.unknownRoleRetries.get(key);
      if (last !== undefined && now - last < UNKNOWN_ROLE_RETRY_MS) continue;
      if (!note) return true;
      this.unknownRoleRetries.set(key, now);
      reload = true;
    }
    return reload;
  }

  /**
   * `apply` without waiting, when it can be answered from memory: the organization's compiled sets
   * are loaded, and either none of them is a login policy (the common case) or the caller's subject
   * and the organization's roles are loaded too and the policies admit the request. Undefined
   * otherwise: the caller then waits for `apply` (which, right after a refusal decided here,
   * takes that decision instead of evaluating again).
   */
  applyCached(
    access: EffectiveAccess,
    credential: LoginCredential,
    presented: LoginRequest,
  ): EffectiveAccess | undefined {
    // One clock for the decision and for the refusal handed to `apply`.
    const request: LoginRequest =
      presented.timestampNs === undefined ? { ...presented, timestampNs: nowNs() } : presented;
    const snapshot = this.policies.peek(credential.organizationId);
    if (snapshot === undefined) return undefined;
    const sets = loginSets(snapshot);
    if (sets.length === 0) {
      // No login policy: nothing to judge; the input is still kept now and then for simulations.
      if (this.sampleDue(credential)) this.sampleLater(credential, request);
      return access;
    }
    const key = subjectKey(credential);
    const subject = this.subjects.peek(key);
    const roles = this.roleIndexes.peek(credential.organizationId);
    if (subject === undefined || roles === undefined) return undefined;
    const decision = this.decisionNow(snapshot, sets, subject, roles, credential, request);
    if (decision === undefined) return undefined;
    if (decision.denied) {
      this.refusal = { key, timestampNs: request.timestampNs as bigint, snapshot, decision };
      return undefined;
    }
    return decision.grants.length === 0 ? access : addGrants(access, decision.grants);
  }

  /**
   * decisionFor, without waiting, for a subject and roles in memory; undefined when it must wait
   * (the CPU share is used: `apply` refuses, or lets an owner repair; a granted role is unknown
   * and due to be looked up again).
   */
  private decisionNow(
    snapshot: GovernanceSnapshot,
    sets: readonly CompiledPolicySet[],
    subject: LoginSubject,
    roles: ReadonlyMap<string, Role>,
    credential: LoginCredential,
    request: LoginRequest,
  ): LoginDecision | undefined {
    const timestampNs = request.timestampNs as bigint;
    const reuse = this.reusable(sets);
    let byAddress: Map<string, ReusableDecision> | undefined;
    let key = "";
    if (reuse !== "never") {
      key = reuseKey(reuse, request.remoteIp, timestampNs);
      byAddress = this.decisionsOf(snapshot, subject);
      const known = byAddress.get(key);
      if (known !== undefined && known.roles === roles) {
        if (this.sampleDue(credential)) this.sampleLater(credential, request);
        return known.decision;
      }
    }
    const organizationId = credential.organizationId;
    const input = buildLoginInput(subject, request, timestampNs);
    let decision: LoginDecision;
    try {
      decision = this.decide(snapshot, sets, subject, roles, organizationId, input, timestampNs);
    } catch (error) {
      if (error instanceof DomainError && error.code === "unavailable") return undefined;
      throw error;
    }
    if (this.reloadDue(organizationId, decision, false)) return undefined;
    this.keepSample(credential, input);
    if (byAddress !== undefined) keepForReuse(byAddress, key, roles, decision);
    return decision;
  }

  /** The refusal `applyCached` just decided for this credential and clock, taken once. */
  private takeRefusal(credential: LoginCredential, request: LoginRequest): HandedRefusal | undefined {
    const refusal = this.refusal;
    if (refusal === undefined) return undefined;
    this.refusal = undefined;
    const current = this.policies.peek(credential.organizationId);
    return refusal.timestampNs === request.timestampNs &&
      refusal.snapshot === current &&
      refusal.key === subjectKey(credential)
      ? refusal
      : undefined;
  }

  /**
   * Adds login-policy roles to a principal's access (direct and team bindings); throws DomainError
   * `forbidden` when the login policies refuse the request (a deny, no admitting `allow`, or an
   * evaluation error) and `unavailable` when the organization used its CPU share for this second.
   * Neither applies to the organization's owners on the repair endpoints (`route`), except an
   * explicit `deny`: they keep their bindings, and the use of that break-glass is audited. Call on every authenticated request.
   */
  async apply(
    access: EffectiveAccess,
    credential: LoginCredential,
    request: LoginRequest,
    route?: RequestRoute,
  ): Promise<EffectiveAccess> {
    // Taken before any wait: `applyCached` hands it to the `apply` its caller makes right after.
    const handed = this.takeRefusal(credential, request);
    const snapshot =
      handed?.snapshot ?? (await this.policies.snapshot(this.store, credential.organizationId));
    const sets = loginSets(snapshot);
    if (sets.length === 0) {
      // No login policy: nothing to judge; the input is still kept now and then for simulations.
      if (this.sampleDue(credential)) this.sampleLater(credential, request);
      return access;
    }
    const breakGlass = route !== undefined && isRepairRoute(route) && isOwner(access, snapshot.tree);
    let decision: LoginDecision;
    try {
      decision = handed?.decision ?? (await this.decisionFor(snapshot, sets, credential, request));
    } catch (error) {
      if (!(breakGlass && error instanceof DomainError && error.code === "unavailable")) throw error;
      await this.auditBreakGlass(credential, request, route, "throttled", [error.message], []);
      return access;
    }
    if (decision.denied) {
      this.auditDenied(credential, request, route, decision);
      // An explicit `deny` holds for owners too (deny always wins: an IP range that refuses a
      // stolen admin token must refuse it everywhere); errors and a missing admission do not.
      if (breakGlass && decision.refusal !== "deny") {
        await this.auditBreakGlass(
          credential,
          request,
          route,
          decision.refusal ?? "deny",
          decision.denyMessages,
          decision.errors,
        );
        return access;
      }
      throw new DomainError(
        "forbidden",
        `a login policy denied this request: ${decision.denyMessages.join("; ")}`,
        {
          details: { messages: decision.denyMessages, refusal: decision.refusal },
        },
      );
    }
    return decision.grants.length === 0 ? access : addGrants(access, decision.grants);
  }

  /** Records (awaited: the repair never goes unaudited) that an owner used the break-glass, and why. */
  private async auditBreakGlass(
    credential: LoginCredential,
    request: LoginRequest,
    route: RequestRoute | undefined,
    why: string,
    messages: readonly string[],
    errors: readonly string[],
  ): Promise<void> {
    await recordAuditEvent(this.store, {
      organizationId: credential.organizationId,
      actor: actorOf(credential, request),
      action: "login.break-glass",
      resourceType: "principal",
      resourceId: credential.principalId,
      outcome: "success",
      details: {
        breakGlass: true,
        why,
        explanation:
          "an owner (admin at the root space) reached a policy repair endpoint although the login policies refused or could not judge the request",
        messages: [...messages],
        errors: [...errors],
        ...routeDetails(route),
      },
    });
  }

  /**
   * Records a refused login (with the policy errors, if any), at most once per caller and kind of
   * refusal per interval (a refused caller retrying must not flood the log), off the request path.
   */
  private auditDenied(
    credential: LoginCredential,
    request: LoginRequest,
    route: RequestRoute | undefined,
    decision: LoginDecision,
  ): void {
    const key = `${subjectKey(credential)}|${decision.refusal}`;
    const now = Date.now();
    const last = this.lastDeniedAudit.get(key);
    if (last !== undefined && now - last.at < DENIED_LOGIN_AUDIT_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    if (this.lastDeniedAudit.size >= 10_000) this.lastDeniedAudit.clear();
    this.lastDeniedAudit.set(key, { at: now, suppressed: 0 });
    const event = {
      organizationId: credential.organizationId,
      actor: actorOf(credential, request),
      action: "login.denied",
      resourceType: "principal",
      resourceId: credential.principalId,
      outcome: "denied" as const,
      details: {
        refusal: decision.refusal,
        errors: [...decision.errors],
        messages: [...decision.denyMessages],
        refusedSinceLastEvent: last?.suppressed ?? 0,
        ...routeDetails(route),
      },
    };
    this.pendingAudits = this.pendingAudits
      .then(() => recordAuditEvent(this.store, event))
      .then(
        () => undefined,
        () => undefined,
      );
  }

  /** Resolves once every refused-login audit event queued so far is written (for tests and shutdown). */
  flushAudits(): Promise<void> {
    return this.pendingAudits;
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
    return (await this.explainedAccess(credential, request)).grants;
  }

  /**
   * explainedGrants, and the roles policies named that granted nothing, each with why (a space
   * name that matched no space or more than one, an unknown role, ...).
   */
  async explainedAccess(
    credential: LoginCredential,
    request: LoginRequest,
  ): Promise<{ grants: AccessGrant[]; ignored: readonly IgnoredRole[] }> {
    const { decision, rules } = await this.explain(credential, request);
    const snapshot = await this.policies.snapshot(this.store, credential.organizationId);
    const grants = decision.grants.map((grant) => {
      if (grant.reason.kind !== "login-policy") return grant;
      const spaceName = snapshot.tree.spaces.get(grant.spaceId)?.name;
      const rule = rules
        .get(grant.reason.policyId)
        ?.find(
          (e) =>
            (e.space === grant.spaceId || e.space === spaceName) &&
            (e.role === grant.roleId || e.role === grant.roleName),
        )?.rule;
      return rule === undefined ? grant : { ...grant, reason: { ...grant.reason, rule } };
    });
    return { grants, ignored: decision.denied ? [] : decision.ignored };
  }

  /** True (and noted) when the credential's login input has not been kept in the last interval. */
  private sampleDue(credential: LoginCredential): boolean {
    // Two lookups by ids the caches hold, not one by a key built per request (this runs on every one).
    let ofOrganization = this.lastSampled.get(credential.organizationId);
    if (ofOrganization === undefined) {
      ofOrganization = new Map();
      this.lastSampled.set(credential.organizationId, ofOrganization);
    }
    const id = credential.apiKeyId ?? credential.tokenId ?? credential.principalId;
    const now = Date.now();
    const last = ofOrganization.get(id);
    if (last !== undefined && now - last < LOGIN_SAMPLE_INTERVAL_MS) return false;
    ofOrganization.set(id, now);
    return true;
  }

  private keepSample(credential: LoginCredential, input: Record<string, unknown>): void {
    if (this.sampleDue(credential)) this.recordSample(credential.organizationId, loginInputToJson(input));
  }

  /** Builds the input off the request path (loading the subject if need be) and keeps it as a sample. */
  private sampleLater(credential: LoginCredential, request: LoginRequest): void {
    const timestampNs = request.timestampNs ?? nowNs();
    this.subject(credential).then(
      (subject) =>
        this.recordSample(
          credential.organizationId,
          loginInputToJson(buildLoginInput(subject, request, timestampNs)),
        ),
      () => undefined,
    );
  }

  private recordSample(organizationId: string, input: unknown): void {
    const sample = {
      organizationId,
      entityType: "login",
      event: "onLogin",
      action: "login",
      spaceId: null,
      input,
      evaluationId: null,
      createdAt: Date.now(),
    };
    // Queued, written with the others by a timer: off the request's path, which includes the rest
    // of its event-loop turn (a response waits for it, http/plugins/response-batching.ts; written
    // there, the first sample's cold queries took 4 ms of the first request). A lost sample only
    // makes simulations see one fewer input.
    queuePolicySample(this.store, sample);
  }

  /** Resolves once every sample queued so far is written (for tests and shutdown). */
  flushSamples(): Promise<void> {
    return flushQueuedSamples(this.store);
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.unsubscribe();
  }
}

function actorOf(credential: LoginCredential, request: LoginRequest) {
  return {
    principalId: credential.principalId,
    ...(credential.tokenId === undefined ? {} : { tokenId: credential.tokenId }),
    ip: request.remoteIp,
    via: "api" as const,
  };
}

function routeDetails(route: RequestRoute | undefined): Record<string, string> {
  return route === undefined ? {} : { method: route.method, path: route.url.split("?")[0] ?? "" };
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

/**
 * The authenticator's hook, called on every authenticated request: adds the roles the
 * organization's login policies grant this caller now, from this address, to its bindings; throws
 * DomainError `forbidden` when the login policies refuse the request and `unavailable` when the
 * organization used its login-policy CPU for this second (owners on repair routes excepted).
 */
export function applyLoginPolicies(
  store: Store,
  access: EffectiveAccess,
  credential: LoginCredential,
  request: LoginRequest,
  route?: RequestRoute,
): Promise<EffectiveAccess> {
  return loginPoliciesOf(store).apply(access, credential, request, route);
}
