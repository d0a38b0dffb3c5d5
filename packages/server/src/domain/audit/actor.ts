// Domain layer, audit: who is making a change and from where; every mutating function takes one,
// with the write path's review of the change (authorization and governance), which the domain
// calls without knowing what it does: the domain never imports governance.
import type { Store } from "../../store/store.js";

/** Who makes a change: a principal (through a token, from an address) or the system itself. */
export interface Actor {
  /** The acting principal; null for the system itself (bootstrap, background jobs). */
  readonly principalId: string | null;
  /** The token the principal authenticated with, when it did. */
  readonly tokenId?: string;
  /** The client address. */
  readonly ip?: string;
  /** Which interface the change came through. */
  readonly via: "api" | "cli" | "system";
}

/** The system itself as an actor (e.g. `keygate init`). */
export const SYSTEM_ACTOR: Actor = { principalId: null, via: "system" };

/** What a review decided when it let a change through. */
export interface ChangeOutcome {
  /** The stored policy evaluation, recorded in the audit event. */
  readonly policyEvaluationId?: string;
  /** Advisory messages to return with the saved resource. */
  readonly warnings?: readonly string[];
}

/**
 * Judges a change about to be written, inside its transaction and before the write; throws a
 * DomainError (`forbidden`, `policy_denied`) to refuse it (the transaction then rolls back).
 */
export type ChangeGuard<Change> = (
  tx: Store,
  organizationId: string,
  change: Change,
) => Promise<ChangeOutcome>;

/** Told, after the rollback, that a change its guard saw was refused with `error` (to audit the attempt). */
export type RefusalHandler<Change> = (
  store: Store,
  organizationId: string,
  change: Change,
  error: unknown,
) => Promise<void>;

/**
 * What every mutating function needs besides its input: the organization, the actor, the write
 * path's hooks and options. `Change` is the kind of change the function shows its guard; a plain
 * `MutationContext` (no change shown) accepts the context of any write.
 */
export interface MutationContext<Change = never> {
  /** The organization the change is made in; ids of other organizations are `not_found`. */
  readonly organizationId: string;
  readonly actor: Actor;
  /** The write path's review, run inside the transaction before the write (authorize, then policies on save). */
  readonly guard?: ChangeGuard<Change>;
  /** Called after a refused change rolled back; the write path audits the refusal there. */
  readonly refused?: RefusalHandler<Change>;
  /** The current time in epoch ms; defaults to Date.now() (tests pin it). */
  readonly now?: number;
}
