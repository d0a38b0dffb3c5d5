// Write path: the one way every change is made. A route (or the CLI) builds a write context; the
// domain function builds the change and, inside its transaction, shows it to the context's guard,
// which authorizes it (the escalation rule) and then runs the save guard (policies on save); the
// domain function then writes it, audits it and announces it (change feed, NOTIFY) in the same
// transaction. A save refused by policies is audited after the rollback. Domain modules never
// import governance, nor governance them: this module composes both.
import type { Actor, MutationContext } from "../domain/audit/actor.js";
import { DomainError } from "../domain/domain-error.js";
import type { SaveGuard } from "../domain/governance/save-guard.js";
import type { Store } from "../store/store.js";
import { authorizeChange, type WriteAuthority } from "./change-authorization.js";
import { auditRefusedSave } from "./denied-write-audit.js";
import { auditTargetOf, guardedChangeOf, type PendingChange } from "./pending-change.js";

/** Who writes, on whose authority, and which save guard judges the changes. */
export interface WriteRequest {
  readonly organizationId: string;
  readonly actor: Actor;
  readonly authority: WriteAuthority;
  /** Policies on save; none for changes no policy judges (bootstrap, tests). */
  readonly saveGuard?: SaveGuard;
  /** Epoch ms; default now (tests pin it). */
  readonly now?: number;
}

/**
 * The mutation context every change of `request` is made with, on the root store `store`: its
 * guard authorizes each change (escalation rule) and then runs the save guard; its refusal hook
 * audits a save refused by policies once the change's transaction has rolled back.
 */
export function writeContext(store: Store, request: WriteRequest): MutationContext<PendingChange> {
  const refusedSaves = new WeakSet<DomainError>();
  return {
    organizationId: request.organizationId,
    actor: request.actor,
    ...(request.now !== undefined ? { now: request.now } : {}),
    guard: async (tx, organizationId, change) => {
      await authorizeChange(store, tx, request.authority, organizationId, change, request.now ?? Date.now());
      const guarded = guardedChangeOf(change);
      if (guarded === undefined || request.saveGuard === undefined) return {};
      try {
        return await request.saveGuard(tx, organizationId, guarded);
      } catch (error) {
        if (error instanceof DomainError && error.code === "policy_denied") refusedSaves.add(error);
        throw error;
      }
    },
    refused: async (root, organizationId, change, error) => {
      if (!(error instanceof DomainError) || !refusedSaves.has(error)) return;
      const target = auditTargetOf(change);
      await auditRefusedSave(
        root,
        {
          organizationId,
          actor: request.actor,
          target,
          ...(request.now !== undefined ? { now: request.now } : {}),
        },
        error,
      );
    },
  };
}
