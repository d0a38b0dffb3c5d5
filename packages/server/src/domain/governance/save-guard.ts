// Domain layer, governance: the hook through which policies on save see a change before it is
// written; the policy helper supplies it, the domain functions call it inside the transaction.
import type { Store } from "../../store/store.js";
import type { ApiKey } from "../api-keys/api-key.js";
import type { ServiceAccount } from "../principals/principal.js";
import type { Token } from "../tokens/token.js";

/** A change about to be saved, as a save guard sees it (never carries a secret). */
export type GuardedChange =
  | {
      readonly entity: "token";
      readonly action: "create" | "update";
      /** The token as it will be after the change. */
      readonly token: Token;
      readonly apiKey: ApiKey;
    }
  | {
      readonly entity: "token";
      readonly action: "rotate";
      /** The new token. */
      readonly token: Token;
      /** The old token, with its `scheduledExpireTime` (end of grace) set. */
      readonly previous: Token;
      readonly apiKey: ApiKey;
    }
  | { readonly entity: "api-key"; readonly action: "create" | "update"; readonly apiKey: ApiKey }
  | {
      readonly entity: "service-account";
      readonly action: "create" | "update";
      readonly serviceAccount: ServiceAccount;
    }
  // Added by the policy helper for the delegate-token module: the token as it will be (never its
  // value), with the space it belongs to (whose policy sets, and its ancestors', apply).
  | {
      readonly entity: "delegate-token";
      readonly action: "create" | "update" | "rotate";
      readonly delegateToken: {
        readonly id: string;
        readonly name: string;
        readonly spaceId: string;
        readonly [field: string]: unknown;
      };
    };

/** What a guard decided when it let the change through. */
export interface GuardOutcome {
  /** The stored policy evaluation, recorded in the audit event. */
  readonly policyEvaluationId?: string;
  /** Advisory messages to return with the saved resource. */
  readonly warnings?: readonly string[];
}

/**
 * Runs inside the change's transaction before the write; throws DomainError `policy_denied` to
 * refuse (the transaction then rolls back, nothing is saved).
 */
export type SaveGuard = (tx: Store, organizationId: string, change: GuardedChange) => Promise<GuardOutcome>;

/** Runs the context's guard if there is one. */
export async function runSaveGuard(
  tx: Store,
  guard: SaveGuard | undefined,
  organizationId: string,
  change: GuardedChange,
): Promise<GuardOutcome> {
  return guard ? guard(tx, organizationId, change) : {};
}
