// Storage layer: the bounded staleness of an instance's caches. Every organization has a change
// counter in the database (change-sequence.ts); an instance tracks, per organization, the numbers
// it has heard of through the change feed and when it last confirmed, with one cheap read, that
// the database holds no number it has not heard of. Caches ask before serving an entry: fresh
// enough, or re-validate first. A number never heard of (a notification lost with a dropped
// connection, a write by another process on the same SQLite file) makes the organization's caches
// be dropped, so no change stays unseen longer than the staleness bound.

/** Reads the current counters of organizations (0 for one that never changed). */
export type ReadChangeSequences = (organizationIds: readonly string[]) => Promise<Map<string, number>>;

/** What an instance knows of one organization's changes. */
interface OrganizationState {
  /** Every change numbered up to this one has been heard of (and delivered to the caches). */
  heardThrough: number;
  /** Numbers heard of beyond heardThrough (a later commit delivered before an earlier one). */
  readonly heardAbove: Set<number>;
  /** When the last confirmation started (epoch ms): changes committed before it are all known. */
  verifiedAt: number;
}

interface Round {
  readonly organizationIds: Set<string>;
  readonly done: Promise<void>;
  readonly settle: (error?: unknown) => void;
}

/** At most this many organizations are confirmed by one query. */
const ORGANIZATIONS_PER_QUERY = 500;
/** Out-of-order numbers kept per organization before giving up and starting afresh. */
const MAX_HEARD_ABOVE = 1024;

/** Tracks which changes of each organization this instance has heard of, and confirms it against the database. */
export class ChangeFreshness {
  private readonly organizations = new Map<string, OrganizationState>();
  private readonly waiting = new Map<string, Promise<void>>();
  private next: Round | undefined;
  private running = false;
  /** Raised by forgetAll: confirmations started before it do not count. */
  private epoch = 0;

  constructor(
    private readonly read: ReadChangeSequences,
    /** Drops every cached entry of the organization. */
    private readonly dropOrganization: (organizationId: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Notes that the change numbered `seq` of the organization has been delivered to the caches. */
  heard(organizationId: string, seq: number): void {
    const state = this.organizations.get(organizationId);
    // Without a baseline nothing is trusted yet: the first confirmation drops the caches anyway.
    if (!state || seq <= state.heardThrough) return;
    state.heardAbove.add(seq);
    while (state.heardAbove.delete(state.heardThrough + 1)) state.heardThrough++;
    if (state.heardAbove.size > MAX_HEARD_ABOVE) this.startAfresh(organizationId, state, Math.max(...state.heardAbove));
  }

  /**
   * Whether cached entries of the organization may be served now: `undefined` when they may (a
   * confirmation is started in the background once half the bound has passed), otherwise a
   * promise that settles once a confirmation made now has dropped whatever was stale.
   */
  ensureFresh(organizationId: string, maxStalenessMs: number): Promise<void> | undefined {
    const state = this.organizations.get(organizationId);
    const age = state ? this.clock() - state.verifiedAt : Number.POSITIVE_INFINITY;
    if (age < maxStalenessMs / 2) return undefined;
    const confirmed = this.confirm(organizationId);
    if (age < maxStalenessMs) {
      confirmed.catch(() => {
        // A failed background confirmation is retried by the next request; past the bound, that one waits.
      });
      return undefined;
    }
    return confirmed;
  }

  /** Forgets everything heard (the feed may have missed changes): each organization starts afresh. */
  forgetAll(): void {
    this.epoch++;
    this.organizations.clear();
  }

  private startAfresh(organizationId: string, state: OrganizationState, through: number): void {
    state.heardThrough = through;
    for (const seq of state.heardAbove) if (seq <= through) state.heardAbove.delete(seq);
    while (state.heardAbove.delete(state.heardThrough + 1)) state.heardThrough++;
    this.dropOrganization(organizationId);
  }

  private confirm(organizationId: string): Promise<void> {
    const pending = this.waiting.get(organizationId);
    if (pending) return pending;
    if (!this.next) this.next = newRound();
    const round = this.next;
    round.organizationIds.add(organizationId);
    this.waiting.set(organizationId, round.done);
    if (!this.running) {
      this.running = true;
      // Requests arriving in the same tick share the query.
      queueMicrotask(() => void this.run());
    }
    return round.done;
  }

  private async run(): Promise<void> {
    while (this.next) {
      const round = this.next;
      this.next = undefined;
      const ids = [...round.organizationIds];
      const startedAt = this.clock();
      const epoch = this.epoch;
      try {
        const current = new Map<string, number>();
        for (let i = 0; i < ids.length; i += ORGANIZATIONS_PER_QUERY) {
          for (const [id, seq] of await this.read(ids.slice(i, i + ORGANIZATIONS_PER_QUERY))) current.set(id, seq);
        }
        if (epoch === this.epoch) for (const id of ids) this.apply(id, current.get(id) ?? 0, startedAt);
        round.settle();
      } catch (error) {
        round.settle(error);
      } finally {
        for (const id of ids) if (this.waiting.get(id) === round.done) this.waiting.delete(id);
      }
    }
    this.running = false;
  }

  private apply(organizationId: string, seq: number, startedAt: number): void {
    let state = this.organizations.get(organizationId);
    if (!state) {
      // First sight (or after forgetAll): whatever is cached of it was loaded without a baseline.
      state = { heardThrough: seq, heardAbove: new Set(), verifiedAt: startedAt };
      this.organizations.set(organizationId, state);
      this.dropOrganization(organizationId);
      return;
    }
    // A change committed that this instance never heard of (or has not heard of yet: dropping
    // a little early costs a reload, never correctness).
    if (seq > state.heardThrough) this.startAfresh(organizationId, state, seq);
    if (startedAt > state.verifiedAt) state.verifiedAt = startedAt;
  }
}

function newRound(): Round {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  // Nobody may be waiting on a background round; its rejection must not be reported as unhandled.
  done.catch(() => {});
  return { organizationIds: new Set(), done, settle };
}
