// Conformance, bookkeeping: the cases known to fail today, each with the reason, grouped by
// cause. The runner labels these as known and says when one starts passing, so the list only
// shrinks. Fill it from a real run (`npm run conformance -- --verbose`), never by guessing.

/** A case known to fail, by its note, and why. */
export interface KnownFailure {
  readonly note: string;
  readonly reason: string;
}

/** Every case known to fail, with its reason. */
export const KNOWN_FAILURES: readonly KnownFailure[] = [];
