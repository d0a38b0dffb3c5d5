// Conformance, isolation: runs the cases in a worker thread with a watchdog. The engine's budget
// stops evaluations that run long; this also stops anything else that never returns (a loop in
// the compiler, say): the case fails as a hang and the run goes on with a fresh worker.

import { Worker } from "node:worker_threads";
import { type CaseOutcome, DEFAULT_CASE_BUDGET } from "./case-runner.js";
import type { CaseWorkerData } from "./case-worker.js";
import { type SuiteOptions, type SuiteReport, selectCases, summarizeRun } from "./conformance-suite.js";
import { KNOWN_FAILURES } from "./known-failures.js";

/** Options of an isolated run: those of a suite run, and how long a case may go without answering. */
export interface IsolatedSuiteOptions extends SuiteOptions {
  /** Default: the case's time budget plus 10 seconds. */
  readonly hangMs?: number;
}

/** Runs the selected cases in a worker thread; a case that does not answer in time fails as a hang. */
export async function runSuiteIsolated(options: IsolatedSuiteOptions): Promise<SuiteReport> {
  const cases = selectCases(options);
  const budget = options.budget ?? DEFAULT_CASE_BUDGET;
  const hangMs = options.hangMs ?? budget.timeoutMs + 10_000;
  const outcomes: CaseOutcome[] = [];
  while (outcomes.length < cases.length) {
    const start = outcomes.length;
    const stopped = await runWorker({ cases, start, budget }, hangMs, (o) => outcomes.push(o));
    if (stopped !== undefined) outcomes.push(stopped);
  }
  return summarizeRun(cases, outcomes, options.knownFailures ?? KNOWN_FAILURES);
}

/**
 * Runs one worker from `data.start` until it finishes (resolves undefined) or stops answering or
 * dies (resolves the failed outcome of the case it was on).
 */
function runWorker(
  data: CaseWorkerData,
  hangMs: number,
  onOutcome: (o: CaseOutcome) => void,
): Promise<CaseOutcome | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./case-worker.js", import.meta.url), {
      workerData: data,
      // A case that eats memory kills its worker, not the run.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    let next = data.start;
    let settled = false;
    const finish = (result: CaseOutcome | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    let timer = setTimeout(() => hang(), hangMs);
    const hang = () =>
      finish({
        kind: "fail",
        failure: "hang",
        reason: `no answer within ${hangMs} ms; the case was stopped`,
      });
    worker.on("message", (m: { index: number; outcome: CaseOutcome }) => {
      if (settled || m.index !== next) return;
      onOutcome(m.outcome);
      next++;
      clearTimeout(timer);
      timer = setTimeout(() => hang(), hangMs);
      if (next >= data.cases.length) finish(undefined);
    });
    worker.on("error", (e) =>
      finish({ kind: "fail", failure: "crash", reason: `the worker died: ${e.message}` }),
    );
    worker.on("exit", (code) => {
      if (next < data.cases.length) {
        finish({ kind: "fail", failure: "crash", reason: `the worker exited with code ${code}` });
      }
    });
  });
}
