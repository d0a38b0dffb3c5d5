// Conformance, suite stage: runs the selected cases of the conformance folder and tallies them
// per feature folder, marking failures known or new.

import { type CaseBudget, type CaseOutcome, DEFAULT_CASE_BUDGET, runCase } from "./case-runner.js";
import { findCaseFiles, loadCases, matchesFilter } from "./case-files.js";
import { KNOWN_FAILURES, type KnownFailure } from "./known-failures.js";

/** Options of a suite run. */
export interface SuiteOptions {
  /** The conformance folder (holding `v1/`, `v0/`, or case files directly). */
  readonly dir: string;
  /** Runs only one folder (`v1/every` or `every`) or the cases whose note contains this text. */
  readonly filter?: string;
  readonly budget?: CaseBudget;
  /** Called after each case, e.g. to show progress. */
  readonly onCase?: (record: CaseRecord) => void;
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

/** Runs the selected cases of the conformance folder and tallies them. */
export function runSuite(options: SuiteOptions): SuiteReport {
  const known = new Map((options.knownFailures ?? KNOWN_FAILURES).map((k) => [k.note, k]));
  const cases = loadCases(findCaseFiles(options.dir)).filter((c) => matchesFilter(c, options.filter));
  const folders = new Map<string, FolderTally>();
  const records: CaseRecord[] = [];
  const seenNotes = new Set<string>();
  for (const c of cases) {
    const outcome = runCase(c, options.budget ?? DEFAULT_CASE_BUDGET);
    const record: CaseRecord = {
      note: c.note,
      folder: c.folder,
      file: c.file,
      outcome,
      known: known.get(c.note),
    };
    seenNotes.add(c.note);
    records.push(record);
    let tally = folders.get(c.folder);
    if (!tally) {
      tally = { folder: c.folder, passed: 0, failed: 0 };
      folders.set(c.folder, tally);
    }
    if (outcome.kind === "pass") tally.passed++;
    else tally.failed++;
    options.onCase?.(record);
  }
  const passed = records.filter((r) => r.outcome.kind === "pass").length;
  return {
    folders: [...folders.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)),
    passed,
    failed: records.length - passed,
    total: records.length,
    records,
    knownButPassing: records
      .filter((r) => r.outcome.kind === "pass" && r.known)
      .map((r) => r.known as KnownFailure),
    knownButAbsent: [...known.values()].filter((k) => !seenNotes.has(k.note)),
  };
}
