// Conformance, reporting: groups failed cases by a likely common cause, so that the biggest
// gaps in the engine show first (same error code and message shape, or same feature folder).

import type { CaseRecord } from "./conformance-suite.js";

/** Failed cases that look like they share one cause. */
export interface FailureGroup {
  /** A short description of the shared cause. */
  readonly signature: string;
  readonly notes: readonly string[];
}

/** Groups the failed cases of a run, largest group first. */
export function groupFailures(records: readonly CaseRecord[]): FailureGroup[] {
  const groups = new Map<string, string[]>();
  for (const r of records) {
    const sig = failureSignature(r);
    if (sig === undefined) continue;
    const list = groups.get(sig) ?? [];
    list.push(r.note);
    groups.set(sig, list);
  }
  return [...groups.entries()]
    .map(([signature, notes]) => ({ signature, notes }))
    .sort((a, b) => b.notes.length - a.notes.length || (a.signature < b.signature ? -1 : 1));
}

/** The grouping key of a failed case (undefined for a passed one). */
export function failureSignature(r: CaseRecord): string | undefined {
  const o = r.outcome;
  if (o.kind === "pass") return undefined;
  const feature = r.folder.slice(r.folder.indexOf("/") + 1);
  switch (o.failure) {
    case "invalid-case":
      return "invalid case file";
    case "load-error":
    case "eval-error":
    case "wrong-error":
    case "budget":
      return o.error
        ? `${o.failure}: ${o.error.code}: ${shape(o.error.message)}`
        : `${o.failure}: ${shape(o.reason)}`;
    case "missing-error":
      return `missing-error (no error raised) in ${feature}`;
    case "wrong-result":
    case "wrong-definedness":
      return `${o.failure} in ${feature}`;
    case "crash":
      return `crash: ${shape(o.reason)}`;
    case "hang":
      return "hang: stopped from outside after no answer";
  }
}

/** The shape of a message: numbers and long quoted parts blurred, cut to a readable length. */
function shape(message: string): string {
  const blurred = message
    .replace(/"[^"]{24,}"/g, '"…"')
    .replace(/\d+/g, "N")
    .replace(/\s+/g, " ")
    .trim();
  return blurred.length > 120 ? `${blurred.slice(0, 120)}…` : blurred;
}
