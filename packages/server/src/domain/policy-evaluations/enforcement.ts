// Domain layer, policy evaluation: enforcement on save. Evaluates every policy set that applies
// to the change (global, or attached to its space or an ancestor); a mandatory deny refuses the
// change with every message and the evaluation id, an advisory one lets it through with warnings.
// The evaluation and the sample are written in the change's transaction, or, when the change is
// refused and rolled back, right after (see persistDeniedPolicyEvaluation).
import type { Store } from "../../store/store.js";
import type { Actor } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import type { GuardOutcome, SaveGuard } from "../governance/save-guard.js";
import { applicableSets, type PolicyCache, policyCacheOf } from "./compiled-policy-sets.js";
import { decideSave } from "./policy-decision.js";
import { newPolicyEvaluationId, type PolicyEvaluationRecord, recordPolicyEvaluation } from "./policy-evaluation.js";
import { type PolicySampleInput, recordPolicySample } from "./policy-sample.js";
import { buildSaveInput, type PolicyChange } from "./save-input.js";

interface PendingRecords {
  readonly evaluation: PolicyEvaluationRecord;
  readonly sample: PolicySampleInput;
}

// Records of refused saves, keyed by the error that carries them out of the rolled-back transaction.
const pendingDenied = new WeakMap<DomainError, PendingRecords>();

/** Who is saving and when, for the input and the records. */
export interface EnforcementContext {
  readonly actor: Actor;
  /** Epoch ms; default now. */
  readonly now?: number;
}

/**
 * Evaluates the policies on save of `change` inside its transaction `tx`; throws DomainError
 * `policy_denied` (details: policyEvaluationId, messages, warnings) when a mandatory policy denies.
 */
export async function enforcePolicies(
  tx: Store,
  cache: PolicyCache,
  organizationId: string,
  change: PolicyChange,
  context: EnforcementContext,
): Promise<GuardOutcome> {
  const now = context.now ?? Date.now();
  const snapshot = await cache.snapshot(tx, organizationId);
  const save = await buildSaveInput(tx, organizationId, change, context.actor, snapshot.tree);
  const sets = applicableSets(snapshot, save.entityType, "onSave", save.spaceId);
  const sample: PolicySampleInput = {
    organizationId,
    entityType: save.entityType,
    event: "onSave",
    action: save.action,
    spaceId: save.spaceId,
    input: save.input,
    evaluationId: null,
    createdAt: now,
  };
  if (sets.every((s) => s.policies.length === 0)) {
    await recordPolicySample(tx, sample);
    return {};
  }
  // time.now_ns() in a policy is the save's own time (the clock tests control).
  const decision = decideSave(sets, save.input, BigInt(now) * 1_000_000n);
  const evaluation: PolicyEvaluationRecord = {
    id: newPolicyEvaluationId(),
    organizationId,
    entityType: save.entityType,
    event: "onSave",
    action: save.action,
    resourceId: save.resourceId,
    actorPrincipalId: context.actor.principalId,
    outcome: decision.outcome,
    input: save.input,
    results: decision.results,
    messages: decision.messages,
    warnings: decision.warnings,
    durationUs: decision.durationUs,
    createdAt: now,
  };
  const withEvaluation = { ...sample, evaluationId: evaluation.id };
  if (decision.outcome === "denied") {
    const refused = decision.results.filter((r) => r.outcome !== "passed" && r.enforcementLevel === "mandatory");
    const error = new DomainError(
      "policy_denied",
      `the ${save.entityType} ${save.action} was refused by mandatory ${refused.length === 1 ? "policy" : "policies"} ` +
        `${[...new Set(refused.map((r) => r.policyName))].join(", ")} (policy evaluation ${evaluation.id}): ` +
        decision.messages.join("; "),
      {
        details: {
          policyEvaluationId: evaluation.id,
          messages: decision.messages,
          warnings: decision.warnings,
        },
      },
    );
    pendingDenied.set(error, { evaluation, sample: withEvaluation });
    throw error;
  }
  await recordPolicyEvaluation(tx, evaluation);
  await recordPolicySample(tx, withEvaluation);
  return { policyEvaluationId: evaluation.id, warnings: decision.warnings };
}

/**
 * Writes the evaluation and sample of a refused save, after its transaction rolled back (called
 * by the denied-save audit, in the transaction of the `denied` audit event). No-op for other errors.
 */
export async function persistDeniedPolicyEvaluation(store: Store, error: unknown): Promise<void> {
  if (!(error instanceof DomainError)) return;
  const pending = pendingDenied.get(error);
  if (!pending) return;
  pendingDenied.delete(error);
  await recordPolicyEvaluation(store, pending.evaluation);
  await recordPolicySample(store, pending.sample);
}

/** The save guard that enforces policies, for a MutationContext of `actor` on the root store. */
export function createPolicySaveGuard(store: Store, actor: Actor, now?: number): SaveGuard {
  const cache = policyCacheOf(store);
  return (tx, organizationId, change) =>
    enforcePolicies(tx, cache, organizationId, change, { actor, ...(now !== undefined ? { now } : {}) });
}
