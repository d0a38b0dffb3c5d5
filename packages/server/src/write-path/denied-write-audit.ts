// Write path: a save refused by a mandatory policy writes nothing, but the attempt is still audited
// (outcome `denied`, with the policy evaluation id), after the rollback. (Changes refused for lack
// of permission, escalations included, are audited as `request.forbidden` by the HTTP layer.)
import type { Actor } from "../domain/audit/actor.js";
import { recordAuditEvent } from "../domain/audit/audit-event.js";
import type { DomainError } from "../domain/domain-error.js";
import { persistDeniedPolicyEvaluation } from "../domain/policy-evaluations/enforcement.js";
import type { Store } from "../store/store.js";
import type { AuditTarget } from "./pending-change.js";

/** Who tried the refused change, where and when. */
export interface RefusedWrite {
  readonly organizationId: string;
  readonly actor: Actor;
  readonly target: AuditTarget;
  /** Epoch ms; default now. */
  readonly now?: number;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((m): m is string => typeof m === "string") : [];
}

/**
 * Records a `denied` audit event for a save refused by policies (DomainError `policy_denied`, whose
 * details may hold `policyEvaluationId` and `messages`), in a transaction of its own.
 */
export async function auditRefusedSave(store: Store, write: RefusedWrite, error: DomainError): Promise<void> {
  const evaluationId = error.details?.policyEvaluationId;
  await store.transaction(async (tx) => {
    // Policies on save: the refused save's policy evaluation and sample are stored with its
    // `denied` audit event, since the change's own transaction was rolled back.
    await persistDeniedPolicyEvaluation(tx, error);
    await recordAuditEvent(tx, {
      organizationId: write.organizationId,
      actor: write.actor,
      ...write.target,
      outcome: "denied",
      policyEvaluationId: typeof evaluationId === "string" ? evaluationId : null,
      details: { messages: stringsOf(error.details?.messages) },
      occurredAt: write.now,
    });
  });
}
