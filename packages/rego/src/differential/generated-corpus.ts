// Differential testing, corpus 2: generated modules. Each case is its own fast-check run (seed
// `base + i`), so a disagreement is shrunk to a minimal module before the next case runs and
// the run goes on. A case is compared twice: the answers (result sets or error codes), and,
// when they agree, `keygate policy eval`'s output with `opa eval`'s byte for byte. Shrinking
// keeps to the kind of disagreement the case showed first, and treats a known one as
// agreement, so it stays on the new one.

import fc from "fast-check";
import { compareAnswers, showAnswer } from "./answer.js";
import type { SampledBuiltin } from "./builtin-sample.js";
import { keygateEvalArgs } from "./case-comparison.js";
import { type DifferentialCase, describeCase, writeCaseFiles } from "./differential-case.js";
import { askEngine } from "./engine-answer.js";
import { type GenCase, genCaseArbitrary } from "./generated-module.js";
import type { KeygatePolicyCli } from "./keygate-cli.js";
import type { KnownMismatches, MismatchFacts } from "./known-mismatches.js";
import { addMismatch, type CorpusTally, reproText } from "./mismatch.js";
import { GENERATED_PACKAGE, renderModule } from "./module-renderer.js";
import { askOpa } from "./opa-answer.js";
import { describeOutputDifference } from "./output-difference.js";
import { runPool } from "./task-pool.js";

/** A batch of generated cases: how many, from which seed. */
export interface GeneratedBatch {
  readonly seed: number;
  readonly count: number;
  /** Time allowed to shrink one disagreement. */
  readonly shrinkMs?: number;
}

/** Where generated cases are tallied: answers, and output bytes (the latter only with the CLI). */
export interface GeneratedTallies {
  readonly answers: CorpusTally;
  readonly bytes?: CorpusTally;
}

/** Turns a generated tree into the case asked of both sides. */
export function generatedCase(g: GenCase, builtins: readonly SampledBuiltin[], id: string): DifferentialCase {
  return {
    id,
    modules: [renderModule(g, builtins)],
    data: undefined,
    input: g.input,
    query: `data.${GENERATED_PACKAGE}`,
    regoVersion: 1,
    strictBuiltinErrors: g.strict,
  };
}

/** What asking one case found: the answers' disagreement, else the output bytes' one, else none. */
interface Asked {
  readonly answers: MismatchFacts | undefined;
  readonly bytes: MismatchFacts | undefined;
}

async function ask(opa: string, cli: KeygatePolicyCli | undefined, c: DifferentialCase): Promise<Asked> {
  const files = writeCaseFiles(c);
  try {
    const o = await askOpa(opa, c, files);
    const ours = askEngine(c, files.modules);
    const agreement = compareAnswers(o.answer, ours);
    const caseText = describeCase(c);
    if (agreement.kind === "differ") {
      const [opaText, ourText] = [showAnswer(o.answer), showAnswer(ours)];
      const repro = reproText(caseText, opaText, ourText);
      return {
        answers: { id: c.id, what: agreement.what, repro, opa: opaText, ours: ourText },
        bytes: undefined,
      };
    }
    const ourText = cli?.eval(keygateEvalArgs(c, files)).stdout;
    if (ourText === undefined || ourText === o.stdout) return { answers: undefined, bytes: undefined };
    const repro = reproText(caseText, o.stdout.trimEnd(), ourText.trimEnd());
    const what = describeOutputDifference(o.stdout, ourText);
    return { answers: undefined, bytes: { id: c.id, what, repro, opa: o.stdout, ours: ourText } };
  } finally {
    files.remove();
  }
}

/** Runs a batch of generated cases into the tallies; two cases in flight at a time. */
export async function runGeneratedBatch(
  opa: string,
  cli: KeygatePolicyCli | undefined,
  builtins: readonly SampledBuiltin[],
  known: KnownMismatches,
  batch: GeneratedBatch,
  tallies: GeneratedTallies,
  progress: (done: number) => void = () => {},
): Promise<void> {
  const indexes = Array.from({ length: batch.count }, (_, i) => i);
  let done = 0;
  await runPool(indexes, 2, async (i) => {
    const seed = (batch.seed + i) | 0;
    const id = `generated seed ${seed}`;
    let first: Asked | undefined;
    let kind: keyof Asked | undefined;
    let last: MismatchFacts | undefined;
    const isNew = (k: keyof Asked, facts: MismatchFacts) =>
      known.lookup(
        k === "answers" ? tallies.answers.corpus : (tallies.bytes?.corpus ?? "generated-bytes"),
        facts,
      ) === undefined;
    const property = fc.asyncProperty(genCaseArbitrary, async (g) => {
      const a = await ask(opa, cli, generatedCase(g, builtins, id));
      if (first === undefined) {
        first = a;
        kind = a.answers ? "answers" : a.bytes ? "bytes" : undefined;
      }
      const facts = kind === undefined ? undefined : a[kind];
      if (kind === undefined || facts === undefined || !isNew(kind, facts)) return true;
      last = facts;
      return false;
    });
    const result = await fc.check(property, {
      seed,
      numRuns: 1,
      interruptAfterTimeLimit: batch.shrinkMs ?? 20_000,
      markInterruptAsFailure: false,
    });
    const asked = first as Asked | undefined;
    const shrinks = result.failed ? ` (shrunk in ${result.numShrinks} steps)` : "";
    // Report the shrunk case when shrinking found one, under the case's own seed.
    const record = (tally: CorpusTally, facts: MismatchFacts | undefined) => {
      if (facts === undefined) {
        tally.compared++;
        tally.agreed++;
      } else {
        const shown = result.failed && last !== undefined ? last : facts;
        addMismatch(tally, known, { ...shown, id: `${id}${shrinks}` });
      }
    };
    record(tallies.answers, asked?.answers);
    if (tallies.bytes && asked?.answers === undefined) record(tallies.bytes, asked?.bytes);
    progress(++done);
  });
}
