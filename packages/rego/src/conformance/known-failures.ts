// Conformance, bookkeeping: the cases known to fail today, each with the reason, grouped by
// cause. The runner labels these as known and says when one starts passing, so the list only
// shrinks. Filled from a real run (`npm run conformance -- --verbose`), never by guessing.

/** A case known to fail, by its note (a note may name several cases), and why. */
export interface KnownFailure {
  readonly note: string;
  readonly reason: string;
}

const DATA_INCONSISTENT =
  "the case wants strings for the numbers of its input; OPA's cast_array/cast_set return the elements unchanged";

/** Every case known to fail, with its reason. */
export const KNOWN_FAILURES: readonly KnownFailure[] = [
  // Test-only builtins of OPA's own test harness, not part of Rego.
  {
    note: "time/time caching",
    reason: "uses test.sleep, a builtin OPA registers only in its own test binary",
  },

  // Cases whose expectations disagree with their own input.
  { note: "toarray/array input", reason: DATA_INCONSISTENT },
  { note: "toset/array input", reason: DATA_INCONSISTENT },
];
