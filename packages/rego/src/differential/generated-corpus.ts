// Differential testing, corpus 2: generated modules. Each case is its own fast-check run (seed
// `base + i`), so a disagreement is shrunk to a minimal module before the next case runs and
// the run goes on; a disagreement the known list covers counts as agreement while shrinking, so
// shrinking stays on the new one.

import fc from "fast-check";
import { compareAnswers, showAnswer } from "./answer.js";
import type { SampledBuiltin } from "./builtin-sample.js";
import { type DifferentialCase, describeCase, writeCaseFiles } from "./differential-case.js";
import { askEngine } from "./engine-answer.js";
import { type GenCase, genCaseArbitrary } from "./generated-module.js";
import type { KnownMismatches, MismatchFacts } from "./known-mismatches.js";
import { addMismatch, type CorpusTally, reproText } from "./mismatch.js";
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
  readonly what: string | undefined;
  readonly facts: MismatchFacts;
}

async function ask(opa: string, c: DifferentialCase): Promise<Asked> {
  const files = writeCaseFiles(c);
  try {
    const o = await askOpa(opa, c, files);
    const ours = askEngine(c, files.modules);
    const agreement = compareAnswers(o.answer, ours);
    const what = agreement.kind === "same" ? undefined : agreement.what;
    const [opaText, ourText] = [showAnswer(o.answer), showAnswer(ours)];
    return {
      c,
      what,
      facts: {
        id: c.id,
        what: what ?? "",
        repro: reproText(describeCase(c), opaText, ourText),
        opa: opaText,
        ours: ourText,
      },
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
      if (known.lookup("generated", a.facts) !== undefined) return true;
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
    if (asked === undefined || asked.what === undefined) {
      tally.compared++;
      tally.agreed++;
    } else {
      // Report the shrunk case when shrinking found one, under the case's own seed.
      const shown = result.failed && last !== undefined ? last : asked;
      const shrinks = result.failed ? ` (shrunk in ${result.numShrinks} steps)` : "";
      addMismatch(tally, known, { ...shown.facts, id: `${id}${shrinks}` });
    }
    progress(++done);
  });
}
