// Domain layer, audit: who is making a change and from where; every mutating function takes one.
import type { SaveGuard } from "../governance/save-guard.js";

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

/** What every mutating function needs besides its input: the organization, the actor and options. */
export interface MutationContext {
  /** The organization the change is made in; ids of other organizations are `not_found`. */
  readonly organizationId: string;
  readonly actor: Actor;
  /** Governance hook run inside the transaction before the write (policies on save). */
  readonly guard?: SaveGuard;
  /** The current time in epoch ms; defaults to Date.now() (tests pin it). */
  readonly now?: number;
}
