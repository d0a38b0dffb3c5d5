// Differential testing, corpus 2: generated modules. Each case is its own fast-check run (seed
// `base + i`), so a disagreement is shrunk to a minimal module before the next case runs and
// the run goes on; a disagreement the known list covers counts as agreement while shrinking, so
// shrinking stays on the new one.

import fc from "fast-check";
import { type Answer, compareAnswers, showAnswer } from "./answer.js";
import type { SampledBuiltin } from "./builtin-sample.js";
import { type DifferentialCase, describeCase, writeCaseFiles } from "./differential-case.js";
import { askEngine } from "./engine-answer.js";
import { type GenCase, genCaseArbitrary } from "./generated-module.js";
import type { KnownMismatches } from "./known-mismatches.js";
import { type CorpusTally, reproText } from "./mismatch.js";
import { askOpa } from "./opa-answer.js";
import { GENERATED_PACKAGE, renderModule } from "./module-renderer.js";
import { runPool } from "./task-pool.js";

/** A batch of generated cases: how many, from which seed. */
export interface GeneratedBatch {
  readonly seed: number;
  readonly count: number;
  /** Time allowed to shrink one disagreement. */
  readonly shrinkMs?: number;
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

interface Asked {
  readonly c: DifferentialCase;
  readonly opa: Answer;
  readonly ours: Answer;
  readonly what: string | undefined;
  readonly repro: string;
}

async function ask(opa: string, c: DifferentialCase): Promise<Asked> {
  const files = writeCaseFiles(c);
  try {
    const o = await askOpa(opa, c, files);
    const ours = askEngine(c, files.modules);
    const agreement = compareAnswers(o.answer, ours);
    return {
      c,
      opa: o.answer,
      ours,
      what: agreement.kind === "same" ? undefined : agreement.what,
      repro: reproText(describeCase(c), showAnswer(o.answer), showAnswer(ours)),
    };
  } finally {
    files.remove();
  }
}

/** Runs a batch of generated cases into the tally; two cases in flight at a time. */
export async function runGeneratedBatch(
  opa: string,
  builtins: readonly SampledBuiltin[],
  known: KnownMismatches,
  batch: GeneratedBatch,
  tally: CorpusTally,
  progress: (done: number) => void = () => {},
): Promise<void> {
  const indexes = Array.from({ length: batch.count }, (_, i) => i);
  let done = 0;
  await runPool(indexes, 2, async (i) => {
    const seed = (batch.seed + i) | 0;
    const id = `generated seed ${seed}`;
    let first: Asked | undefined;
    let last: Asked | undefined;
    const property = fc.asyncProperty(genCaseArbitrary, async (g) => {
      const a = await ask(opa, generatedCase(g, builtins, id));
      first ??= a;
      if (a.what === undefined) return true;
      // A known disagreement is not shrunk; while shrinking a new one, a known one counts as
      // agreement, so shrinking keeps to the new one.
      if (known.lookup("generated", id, a.repro) !== undefined) return true;
      last = a;
      return false;
    });
    const result = await fc.check(property, {
      seed,
      numRuns: 1,
      interruptAfterTimeLimit: batch.shrinkMs ?? 60_000,
      markInterruptAsFailure: false,
    });
    const asked = first as Asked | undefined;
    tally.compared++;
    if (asked === undefined || asked.what === undefined) tally.agreed++;
    else {
      const entry = known.lookup("generated", id, asked.repro);
      const shown = result.failed && last !== undefined ? last : asked;
      const shrinks = result.failed ? ` (shrunk in ${result.numShrinks} steps)` : "";
      tally.mismatches.push({
        corpus: "generated",
        id: `${id}${shrinks}`,
        what: shown.what ?? asked.what,
        repro: shown.repro,
        known: entry,
      });
    }
    progress(++done);
  });
}
