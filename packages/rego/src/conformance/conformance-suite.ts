// Conformance, suite stage: runs the selected cases of the conformance folder and tallies them
// per feature folder, marking failures known or new.

import { type CaseBudget, type CaseOutcome, DEFAULT_CASE_BUDGET, runCase } from "./case-runner.js";
import { findCaseFiles, loadCases, matchesFilter } from "./case-files.js";
import type { ConformanceCase } from "./conformance-case.js";
import { KNOWN_FAILURES, type KnownFailure } from "./known-failures.js";

/** Options of a suite run. */
export interface SuiteOptions {
  /** The conformance folder (holding `v1/`, `v0/`, or case files directly). */
  readonly dir: string;
  /** More case folders run with it, each with the prefix its folders get in reports. */
  readonly extraDirs?: readonly { readonly dir: string; readonly prefix: string }[];
  /** Runs only one folder (`v1/every` or `every`) or the cases whose note contains this text. */
  readonly filter?: string;
  readonly budget?: CaseBudget;
  /** The known failures to mark (defaults to the project's list). */
  readonly knownFailures?: readonly KnownFailure[];
}

/** One case and how it ended. */
export interface CaseRecord {
  readonly note: string;
  readonly folder: string;
  readonly file: string;
  readonly outcome: CaseOutcome;
  /** The known-failures entry for this case, if it has one. */
  readonly known: KnownFailure | undefined;
}

/** Passed and failed counts of one feature folder. */
export interface FolderTally {
  readonly folder: string;
  passed: number;
  failed: number;
}

/** The result of a suite run. */
export interface SuiteReport {
  readonly folders: readonly FolderTally[];
  readonly passed: number;
  readonly failed: number;
  readonly total: number;
  readonly records: readonly CaseRecord[];
  /** Known failures that passed in this run: remove them from the list. */
  readonly knownButPassing: readonly KnownFailure[];
  /** Known-failure notes that matched no case that ran (only meaningful for an unfiltered run). */
  readonly knownButAbsent: readonly KnownFailure[];
}

/** Loads the cases of the conformance folder that the filter selects. */
export function selectCases(options: Pick<SuiteOptions, "dir" | "extraDirs" | "filter">): ConformanceCase[] {
  const files = findCaseFiles(options.dir);
  for (const extra of options.extraDirs ?? []) files.push(...findCaseFiles(extra.dir, extra.prefix));
  return loadCases(files).filter((c) => matchesFilter(c, options.filter));
}

/** Runs the selected cases of the conformance folder in this process and tallies them. */
export function runSuite(options: SuiteOptions): SuiteReport {
  const cases = selectCases(options);
  const outcomes = cases.map((c) => runCase(c, options.budget ?? DEFAULT_CASE_BUDGET));
  return summarizeRun(cases, outcomes, options.knownFailures ?? KNOWN_FAILURES);
}

/** Tallies the outcomes of a run (one per case, same order) per folder and against the known failures. */
export function summarizeRun(
  cases: readonly ConformanceCase[],
  outcomes: readonly CaseOutcome[],
  knownFailures: readonly KnownFailure[],
): SuiteReport {
  const known = new Map(knownFailures.map((k) => [k.note, k]));
  const folders = new Map<string, FolderTally>();
  const records: CaseRecord[] = [];
  // Notes are not unique in OPA's data: a known entry covers every case with its note.
  const failedNotes = new Set<string>();
  const seenNotes = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const outcome = outcomes[i];
    if (outcome === undefined) throw new Error(`no outcome for case ${c.note}`);
    records.push({ note: c.note, folder: c.folder, file: c.file, outcome, known: known.get(c.note) });
    seenNotes.add(c.note);
    if (outcome.kind === "fail") failedNotes.add(c.note);
    let tally = folders.get(c.folder);
    if (!tally) {
      tally = { folder: c.folder, passed: 0, failed: 0 };
      folders.set(c.folder, tally);
    }
    if (outcome.kind === "pass") tally.passed++;
    else tally.failed++;
  }
  const passed = records.filter((r) => r.outcome.kind === "pass").length;
  return {
    folders: [...folders.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)),
    passed,
    failed: records.length - passed,
    total: records.length,
    records,
    knownButPassing: [...known.values()].filter((k) => seenNotes.has(k.note) && !failedNotes.has(k.note)),
    knownButAbsent: [...known.values()].filter((k) => !seenNotes.has(k.note)),
  };
}
