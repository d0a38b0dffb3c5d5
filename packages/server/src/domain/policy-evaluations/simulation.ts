// Domain layer, policy evaluation: "sample and simulate". Runs a draft policy (not saved) against
// the kept samples of an entity type and shows, per sample, the outcome now and with the draft:
// the draft replaces a policy where that policy is used, joins a given set, or else applies as an
// extra policy everywhere. Nothing is written.
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { decideLogin } from "../login-policies/login-decision.js";
import { loginInputFromJson } from "../login-policies/login-input.js";
import { loginPoliciesOf, loginSets } from "../login-policies/login-policies.js";
import type { EnforcementLevel } from "../policies/policy.js";
import { policyProblemsError } from "../policies/policy-compilation.js";
import { POLICY_ENTITY_TYPES, type PolicyEntityType } from "../policy-sets/policy-set.js";
import {
  applicableSets,
  type CompiledPolicy,
  type CompiledPolicySet,
  compilePolicyFor,
  type GovernanceSnapshot,
  policyCacheOf,
} from "./compiled-policy-sets.js";
import { decideSave, type EvaluationOutcome } from "./policy-decision.js";
import { listPolicySamples, type PolicySample, SAMPLES_KEPT } from "./policy-sample.js";

/** A draft to simulate. */
export interface SimulationRequest {
  /** Whose samples: a save entity type, or `login`. */
  readonly entityType: unknown;
  /** The draft's Rego text. */
  readonly source: unknown;
  readonly query?: unknown;
  /** Default `mandatory`. */
  readonly enforcementLevel?: unknown;
  /** The draft replaces this policy wherever it is used. */
  readonly policyId?: string;
  /** Or: the draft joins this policy set. */
  readonly policySetId?: string;
  /** How many of the most recent samples (default and at most SAMPLES_KEPT). */
  readonly limit?: number;
}

/** One outcome of a sample: a save decision, or a login decision. */
export type SimulatedOutcome =
  | {
      readonly kind: "save";
      readonly outcome: EvaluationOutcome;
      readonly messages: readonly string[];
      readonly warnings: readonly string[];
    }
  | {
      readonly kind: "login";
      readonly allowed: boolean;
      readonly denied: boolean;
      readonly messages: readonly string[];
      /** Granted roles as `space/role` (ids), sorted. */
      readonly roles: readonly string[];
    };

/** A sample with its outcome now and with the draft. */
export interface SampleSimulation {
  readonly sampleId: string;
  readonly createdAt: number;
  readonly action: string;
  readonly input: unknown;
  readonly current: SimulatedOutcome;
  readonly draft: SimulatedOutcome;
  readonly changed: boolean;
}

/** The simulation of a draft over the samples. */
export interface SimulationResult {
  readonly entityType: PolicyEntityType;
  readonly packagePath: string;
  readonly samples: readonly SampleSimulation[];
}

const DRAFT_ID = "draft";

function withDraft(
  sets: readonly CompiledPolicySet[],
  all: readonly CompiledPolicySet[],
  draft: CompiledPolicy,
  request: SimulationRequest,
): CompiledPolicySet[] {
  if (request.policyId !== undefined) {
    const uses = all.some((s) => s.set.policyIds.includes(request.policyId!));
    if (uses) {
      return sets.map((s) => ({
        set: s.set,
        policies: s.policies.map((p) => (p.policyId === request.policyId ? { ...draft, policyId: p.policyId } : p)),
      }));
    }
  }
  if (request.policySetId !== undefined) {
    return sets.map((s) => (s.set.id === request.policySetId ? { set: s.set, policies: [...s.policies, draft] } : s));
  }
  const extra: CompiledPolicySet = {
    set: {
      id: DRAFT_ID,
      organizationId: "",
      name: "draft",
      description: null,
      global: true,
      entityTypes: [],
      events: [],
      policyIds: [DRAFT_ID],
      spaceIds: [],
      createdAt: 0,
      updatedAt: 0,
    },
    policies: [draft],
  };
  return [...sets, extra];
}

function checkEntityType(value: unknown): PolicyEntityType {
  if (!POLICY_ENTITY_TYPES.includes(value as PolicyEntityType)) {
    throw new DomainError(
      "invalid",
      `entity type must be one of ${POLICY_ENTITY_TYPES.join(", ")}; got ${JSON.stringify(value ?? null)}`,
      { field: "/data/attributes/entity-type" },
    );
  }
  return value as PolicyEntityType;
}

function checkDraft(request: SimulationRequest, purpose: "save" | "login"): Extract<CompiledPolicy, { ok: true }> {
  if (typeof request.source !== "string" || request.source.trim() === "") {
    throw new DomainError("invalid", "source must be the draft policy's Rego text", {
      field: "/data/attributes/source",
    });
  }
  const level = request.enforcementLevel ?? "mandatory";
  if (level !== "mandatory" && level !== "advisory") {
    throw new DomainError("invalid", 'enforcement level must be "mandatory" or "advisory"', {
      field: "/data/attributes/enforcement-level",
    });
  }
  if (request.query !== undefined && request.query !== null && typeof request.query !== "string") {
    throw new DomainError("invalid", "query must be a string", { field: "/data/attributes/query" });
  }
  const draft = compilePolicyFor(purpose, {
    policyId: DRAFT_ID,
    policyName: "draft",
    enforcementLevel: level as EnforcementLevel,
    query: typeof request.query === "string" ? request.query : null,
    source: request.source,
  });
  if (!draft.ok) throw policyProblemsError(draft.problems, "/data/attributes/source");
  return draft;
}

function saveOutcome(sets: readonly CompiledPolicySet[], input: unknown, atMs: number): SimulatedOutcome {
  const d = decideSave(sets, input, BigInt(atMs) * 1_000_000n);
  return { kind: "save", outcome: d.outcome, messages: d.messages, warnings: d.warnings };
}

function sameOutcome(a: SimulatedOutcome, b: SimulatedOutcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Runs a draft policy against the most recent samples of an entity type; writes nothing. */
export async function simulatePolicy(
  store: Store,
  organizationId: string,
  request: SimulationRequest,
): Promise<SimulationResult> {
  const entityType = checkEntityType(request.entityType);
  const purpose = entityType === "login" ? "login" : "save";
  const draft = checkDraft(request, purpose);
  const snapshot: GovernanceSnapshot = await policyCacheOf(store).snapshot(store, organizationId);
  for (const [id, kind] of [
    [request.policyId, "policies"],
    [request.policySetId, "policy_sets"],
  ] as const) {
    if (id === undefined) continue;
    const found = await store.db
      .selectFrom(kind)
      .select("id")
      .where("id", "=", id)
      .where("organization_id", "=", organizationId)
      .executeTakeFirst();
    if (!found) throw new DomainError("not_found", `${kind === "policies" ? "policy" : "policy set"} ${id} not found`);
  }
  const samples = await listPolicySamples(store, organizationId, entityType, request.limit ?? SAMPLES_KEPT);
  const simulate =
    purpose === "save"
      ? (sample: PolicySample) => {
          const sets = applicableSets(
            snapshot,
            entityType,
            "onSave",
            sample.spaceId,
          );
          const current = saveOutcome(sets, sample.input, sample.createdAt);
          const next = saveOutcome(withDraft(sets, snapshot.sets, draft, request), sample.input, sample.createdAt);
          return { current, next };
        }
      : await loginSimulator(store, organizationId, snapshot, draft, request);
  return {
    entityType,
    packagePath: draft.packagePath,
    samples: samples.map((sample) => {
      const { current, next } = simulate(sample);
      return {
        sampleId: sample.id,
        createdAt: sample.createdAt,
        action: sample.action,
        input: sample.input,
        current,
        draft: next,
        changed: !sameOutcome(current, next),
      };
    }),
  };
}

async function loginSimulator(
  store: Store,
  organizationId: string,
  snapshot: GovernanceSnapshot,
  draft: CompiledPolicy,
  request: SimulationRequest,
): Promise<(sample: PolicySample) => { current: SimulatedOutcome; next: SimulatedOutcome }> {
  const roles = await loginPoliciesOf(store).roleIndex(organizationId);
  const sets = loginSets(snapshot);
  const draftSets = withDraft(sets, snapshot.sets, draft, request);
  const outcome = (s: readonly CompiledPolicySet[], input: unknown, kind: unknown): SimulatedOutcome => {
    const principalKind = kind === "service-account" ? "service-account" : "user";
    const ts = (input as { request?: { timestamp_ns?: unknown } }).request?.timestamp_ns;
    // The sample's own time, so time windows judge it as they did then.
    const d = decideLogin(s, input, { tree: snapshot.tree, roles, principalKind }, typeof ts === "bigint" ? ts : undefined);
    return {
      kind: "login",
      allowed: d.allowed,
      denied: d.denied,
      messages: d.denyMessages,
      roles: [...new Set(d.grants.map((g) => `${g.spaceId}/${g.roleId}`))].sort(),
    };
  };
  return (sample) => {
    const input = loginInputFromJson(sample.input);
    const kind = (input as { session?: { kind?: unknown } }).session?.kind;
    return { current: outcome(sets, input, kind), next: outcome(draftSets, input, kind) };
  };
}
