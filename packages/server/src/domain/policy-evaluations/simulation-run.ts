// Domain layer, policy evaluation: the evaluating half of "sample and simulate", run in a policy
// worker: compiles the draft and the organization's policies, and judges each sample with the
// current policies and with the draft (which replaces a policy, joins a set, or applies as an
// extra policy everywhere). Pure: everything it needs comes in the task.
import { decideLogin } from "../login-policies/login-decision.js";
import { loginInputFromJson } from "../login-policies/login-input.js";
import { loginSets } from "../login-policies/login-policies.js";
import type { PolicyProblem } from "../policies/policy-module.js";
import type { PolicyEntityType } from "../policy-sets/policy-set.js";
import type { Role } from "../roles/built-in-roles.js";
import { type Space, spaceTreeOf } from "../spaces/space.js";
import {
  applicableSets,
  type CompiledPolicy,
  type CompiledPolicySet,
  type GovernanceSnapshot,
} from "./compiled-policy-sets.js";
import {
  cachedCompiledPolicy,
  compiledSetsOf,
  type HashedPolicyText,
  type PolicySetTexts,
} from "./policy-compile-cache.js";
import { decideSave, type EvaluationOutcome } from "./policy-decision.js";
import type { PolicySample } from "./policy-sample.js";

/** Run a draft policy over kept samples, next to the organization's current policies. */
export interface SimulationTask {
  readonly kind: "simulation";
  readonly organizationId: string;
  readonly entityType: PolicyEntityType;
  /** Every policy set of the organization (the draft may replace a policy in any of them). */
  readonly sets: readonly PolicySetTexts[];
  /** The organization's spaces (to choose the sets that apply to each sample). */
  readonly spaces: readonly Space[];
  /** Login simulations: roles by id and by name (empty for save entity types). */
  readonly roles: ReadonlyMap<string, Role>;
  readonly draft: HashedPolicyText;
  /** The draft replaces this policy wherever it is used... */
  readonly policyId?: string;
  /** ...or joins this set; else it applies everywhere as an extra policy. */
  readonly policySetId?: string;
  readonly samples: readonly PolicySample[];
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

/** The simulated samples, or the problems that kept the draft from compiling. */
export type SimulationOutcome =
  | { readonly ok: true; readonly packagePath: string; readonly samples: readonly SampleSimulation[] }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

/** The id a draft carries when it does not replace a stored policy. */
export const DRAFT_ID = "draft";

function withDraft(
  sets: readonly CompiledPolicySet[],
  all: readonly CompiledPolicySet[],
  draft: CompiledPolicy,
  task: SimulationTask,
): CompiledPolicySet[] {
  const { policyId, policySetId } = task;
  if (policyId !== undefined && all.some((s) => s.set.policyIds.includes(policyId))) {
    return sets.map((s) => ({
      set: s.set,
      policies: s.policies.map((p) => (p.policyId === policyId ? { ...draft, policyId: p.policyId } : p)),
    }));
  }
  if (policySetId !== undefined) {
    return sets.map((s) => (s.set.id === policySetId ? { set: s.set, policies: [...s.policies, draft] } : s));
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

function saveOutcome(sets: readonly CompiledPolicySet[], input: unknown, atMs: number): SimulatedOutcome {
  const d = decideSave(sets, input, BigInt(atMs) * 1_000_000n);
  return { kind: "save", outcome: d.outcome, messages: d.messages, warnings: d.warnings };
}

function sameOutcome(a: SimulatedOutcome, b: SimulatedOutcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type SampleSimulator = (sample: PolicySample) => { current: SimulatedOutcome; next: SimulatedOutcome };

function loginSimulator(snapshot: GovernanceSnapshot, draft: CompiledPolicy, task: SimulationTask): SampleSimulator {
  const sets = loginSets(snapshot);
  const draftSets = withDraft(sets, snapshot.sets, draft, task);
  const outcome = (s: readonly CompiledPolicySet[], input: unknown, kind: unknown): SimulatedOutcome => {
    const principalKind = kind === "service-account" ? "service-account" : "user";
    const ts = (input as { request?: { timestamp_ns?: unknown } }).request?.timestamp_ns;
    // The sample's own time, so time windows judge it as they did then.
    const d = decideLogin(
      s,
      input,
      { tree: snapshot.tree, roles: task.roles, principalKind },
      typeof ts === "bigint" ? ts : undefined,
    );
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

/** Judges every sample of the task with the current policies and with the draft. */
export function simulateSamples(task: SimulationTask): SimulationOutcome {
  const purpose = task.entityType === "login" ? "login" : "save";
  const draft = cachedCompiledPolicy(purpose, task.draft);
  if (!draft.ok) return { ok: false, problems: draft.problems };
  const snapshot: GovernanceSnapshot = {
    organizationId: task.organizationId,
    sets: compiledSetsOf(task.sets),
    tree: spaceTreeOf(task.organizationId, task.spaces),
  };
  const simulate: SampleSimulator =
    purpose === "save"
      ? (sample) => {
          const sets = applicableSets(snapshot, task.entityType, "onSave", sample.spaceId);
          return {
            current: saveOutcome(sets, sample.input, sample.createdAt),
            next: saveOutcome(withDraft(sets, snapshot.sets, draft, task), sample.input, sample.createdAt),
          };
        }
      : loginSimulator(snapshot, draft, task);
  return {
    ok: true,
    packagePath: draft.packagePath,
    samples: task.samples.map((sample) => {
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
