// Domain layer, policy evaluation: enforcement on save. Evaluates every policy set that applies
// to the change (global, or attached to its space or an ancestor); a mandatory deny refuses the
// change with every message and the evaluation id, an advisory one lets it through with warnings.
// The evaluation and the sample are written in the change's transaction, or, when the change is
// refused and rolled back, right after (see persistDeniedPolicyEvaluation).
//
// The policies themselves are evaluated by a PolicyEvaluator (the server's worker pool), never
// while the change's transaction is open: the first attempt builds the input, rolls back, the
// policies are evaluated, and the second attempt finds the decision for the same input and the
// same policies (store/transaction-retry.ts). An evaluation that fails (time or memory limit)
// counts as an error of every policy it held, so a mandatory policy refuses the save.
import type { Store } from "../../store/store.js";
import { RetryOutsideTransaction } from "../../store/transaction-retry.js";
import type { Actor } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import type { GuardOutcome, SaveGuard } from "../governance/save-guard.js";
import {
  applicableSets,
  type CompiledPolicySet,
  type GovernanceSnapshot,
  type PolicyCache,
  policyCacheOf,
} from "./compiled-policy-sets.js";
import { setTextsOf } from "./policy-compile-cache.js";
import { outcomeRefuses, type PolicyResult, type SaveDecision, summarizeSaveDecision } from "./policy-decision.js";
import { newPolicyEvaluationId, type PolicyEvaluationRecord, recordPolicyEvaluation } from "./policy-evaluation.js";
import { IN_PROCESS_POLICY_EVALUATOR, PolicyEvaluationFailure, type PolicyEvaluator } from "./policy-evaluator.js";
import { type PolicySampleInput, recordPolicySample } from "./policy-sample.js";
import { buildSaveInput, type PolicyChange } from "./save-input.js";

interface PendingRecords {
  readonly evaluation: PolicyEvaluationRecord;
  readonly sample: PolicySampleInput;
}

// Records of refused saves, keyed by the error that carries them out of the rolled-back transaction.
const pendingDenied = new WeakMap<DomainError, PendingRecords>();

/** A decision made between two attempts of a transaction, for what it judged. */
export interface DecidedSave {
  /** The policies it judged (identity: a changed policy or space loads a new snapshot). */
  readonly snapshot: GovernanceSnapshot;
  readonly decision: SaveDecision;
  /** The save's time the policies saw. */
  readonly now: number;
}

/**
 * The input as compared between attempts: the id of a created entity is drawn anew by some
 * attempts (a rotation's new token), so it is replaced by a marker; all else must be equal.
 */
function judgedJson(input: unknown, resourceId: string): string {
  return JSON.stringify(input).replaceAll(JSON.stringify(resourceId), '"(the saved id)"');
}

/** Decisions one guard holds at most (each is taken by the attempt after its evaluation). */
const DECISIONS_KEPT = 16;

/** Who is saving and when, for the input and the records; where policies are evaluated. */
export interface EnforcementContext {
  readonly actor: Actor;
  /** Epoch ms; default now. */
  readonly now?: number;
  /** Where the policies are evaluated; default in process (tests and tools; servers pass their pool). */
  readonly evaluator?: PolicyEvaluator;
  /**
   * Decisions made outside the transaction, by what they judged; owned by one guard. With an
   * off-thread evaluator and this memo, the policies are never evaluated inside a transaction.
   */
  readonly decided?: Map<string, DecidedSave>;
}

function failedEvaluation(sets: readonly CompiledPolicySet[], failure: PolicyEvaluationFailure): SaveDecision {
  const results: PolicyResult[] = [];
  for (const { set, policies } of sets) {
    for (const policy of policies) {
      results.push({
        policyId: policy.policyId,
        policyName: policy.policyName,
        policySetId: set.id,
        policySetName: set.name,
        enforcementLevel: policy.enforcementLevel,
        outcome: "errored",
        messages: [`policy ${policy.policyName} could not be evaluated: ${failure.message}`],
        warnings: [],
        durationUs: 0,
      });
    }
  }
  return summarizeSaveDecision(results, 0);
}

/** Evaluates the sets on the input; a failed evaluation counts as an error of each policy (fail closed). */
async function evaluateSave(
  evaluator: PolicyEvaluator,
  organizationId: string,
  sets: readonly CompiledPolicySet[],
  input: unknown,
  now: number,
): Promise<SaveDecision> {
  try {
    // time.now_ns() in a policy is the save's own time (the clock tests control).
    return await evaluator.run(organizationId, {
      kind: "save",
      sets: setTextsOf(sets),
      input,
      nowNs: BigInt(now) * 1_000_000n,
    });
  } catch (error) {
    if (!(error instanceof PolicyEvaluationFailure)) throw error;
    if (error.kind === "busy") {
      throw new DomainError("unavailable", `the policies on save could not be evaluated now: ${error.message}`, {
        details: { retryAfterSeconds: error.retryAfterSeconds ?? 1 },
      });
    }
    return failedEvaluation(sets, error);
  }
}

/**
 * Evaluates the policies on save of `change` inside its transaction `tx`; throws DomainError
 * `policy_denied` (details: policyEvaluationId, messages, warnings) when a mandatory policy denies,
 * `unavailable` when the evaluators are too busy to take it.
 */
export async function enforcePolicies(
  tx: Store,
  cache: PolicyCache,
  organizationId: string,
  change: PolicyChange,
  context: EnforcementContext,
): Promise<GuardOutcome> {
  let now = context.now ?? Date.now();
  const snapshot = await cache.snapshot(tx, organizationId);
  const save = await buildSaveInput(tx, organizationId, change, context.actor, snapshot.tree);
  const sets = applicableSets(snapshot, save.entityType, "onSave", save.spaceId);
  // A set whose policies have no text yet still gets an evaluation saying so (query-undefined).
  if (sets.every((s) => s.policies.length === 0 && (s.untexted?.length ?? 0) === 0)) {
    await recordPolicySample(tx, sampleOf(organizationId, save, now, null));
    return {};
  }
  const evaluator = context.evaluator ?? IN_PROCESS_POLICY_EVALUATOR;
  let decision: SaveDecision;
  const memo = context.decided;
  if (evaluator.offThread && memo !== undefined && tx.inTransaction) {
    const key = `${save.entityType}:${save.action}:${judgedJson(save.input, save.resourceId)}`;
    const decided = memo.get(key);
    if (decided !== undefined && decided.snapshot === snapshot) {
      memo.delete(key);
      decision = decided.decision;
      now = decided.now;
    } else {
      // Leave the transaction (releasing the write lock) while the policies are evaluated; the
      // next attempt finds the decision if it builds the same input under the same policies.
      throw new RetryOutsideTransaction(
        async () => {
          const made = await evaluateSave(evaluator, organizationId, sets, save.input, now);
          if (memo.size >= DECISIONS_KEPT) memo.clear();
          memo.set(key, { snapshot, decision: made, now });
        },
        `evaluating the policies on save of ${save.entityType} ${save.resourceId}`,
        () =>
          new DomainError(
            "conflict",
            `the ${save.entityType} or the policies that judge it kept changing while the policies were evaluated; try again`,
          ),
      );
    }
  } else {
    decision = await evaluateSave(evaluator, organizationId, sets, save.input, now);
  }
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
  const withEvaluation = sampleOf(organizationId, save, now, evaluation.id);
  if (decision.outcome === "denied") {
    const refused = decision.results.filter((r) => outcomeRefuses(r.outcome) && r.enforcementLevel === "mandatory");
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

function sampleOf(
  organizationId: string,
  save: Awaited<ReturnType<typeof buildSaveInput>>,
  now: number,
  evaluationId: string | null,
): PolicySampleInput {
  return {
    organizationId,
    entityType: save.entityType,
    event: "onSave",
    action: save.action,
    spaceId: save.spaceId,
    input: save.input,
    evaluationId,
    createdAt: now,
  };
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

/**
 * The save guard that enforces policies, for a MutationContext of `actor` on the root store, with
 * policies evaluated by `evaluator` (the server passes its worker pool; default in process).
 */
export function createPolicySaveGuard(
  store: Store,
  actor: Actor,
  now?: number,
  evaluator: PolicyEvaluator = IN_PROCESS_POLICY_EVALUATOR,
): SaveGuard {
  const cache = policyCacheOf(store);
  const decided = new Map<string, DecidedSave>();
  return (tx, organizationId, change) =>
    enforcePolicies(tx, cache, organizationId, change, {
      actor,
      evaluator,
      decided,
      ...(now !== undefined ? { now } : {}),
    });
}
