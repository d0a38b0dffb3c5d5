// Domain layer, governance: the hook through which policies on save see a change before it is
// written. The write path calls it (after authorizing the change) inside the change's transaction;
// the domain modules never import it. It names the domain's change types (a downward edge only).
import type { Store } from "../../store/store.js";
import type { ApiKeySaveChange } from "../api-keys/api-key.js";
import type { ChangeOutcome } from "../audit/actor.js";
import type { DelegateTokenSaveChange } from "../delegate-tokens/delegate-token.js";
import type { ServiceAccountSaveChange } from "../principals/service-account.js";
import type { TokenSaveChange } from "../tokens/token.js";

/** A change about to be saved that policies on save judge (never carries a secret). */
export type GuardedChange =
  | TokenSaveChange
  | ApiKeySaveChange
  | ServiceAccountSaveChange
  | DelegateTokenSaveChange;

/** What a guard decided when it let the change through. */
export type GuardOutcome = ChangeOutcome;

/**
 * Runs inside the change's transaction before the write; throws DomainError `policy_denied` to
 * refuse (the transaction then rolls back, nothing is saved).
 */
export type SaveGuard = (tx: Store, organizationId: string, change: GuardedChange) => Promise<GuardOutcome>;

/** Runs the guard if there is one. */
export async function runSaveGuard(
  tx: Store,
  guard: SaveGuard | undefined,
  organizationId: string,
  change: GuardedChange,
): Promise<GuardOutcome> {
  return guard ? guard(tx, organizationId, change) : {};
}
