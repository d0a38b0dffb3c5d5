// Differential testing, per case: asks OPA and the engine the same case and tallies the three
// comparisons the shared corpus gets: answers (result sets or error codes), `policy eval` output
// byte for byte, and `policy check` verdicts.

import { compareAnswers, showAnswer, type Answer } from "./answer.js";
import { compareVerdicts, keygateCheck, opaCheck, showVerdict } from "./check-comparison.js";
import { type CaseFiles, type DifferentialCase, describeCase, writeCaseFiles } from "./differential-case.js";
import { askEngine } from "./engine-answer.js";
import type { KeygatePolicyCli } from "./keygate-cli.js";
import type { KnownMismatches } from "./known-mismatches.js";
import { addMismatch, type CorpusTally, reproText } from "./mismatch.js";
import { askOpa } from "./opa-answer.js";
import { describeOutputDifference } from "./output-difference.js";

/** Where one case's comparisons are tallied; `eval-bytes` and `check` only when those comparisons run. */
export interface CaseTallies {
  readonly answers: CorpusTally;
  readonly evalBytes?: CorpusTally;
  readonly check?: CorpusTally;
}

/** What comparing one case's answers found, for the caller to judge (e.g. whether OPA passes its own case). */
export interface AnswerComparison {
  readonly opa: Answer;
  readonly ours: Answer;
  readonly agreement: ReturnType<typeof compareAnswers>;
}

/** Everything one comparison needs. */
export interface ComparisonContext {
  readonly opa: string;
  readonly known: KnownMismatches;
  readonly cli: KeygatePolicyCli | undefined;
}

/**
 * Compares one case. `excuse` may explain away an answer mismatch (OPA failing its own
 * conformance case); the mismatch is then tallied as skipped with that reason.
 */
export async function compareCase(
  ctx: ComparisonContext,
  c: DifferentialCase,
  tallies: CaseTallies,
  excuse: (cmp: AnswerComparison) => string | undefined = () => undefined,
): Promise<AnswerComparison> {
  const files = writeCaseFiles(c);
  try {
    const [opaOut, opaVerdict] = await Promise.all([
      askOpa(ctx.opa, c, files),
      tallies.check && c.modules.length > 0 ? opaCheck(ctx.opa, files.modules, c.regoVersion) : undefined,
    ]);
    const ours = askEngine(c, files.modules);
    const agreement = compareAnswers(opaOut.answer, ours);
    const cmp = { opa: opaOut.answer, ours, agreement };
    const caseText = describeCase(c);

    const t = tallies.answers;
    if (agreement.kind === "same") {
      t.compared++;
      t.agreed++;
    } else {
      const why = excuse(cmp);
      if (why !== undefined) {
        t.skipped.push({ id: c.id, reason: why });
      } else {
        const [opa, our] = [showAnswer(opaOut.answer), showAnswer(ours)];
        addMismatch(t, ctx.known, {
          id: c.id,
          what: agreement.what,
          repro: reproText(caseText, opa, our),
          opa,
          ours: our,
        });
      }
    }

    if (tallies.evalBytes && ctx.cli && agreement.kind === "same") {
      const b = tallies.evalBytes;
      const ourText = ctx.cli.eval(keygateEvalArgs(c, files)).stdout;
      if (ourText === opaOut.stdout) {
        b.compared++;
        b.agreed++;
      } else {
        addMismatch(b, ctx.known, {
          id: c.id,
          what: describeOutputDifference(opaOut.stdout, ourText),
          repro: reproText(caseText, opaOut.stdout.trimEnd(), ourText.trimEnd()),
          opa: opaOut.stdout,
          ours: ourText,
        });
      }
    }

    if (tallies.check && ctx.cli && opaVerdict !== undefined) {
      const k = tallies.check;
      const ourVerdict = keygateCheck(ctx.cli, files.modules);
      const verdicts = compareVerdicts(opaVerdict, ourVerdict);
      if (verdicts === "same") {
        k.compared++;
        k.agreed++;
      } else {
        const [opa, our] = [showVerdict(opaVerdict), showVerdict(ourVerdict)];
        const modules = c.modules.map(
          (m, i) => `--- module mod-${i}.rego (rego v${c.regoVersion})\n${m.trimEnd()}`,
        );
        addMismatch(k, ctx.known, {
          id: c.id,
          what: `policy check: ${verdicts} differ`,
          repro: reproText(modules.join("\n"), opa, our),
          opa,
          ours: our,
        });
      }
    }
    return cmp;
  } finally {
    files.remove();
  }
}

/** The `keygate policy eval` arguments that match `opa eval`'s for the case. */
export function keygateEvalArgs(c: DifferentialCase, files: CaseFiles): string[] {
  const args: string[] = [c.regoVersion === 0 ? "--v0" : "--v1"];
  if (c.strictBuiltinErrors) args.push("--strict-builtin-errors");
  for (const m of files.modules) args.push("-d", m);
  if (files.data !== undefined) args.push("-d", files.data);
  if (files.input !== undefined) args.push("-i", files.input);
  args.push(c.query);
  return args;
}
