// Differential testing, bookkeeping: the mismatches with OPA known today, each with its reason,
// read from `packages/rego/differential-known-mismatches.json`. A mismatch that matches an
// entry is reported as known; one that matches none fails a CI run; an entry that matched
// nothing in a full run is reported as stale, to be removed, so the list only shrinks.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `packages/rego/differential-known-mismatches.json` (same place from `src/` and `dist/`). */
export const KNOWN_MISMATCHES_FILE = fileURLToPath(
  new URL("../../differential-known-mismatches.json", import.meta.url),
);

/** The comparisons a mismatch can come from. */
export const CORPORA = [
  "conformance",
  "generated",
  "tests",
  "check",
  "eval-bytes",
  "generated-bytes",
] as const;

/**
 * One comparison: the shared conformance corpus, generated modules, a policy folder's tests,
 * `policy check` and `policy eval` output bytes on the conformance corpus, and `policy eval`
 * output bytes on generated modules.
 */
export type Corpus = (typeof CORPORA)[number];

/**
 * A known mismatch: in which comparison, which case (by id) or which class of repros (by
 * patterns), and why. Every selector given must match.
 */
export interface KnownMismatch {
  readonly corpus: Corpus;
  /** The exact case id (a conformance note, a test name). */
  readonly case?: string;
  /** A regular expression searched for in the repro text (module, input, query and both answers). */
  readonly match?: string;
  /** A regular expression searched for in the one-line summary of the difference. */
  readonly what?: string;
  /** A regular expression searched for in OPA's answer. */
  readonly opa?: string;
  /** A regular expression searched for in our answer. */
  readonly ours?: string;
  readonly reason: string;
}

/** What a mismatch is matched on: its id, its summary, its repro and each side's answer. */
export interface MismatchFacts {
  readonly id: string;
  readonly what: string;
  readonly repro: string;
  readonly opa: string;
  readonly ours: string;
}

const PATTERN_FIELDS = ["match", "what", "opa", "ours"] as const;
const FACT_OF: Record<(typeof PATTERN_FIELDS)[number], keyof MismatchFacts> = {
  match: "repro",
  what: "what",
  opa: "opa",
  ours: "ours",
};

/** The known list, with the entries each run matched. */
export class KnownMismatches {
  private readonly used = new Set<KnownMismatch>();
  private readonly patterns: Map<KnownMismatch, [keyof MismatchFacts, RegExp][]>;

  constructor(readonly entries: readonly KnownMismatch[]) {
    this.patterns = new Map(
      entries.map((e) => [
        e,
        PATTERN_FIELDS.filter((f) => e[f] !== undefined).map((f) => [
          FACT_OF[f],
          new RegExp(e[f] as string, "s"),
        ]),
      ]),
    );
  }

  /** The entry that covers this mismatch, if any (and remembers it was used). */
  lookup(corpus: Corpus, facts: MismatchFacts): KnownMismatch | undefined {
    for (const e of this.entries) {
      if (e.corpus !== corpus) continue;
      if (e.case !== undefined && e.case !== facts.id) continue;
      if (!(this.patterns.get(e) ?? []).every(([fact, re]) => re.test(facts[fact]))) continue;
      this.used.add(e);
      return e;
    }
    return undefined;
  }

  /** Entries of the given corpora that matched nothing: fixed, or no longer reached. */
  unused(corpora: readonly Corpus[]): KnownMismatch[] {
    return this.entries.filter((e) => corpora.includes(e.corpus) && !this.used.has(e));
  }
}

/** Reads and checks the known-mismatch file; throws an Error saying what is wrong and where. */
export function readKnownMismatches(file: string = KNOWN_MISMATCHES_FILE): KnownMismatches {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: cannot read the known mismatches: ${(e as Error).message}`);
  }
  const list = isRecord(doc) ? doc.mismatches : undefined;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an object with a "mismatches" list`);
  return new KnownMismatches(list.map((raw, i) => checkEntry(raw, `${file}: mismatches[${i}]`)));
}

function checkEntry(raw: unknown, where: string): KnownMismatch {
  if (!isRecord(raw)) throw new Error(`${where} is not an object`);
  const { corpus, case: id, reason } = raw;
  if (typeof corpus !== "string" || !(CORPORA as readonly string[]).includes(corpus)) {
    throw new Error(`${where}: "corpus" must be one of ${CORPORA.join(", ")}`);
  }
  if (typeof reason !== "string" || reason.trim() === "") throw new Error(`${where}: "reason" must say why`);
  if (id !== undefined && typeof id !== "string") throw new Error(`${where}: "case" must be a string`);
  const patterns: Partial<Record<(typeof PATTERN_FIELDS)[number], string>> = {};
  for (const f of PATTERN_FIELDS) {
    const v = raw[f];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new Error(`${where}: "${f}" must be a string`);
    try {
      new RegExp(v, "s");
    } catch (e) {
      throw new Error(`${where}: "${f}" is not a valid regular expression: ${(e as Error).message}`);
    }
    patterns[f] = v;
  }
  if (id === undefined && Object.keys(patterns).length === 0) {
    throw new Error(`${where}: needs "case" or a pattern ("match", "what", "opa", "ours")`);
  }
  return { corpus: corpus as Corpus, ...(id !== undefined ? { case: id } : {}), ...patterns, reason };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
