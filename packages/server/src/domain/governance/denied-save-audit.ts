// Domain layer, governance: a save refused by a mandatory policy writes nothing, but the attempt
// is still audited (outcome `denied`, with the policy evaluation id), after the rollback.
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { persistDeniedPolicyEvaluation } from "../policy-evaluations/enforcement.js";

/** The audited action a save would have been. */
export interface AuditTarget {
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
}

/**
 * Runs a guarded save; if a guard refuses it (DomainError `policy_denied`, whose details may hold
 * `policyEvaluationId` and `messages`), records a `denied` audit event and rethrows.
 */
export async function auditDeniedSave<T>(
  store: Store,
  ctx: MutationContext,
  target: AuditTarget,
  save: () => Promise<T>,
): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (error instanceof DomainError && error.code === "policy_denied") {
      const evaluationId = error.details?.policyEvaluationId;
      const messages = error.details?.messages;
      await store.transaction(async (tx) => {
        // Governance (policy helper): the refused save's policy evaluation and sample are stored
        // with its `denied` audit event, since the change's own transaction was rolled back.
        await persistDeniedPolicyEvaluation(tx, error);
        await recordAuditEvent(tx, {
          organizationId: ctx.organizationId,
          actor: ctx.actor,
          ...target,
          outcome: "denied",
          policyEvaluationId: typeof evaluationId === "string" ? evaluationId : null,
          details: { messages: Array.isArray(messages) ? messages.filter((m) => typeof m === "string") : [] },
          occurredAt: ctx.now,
        });
      });
    }
    throw error;
  }
}
