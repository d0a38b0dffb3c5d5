// Differential testing, reporting: a disagreement between OPA and the engine, as a minimal repro
// a person can run by hand, and the tally of one comparison.

import type { Corpus, KnownMismatch, KnownMismatches, MismatchFacts } from "./known-mismatches.js";

/** One disagreement with OPA. */
export interface Mismatch {
  readonly corpus: Corpus;
  readonly id: string;
  /** What differs, in one line. */
  readonly what: string;
  /** The repro: module(s), input, query, and both answers. */
  readonly repro: string;
  /** The known-mismatch entry covering it, if any. */
  readonly known: KnownMismatch | undefined;
}

/** The tally of one comparison over one corpus. */
export interface CorpusTally {
  readonly corpus: Corpus;
  /** How the summary names it (default: the corpus). */
  readonly label: string;
  compared: number;
  agreed: number;
  readonly mismatches: Mismatch[];
  /** Cases left out, with why (OPA fails its own case, the case is malformed, ...). */
  readonly skipped: { readonly id: string; readonly reason: string }[];
}

/** Tallies a disagreement, marked known when the list covers it. */
export function addMismatch(tally: CorpusTally, known: KnownMismatches, facts: MismatchFacts): Mismatch {
  const m = {
    corpus: tally.corpus,
    id: facts.id,
    what: facts.what,
    repro: facts.repro,
    known: known.lookup(tally.corpus, facts),
  };
  tally.compared++;
  tally.mismatches.push(m);
  return m;
}

/** An empty tally. */
export function newTally(corpus: Corpus, label: string = corpus): CorpusTally {
  return { corpus, label, compared: 0, agreed: 0, mismatches: [], skipped: [] };
}

/** A repro's text: the case, then OPA's answer and ours under their own headings. */
export function reproText(caseText: string, opa: string, ours: string): string {
  return `${caseText}\n--- opa:\n${indent(opa)}\n--- ours:\n${indent(ours)}`;
}

/** A mismatch as printed: a header line, then the repro indented. */
export function showMismatch(m: Mismatch): string {
  const label = m.known ? `KNOWN (${m.known.reason})` : "NEW";
  return `MISMATCH ${label} [${m.corpus}] ${m.id}: ${m.what}\n${indent(m.repro)}\n`;
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
